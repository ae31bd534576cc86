// Shared by the rehearsal CLI tests: run the compiled CLI as CI would, read its JSON report.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..', '..');
const CLI = join(ROOT, 'out', 'server', 'src', 'cli', 'rehearse.js');
export const example = (name: string) => join(ROOT, 'examples', name);
export const wrong = (name: string) => join(ROOT, 'server', 'test', 'fixtures', 'rehearsal', name);

export interface Report {
  passed: boolean;
  parameters: Record<string, string>;
  rehearsal: { path: { step: string; branch?: string; next: string; output?: string; actions: string[] }[]; outcome: { kind: string; reason?: string } };
  monitor: { name: string; alertValues: string[]; healthy: boolean };
  leftInPlace: string[];
}

export function rehearse(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

export async function report(args: string[]): Promise<{ code: number; report: Report; stderr: string }> {
  const { code, stdout, stderr } = await rehearse([...args, '--format', 'json']);
  assert.ok(stdout.trim().startsWith('{'), `no JSON report (exit ${code}): ${stderr}${stdout}`);
  return { code, report: JSON.parse(stdout) as Report, stderr };
}

export const steps = (r: Report) => r.rehearsal.path.map((s) => s.step);

