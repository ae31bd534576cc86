// exchange-runbook-lint: the language server's checks from the command line, for CI pipelines.
// Human, JSON or SARIF output; exit code 1 when a runbook has errors (or warnings with --strict).
import { neighbourRunbooks } from './neighbours';
import { type Dirent, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Diagnostic, DiagnosticSeverity } from 'vscode-languageserver-types';
import { codeHref, DIAGNOSTIC_CODES, type DiagnosticData, LANGUAGE_REFERENCE_URL } from '../analysis/diagnostics';
import { RunbookLanguageService } from '../languageService';
import { readRuleDocs } from './ruleDocs';
import { takeFailures } from '../util/failures';

interface Options {
  format: 'human' | 'json' | 'sarif';
  strict: boolean;
  locale: string;
  paths: string[];
}

const USAGE = `Usage: exchange-runbook-lint [--format human|json|sarif] [--strict] [--locale en|zh-cn|ja] [--] <file or folder>...

Checks Exchange runbooks (*.exrunbook). Folders are searched recursively.
Exit code: 0 clean, 1 errors found (or warnings with --strict), 2 usage or read error (a path that
cannot be read, or no runbook found at all).`;

const LOCALES = ['en', 'zh-cn', 'ja'];

function parseArguments(argv: string[]): Options | string {
  const options: Options = { format: 'human', strict: false, locale: process.env.EXR_LOCALE ?? 'en', paths: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    // `--` ends the options: what follows are paths, even when they start with `-`.
    if (arg === '--') {
      options.paths.push(...argv.slice(i + 1));
      break;
    }
    // `--format=json` is the same as `--format json`.
    const equals = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = equals > 0 ? arg.slice(0, equals) : arg;
    const value = (): string | undefined => (equals > 0 ? arg.slice(equals + 1) : argv[++i]);
    if (name === '--help' || name === '-h') return USAGE;
    if (name === '--strict') options.strict = true;
    else if (name === '--format' || name === '-f') {
      const format = value();
      if (format !== 'human' && format !== 'json' && format !== 'sarif') return `Unknown format ${format ?? '(none)'}.\n\n${USAGE}`;
      options.format = format;
    } else if (name === '--locale') {
      const locale = value()?.toLowerCase();
      // A misspelt locale fails, rather than silently falling back to English.
      if (!locale || !LOCALES.includes(locale)) return `Unknown locale ${locale ?? '(none)'}: use one of ${LOCALES.join(', ')}.\n\n${USAGE}`;
      options.locale = locale;
    } else if (arg.startsWith('-') && arg !== '-') return `Unknown option ${arg}.\n\n${USAGE}`;
    else options.paths.push(arg);
  }
  return options.paths.length ? options : USAGE;
}

interface Found {
  files: string[];
  /** Paths that could not be read, with why; the run goes on and exits 2. */
  problems: string[];
}

/**
 * The runbooks under the given paths. Nothing in a folder aborts the walk: an unreadable entry, a
 * dangling symlink or a symlink loop is reported and skipped, a folder reached twice (a symlink to
 * a parent) is walked once, and only regular files are read (a FIFO would never end).
 */
function collectFiles(paths: string[]): Found {
  const found: Found = { files: [], problems: [] };
  const walked = new Set<string>();
  const describe = (error: unknown): string => {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'no such file or folder (or a dangling symlink)';
    if (code === 'ELOOP') return 'a symlink loop';
    if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
    return error instanceof Error ? error.message : String(error);
  };
  const visit = (path: string, given: boolean): void => {
    let info;
    try {
      info = statSync(path);
    } catch (error) {
      found.problems.push(`${path}: ${describe(error)}`);
      return;
    }
    if (info.isDirectory()) {
      let real: string;
      let entries: Dirent[];
      try {
        real = realpathSync(path);
        if (walked.has(real)) return;
        walked.add(real);
        entries = readdirSync(path, { withFileTypes: true });
      } catch (error) {
        found.problems.push(`${path}: ${describe(error)}`);
        return;
      }
      entries
        .filter((entry) => entry.name !== 'node_modules' && !entry.name.startsWith('.'))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
        .forEach((entry) => {
          const child = join(path, entry.name);
          // Folders (and links to them) are walked; files count when they are runbooks.
          if (entry.isDirectory() || entry.isSymbolicLink() || entry.name.endsWith('.exrunbook')) visit(child, false);
        });
      return;
    }
    if (!given && !path.endsWith('.exrunbook')) return;
    if (!info.isFile()) {
      found.problems.push(`${path}: not a regular file`);
      return;
    }
    found.files.push(path);
  };
  for (const path of paths) visit(resolve(path), true);
  return found;
}

/**
 * A runbook's text: UTF-8, or UTF-16 with its byte order mark (as Windows tools save it); a file
 * that is neither is reported once, not as one syntax error per line.
 */
function readRunbook(path: string): { text: string } | { problem: string } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { problem: code === 'EACCES' || code === 'EPERM' ? 'permission denied' : error instanceof Error ? error.message : String(error) };
  }
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { text: new TextDecoder('utf-16le').decode(bytes.subarray(2)) };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { text: new TextDecoder('utf-16be').decode(bytes.subarray(2)) };
  if (bytes.subarray(0, 8192).includes(0)) return { problem: 'not a text file (it contains NUL bytes): runbooks are UTF-8 text' };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { problem: 'not valid UTF-8: save the runbook as UTF-8' };
  }
}

interface FileResult {
  path: string;
  diagnostics: Diagnostic[];
}

const SEVERITY_NAME: Record<number, string> = { 1: 'error', 2: 'warning', 3: 'info', 4: 'hint' };

function human(results: FileResult[]): string {
  const lines: string[] = [];
  let errors = 0;
  let warnings = 0;
  for (const { path, diagnostics } of results) {
    for (const d of diagnostics) {
      const severity = SEVERITY_NAME[d.severity ?? 1]!;
      if (d.severity === DiagnosticSeverity.Error) errors++;
      if (d.severity === DiagnosticSeverity.Warning) warnings++;
      lines.push(`${path}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${severity} [${String(d.code)}] ${d.message}`);
    }
  }
  lines.push(`${results.length} runbook${results.length === 1 ? '' : 's'} checked: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`);
  return lines.join('\n');
}

/** The words of the rule's id, for SARIF's `name` (PascalCase, as code scanning shows it). */
function ruleName(code: string): string {
  return code.replace(/(^|-)(\w)/g, (_m, _dash: string, c: string) => c.toUpperCase());
}

function sarif(results: FileResult[]): object {
  const level = (severity: number | undefined): string => (severity === 1 ? 'error' : severity === 2 ? 'warning' : 'note');
  const docs = readRuleDocs();
  const codes = Object.keys(DIAGNOSTIC_CODES);
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'exchange-runbook-lint',
            informationUri: LANGUAGE_REFERENCE_URL,
            rules: Object.entries(DIAGNOSTIC_CODES).map(([id, severity]) => {
              const doc = docs.get(id);
              return {
                id,
                name: ruleName(id),
                ...(doc && {
                  shortDescription: { text: doc.summary },
                  fullDescription: { text: doc.meaning },
                  help: { text: `${doc.meaning}\n\n${doc.fix}`, markdown: `${doc.meaning}\n\n${doc.fix}\n\n[${id} in the language reference](${codeHref(id)})` },
                }),
                helpUri: codeHref(id),
                defaultConfiguration: { level: level(severity) },
              };
            }),
          },
        },
        results: results.flatMap(({ path, diagnostics }) =>
          diagnostics.map((d) => ({
            ruleId: String(d.code),
            // The rule's place in tool.driver.rules, which code scanning uses to find its help.
            ruleIndex: codes.indexOf(String(d.code)),
            level: level(d.severity),
            message: { text: d.message },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: path.split(/[\\/]/).map(encodeURIComponent).join('/') },
                  region: { startLine: d.range.start.line + 1, startColumn: d.range.start.character + 1, endLine: d.range.end.line + 1, endColumn: d.range.end.character + 1 },
                },
              },
            ],
          })),
        ),
      },
    ],
  };
}

async function main(): Promise<number> {
  const options = parseArguments(process.argv.slice(2));
  if (typeof options === 'string') {
    const isHelp = options === USAGE && process.argv.slice(2).some((a) => a === '--help' || a === '-h');
    (isHelp ? process.stdout : process.stderr).write(options + '\n');
    return isHelp ? 0 : 2;
  }
  const found = collectFiles(options.paths);
  const problems = [...found.problems];
  const service = await RunbookLanguageService.create();
  const results: FileResult[] = [];
  // References between runbooks resolve among every runbook given and the others in their folders.
  const workspace = service.createWorkspace();
  const texts = new Map<string, string>();
  for (const file of found.files) {
    const read = readRunbook(file);
    if ('problem' in read) problems.push(`${file}: ${read.problem}`);
    else texts.set(file, read.text);
  }
  for (const file of neighbourRunbooks(found.files)) {
    const read = readRunbook(file);
    if ('text' in read) workspace.set(pathToFileURL(file).href, read.text);
  }
  for (const [file, text] of texts) workspace.set(pathToFileURL(file).href, text);
  for (const [file, text] of texts) {
    const uri = pathToFileURL(file).href;
    const model = service.analyze(text, uri, workspace);
    results.push({ path: relative(process.cwd(), file) || file, diagnostics: service.diagnostics(model, uri, options.locale) });
  }
  for (const failure of takeFailures()) process.stderr.write(`exchange-runbook-lint: internal error (contained): ${failure}\n`);
  for (const problem of problems) process.stderr.write(`exchange-runbook-lint: cannot read ${problem}\n`);
  // A path with no runbook at all is a mistake in the CI job (a typo), not a clean result.
  if (found.files.length === 0 && problems.length === 0) {
    process.stderr.write(`exchange-runbook-lint: no runbooks (*.exrunbook) found in ${options.paths.join(', ')}\n`);
    return 2;
  }
  if (options.format === 'json') {
    // The quick fixes travel with each diagnostic, as `fixes` (title, edits, preferred), for tools
    // that apply them; positions are LSP's, 0-based.
    const withFixes = (d: Diagnostic): object => {
      const { data, ...rest } = d;
      const fixes = (data as DiagnosticData | undefined)?.fixes;
      return fixes?.length ? { ...rest, fixes } : rest;
    };
    process.stdout.write(JSON.stringify(results.map((r) => ({ path: r.path, diagnostics: r.diagnostics.map(withFixes) })), null, 2) + '\n');
  } else if (options.format === 'sarif') {
    process.stdout.write(JSON.stringify(sarif(results), null, 2) + '\n');
  } else {
    process.stdout.write(human(results) + '\n');
  }
  const failing = results.some((r) => r.diagnostics.some((d) => d.severity === DiagnosticSeverity.Error || (options.strict && d.severity === DiagnosticSeverity.Warning)));
  return problems.length > 0 ? 2 : failing ? 1 : 0;
}

// `exchange-runbook-lint … | head`: the reader went away; that ends the run quietly, not with a trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`exchange-runbook-lint failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 2;
  },
);
