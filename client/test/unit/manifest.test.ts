// What a user sees of the manifest: one category for every command, palette entries only where a
// command can act, every setting and enum value described, 2-space runbooks, a walkthrough whose
// steps check themselves off, and a problem matcher that reads the linter's real output.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = join(__dirname, '..', '..', '..', '..');
interface Command {
  command: string;
  category?: string;
}
interface Setting {
  markdownDescription?: string;
  description?: string;
  enum?: string[];
  enumDescriptions?: string[];
}
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  contributes: {
    commands: Command[];
    configuration: { title: string; properties: Record<string, Setting> };
    configurationDefaults: Record<string, Record<string, unknown>>;
    menus: { commandPalette: { command: string; when: string }[] };
    walkthroughs: { steps: { id: string; completionEvents: string[]; description: string }[] }[];
    problemMatchers: { name: string; pattern: { regexp: string; file: number; line: number; column: number; severity: number; code: number; message: number } }[];
  };
};
const english = JSON.parse(readFileSync(join(ROOT, 'package.nls.json'), 'utf8')) as Record<string, string>;
const nls = (value: string) => english[value.replace(/^%|%$/g, '')] ?? value;

describe('manifest', () => {
  it('puts every command under the one category, Exchange Runbooks, as the settings page is titled', () => {
    for (const command of manifest.contributes.commands) assert.equal(command.category, 'Exchange Runbooks', command.command);
    assert.equal(nls(manifest.contributes.configuration.title), 'Exchange Runbooks');
  });

  it('hides from the palette the commands that need a tree item, offers the step commands in runbooks, and Restart until the extension runs', () => {
    const when = new Map(manifest.contributes.menus.commandPalette.map((m) => [m.command, m.when]));
    for (const id of ['exchangeRunbooks.health.invokeProbe', 'exchangeRunbooks.health.openRecovery', 'exchangeRunbooks.health.copyIdentity']) {
      assert.equal(when.get(id), 'false', id);
    }
    // Run step and Copy commands act on the step at the cursor: in the palette of a runbook editor.
    for (const id of ['exchangeRunbooks.copyStep', 'exchangeRunbooks.runStep']) assert.equal(when.get(id), 'editorLangId == exchange-runbook', id);
    assert.equal(when.get('exchangeRunbooks.restartServer'), 'exchangeRunbooks.active');
    assert.equal(when.has('exchangeRunbooks.newRunbook'), false, 'New Runbook works before any runbook is open');
  });

  it('describes every setting and every enum value', () => {
    for (const [name, setting] of Object.entries(manifest.contributes.configuration.properties)) {
      assert.ok(nls(setting.markdownDescription ?? setting.description ?? '').length > 20, `${name} has no description`);
      if (setting.enum) {
        assert.equal(setting.enumDescriptions?.length, setting.enum.length, `${name}: one description per enum value`);
        for (const d of setting.enumDescriptions ?? []) assert.ok(nls(d).length > 5, `${name}: ${d}`);
      }
    }
  });

  it('indents runbooks with 2 spaces, as Format Document writes them', () => {
    const defaults = manifest.contributes.configurationDefaults['[exchange-runbook]']!;
    assert.equal(defaults['editor.tabSize'], 2);
    assert.equal(defaults['editor.insertSpaces'], true);
  });

  it('checks off each walkthrough step with an event of its own, and offers a button for it', () => {
    const steps = manifest.contributes.walkthroughs[0]!.steps;
    assert.deepEqual(steps.map((s) => s.id), ['openExample', 'quickFix', 'newRunbook', 'healthView', 'runStep', 'exportJournal']);
    for (const step of steps) {
      assert.ok(step.completionEvents.length > 0, step.id);
      assert.match(nls(step.description), /\]\(command:exchangeRunbooks\.|\]\(command:workbench\./, `${step.id} has a button`);
    }
  });

  it('the problem matcher reads every finding the linter prints', () => {
    const matcher = manifest.contributes.problemMatchers.find((m) => m.name === 'exchange-runbook-lint')!;
    let output = '';
    try {
      execFileSync(process.execPath, [join(ROOT, 'out', 'server', 'src', 'cli', 'lint.js'), 'server/test/fixtures/seed-pop-literal.exrunbook'], { cwd: ROOT, encoding: 'utf8' });
    } catch (error) {
      output = (error as { stdout: string }).stdout;
    }
    const findings = output.split('\n').filter((l) => /\[[\w-]+\]/.test(l));
    assert.ok(findings.length > 5, output);
    const regexp = new RegExp(matcher.pattern.regexp);
    for (const line of findings) {
      const m = regexp.exec(line);
      assert.ok(m, `not matched: ${line}`);
      assert.equal(m[matcher.pattern.file], join('server', 'test', 'fixtures', 'seed-pop-literal.exrunbook'));
      assert.match(m[matcher.pattern.line]!, /^\d+$/);
      assert.match(m[matcher.pattern.column]!, /^\d+$/);
      assert.match(m[matcher.pattern.severity]!, /^(error|warning)$/);
      assert.match(m[matcher.pattern.code]!, /^[a-z-]+$/);
      assert.ok(m[matcher.pattern.message]!.length > 5);
    }
  });
});
