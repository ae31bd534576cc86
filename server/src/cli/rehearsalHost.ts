// The rehearsal's steps in a real pwsh: each command run once with the runbook's parameters set from
// data, its objects captured, shown through the step's display commands and read back as JSON.
import type { ServerRole } from '../runtime/conditions';
import type { PwshProcess } from './pwsh';
import type { CommandResult, RehearsalHost } from './rehearsal';

/** The step runs in the simulator's pwsh with the runbook's parameters as variables set from data. */
const BIND = `param($__exrBindings, $__exrProperties)
foreach ($__exrBinding in $__exrBindings.PSObject.Properties) { Set-Variable -Name $__exrBinding.Name -Value ([string]$__exrBinding.Value) }
`;

/** The tested properties of each captured object, as text (enums by name, the same on Windows PowerShell 5.1). */
const READ_BACK = `@($__exrObjects | ForEach-Object {
  $__exrObject = $_; $__exrRow = [ordered]@{}
  foreach ($__exrName in @($__exrProperties)) {
    $__exrValue = $__exrObject.$__exrName
    $__exrRow[$__exrName] = if ($null -eq $__exrValue) { $null } elseif ($__exrValue -is [array]) { @($__exrValue | ForEach-Object { "$_" }) } else { "$__exrValue" }
  }
  [pscustomobject]$__exrRow
})`;

/** Runs a rehearsal's steps in one pwsh with the simulator imported: capture, clock, roles. */
export class PwshRehearsalHost implements RehearsalHost {
  constructor(private readonly pwsh: PwshProcess) {}

  async run(command: string, bindings: Readonly<Record<string, string>>, capture?: { pipeline: string; display?: string; properties: string[] }): Promise<CommandResult> {
    const script = capture
      ? `${BIND}$__exrObjects = @(\n${capture.pipeline}\n)\n$__exrText = ($__exrObjects${capture.display ? ` | ${capture.display}` : ''} | Out-String -Width 160)\n[pscustomobject]@{ text = $__exrText; objects = ${READ_BACK} }`
      : // $( ) rather than ( ): a step's command may be several statements, or `throw`, `if`, `foreach`.
        `${BIND}$__exrText = $(\n${command}\n) | Out-String -Width 160\n[pscustomobject]@{ text = $__exrText; objects = $null }`;
    const answer = await this.pwsh.invoke(script, { __exrBindings: bindings, __exrProperties: capture?.properties ?? [] });
    const result = (Array.isArray(answer.output) ? answer.output[0] : answer.output) as { text?: string; objects?: Record<string, unknown>[] | null } | undefined;
    const text = [...answer.host, result?.text ?? ''].join('\n').trim();
    const commandResult: CommandResult = { ok: answer.ok, text, errors: answer.errors };
    if (capture) commandResult.objects = result?.objects ?? [];
    return commandResult;
  }

  async advanceClock(seconds: number): Promise<void> {
    const answer = await this.pwsh.invoke('param($Seconds) Step-ExchangeSimulatorClock -Seconds $Seconds | Out-Null', { Seconds: seconds });
    if (!answer.ok) throw new Error(answer.errors.join('\n'));
  }

  async rolesOf(server: string): Promise<ServerRole[]> {
    const answer = await this.pwsh.invoke('param($Server) "$((Get-ExchangeServer -Identity $Server).ServerRole)"', { Server: server });
    const text = String((Array.isArray(answer.output) ? answer.output[0] : answer.output) ?? '').toLowerCase();
    const roles: ServerRole[] = [];
    if (text.includes('mailbox')) roles.push('mailbox');
    if (text.includes('clientaccess')) roles.push('cas');
    return roles;
  }
}
