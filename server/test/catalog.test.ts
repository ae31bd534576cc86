// The catalog's facts hang together: every probe and monitor belongs to one of the 72 health sets,
// each health set says how completely it is known, and the command names hold no duplicates of
// the described cmdlets under another spelling.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CatalogIndex, loadCatalog } from '../src/catalog';

const catalog = new CatalogIndex(loadCatalog());

describe('catalog', () => {
  it('has 72 health sets, and probes and monitors only in them', () => {
    assert.equal(catalog.healthSets.length, 72);
    for (const item of [...catalog.probes, ...catalog.monitors]) assert.ok(catalog.healthSet(item.healthSet), `${item.name}: ${item.healthSet}`);
    for (const monitor of catalog.monitors) if (monitor.probe) assert.ok(catalog.probe(monitor.probe), `${monitor.name} → ${monitor.probe}`);
  });

  it('names no probe or monitor after a health set (the IMAP topic lists IMAP.Protocol as a monitor: a documentation slip)', () => {
    const healthSets = new Set(catalog.healthSets.map((h) => h.name.toLowerCase()));
    assert.deepEqual([...catalog.probes, ...catalog.monitors].filter((item) => healthSets.has(item.name.toLowerCase())).map((item) => item.name), []);
    // Written as the topic has it, it is the documentation's slip, with the monitor meant.
    assert.equal(catalog.resolveMonitor('IMAP.Protocol')?.name, 'ImapDeepTestMonitor');
  });

  it('marks every health set it has probes or monitors of as complete or documented, and no other', () => {
    for (const healthSet of catalog.healthSets) {
      const items = catalog.probesOf(healthSet.name).length + catalog.monitorsOf(healthSet.name).length;
      assert.equal(items > 0, healthSet.catalogue !== undefined, healthSet.name);
    }
    assert.deepEqual(catalog.healthSets.filter((h) => h.catalogue === 'complete').map((h) => h.name).sort(), ['IMAP', 'IMAP.Protocol', 'IMAP.Proxy', 'POP', 'POP.Protocol', 'POP.Proxy']);
    // The full topics beyond POP and IMAP.
    for (const name of ['ActiveSync', 'Autodiscover', 'ECP', 'EWS', 'OWA', 'OWA.Protocol', 'DataProtection', 'HubTransport']) {
      assert.equal(catalog.healthSet(name)?.catalogue, 'documented', name);
      assert.ok(catalog.healthSet(name)?.topic, name);
    }
  });

  it('knows real cmdlets by name, aliases of described cmdlets bind like them', () => {
    for (const name of ['Get-PSSession', 'Import-PSSession', 'Measure-Object', 'Get-Mailbox', 'Get-ExchangeCertificate', 'Test-NetConnection', 'Get-WinEvent', 'gsv']) {
      assert.ok(catalog.knownCommand(name), name);
    }
    assert.equal(catalog.knownCommand('Invoke-MonitorinProbe'), undefined);
    assert.equal(catalog.cmdlet('icm')?.name, 'Invoke-Command');
    assert.equal(catalog.cmdlet('gsv')?.name, 'Get-Service');
  });
});
