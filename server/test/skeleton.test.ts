// "New runbook": the skeleton written for each health set of the catalog lints clean and has the
// verify procedure and one recovery procedure per monitor of that set.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { healthSetChoices, runbookId, runbookSkeleton } from '../src/analysis/skeleton';
import { RunbookLanguageService } from '../src/languageService';

describe('New runbook skeleton', () => {
  let service!: RunbookLanguageService;
  before(async () => {
    service = await RunbookLanguageService.create();
  });

  it('lints clean (no error, warning, information or hint) for every health set of the catalog', () => {
    const sets = healthSetChoices(service.catalog);
    assert.ok(sets.length >= 70, `the catalog offers ${sets.length} health sets`);
    for (const { name } of sets) {
      const text = runbookSkeleton(service.catalog, name)!;
      const diagnostics = service.diagnostics(service.analyze(text), 'untitled:new.exrunbook', 'en');
      assert.deepEqual(
        diagnostics.map((d) => `${d.range.start.line + 1}: [${String(d.code)}] ${d.message}`),
        [],
        `the ${name} skeleton:\n${text}`,
      );
    }
  });

  it('has the verify procedure and one recovery procedure per monitor of the health set', () => {
    const model = service.analyze(runbookSkeleton(service.catalog, 'POP')!);
    const procedures = model.runbook.procedures.map((p) => ({ id: p.id?.text, monitors: p.monitors.map((m) => m.text) }));
    assert.deepEqual(procedures, [
      { id: 'verify', monitors: [] },
      { id: 'recover-popctp', monitors: ['PopCTPMonitor'] },
      { id: 'recover-averagecommandprocessingtimegt60s', monitors: ['AverageCommandProcessingTimeGt60sMonitor'] },
    ]);
    assert.deepEqual(model.runbook.healthSets.map((h) => h.text), ['POP']);
  });

  it('re-runs a monitor\'s probe in the probe\'s own health set and names the server by the alerting role', () => {
    const pop = runbookSkeleton(service.catalog, 'POP')!;
    assert.match(pop, /Invoke-MonitoringProbe POP\.Protocol\\PopSelfTestProbe -Server \$Server/);
    assert.match(pop, /param \$Server: server /);
    assert.match(runbookSkeleton(service.catalog, 'POP.Proxy')!, /param \$Server: cas "Client Access server named in the alert"/);
    assert.match(runbookSkeleton(service.catalog, 'IMAP.Protocol')!, /param \$Server: mailbox /);
  });

  it('knows no runbook for a health set outside the catalog, and makes ids of names', () => {
    assert.equal(runbookSkeleton(service.catalog, 'NoSuchSet'), undefined);
    assert.equal(runbookId('POP.Protocol'), 'pop-protocol');
    assert.equal(runbookId('EventAssistants'), 'eventassistants');
  });
});
