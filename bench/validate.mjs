// In-process measurements of the language service on one generated runbook. Run by bench/run.mjs,
// one fresh process per size (the first analysis in it is the cold one):
//
//   node --expose-gc bench/validate.mjs <file.exrunbook> [--cold-only] [--completion] [--runs N]
//
// Validation = analyze(text) (runbook parse + PowerShell parse of every `run` + model) followed by
// diagnostics(model) (every check): what the server does for a pull-diagnostics request.
import { readFileSync } from 'node:fs';
import { loadService } from './lib/service.mjs';
import { cpuNow, gc, measure, memory, now, report, summarize } from './lib/stats.mjs';

const file = process.argv[2];
const coldOnly = process.argv.includes('--cold-only');
const withCompletion = process.argv.includes('--completion');
const option = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};

const URI = 'file:///bench/runbook.exrunbook';
const text = readFileSync(file, 'utf8');
const lines = text.split('\n');

const t0 = now();
const s = loadService();
const service = await s.RunbookLanguageService.create();
const serviceCreateMs = now() - t0;
const baseline = memory();

const validate = (doc) => service.diagnostics(service.analyze(doc), URI, 'en');

// ---- cold: the first analysis in this process (every distinct command parsed by tree-sitter) ----
const c0 = now();
const cpu0 = cpuNow();
const firstDiagnostics = validate(text);
const coldMs = now() - c0;
const coldCpuMs = cpuNow() - cpu0;
const diagnosticCodes = {};
for (const d of firstDiagnostics) diagnosticCodes[d.code] = (diagnosticCodes[d.code] ?? 0) + 1;

if (coldOnly) {
  report({ file, serviceCreateMs, coldMs, coldCpuMs, diagnostics: firstDiagnostics.length });
  process.exit(0);
}

// ---- edits the editor makes ----------------------------------------------------------------------
// Typing inside a `run` command near the middle of the document: each keystroke makes that command
// a text the cache has never seen, so exactly one command is re-parsed and the rest come from the
// cache. The edited line is the `-LogFileLocation "..."` of a Set-PopSettings.
function editSite(pattern) {
  const middle = lines.length >> 1;
  let best;
  lines.forEach((line, i) => {
    const at = line.indexOf(pattern);
    if (at >= 0 && (!best || Math.abs(i - middle) < Math.abs(best.line - middle))) best = { line: i, character: at };
  });
  if (!best) throw new Error(`no ${pattern} in ${file}`);
  return best;
}
const logSite = editSite('-LogFileLocation "');
const closeQuote = lines[logSite.line].indexOf('"', logSite.character + '-LogFileLocation "'.length);
const runEditOffset = lines.slice(0, logSite.line).reduce((n, l) => n + l.length + 1, 0) + closeQuote;
const typed = (i) => 'abcdefghijklmnopqrstuvwxyz'[i % 26];
let typedSoFar = '';
/** The document after one more keystroke inside the run command (unique text every time). */
const runEdit = (i) => {
  typedSoFar += typed(i);
  return text.slice(0, runEditOffset) + typedSoFar + text.slice(runEditOffset);
};
// Typing in a step title: no command changes, every command comes from the cache.
const titleSite = editSite('step component "');
const titleOffset = lines.slice(0, titleSite.line).reduce((n, l) => n + l.length + 1, 0) + titleSite.character + 'step component "'.length;
const titleEdit = (i) => text.slice(0, titleOffset) + typed(i) + text.slice(titleOffset);

const size = lines.length;
const runs = option('--runs', size > 30000 ? 5 : size > 5000 ? 20 : 50);
const warmup = size > 30000 ? 2 : 5;

let editedDiagnostics = 0;
const warmRun = await measure((i) => {
  editedDiagnostics = validate(runEdit(i)).length;
}, { warmup, runs });
const warmTitle = await measure((i) => validate(titleEdit(i)), { warmup: size > 30000 ? 1 : 2, runs: size > 30000 ? 3 : Math.max(5, runs >> 1) });

// Cold cache in a warm process: every cache (parsed blocks, PowerShell, checks, flow) emptied before each validation, JIT warm.
const coldCache = await measure(() => validate(text), { warmup: size > 30000 ? 0 : 1, runs: size > 30000 ? 3 : size > 5000 ? 5 : 10, before: () => service.clearCaches() });

// ---- where the time goes: each phase of a warm validation, timed separately ----------------------
const l10n = service.localizer('en');
const phases = {};
const phaseRuns = size > 30000 ? 2 : 10;
for (let i = 0; i < phaseRuns + 1; i++) {
  const doc = runEdit(1000 + i);
  const times = {};
  let t = now();
  const lap = (name) => {
    const t1 = now();
    times[name] = t1 - t;
    t = t1;
  };
  s.parseRunbook(doc);
  lap('runbook parse (reused blocks, 1 re-parsed)');
  const model = service.analyze(doc);
  lap('model (parse again, cached scripts, references)');
  service.diagnostics(model, URI, 'en');
  lap('all checks as the server runs them (cached)');
  // The same checks without their caches: what a change everywhere would cost.
  const sink = new s.DiagnosticSink(model, l10n, URI);
  s.checkHeader(sink);
  lap('uncached: checkHeader');
  for (const procedure of model.runbook.procedures) s.checkStructure(sink, procedure);
  lap('uncached: checkStructure, every procedure');
  for (const procedure of model.runbook.procedures) s.checkCommands(sink, procedure);
  lap('uncached: checkCommands, every procedure');
  for (const procedure of model.runbook.procedures) s.checkConditions(sink, procedure);
  lap('uncached: checkConditions, every procedure');
  s.clearFlowCache();
  s.checkFlow(sink);
  lap('uncached: checkFlow');
  if (i === 0) continue;
  for (const [k, v] of Object.entries(times)) (phases[k] ??= []).push(v);
}
const phaseMedians = Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, summarize(v).median]));

// PowerShell share of a cold validation: every distinct command through tree-sitter + summary.
const model = service.analyze(text);
const distinct = [...new Set([...model.allScripts].map(({ run }) => run.action.command))];
s.clearPowerShellCache();
const p0 = now();
for (const command of distinct) s.parsePowerShell(command);
const powershellColdMs = now() - p0;

// ---- completion (1k runbook): the model is built, as after the keystroke's validation ------------
let completion;
if (withCompletion) {
  const current = service.analyze(text);
  const sites = completionSites();
  completion = {};
  for (const [name, position] of Object.entries(sites)) {
    let items = 0;
    const summary = await measure(() => {
      items = service.completion(current, position, 'en').length;
    }, { warmup: 20, runs: 200 });
    completion[name] = { ...summary, items, position };
  }
}

// ---- memory: the model and diagnostics of this document held, after GC ---------------------------
const heldModel = service.analyze(text);
const heldDiagnostics = service.diagnostics(heldModel, URI, 'en');
gc();
const after = memory();
report({
  file,
  lines: size,
  serviceCreateMs,
  coldMs,
  coldCpuMs,
  diagnostics: firstDiagnostics.length,
  diagnosticCodes,
  editedDiagnostics,
  warmRunEdit: warmRun,
  warmTitleEdit: warmTitle,
  coldCache,
  phases: phaseMedians,
  powershell: { distinctCommands: distinct.length, coldParseMs: powershellColdMs, perCommandMs: powershellColdMs / distinct.length },
  completion,
  memory: { baseline, afterValidation: after, heldDiagnostics: heldDiagnostics.length, heldLines: heldModel.lines.length },
});

/** Completion positions near the middle of the document, where an author would be typing. */
function completionSites() {
  const middle = lines.length >> 1;
  const nearest = (test) => {
    let best;
    lines.forEach((line, i) => {
      const character = test(line);
      if (character !== undefined && character >= 0 && (!best || Math.abs(i - middle) < Math.abs(best.line - middle))) best = { line: i, character };
    });
    return best;
  };
  return {
    'healthset ': nearest((l) => (l.startsWith('  healthset ') ? '  healthset '.length : undefined)),
    'POP.Protocol\\': nearest((l) => (/^\s+run .*POP\.Protocol\\/.test(l) ? l.indexOf('POP.Protocol\\') + 'POP.Protocol\\'.length : undefined)),
    '-Param of Set-PopSettings': nearest((l) => (/^\s+run Set-PopSettings .*-ProtocolLogEnabled/.test(l) ? l.indexOf('-ProtocolLogEnabled') + 1 : undefined)),
    '-> ': nearest((l) => (/^\s+when .* -> [a-z]/.test(l) && !/-> (resolved|escalate)/.test(l) ? l.indexOf('-> ') + 3 : undefined)),
  };
}
