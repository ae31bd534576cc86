// Quoting values for PowerShell so that they are data, never code.

/**
 * A single-quoted PowerShell literal. Inside single quotes PowerShell expands nothing; the only
 * special characters are the quote itself and its typographic variants (‘ ’ ‚ ‛), which
 * PowerShell also accepts as quotes, so each is doubled.
 */
export function quotePowerShellLiteral(value: string): string {
  return `'${value.replace(/['\u2018\u2019\u201A\u201B]/g, (quote) => quote + quote)}'`;
}

/** `$Name = '<value>'` for a runbook parameter; names are checked by the language already. */
export function assignParameter(name: string, value: string): string {
  if (!/^[\p{L}_][\p{L}\p{N}_]*$/u.test(name)) throw new Error(`Not a valid parameter name: ${name}`);
  return `$${name} = ${quotePowerShellLiteral(value)}`;
}
