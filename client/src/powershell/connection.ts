// How the session reaches Exchange: the simulator module, the snap-in of a local Exchange server,
// or implicit remoting to http://<server>/PowerShell/. Each mode is an environment, a start-up
// script with its values as parameters, and (remote) a script to run before the process stops.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCAL_STARTUP_SCRIPT, REMOTE_SHUTDOWN_SCRIPT, REMOTE_STARTUP_SCRIPT, SIMULATOR_STARTUP_SCRIPT } from './scripts';
import { PowerShellSession, type PowerShellSessionOptions, type StartupScript } from './session';

export type ConnectionMode = 'simulator' | 'local' | 'remote';

export interface SimulatorConnection {
  mode: 'simulator';
  /** The module to import; normally simulatorModulePath(<extension folder>). */
  modulePath: string;
  /** The world's state file, shared with the terminal the steps run in. */
  statePath?: string;
}

export interface LocalConnection {
  mode: 'local';
}

export interface RemoteConnection {
  mode: 'remote';
  /** A host name: it becomes http://<server>/PowerShell/. */
  server: string;
  authentication: 'Kerberos' | 'Negotiate';
  /** From SecretStorage; absent means the current Windows identity. Only ever sent as a parameter. */
  credential?: { userName: string; password: string };
}

export type Connection = SimulatorConnection | LocalConnection | RemoteConnection;

export interface ConnectionStartup {
  env: Record<string, string>;
  startupScript: StartupScript;
  shutdownScript?: string;
}

export function simulatorModulePath(extensionPath: string): string {
  return join(extensionPath, 'simulator', 'ExchangeSimulator.psd1');
}

/** The simulator's own default, so the view and a terminal without the variable see one world. */
export function defaultSimulatorStatePath(): string {
  return join(tmpdir(), 'exchange-simulator', 'state.json');
}

/** What a process needs in its environment to load the simulator (the session and the step terminal alike). */
export function simulatorEnvironment(statePath: string = defaultSimulatorStatePath()): Record<string, string> {
  return { EXCHANGE_SIMULATOR: '1', EXCHANGE_SIMULATOR_STATE: statePath };
}

/** A DNS host name (Unicode letters allowed): nothing that could change the URI around it. */
export function isHostName(name: string): boolean {
  return name.length <= 253 && /^[\p{L}\p{N}]([\p{L}\p{N}-]*[\p{L}\p{N}])?(\.[\p{L}\p{N}]([\p{L}\p{N}-]*[\p{L}\p{N}])?)*$/u.test(name);
}

export function connectionStartup(connection: Connection): ConnectionStartup {
  switch (connection.mode) {
    case 'simulator':
      return {
        env: simulatorEnvironment(connection.statePath),
        startupScript: { script: SIMULATOR_STARTUP_SCRIPT, params: { ModulePath: connection.modulePath } },
      };
    case 'local':
      return { env: {}, startupScript: { script: LOCAL_STARTUP_SCRIPT } };
    case 'remote': {
      if (!isHostName(connection.server)) throw new Error(`Not a server name: ${connection.server}`);
      if (connection.authentication !== 'Kerberos' && connection.authentication !== 'Negotiate') {
        throw new Error(`Unsupported authentication: ${String(connection.authentication)}`);
      }
      return {
        env: {},
        startupScript: {
          script: REMOTE_STARTUP_SCRIPT,
          params: {
            Server: connection.server,
            Authentication: connection.authentication,
            UserName: connection.credential?.userName ?? '',
            Password: connection.credential?.password ?? '',
          },
        },
        shutdownScript: REMOTE_SHUTDOWN_SCRIPT,
      };
    }
  }
}

/** A session connected the given way (it starts on its first request). */
export function createExchangeSession(
  executable: string,
  connection: Connection,
  options: Omit<PowerShellSessionOptions, 'executable' | 'startupScript' | 'shutdownScript'> = {},
): PowerShellSession {
  const startup = connectionStartup(connection);
  return new PowerShellSession({
    ...options,
    executable,
    env: { ...options.env, ...startup.env },
    startupScript: startup.startupScript,
    shutdownScript: startup.shutdownScript,
  });
}
