// Finds the PowerShell executable the way admins expect: the setting, else pwsh on PATH, else
// Windows PowerShell on Windows.
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

export interface LocatedPowerShell {
  path: string;
  source: 'setting' | 'pwsh' | 'windows-powershell';
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, process.platform === 'win32' ? constants.F_OK : constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  const extensions = process.platform === 'win32' ? ['.exe', '.cmd', ''] : [''];
  for (const folder of (env.PATH ?? env.Path ?? '').split(delimiter)) {
    if (!folder) continue;
    for (const extension of extensions) {
      const candidate = join(folder, name + extension);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

/** Returns the executable, or a sentence saying what was tried. */
export function locatePowerShell(configured: string | undefined, env: NodeJS.ProcessEnv = process.env): LocatedPowerShell | { error: string } {
  if (configured && configured.trim() !== '') {
    const path = configured.trim();
    const found = isAbsolute(path) ? (isExecutable(path) ? path : undefined) : onPath(path, env);
    if (found) return { path: found, source: 'setting' };
    return { error: `exchangeRunbooks.powershell.path is set to "${path}", which is not an executable file.` };
  }
  const pwsh = onPath('pwsh', env);
  if (pwsh) return { path: pwsh, source: 'pwsh' };
  if (process.platform === 'win32') {
    const windowsPowerShell = onPath('powershell', env);
    if (windowsPowerShell) return { path: windowsPowerShell, source: 'windows-powershell' };
  }
  return { error: 'PowerShell was not found: neither exchangeRunbooks.powershell.path is set nor pwsh is on PATH.' };
}
