// The comparison: the same runbooks written as YAML (bench/generate.mjs emits both) and validated by
// yaml-language-server's language service in-process, against bench/yaml/runbook.schema.json.
// Measured like ours: the first validation (cold), then re-validation after a one-character edit
// inside a `run` string (warm; each edit is a new document version, as in the editor).
//
//   node --expose-gc bench/yaml.mjs <runbook.yaml> [--runs N]
//
// This is schema-only validation (structure, enums, patterns), while ours parses every PowerShell
// command and checks cmdlets, parameters, values, conditions and every path of the run.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { measure, now, report } from './lib/stats.mjs';

const require = createRequire(import.meta.url);
const file = process.argv[2];
const runsIndex = process.argv.indexOf('--runs');

const t0 = now();
const { getLanguageService } = require('yaml-language-server/out/server/src/languageservice/yamlLanguageService.js');
const { TextDocument } = require('vscode-languageserver-textdocument');
const schema = JSON.parse(readFileSync(new URL('./yaml/runbook.schema.json', import.meta.url), 'utf8'));
const service = getLanguageService({
  schemaRequestService: (uri) => Promise.reject(new Error(`the benchmark fetches no schema (${uri})`)),
  workspaceContext: { resolveRelativePath: (relative, resource) => new URL(relative, resource).href },
});
service.configure({ validate: true, schemas: [{ uri: schema.$id, fileMatch: ['*.yaml'], schema }] });
const serviceCreateMs = now() - t0;

const text = readFileSync(file, 'utf8');
const lines = text.split('\n');
let document = TextDocument.create('file:///bench/runbook.yaml', 'yaml', 1, text);

const c0 = now();
const first = await service.doValidation(document, false);
const coldMs = now() - c0;

// The same edit as ours: typing inside the -LogFileLocation string nearest the middle.
const middle = lines.length >> 1;
let site;
lines.forEach((line, i) => {
  const at = line.indexOf('-LogFileLocation "');
  if (at >= 0 && (!site || Math.abs(i - middle) < Math.abs(site.line - middle))) site = { line: i, character: line.indexOf('"', at + 18) };
});
if (!site) throw new Error(`no -LogFileLocation in ${file}`);
let typed = 0;
let editedDiagnostics = 0;
const size = lines.length;
const runs = runsIndex > 0 ? Number(process.argv[runsIndex + 1]) : size > 10000 ? 10 : 30;
const warm = await measure(
  async () => {
    const at = { line: site.line, character: site.character + typed++ };
    document = TextDocument.update(document, [{ range: { start: at, end: at }, text: 'abcdefghijklmnopqrstuvwxyz'[typed % 26] }], document.version + 1);
    editedDiagnostics = (await service.doValidation(document, false)).length;
  },
  { warmup: size > 10000 ? 2 : 5, runs },
);

report({ file, lines: size, serviceCreateMs, coldMs, diagnostics: first.length, firstMessages: first.slice(0, 3).map((d) => `${d.range.start.line + 1}: ${d.message}`), editedDiagnostics, warm });
