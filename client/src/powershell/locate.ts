// Finds the PowerShell executable the way admins expect: the setting, else pwsh on PATH, else
// Windows PowerShell on Windows. Plain data out: the client turns a failure into a localized sentence.
import { accessSync, constants, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

export const POWERSHELL_PATH_SETTING = 'exchangeRunbooks.powershell.path';

export interface LocatedPowerShell {
  found: true;
  path: string;
  source: 'setting' | 'pwsh' | 'windows-powershell';
}

export interface PowerShellNotFound {
  found: false;
  /**
   * `setting-missing`: the configured path does not exist; `setting-not-executable`: it exists but
   * is a folder or cannot be run; `not-found`: nothing configured and nothing found.
   */
  reason: 'setting-missing' | 'setting-not-executable' | 'not-found';
  setting: typeof POWERSHELL_PATH_SETTING;
  /** What was looked at, in order, for the message. */
  tried: string[];
}

export type PowerShellLocation = LocatedPowerShell | PowerShellNotFound;

type Check = 'executable' | 'missing' | 'not-executable';

function check(path: string, platform: NodeJS.Platform): Check {
  try {
    if (!statSync(path).isFile()) return 'not-executable';
  } catch {
    return 'missing';
  }
  try {
    // Windows has no execute bit: a file is enough.
    accessSync(path, platform === 'win32' ? constants.F_OK : constants.X_OK);
    return 'executable';
  } catch {
    return 'not-executable';
  }
}

function onPath(name: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string | undefined {
  const extensions = platform === 'win32' ? ['.exe', ''] : [''];
  const folders = (env.PATH ?? env.Path ?? '').split(platform === 'win32' ? ';' : ':');
  for (const folder of folders) {
    if (!folder) continue;
    for (const extension of extensions) {
      const candidate = join(folder, name + extension);
      if (check(candidate, platform) === 'executable') return candidate;
    }
  }
  return undefined;
}

/** `~/x` as admins write it in settings. */
function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') || path.startsWith('~\\') ? join(homedir(), path.slice(1)) : path;
}

export function locatePowerShell(configured: string | undefined, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): PowerShellLocation {
  const notFound = (reason: PowerShellNotFound['reason'], tried: string[]): PowerShellNotFound => ({ found: false, reason, setting: POWERSHELL_PATH_SETTING, tried });
  const setting = configured?.trim();
  if (setting) {
    const path = expandHome(setting);
    // A bare name ("pwsh-preview") is looked up on PATH; a path is taken as it is, never replaced by another PowerShell.
    if (!isAbsolute(path) && !/[\\/]/.test(path)) {
      const found = onPath(path, env, platform);
      return found ? { found: true, path: found, source: 'setting' } : notFound('setting-missing', [`${path} (PATH)`]);
    }
    const state = check(path, platform);
    if (state === 'executable') return { found: true, path, source: 'setting' };
    return notFound(state === 'missing' ? 'setting-missing' : 'setting-not-executable', [path]);
  }
  const tried: string[] = [];
  const pwsh = onPath('pwsh', env, platform);
  tried.push(platform === 'win32' ? 'pwsh.exe (PATH)' : 'pwsh (PATH)');
  if (pwsh) return { found: true, path: pwsh, source: 'pwsh' };
  if (platform === 'win32') {
    const onSearchPath = onPath('powershell', env, platform);
    tried.push('powershell.exe (PATH)');
    if (onSearchPath) return { found: true, path: onSearchPath, source: 'windows-powershell' };
    const systemRoot = env.SystemRoot ?? env.SYSTEMROOT ?? env.windir ?? 'C:\\Windows';
    const inbox = join(systemRoot, 'System32', 'WindowsPowerShell', 'v1.0', 'powershell.exe');
    tried.push(inbox);
    if (check(inbox, platform) === 'executable') return { found: true, path: inbox, source: 'windows-powershell' };
  }
  return notFound('not-found', tried);
}

/**
 * The sentence for a failed search, through the caller's translator (`vscode.l10n.t` in the
 * client), naming the setting and what was tried.
 */
export function describeNotFound(result: PowerShellNotFound, t: (message: string, ...args: string[]) => string): string {
  switch (result.reason) {
    case 'setting-missing':
      return t('{0} is set to "{1}", which does not exist.', result.setting, result.tried.join(', '));
    case 'setting-not-executable':
      return t('{0} is set to "{1}", which exists but is not an executable file.', result.setting, result.tried.join(', '));
    case 'not-found':
      return t('PowerShell was not found (tried: {0}). Install PowerShell 7 (pwsh) or set {1}.', result.tried.join(', '), result.setting);
  }
}
