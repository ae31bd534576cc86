// Which runbook parameters the steps use, as PowerShell variables or in role conditions.
import type { Procedure } from '../../language/syntax';
import type { RunbookModel } from '../model';

/** PowerShell's automatic variables, which a runbook never declares. */
export const AUTOMATIC_VARIABLES = new Set(
  ['_', 'psitem', 'true', 'false', 'null', 'args', 'input', 'error', 'host', 'home', 'pwd', 'pshome', 'psversiontable', 'lastexitcode',
    '?', '^', '$', 'matches', 'this', 'pscmdlet', 'psboundparameters', 'myinvocation', 'executioncontext', 'pid', 'profile',
    'erroractionpreference', 'verbosepreference', 'warningpreference', 'confirmpreference', 'whatifpreference', 'informationpreference',
    'progresspreference', 'debugpreference', 'ofs', 'shellid', 'stacktrace', 'psscriptroot', 'pscommandpath', 'event', 'sender',
    'foreach', 'switch', 'iscoreclr', 'islinux', 'ismacos', 'iswindows', 'exscripts'],
);

/** Names used per procedure, kept while the parser reuses the procedure (its block is unchanged). */
const namesByProcedure = new WeakMap<Procedure, string[]>();

export function usedParameterNames(model: RunbookModel): Set<string> {
  const used = new Set<string>();
  for (const procedure of model.runbook.procedures) {
    let names = namesByProcedure.get(procedure);
    if (!names) {
      const own = new Set<string>();
      for (const step of procedure.steps) {
        for (const action of step.actions) {
          const run = action.kind === 'run' ? model.script(action) : undefined;
          for (const variable of run?.script.variables ?? []) own.add(variable.name.toLowerCase());
          // A command too deep to parse (powershell/parser.ts) may use any parameter its text names: none is called unused for it.
          if (run?.script.tooDeep) for (const named of run.action.command.matchAll(/\$\{?(?:\w+:)?(\w+)/g)) own.add(named[1]!.toLowerCase());
        }
        for (const branch of step.branches) if (branch.condition?.kind === 'role') own.add(branch.condition.param.text.toLowerCase());
      }
      namesByProcedure.set(procedure, (names = [...own]));
    }
    for (const name of names) used.add(name);
  }
  return used;
}
