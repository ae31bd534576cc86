// How many times the hot functions of a validation run: bundles the service with counters added to
// a few functions (an esbuild plugin edits the source text at load; nothing in server/ changes),
// then validates the generated runbooks once each. Not part of `npm run bench`; a diagnostic for
// docs/performance.md's "Where the time goes". If the server code changes shape, the counters that
// no longer find their function are reported as such.
//
//   node bench/calls.mjs            (after `npm run bench`, which writes bench/results/generated/)
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { BUILD_DIR, ROOT } from './lib/service.mjs';

const require = createRequire(import.meta.url);
const esbuild = await import('esbuild');

/** file (relative to server/src) → [function header to find, counter name]. */
const COUNTERS = {
  'analysis/checks/flow.ts': [
    ['const outgoing = (node: StepNode, state: FlowState): { edge: FlowEdge; state: FlowState }[] => {', 'outgoing'],
    ['function copyStatusServers(model: RunbookModel, node: StepNode): string[] {', 'copyStatusServers'],
    ['function stepEffects(model: RunbookModel, node: StepNode): StepEffect[] {', 'stepEffects'],
  ],
  'analysis/binding.ts': [['export function bindCommand(catalog: CatalogIndex, command: PsCommand): Binding | undefined {', 'bindCommand']],
  'language/lexer.ts': [['export function tokenizeLine(line: string, from = 0): Token[] {', 'tokenizeLine']],
};
const missing = [];
const plugin = {
  name: 'count-calls',
  setup(build) {
    build.onLoad({ filter: /server[\\/]src[\\/].*\.ts$/ }, (args) => {
      const relative = args.path.split(/server[\\/]src[\\/]/)[1].replace(/\\/g, '/');
      const counters = COUNTERS[relative];
      if (!counters) return undefined;
      let source = readFileSync(args.path, 'utf8');
      for (const [header, name] of counters) {
        if (!source.includes(header)) missing.push(`${name} (${relative})`);
        else source = source.replace(header, `${header} (globalThis as any).__calls.${name}++;`);
      }
      return { contents: source, loader: 'ts' };
    });
  },
};
const outfile = join(BUILD_DIR, 'calls.cjs');
await esbuild.build({
  entryPoints: [join(ROOT, 'bench', 'lib', 'service-entry.mjs')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'warning',
  alias: { 'web-tree-sitter': require.resolve('web-tree-sitter') },
  plugins: [plugin],
});
if (missing.length) console.log(`not counted (the function changed shape): ${missing.join(', ')}`);

globalThis.__calls = {};
for (const list of Object.values(COUNTERS)) for (const [, name] of list) globalThis.__calls[name] = 0;
const s = require(outfile);
const service = await s.RunbookLanguageService.create();
for (const size of ['1k', '10k', '50k']) {
  const file = join(ROOT, 'bench', 'results', 'generated', `runbook-${size}.exrunbook`);
  if (!existsSync(file)) continue;
  const text = readFileSync(file, 'utf8');
  for (const name of Object.keys(globalThis.__calls)) globalThis.__calls[name] = 0;
  const model = service.analyze(text);
  const analyzeCalls = { ...globalThis.__calls };
  for (const name of Object.keys(globalThis.__calls)) globalThis.__calls[name] = 0;
  service.diagnostics(model, 'file:///bench/calls.exrunbook', 'en');
  const commands = [...model.allScripts].reduce((n, { run }) => n + run.script.commands.length, 0);
  console.log(`${size}: ${model.lines.length} lines, ${model.nodes.length} steps, ${commands} commands`);
  console.log(`  analyze:     ${Object.entries(analyzeCalls).filter(([, n]) => n).map(([k, n]) => `${k} ${n}`).join(', ')}`);
  console.log(`  diagnostics: ${Object.entries(globalThis.__calls).filter(([, n]) => n).map(([k, n]) => `${k} ${n}`).join(', ')}`);
}
