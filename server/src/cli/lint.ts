// exchange-runbook-lint: the language server's checks from the command line, for CI pipelines.
// Human, JSON or SARIF output; exit code 1 when a runbook has errors (or warnings with --strict).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Diagnostic, DiagnosticSeverity } from 'vscode-languageserver-types';
import { DIAGNOSTIC_CODES, type DiagnosticCode, diagnosticHelp, LANGUAGE_DOCS_URL } from '../analysis/diagnostics';
import { RunbookLanguageService } from '../languageService';

interface Options {
  format: 'human' | 'json' | 'sarif';
  strict: boolean;
  locale: string;
  paths: string[];
}

const USAGE = `Usage: exchange-runbook-lint [--format human|json|sarif] [--strict] [--locale en|zh-cn|ja] <file or folder>...

Checks Exchange runbooks (*.exrunbook). Folders are searched recursively.
Exit code: 0 clean, 1 errors found (or warnings with --strict), 2 usage or read error.`;

function parseArguments(argv: string[]): Options | string {
  const options: Options = { format: 'human', strict: false, locale: process.env.EXR_LOCALE ?? 'en', paths: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return USAGE;
    if (arg === '--strict') options.strict = true;
    else if (arg === '--format' || arg === '-f') {
      const value = argv[++i];
      if (value !== 'human' && value !== 'json' && value !== 'sarif') return `Unknown format ${value ?? '(none)'}.\n\n${USAGE}`;
      options.format = value;
    } else if (arg === '--locale') options.locale = argv[++i] ?? 'en';
    else if (arg.startsWith('-')) return `Unknown option ${arg}.\n\n${USAGE}`;
    else options.paths.push(arg);
  }
  return options.paths.length ? options : USAGE;
}

function collectFiles(path: string): string[] {
  const stat = statSync(path);
  if (stat.isFile()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .filter((entry) => entry.name !== 'node_modules' && !entry.name.startsWith('.'))
    .flatMap((entry) => (entry.isDirectory() ? collectFiles(join(path, entry.name)) : entry.name.endsWith('.exrunbook') ? [join(path, entry.name)] : []))
    .sort();
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

function sarif(results: FileResult[]): object {
  const level = (severity: number | undefined): string => (severity === 1 ? 'error' : severity === 2 ? 'warning' : 'note');
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'exchange-runbook-lint',
            informationUri: LANGUAGE_DOCS_URL,
            rules: Object.entries(DIAGNOSTIC_CODES).map(([id, severity]) => ({
              id,
              defaultConfiguration: { level: level(severity) },
              helpUri: diagnosticHelp(id as DiagnosticCode),
            })),
          },
        },
        results: results.flatMap(({ path, diagnostics }) =>
          diagnostics.map((d) => ({
            ruleId: String(d.code),
            level: level(d.severity),
            message: { text: d.message },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: path.split('\\').join('/') },
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
  let files: string[];
  try {
    files = options.paths.flatMap((p) => collectFiles(resolve(p)));
  } catch (error) {
    process.stderr.write(`exchange-runbook-lint: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  const service = await RunbookLanguageService.create();
  const results: FileResult[] = files.map((file) => {
    const model = service.analyze(readFileSync(file, 'utf8'), file);
    return { path: relative(process.cwd(), file) || file, diagnostics: service.diagnostics(model, pathToFileURL(file).href, options.locale) };
  });
  if (options.format === 'json') {
    process.stdout.write(JSON.stringify(results.map((r) => ({ path: r.path, diagnostics: r.diagnostics.map(({ data: _data, ...d }) => d) })), null, 2) + '\n');
  } else if (options.format === 'sarif') {
    process.stdout.write(JSON.stringify(sarif(results), null, 2) + '\n');
  } else {
    process.stdout.write(human(results) + '\n');
  }
  const failing = results.some((r) => r.diagnostics.some((d) => d.severity === DiagnosticSeverity.Error || (options.strict && d.severity === DiagnosticSeverity.Warning)));
  return failing ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`exchange-runbook-lint failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 2;
  },
);
