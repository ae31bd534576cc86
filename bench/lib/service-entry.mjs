// What the in-process benchmarks load: the language service exactly as the server bundles it, plus
// the internals needed to time the phases of a validation separately. bench/lib/service.mjs
// bundles this file with esbuild (same options as scripts/build.mjs) before the run.
export { RunbookLanguageService } from '../../server/src/languageService';
export { parseRunbook } from '../../server/src/language/parser';
export { RunbookModel } from '../../server/src/analysis/model';
export { DiagnosticSink } from '../../server/src/analysis/diagnostics';
export { checkHeader } from '../../server/src/analysis/checks/header';
export { checkStructure } from '../../server/src/analysis/checks/structure';
export { checkCommands } from '../../server/src/analysis/checks/commands';
export { checkConditions } from '../../server/src/analysis/checks/conditions';
export { checkFlow, clearFlowCache } from '../../server/src/analysis/checks/flow';
export { parsePowerShell, clearPowerShellCache, setPowerShellFastPath } from '../../server/src/powershell/parser';
