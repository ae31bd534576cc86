// Which runbook parameters the steps use, as PowerShell variables or in role conditions.
import type { RunbookModel } from '../model';

/** PowerShell's automatic variables, which a runbook never declares. */
export const AUTOMATIC_VARIABLES = new Set(
  ['_', 'psitem', 'true', 'false', 'null', 'args', 'input', 'error', 'host', 'home', 'pwd', 'pshome', 'psversiontable', 'lastexitcode',
    '?', '^', '$', 'matches', 'this', 'pscmdlet', 'psboundparameters', 'myinvocation', 'executioncontext', 'pid', 'profile',
    'erroractionpreference', 'verbosepreference', 'warningpreference', 'confirmpreference', 'whatifpreference', 'informationpreference',
    'progresspreference', 'debugpreference', 'ofs', 'shellid', 'stacktrace', 'psscriptroot', 'pscommandpath', 'event', 'sender',
    'foreach', 'switch', 'iscoreclr', 'islinux', 'ismacos', 'iswindows', 'exscripts'],
);

export function usedParameterNames(model: RunbookModel): Set<string> {
  const used = new Set<string>();
  for (const { run } of model.allScripts) {
    for (const variable of run.script.variables) used.add(variable.name.toLowerCase());
  }
  for (const node of model.nodes) {
    for (const branch of node.step.branches) {
      if (branch.condition?.kind === 'role') used.add(branch.condition.param.text.toLowerCase());
    }
  }
  return used;
}
