// Re-analysis after an edit reuses parsed blocks, checked procedures and flow results. Whatever the
// edit, the diagnostics must be exactly those of a fresh analysis with every cache empty.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { RunbookLanguageService } from '../src/languageService';
import { languageService, URI } from './helpers';

const ROOT = join(__dirname, '..', '..', '..');
const FILES = ['examples/pop.exrunbook', 'examples/pop-protocol.exrunbook', 'examples/pop-proxy.exrunbook', 'server/test/fixtures/seed-pop-literal.exrunbook'];
const EDITS_PER_FILE = 200;

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
}

/** Replaces the n-th match of a pattern (n taken from the generator), or leaves the text as it is. */
function replaceOne(text: string, pattern: RegExp, next: () => number, replace: (match: string) => string): string {
  const matches = [...text.matchAll(pattern)];
  const match = matches[Math.floor(next() * matches.length)];
  if (!match) return text;
  return text.slice(0, match.index) + replace(match[0]) + text.slice(match.index + match[0].length);
}

/**
 * One edit an author could make: typing or deleting characters, splitting, joining, copying or
 * dropping lines, and the edits that change meaning without moving anything: a parameter renamed
 * or given another kind, a step renamed, a condition's value or a branch's ending changed.
 */
function edit(text: string, next: () => number): string {
  const at = Math.floor(next() * text.length);
  const lines = text.split('\n');
  const line = Math.floor(next() * lines.length);
  switch (Math.floor(next() * 14)) {
    case 0:
      return text.slice(0, at) + ' x-$"#>{'[Math.floor(next() * 8)] + text.slice(at);
    case 1:
      return text.slice(0, at) + text.slice(at + 1 + Math.floor(next() * 4));
    case 2:
      return text.slice(0, at) + '\n' + text.slice(at);
    case 3:
      lines.splice(line, 0, lines[line] ?? '');
      return lines.join('\n');
    case 4:
      lines.splice(line, 1);
      return lines.join('\n');
    case 5:
      return replaceOne(text, /\$(true|false)\b/g, next, (m) => (m === '$true' ? '$false' : '$true'));
    case 6:
      return replaceOne(text, / confirm$/gm, next, () => '');
    case 7:
      return text.slice(0, at) + 'procedure extra "Extra"\n  step s "S"\n    run Restart-Computer -ComputerName $Server\n' + text.slice(at);
    case 8:
      return replaceOne(text, /^(\s*param \$)(\w)/gm, next, (m) => m.slice(0, -1) + (m.endsWith('X') ? 'Y' : 'X'));
    case 9:
      return replaceOne(text, /: (server|cas|mailbox|text) /g, next, () => [': server ', ': cas ', ': mailbox ', ': text '][Math.floor(next() * 4)]!);
    case 10:
      return replaceOne(text, /^(\s*step )([\w-]+)/gm, next, (m) => m + 'z');
    case 11:
      return replaceOne(text, /-> (resolved|escalate)/g, next, (m) => (m.endsWith('resolved') ? '-> escalate' : '-> resolved'));
    case 12:
      return replaceOne(text, /is (not )?(Succeeded|Healthy|Mounted|yes|mailbox)/g, next, (m) => m.replace(/Succeeded|Healthy|Mounted|yes|mailbox/, (v) => ({ Succeeded: 'Failed', Healthy: 'Unhealthy', Mounted: 'Healthy', yes: 'no', mailbox: 'cas' })[v]!));
    default:
      return replaceOne(text, /^\s*healthset .*$/gm, next, (m) => (m.includes('POP.Proxy') ? m.replace('POP.Proxy', 'POP') : m + ', POP.Proxy'));
  }
}

describe('incremental re-analysis', () => {
  let service: RunbookLanguageService;
  before(async () => {
    service = await languageService();
  });

  for (const [index, file] of FILES.entries()) {
    it(`gives the same diagnostics as a fresh analysis through ${EDITS_PER_FILE} edits of ${file}`, () => {
      const next = random(index + 1);
      let text = readFileSync(join(ROOT, file), 'utf8');
      for (let i = 0; i < EDITS_PER_FILE; i++) {
        text = edit(text, next);
        const incremental = JSON.stringify(service.diagnostics(service.analyze(text), URI, i % 3 === 0 ? 'ja' : 'en'));
        service.clearCaches();
        const fresh = JSON.stringify(service.diagnostics(service.analyze(text), URI, i % 3 === 0 ? 'ja' : 'en'));
        assert.equal(incremental, fresh, `edit ${i + 1} of ${file} (seed ${index + 1}) gave different diagnostics`);
      }
    });
  }

  it('follows edits that change only where the run goes, not where anything is', () => {
    const base = `runbook t "T"
  healthset POP.Proxy
  param $Server: server "Server"

procedure verify "Verify"
  step rerun "Re-run"
    run Invoke-MonitoringProbe POP.Proxy\\PopProxyTestProbe -Server $Server
    when ResultType is Succeeded -> resolved
    otherwise -> recover

procedure recover "Recover" for monitor PopProxyTestMonitor
  step role "Role"
    manual "Which role has the server?"
    when $Server is cas -> reboot
    otherwise -> escalate
  step reboot "Restart" confirm
    run Restart-Computer -ComputerName $Server
  step logon "Logging on"
    run Set-PopSettings -Server $Server -ProtocolLogEnabled $true
  step again = verify.rerun
    when ResultType is Succeeded -> escalate
    otherwise -> resolved
`;
    // Each edit keeps every range where it was: only what the flow follows changes.
    const edits = [
      (t: string) => t.replace('when $Server is cas -> reboot', 'when $Server is mailbox -> reboot'),
      (t: string) => t.replace('when ResultType is Succeeded -> escalate', 'when ResultType is Succeeded -> resolved'),
      (t: string) => t.replace('otherwise -> resolved\n', 'otherwise -> escalate\n'),
      (t: string) => t.replace('-ProtocolLogEnabled $true', '-ProtocolLogEnabled $fals'),
      (t: string) => t.replace('when $Server is mailbox -> reboot', 'when $Server is cas -> reboot'),
    ];
    let text = base;
    const seen = new Set<string>();
    for (const [i, change] of edits.entries()) {
      service.diagnostics(service.analyze(text), URI);
      text = change(text);
      const incremental = JSON.stringify(service.diagnostics(service.analyze(text), URI));
      service.clearCaches();
      const fresh = JSON.stringify(service.diagnostics(service.analyze(text), URI));
      assert.equal(incremental, fresh, `edit ${i + 1} gave different diagnostics`);
      seen.add(fresh);
    }
    // The edits did change the results (the test would prove nothing otherwise).
    assert.ok(seen.size >= 3, `only ${seen.size} distinct results`);
  });

  it('keeps the flow diagnostics exact while titles are typed in, the last step and a step with no id included', () => {
    // The last step falls through to the end of the run with protocol logging on: the diagnostic's
    // related range is that step's header, which grows as its title is typed. `orphan` is reached
    // by nothing; the step with no id is reported on its header.
    let text = `runbook t "T"
  healthset POP
  param $Server: server "Server"

procedure recover "Recover" for monitor PopCTPMonitor
  step check "Check"
    run Get-ServerHealth -Identity $Server -HealthSet POP
    when AlertValue is Healthy -> resolved
  step logon "Turn logging on"
    run Set-PopSettings -Server $Server -ProtocolLogEnabled $true
  step read "Read the log"
    manual "Read it"

procedure spare "Spare"
  step orphan "Never reached"
    manual "m"
  step "No id"
    manual "m"
`;
    const titles = ['"Check', '"Turn logging on', '"Read the log', '"Recover', '"Never reached', '"No id', '"Spare'];
    const codes = new Set<string>();
    for (let i = 0; i < 3 * titles.length; i++) {
      const title = titles[i % titles.length]!;
      const at = text.indexOf(title) + title.length;
      text = text.slice(0, at) + 'xy'.slice(0, 1 + (i % 2)) + text.slice(at);
      const incremental = service.diagnostics(service.analyze(text), URI);
      service.clearCaches();
      const fresh = service.diagnostics(service.analyze(text), URI);
      assert.equal(JSON.stringify(incremental), JSON.stringify(fresh), `typing in ${title} (edit ${i + 1}) gave different diagnostics`);
      for (const d of fresh) codes.add(String(d.code));
    }
    // The flow diagnostics whose ranges the titles move are there (the test would prove nothing otherwise).
    for (const code of ['not-undone', 'unreachable-step']) assert.ok(codes.has(code), `no ${code} among ${[...codes].join(', ')}`);
  });
});
