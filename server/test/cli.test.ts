// The command-line linter as CI runs it: a real process, its output formats and exit codes.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

const LINT = join(__dirname, '..', 'src', 'cli', 'lint.js');

function lint(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [LINT, ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const folder = mkdtempSync(join(tmpdir(), 'exr-lint-'));
const good = join(folder, 'good.exrunbook');
const bad = join(folder, 'nested', 'bad.exrunbook');
writeFileSync(good, `runbook proxy "POP.Proxy"
  healthset POP.Proxy
  param $Server: cas "Client Access server"

procedure verify "Verify"
  step rerun "Re-run the probe"
    run Invoke-MonitoringProbe POP.Proxy\\PopProxyTestProbe -Server $Server
    when ResultType is Succeeded -> resolved
    otherwise -> recover

procedure recover "Recover" for monitor PopProxyTestMonitor
  step escalate "Escalate"
    escalate "Contact support"
`);
mkdirSync(join(folder, 'nested'));
writeFileSync(bad, `runbook proxy "POP.Proxy"
  healthset POP.Proxy
procedure verify "Verify"
  step rerun "Re-run the probe"
    run Invoke-MonitoringProbe POP.Proxy\\PopProxyTestProbe -Server <ServerName>
    when Result is Succeeded -> resolved
    otherwise -> escalate
`);

const GOOD_TEXT = readFileSync(good, 'utf8');
const BAD_TEXT = readFileSync(bad, 'utf8');

describe('exchange-runbook-lint', () => {
  after(() => rmSync(folder, { recursive: true, force: true }));

  it('exits 0 on a clean runbook and says so', async () => {
    const result = await lint([good]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /1 runbook checked: 0 errors, 0 warnings/);
  });

  it('searches folders, prints file:line:col, and exits 1 on errors', async () => {
    const result = await lint([folder]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /bad\.exrunbook:5:68: error \[placeholder\]/);
    assert.match(result.stdout, /bad\.exrunbook:6:10: error \[unknown-property\]/);
    assert.match(result.stdout, /2 runbooks checked/);
  });

  it('writes JSON and SARIF for pipelines', async () => {
    const json = JSON.parse((await lint(['--format', 'json', bad])).stdout) as { path: string; diagnostics: { code: string; range: { start: { line: number } }; fixes?: { edits: { newText: string }[] }[] }[] }[];
    assert.deepEqual(json[0]!.diagnostics.map((d) => d.code).sort(), ['missing-recovery-procedure', 'placeholder', 'unknown-property']);
    // Positions are 0-based (line 6 in human output) and the quick fixes come along.
    const property = json[0]!.diagnostics.find((d) => d.code === 'unknown-property')!;
    assert.equal(property.range.start.line, 5);
    assert.deepEqual(property.fixes?.flatMap((f) => f.edits.map((e) => e.newText)), ['ResultType']);
    const sarif = JSON.parse((await lint(['--format', 'sarif', bad])).stdout) as { version: string; runs: { results: { ruleId: string; level: string; locations: { physicalLocation: { region: { startLine: number } } }[] }[]; tool: { driver: { rules: { id: string }[] } } }[] };
    assert.equal(sarif.version, '2.1.0');
    const placeholder = sarif.runs[0]!.results.find((r) => r.ruleId === 'placeholder')!;
    assert.equal(placeholder.level, 'error');
    assert.equal(placeholder.locations[0]!.physicalLocation.region.startLine, 5);
    assert.ok(sarif.runs[0]!.tool.driver.rules.some((r) => r.id === 'not-undone'));
  });

  it('--strict fails on warnings; --locale changes the language', async () => {
    const warningsOnly = join(folder, 'warn.exrunbook');
    writeFileSync(warningsOnly, readFileSync(good, 'utf8').replace('  param $Server', '  param $Unused: text "x"\n  param $Server'));
    assert.equal((await lint([warningsOnly])).code, 0);
    assert.equal((await lint(['--strict', warningsOnly])).code, 1);
    const ja = await lint(['--locale', 'ja', bad]);
    assert.match(ja.stdout, /[\u3040-\u30ff]/);
  });

  it('exits 2 with a clear message on bad usage or a missing path', async () => {
    const usage = await lint(['--format', 'xml', good]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /Unknown format xml/);
    const missing = await lint([join(folder, 'nope')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /ENOENT|no such file/);
  });
});

/** A folder of its own with the clean runbook in it, for the tests that break a folder. */
function folderWithGood(): string {
  const dir = mkdtempSync(join(tmpdir(), 'exr-lint-robust-'));
  writeFileSync(join(dir, 'good.exrunbook'), GOOD_TEXT);
  return dir;
}

describe('exchange-runbook-lint on what a CI checkout can hold', () => {
  const made: string[] = [];
  const fresh = (): string => {
    const dir = folderWithGood();
    made.push(dir);
    return dir;
  };
  after(() => {
    for (const dir of made) {
      // chmod back, or rm cannot descend.
      try {
        chmodSync(join(dir, 'locked.exrunbook'), 0o644);
      } catch {
        // not every folder has one
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a dangling symlink and a symlink loop in a folder, checks the rest, exits 2, no stack trace', async () => {
    const dir = fresh();
    symlinkSync(join(dir, 'gone.exrunbook'), join(dir, 'dangling.exrunbook'));
    symlinkSync(join(dir, 'loop-b.exrunbook'), join(dir, 'loop-a.exrunbook'));
    symlinkSync(join(dir, 'loop-a.exrunbook'), join(dir, 'loop-b.exrunbook'));
    symlinkSync(dir, join(dir, 'parent'));
    const result = await lint([dir]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /dangling\.exrunbook: no such file/);
    assert.match(result.stderr, /loop-a\.exrunbook: a symlink loop/);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
    assert.match(result.stdout, /1 runbook checked: 0 errors/);
  });

  it('reports an unreadable runbook in a folder and checks the rest', { skip: process.getuid?.() === 0 ? 'root reads every file' : false }, async () => {
    const dir = fresh();
    const locked = join(dir, 'locked.exrunbook');
    writeFileSync(locked, GOOD_TEXT);
    chmodSync(locked, 0o000);
    const result = await lint([dir]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /locked\.exrunbook: permission denied/);
    assert.match(result.stdout, /1 runbook checked/);
  });

  it('does not hang on a FIFO in a folder', async () => {
    const dir = fresh();
    execFileSync('mkfifo', [join(dir, 'pipe.exrunbook')]);
    const result = await lint([dir]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /pipe\.exrunbook: not a regular file/);
  });

  it('fails on an empty folder or a path that matches no runbook (a CI typo)', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'exr-lint-empty-'));
    made.push(empty);
    const result = await lint([empty]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /no runbooks \(\*\.exrunbook\) found/);
  });

  it('rejects an unknown locale; takes --format=json, --locale=ja and --', async () => {
    const unknown = await lint(['--locale', 'xx', 'whatever.exrunbook']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Unknown locale xx/);
    const dir = fresh();
    writeFileSync(join(dir, 'bad.exrunbook'), BAD_TEXT);
    const json = await lint(['--format=json', '--locale=ja', '--', join(dir, 'bad.exrunbook')]);
    assert.equal(json.code, 1, json.stderr);
    const parsed = JSON.parse(json.stdout) as { diagnostics: { message: string }[] }[];
    assert.match(parsed[0]!.diagnostics[0]!.message, /[\u3040-\u30ff]/);
  });

  it('reads UTF-16 runbooks, and reports a binary file once instead of a syntax error per line', async () => {
    const dir = fresh();
    const text = GOOD_TEXT;
    writeFileSync(join(dir, 'utf16.exrunbook'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    const clean = await lint([dir]);
    assert.equal(clean.code, 0, clean.stdout + clean.stderr);
    assert.match(clean.stdout, /2 runbooks checked: 0 errors/);
    writeFileSync(join(dir, 'binary.exrunbook'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2, 3, 10, 10, 10]));
    const binary = await lint([dir]);
    assert.equal(binary.code, 2);
    assert.match(binary.stderr, /binary\.exrunbook: not a text file/);
    assert.doesNotMatch(binary.stdout, /syntax/);
  });

  it('ends quietly when its reader goes away (| head)', async () => {
    const dir = fresh();
    // Enough output to fill the pipe after head has gone: 300 runbooks with an error each.
    for (let i = 0; i < 300; i++) writeFileSync(join(dir, `bad-${i}.exrunbook`), BAD_TEXT);
    const result = await new Promise<{ stderr: string }>((resolve) => {
      execFile('/bin/sh', ['-c', `"${process.execPath}" "${LINT}" "${dir}" | head -n 1`], { timeout: 60_000 }, (_error, _stdout, stderr) => resolve({ stderr }));
    });
    assert.doesNotMatch(result.stderr, /EPIPE|Error/);
  });

  it('percent-encodes SARIF artifact URIs', async () => {
    const dir = fresh();
    const odd = join(dir, 'with space #1%.exrunbook');
    writeFileSync(odd, BAD_TEXT);
    const sarif = JSON.parse((await lint(['--format', 'sarif', odd])).stdout) as { runs: { results: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[] };
    const uri = sarif.runs[0]!.results[0]!.locations[0]!.physicalLocation.artifactLocation.uri;
    assert.match(uri, /with%20space%20%231%25\.exrunbook$/);
  });
});
