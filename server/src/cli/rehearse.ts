// exchange-runbook rehearse: runs a runbook against a fresh Exchange simulator scenario in one real
// pwsh, through the same engine as the editor's step runner, and says whether the runbook cured it.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildRunbookPlan } from '../analysis/plan';
import { RunbookLanguageService } from '../languageService';
import { bindParameters, rehearse, type Rehearsal } from './rehearsal';
import { PwshRehearsalHost } from './rehearsalHost';
import { findPwsh, PwshProcess } from './pwsh';
import { neighbourRunbooks } from './neighbours';

const USAGE = `Usage: exchange-runbook rehearse <runbook> --scenario <name> [--server S] [--param Name=Value]...
         [--answer step=yes|no]... [--procedure P] [--format text|json]

Runs the runbook against a fresh Exchange simulator scenario (real PowerShell, simulated servers):
every run command for real, waits on the simulator's clock, asks answered from --answer, manual
steps taken as done. --server defaults to the server the scenario's alert is raised on, mailbox
parameters to the Mailbox server behind it. PowerShell: EXR_PWSH, else .tools/pwsh/pwsh, else pwsh.
Exit code: 0 when the run ends resolved, the scenario's monitor is Healthy and no failover or
protocol logging is left in place, 1 otherwise, 2 on
usage errors (or when PowerShell or the simulator cannot start).`;

interface Options {
  runbook: string;
  scenario: string;
  server?: string;
  params: Record<string, string>;
  answers: Record<string, 'yes' | 'no'>;
  procedure?: string;
  format: 'text' | 'json';
}

export function parseRehearseArguments(argv: string[]): Options | { usage: string; help?: boolean } {
  const options: Partial<Options> & Pick<Options, 'params' | 'answers' | 'format'> = { params: {}, answers: {}, format: 'text' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string | undefined => argv[++i];
    if (arg === '--help' || arg === '-h') return { usage: USAGE, help: true };
    if (arg === '--scenario') options.scenario = value();
    else if (arg === '--server') options.server = value();
    else if (arg === '--procedure') options.procedure = value();
    else if (arg === '--format') {
      const format = value();
      if (format !== 'text' && format !== 'json') return { usage: `Unknown format ${format ?? '(none)'}.\n\n${USAGE}` };
      options.format = format;
    } else if (arg === '--param') {
      const pair = value() ?? '';
      const eq = pair.indexOf('=');
      if (eq <= 0) return { usage: `--param takes Name=Value, not "${pair}".\n\n${USAGE}` };
      options.params[pair.slice(0, eq).replace(/^\$/, '')] = pair.slice(eq + 1);
    } else if (arg === '--answer') {
      const pair = value() ?? '';
      const match = /^([^=]+)=(yes|no)$/i.exec(pair);
      if (!match) return { usage: `--answer takes step=yes or step=no, not "${pair}".\n\n${USAGE}` };
      options.answers[match[1]!] = match[2]!.toLowerCase() as 'yes' | 'no';
    } else if (arg.startsWith('-')) return { usage: `Unknown option ${arg}.\n\n${USAGE}` };
    else if (options.runbook === undefined) options.runbook = arg;
    else return { usage: `Only one runbook at a time (got ${options.runbook} and ${arg}).\n\n${USAGE}` };
  }
  if (!options.runbook) return { usage: `No runbook given.\n\n${USAGE}` };
  if (!options.scenario) return { usage: `No --scenario given.\n\n${USAGE}` };
  return options as Options;
}

/** The package's root (dist/.. for the bundle, out/../.. for compiled tests): where simulator/ and .tools/ are. */
function packageRoot(): string {
  let folder = __dirname;
  for (let i = 0; i < 6; i++) {
    try {
      if ((JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { name?: string }).name === 'exchange-health-runbooks') return folder;
    } catch {
      // not here: look further up
    }
    folder = dirname(folder);
  }
  return resolve(__dirname, '..');
}

interface Scenario {
  Name: string;
  /** Where the alert is raised; none for the `healthy` scenario. */
  Server?: string;
  MailboxServer?: string;
  HealthSet?: string;
  Monitor?: string;
}

/**
 * Changes a runbook must undo before the run ends (docs/language.md, not-undone): a failover
 * (activation blocked on a Mailbox server) and POP3 protocol logging switched on. Read before and
 * after the run; what appears in between was left in place by the runbook.
 */
const LEFT_IN_PLACE = `@(
  foreach ($m in @(Get-MailboxServer -ErrorAction SilentlyContinue)) {
    if ($m.DatabaseCopyActivationDisabledAndMoveNow -eq $true) { "failover not undone: $($m.Name) still has DatabaseCopyActivationDisabledAndMoveNow \`$true" }
  }
  foreach ($s in @(Get-ExchangeServer -ErrorAction SilentlyContinue)) {
    $p = Get-PopSettings -Server $s.Name -ErrorAction SilentlyContinue
    if ($p -and $p.ProtocolLogEnabled -eq $true) { "POP3 protocol logging left on: $($s.Name)" }
  }
)`;

function texts(output: unknown): string[] {
  return (Array.isArray(output) ? output : output == null ? [] : [output]).map(String);
}

function one<T>(output: unknown): T | undefined {
  return (Array.isArray(output) ? output[0] : output) as T | undefined;
}

interface Report {
  runbook: string;
  scenario: string;
  server: string;
  parameters: Record<string, string>;
  rehearsal: Rehearsal;
  monitor: { name: string; server: string; alertValues: string[]; healthy: boolean };
  /** Changes the run left in place that a runbook must undo (a failover, protocol logging). */
  leftInPlace: string[];
  passed: boolean;
}

function outcomeText(outcome: Rehearsal['outcome']): string {
  switch (outcome.kind) {
    case 'resolved':
    case 'escalate':
      return outcome.reason ? `${outcome.kind} "${outcome.reason}"` : outcome.kind;
    case 'ended':
      return 'ended after the last step of a procedure without resolved or escalate';
    case 'loop':
      return `stopped: the run loops (${outcome.steps.map((s) => `${s.step} ${s.visits}×`).join(', ')})`;
    case 'missing-parameter':
      return `stopped at ${outcome.step}: no value for parameter $${outcome.parameter} (give --param ${outcome.parameter}=...)`;
    case 'unanswered':
      return `stopped at ${outcome.step}: "${outcome.question}" has no answer (give --answer ${outcome.step}=yes|no)`;
    case 'failed':
      return `stopped at ${outcome.step}: the command failed: ${outcome.error}`;
    case 'undecided':
      return `stopped at ${outcome.step}: its branch could not be decided from the output`;
    case 'handover':
      return `handed over to runbook ${outcome.runbook}${outcome.uri ? ` (${outcome.uri}), which the rehearsal could not open` : ', which is not in the runbook\'s folder'}: the run goes on at ${outcome.procedure}${outcome.step ? `.${outcome.step}` : ''}`;
    case 'no-start':
      return outcome.procedure ? `no procedure ${outcome.procedure} with steps` : 'the runbook has no step to start from';
  }
}

function text(report: Report): string {
  const alert = report.monitor.name ? ` (${report.monitor.name} on ${report.monitor.server})` : '';
  const lines = [`Rehearsal of ${report.runbook} against scenario ${report.scenario}${alert}`];
  const bound = Object.entries(report.parameters).map(([k, v]) => `$${k} = '${v}'`);
  if (bound.length) lines.push(`Parameters: ${bound.join(', ')}`);
  for (const [i, step] of report.rehearsal.path.entries()) {
    lines.push(`${String(i + 1).padStart(3)}. ${step.step}  ${step.title}`);
    for (const action of step.actions) lines.push(`       ${action.split('\n').join('\n       ')}`);
    for (const error of step.errors) lines.push(`       ! ${error}`);
    if (step.next) lines.push(`       ${step.branch === 'otherwise' ? 'otherwise' : step.branch ? `when ${step.branch}` : step.branched ? 'no branch holds' : 'next'} -> ${step.next}`);
  }
  lines.push(`Outcome: ${outcomeText(report.rehearsal.outcome)}`);
  if (report.monitor.name) lines.push(`${report.monitor.name} on ${report.monitor.server}: ${report.monitor.alertValues.join(', ') || 'no such monitor'}`);
  for (const left of report.leftInPlace) lines.push(`Left in place: ${left}`);
  lines.push(report.passed ? 'Rehearsal passed: the runbook resolved the scenario.' : 'Rehearsal FAILED: the runbook did not cure the scenario cleanly.');
  return lines.join('\n');
}

export async function main(argv: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const options = parseRehearseArguments(argv);
  if ('usage' in options) {
    (options.help ? out : err)(options.usage + '\n');
    return options.help ? 0 : 2;
  }
  let source: string;
  try {
    source = readFileSync(options.runbook, 'utf8');
  } catch (error) {
    err(`exchange-runbook rehearse: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  const root = packageRoot();
  const executable = findPwsh(root);
  if (!executable) {
    err('exchange-runbook rehearse: PowerShell was not found: set EXR_PWSH, or put pwsh on PATH.\n');
    return 2;
  }
  const service = await RunbookLanguageService.create();
  const uri = pathToFileURL(resolve(options.runbook)).href;
  // A branch into another runbook of the same folder is followed there.
  const workspace = service.createWorkspace();
  for (const neighbour of neighbourRunbooks([options.runbook])) {
    try {
      workspace.set(pathToFileURL(neighbour).href, readFileSync(neighbour, 'utf8'));
    } catch {
      // unreadable: a hand-over to it ends the rehearsal, saying where the run goes on
    }
  }
  workspace.set(uri, source);
  const plan = buildRunbookPlan(service.analyze(source, uri, workspace), uri);
  const state = mkdtempSync(join(tmpdir(), 'exr-rehearse-'));
  const pwsh = new PwshProcess(executable, { ...process.env, EXCHANGE_SIMULATOR: '1', EXCHANGE_SIMULATOR_STATE: join(state, 'state.json') });
  try {
    const setup = await pwsh.invoke(
      `param($Module, $Scenario)
Import-Module $Module -DisableNameChecking -ErrorAction Stop 6>$null
Reset-ExchangeSimulator -Scenario $Scenario -ErrorAction Stop | Out-Null
Get-ExchangeSimulatorScenario -Name $Scenario | Select-Object Name, Server, MailboxServer, HealthSet, Monitor`,
      { Module: join(root, 'simulator', 'ExchangeSimulator.psd1'), Scenario: options.scenario },
    );
    const scenario = one<Scenario>(setup.output);
    if (!setup.ok || !scenario?.Name) {
      err(`exchange-runbook rehearse: the simulator could not start scenario ${options.scenario}: ${setup.errors.join('\n') || 'no such scenario'}\n`);
      return 2;
    }
    const scenarioFacts: { server?: string; mailboxServer?: string } = {};
    const server = options.server ?? scenario.Server;
    if (server) scenarioFacts.server = server;
    if (scenario.MailboxServer) scenarioFacts.mailboxServer = scenario.MailboxServer;
    const bindings = bindParameters(plan.parameters, options.params, scenarioFacts);
    const before = new Set(texts((await pwsh.invoke(LEFT_IN_PLACE)).output));
    const rehearsalOptions: Parameters<typeof rehearse>[2] = {
      bindings,
      answers: options.answers,
      open: async (target) => {
        const other = workspace.get(target.uri);
        if (!other) return undefined;
        const otherPlan = buildRunbookPlan(other.model().linked(workspace), target.uri);
        return { plan: otherPlan, bindings: bindParameters(otherPlan.parameters, options.params, scenarioFacts) };
      },
    };
    if (options.procedure !== undefined) rehearsalOptions.procedure = options.procedure;
    const rehearsal = await rehearse(plan, new PwshRehearsalHost(pwsh), rehearsalOptions);
    // The scenario's monitor where its alert is raised (a scenario without an alert has nothing to cure).
    const monitor = scenario.Monitor && scenario.Server ? { name: scenario.Monitor, server: scenario.Server } : undefined;
    const health = monitor
      ? await pwsh.invoke(
          'param($Server, $Monitor) @(Get-ServerHealth -Identity $Server | Where-Object { $_.Name -eq $Monitor } | ForEach-Object { "$($_.AlertValue)" })',
          { Server: monitor.server, Monitor: monitor.name },
        )
      : undefined;
    const alertValues = texts(health?.output);
    const leftInPlace = texts((await pwsh.invoke(LEFT_IN_PLACE)).output).filter((left) => !before.has(left));
    const healthy = !monitor || (alertValues.length > 0 && alertValues.every((v) => v.toLowerCase() === 'healthy'));
    const report: Report = {
      runbook: basename(options.runbook),
      scenario: options.scenario,
      server: scenarioFacts.server ?? '',
      parameters: bindings,
      rehearsal,
      monitor: { name: monitor?.name ?? '', server: monitor?.server ?? '', alertValues, healthy },
      leftInPlace,
      passed: rehearsal.outcome.kind === 'resolved' && healthy && leftInPlace.length === 0,
    };
    out((options.format === 'json' ? JSON.stringify(report, null, 2) : text(report)) + '\n');
    return report.passed ? 0 : 1;
  } finally {
    pwsh.dispose();
    rmSync(state, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main(process.argv.slice(2), (s) => process.stdout.write(s), (s) => process.stderr.write(s)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`exchange-runbook rehearse failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 2;
    },
  );
}
