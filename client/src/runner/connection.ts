// How a runner terminal reaches Exchange: the connection mode's settings and the first command a
// terminal runs (the simulator module, the Exchange snap-in, or implicit remoting). Pure: values
// are quoted, and a server name that is not a host name is refused rather than put into a URI.
import { isHostName, simulatorEnvironment } from '../powershell/connection';
import { quotePowerShellLiteral } from '../powershell/quote';
import { DEFINE_STEP_FUNCTION, STEP_HELPER_VARIABLE, stepHelperScript } from './capture';

export type ConnectionMode = 'simulator' | 'local' | 'remote';

export interface ConnectionSettings {
  mode: ConnectionMode;
  /** remote: the Exchange server whose /PowerShell endpoint to use; empty = the step's target server. */
  server?: string;
  /** remote: Kerberos (domain-joined) or Negotiate. */
  authentication?: 'Kerberos' | 'Negotiate';
  /** simulator: the module manifest shipped with the extension. */
  simulatorModule: string;
  /** simulator: the state file shared with the health view. */
  simulatorState: string;
}

export function connectionMode(value: unknown): ConnectionMode {
  return value === 'local' || value === 'remote' ? value : 'simulator';
}

/**
 * The environment of the terminal's shell: the simulator's switch and state file in simulator mode
 * only, and the step function's definition (made sure of the connection), which the start-up
 * command defines from there, so no code is typed for it.
 */
export function terminalEnvironment(settings: ConnectionSettings): Record<string, string> {
  const env: Record<string, string> = { POWERSHELL_TELEMETRY_OPTOUT: '1', POWERSHELL_UPDATECHECK: 'Off', [STEP_HELPER_VARIABLE]: stepHelperScript(ensureConnection(settings)) };
  return settings.mode === 'simulator' ? { ...env, ...simulatorEnvironment(settings.simulatorState) } : env;
}

/**
 * The terminal's first command, run before any step: it defines the step function, then simulator
 * mode imports the simulator (which announces itself with a banner and a `[SIM]` prompt); local
 * mode loads the Exchange snap-in; remote mode imports the Exchange session of the server
 * (implicit remoting, as the EMS does).
 */
export function startupCommand(settings: ConnectionSettings, target: string | undefined): string {
  return `${DEFINE_STEP_FUNCTION}; ${connectCommand(settings, target)}`;
}

function connectCommand(settings: ConnectionSettings, target: string | undefined): string {
  switch (settings.mode) {
    case 'simulator':
      return `Import-Module -Name ${quotePowerShellLiteral(settings.simulatorModule)}`;
    case 'local':
      return 'Add-PSSnapin Microsoft.Exchange.Management.PowerShell.SnapIn';
    case 'remote': {
      const server = (settings.server ?? '').trim() || (target ?? '').trim();
      if (!isHostName(server)) throw new Error(`Not a server name: ${server}`);
      const uri = quotePowerShellLiteral(`http://${server}/PowerShell/`);
      return `$ExchangeSession = New-PSSession -ConfigurationName Microsoft.Exchange -ConnectionUri ${uri} -Authentication ${settings.authentication ?? 'Kerberos'}; Import-PSSession $ExchangeSession -DisableNameChecking -AllowClobber | Out-Null`;
    }
  }
}

/**
 * One terminal per target connection: the key says which server, in which mode, through what. A
 * terminal started with other settings (another simulated world, another remoting endpoint or
 * authentication) is not reused: its session still reaches what it reached when it started.
 */
export function connectionKey(settings: ConnectionSettings, target: string | undefined): string {
  const parts: string[] = [settings.mode, (target ?? '').toLowerCase()];
  if (settings.mode === 'simulator') parts.push(settings.simulatorModule, settings.simulatorState);
  if (settings.mode === 'remote') parts.push((settings.server ?? '').trim().toLowerCase(), settings.authentication ?? 'Kerberos');
  return parts.join('\u0000');
}

/**
 * The same connection, made sure of inside each step: a no-op when the start-up command already
 * ran, and the import itself when it did not (measured: on a loaded machine the first command typed
 * into a fresh terminal can be lost before the prompt is ready). Remote mode is left to the start-up.
 */
export function ensureConnection(settings: ConnectionSettings): string | undefined {
  switch (settings.mode) {
    case 'simulator':
      return `if (-not (Get-Module -Name ExchangeSimulator)) { Import-Module -Name ${quotePowerShellLiteral(settings.simulatorModule)} }`;
    case 'local':
      return 'if (-not (Get-PSSnapin -Name Microsoft.Exchange.Management.PowerShell.SnapIn -ErrorAction SilentlyContinue)) { Add-PSSnapin Microsoft.Exchange.Management.PowerShell.SnapIn }';
    case 'remote':
      return undefined;
  }
}
