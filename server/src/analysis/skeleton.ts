// "New runbook": the text of a runbook for one health set, written from the catalog: the verify
// procedure (health check, then the probe of each unhealthy monitor) and one recovery procedure
// per monitor of the set, in the shape of Microsoft's troubleshooting topics. Lints clean.
import type { CatalogIndex } from '../catalog';
import type { HealthSet, Monitor } from '../catalog/types';

/** A health set the "New runbook" picker offers, with the monitors a skeleton will cover. */
export interface HealthSetChoice {
  name: string;
  monitors: string[];
}

export function healthSetChoices(catalog: CatalogIndex): HealthSetChoice[] {
  return catalog.healthSets.map((set) => ({ name: set.name, monitors: catalog.monitorsOf(set.name).map((m) => m.name) }));
}

/** `POP.Protocol` → `pop-protocol`: ids are lower-case words joined by hyphens. */
export function runbookId(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'runbook';
}

/** The parameter kind of the server named in the alert, from the role that raises it. */
function serverKind(set: HealthSet, monitors: Monitor[]): { kind: string; description: string } {
  // A monitor raised on any role, or monitors of both roles, take any server.
  const roles = new Set(monitors.map((m) => m.alertRole ?? set.alertRole));
  const role = monitors.length === 0 ? set.alertRole : roles.size === 1 ? [...roles][0] : undefined;
  if (role === 'ClientAccess') return { kind: 'cas', description: 'Client Access server named in the alert' };
  if (role === 'Mailbox') return { kind: 'mailbox', description: 'Mailbox server named in the alert' };
  return { kind: 'server', description: 'Server named in the alert' };
}

/** The runbook text for a health set of the catalog, or undefined for a name the catalog does not know. */
export function runbookSkeleton(catalog: CatalogIndex, healthSetName: string): string | undefined {
  const set = catalog.healthSet(healthSetName);
  if (!set) return undefined;
  const monitors = catalog.monitorsOf(set.name);
  const server = serverKind(set, monitors);
  const ids = new Map(monitors.map((m) => [m.name, runbookId(m.name.replace(/Monitor$/, ''))]));
  const lines: string[] = [
    `# Runbook for the ${set.name} health set${monitors.length ? ` (${monitors.map((m) => m.name).join(', ')})` : ''}.`,
    `runbook ${runbookId(set.name)} "Troubleshooting the ${set.name} health set"`,
    `  healthset ${set.name}`,
    `  param $Server: ${server.kind} "${server.description}"`,
  ];
  if (set.topic) lines.push(`  source "${set.topic}"`);
  lines.push('', 'procedure verify "Verify the issue still exists"');
  lines.push(`  step health "Find the unhealthy monitor of the ${set.name} health set"`);
  lines.push(`    run Get-ServerHealth -Identity $Server | ?{$_.HealthSetName -eq "${set.name}" -and $_.AlertValue -eq "Unhealthy"}`);
  for (const monitor of monitors) lines.push(`    when any Name is ${monitor.name} -> rerun-${ids.get(monitor.name)!}`);
  if (monitors.length === 0) {
    // The catalog knows no monitor of this set: list what the server monitors, and hand over.
    lines.push(`    when no Name is ${set.name} -> resolved "No monitor of the ${set.name} health set is unhealthy any more"`);
    lines.push('    otherwise -> items');
    lines.push(`  step items "List the probes and monitors of the ${set.name} health set"`);
    lines.push(`    run Get-MonitoringItemIdentity -Identity ${set.name} -Server $Server | Format-Table ItemType, Name`);
    lines.push(`    otherwise -> escalate "The unhealthy monitors of ${set.name} and their probes' output"`);
    return lines.join('\n') + '\n';
  }
  lines.push(`    otherwise -> resolved "No monitor of the ${set.name} health set is unhealthy any more"`);
  for (const monitor of monitors) {
    const id = ids.get(monitor.name)!;
    if (monitor.probe) {
      const probe = catalog.probe(monitor.probe);
      lines.push(`  step rerun-${id} "Re-run the probe of ${monitor.name}"`);
      lines.push(`    run Invoke-MonitoringProbe ${probe?.healthSet ?? set.name}\\${monitor.probe} -Server $Server | Format-List`);
      lines.push('    when ResultType is Succeeded -> resolved "The probe succeeds: the failure was transient"');
    } else {
      // The documentation names no probe for this monitor: check the monitor itself again.
      lines.push(`  step rerun-${id} "Check ${monitor.name} again"`);
      lines.push(`    run Get-ServerHealth -Identity $Server | ?{$_.Name -eq "${monitor.name}"}`);
      lines.push('    when all AlertValue is Healthy -> resolved "The monitor is healthy again: the failure was transient"');
    }
    lines.push(`    otherwise -> recover-${id}`);
  }
  for (const monitor of monitors) {
    const id = ids.get(monitor.name)!;
    lines.push('', `procedure recover-${id} "${monitor.name} recovery" for monitor ${monitor.name}`);
    lines.push(`  step investigate "Find out why ${monitor.probe ?? monitor.name} fails"`);
    lines.push(`    manual "Read the Error and Exception of the result above and correct what they name on $Server."`);
    lines.push(`  step rerun = verify.rerun-${id} "Check again"`);
    lines.push(monitor.probe ? '    when ResultType is Succeeded -> resolved "The probe succeeds again"' : '    when all AlertValue is Healthy -> resolved "The monitor is healthy again"');
    lines.push(`    otherwise -> escalate "The ${monitor.probe ?? monitor.name} output and what was tried"`);
  }
  return lines.join('\n') + '\n';
}
