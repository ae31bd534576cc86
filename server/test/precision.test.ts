// Precision: correct runbooks written in different admins' styles get no diagnostic at all, and a
// runbook ported from the documentation with one defect gets exactly the diagnostic for it.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver-types';
import { codes, covered, diagnose, fixTexts } from './helpers';

const FOLDER = join(__dirname, '..', '..', '..', 'server', 'test', 'fixtures', 'precise');
const read = (name: string): string => readFileSync(join(FOLDER, name), 'utf8');
const FLAT = read('flat-variables.exrunbook');
const TABS = read('tabs-aliases.exrunbook');

/** The text with one piece replaced; fails when the piece is not there (the test would prove nothing). */
function port(text: string, from: string, to: string): string {
  assert.ok(text.includes(from), `the runbook has no ${from}`);
  return text.replace(from, to);
}

/** Exactly these codes, in any order, and the diagnostic of the first. */
async function exactly(text: string, ...expected: string[]): Promise<Diagnostic> {
  const diagnostics = await diagnose(text);
  assert.deepEqual(codes(diagnostics).sort(), [...expected].sort(), diagnostics.map((d) => `${String(d.code)}: ${d.message}`).join('\n'));
  return diagnostics.find((d) => d.code === expected[0])!;
}

describe('precision', () => {
  describe('correct runbooks in different styles get no diagnostic', () => {
    for (const file of readdirSync(FOLDER).filter((f) => f.endsWith('.exrunbook'))) {
      it(file, async () => {
        const diagnostics = await diagnose(read(file));
        assert.deepEqual(diagnostics.map((d) => `${d.range.start.line + 1}: ${String(d.code)} ${d.message}`), []);
      });
    }

    it('in every display language', async () => {
      for (const language of ['zh-cn', 'ja']) assert.deepEqual(await diagnose(FLAT, language), []);
    });

    it('a step read with typographic quotes typed by an input method', async () => {
      await exactly(port(TABS, 'step health "正常性セットの状態を確認する"', 'step health “正常性セットの状態を確認する”'));
    });

    it('ideographic spaces typed by an input method, and a pasted no-break space, separate words as spaces do', async () => {
      let text = port(FLAT, 'step self "重新运行自检探测器"', 'step\u3000self\u3000"重新运行自检探测器"');
      text = port(text, 'run $r = Invoke-MonitoringProbe POP.Protocol\\PopSelfTestProbe -Server $Mailbox', 'run $r = Invoke-MonitoringProbe POP.Protocol\\PopSelfTestProbe\u3000-Server\u00A0$Mailbox');
      text = port(text, 'when ResultType is Succeeded -> self', 'when\u3000ResultType is Succeeded\u3000-> self');
      await exactly(text);
      // A misspelt probe next to one is still the probe's own defect, named without the space.
      const misspelt = await exactly(port(text, 'PopSelfTestProbe\u3000-Server', 'PopSelfTestProbee\u3000-Server'), 'unknown-probe');
      assert.equal(covered(port(text, 'PopSelfTestProbe\u3000-Server', 'PopSelfTestProbee\u3000-Server'), misspelt), 'PopSelfTestProbee');
    });

    it('en dashes a word processor put before parameters and operators are dashes, as PowerShell reads them', async () => {
      const example = readFileSync(join(__dirname, '..', '..', '..', 'examples', 'pop.exrunbook'), 'utf8');
      const dashed = example.replace(/ -(?=[A-Za-z])/g, ' \u2013');
      assert.ok((dashed.match(/\u2013/g) ?? []).length > 20, 'the example has parameters to dash');
      await exactly(dashed);
      // The failover is still seen through them: left in place, it is reported.
      await exactly(port(dashed, 'run Set-MailboxServer \u2013Identity $Server \u2013DatabaseCopyActivationDisabledAndMoveNow $false\n    otherwise', 'manual "Leave it"\n    otherwise'), 'not-undone');
    });

    it('condition values quoted as PowerShell people quote them', async () => {
      const text = port(FLAT, 'when ResultType is Succeeded -> self', 'when ResultType is "Succeeded" -> self');
      await exactly(port(text, 'when ResultType is Succeeded -> resolved', "when ResultType is 'Succeeded', Timeout -> resolved"));
      // A misspelt quoted value is still caught, and its fix goes inside the quotes.
      const misspelt = port(text, '"Succeeded"', '"Succeded"');
      const d = await exactly(misspelt, 'unknown-value');
      assert.equal(covered(misspelt, d), 'Succeded');
      assert.deepEqual(fixTexts(d), ['Succeeded']);
    });

    it('variables inside a bareword (a UNC path, sc.exe \\\\$Server) are used, drive items are no variables', async () => {
      const text = port(
        FLAT,
        'run Get-PSSession | Remove-PSSession',
        'run Get-Content \\\\$Mailbox\\c$\\Logs\\pop3.log -Tail 20; sc.exe \\\\$Server query MSExchangePOP3; Invoke-Command -ComputerName $Server -ScriptBlock ${function:Get-Date}',
      );
      await exactly(text);
      // A misspelt one there is still caught, on its name.
      const misspelt = port(text, '\\\\$Mailbox\\c$', '\\\\$Mailbx\\c$');
      const d = await exactly(misspelt, 'undeclared-parameter');
      assert.equal(covered(misspelt, d), '$Mailbx');
    });

    it('a condition on a calculated property is the runbook\'s own, not the cmdlet\'s', async () => {
      const text = TABS;
      const calculated = port(text, '| ft Name, AlertValue -AutoSize\n\t\twhen all AlertValue is Healthy', "| Select-Object Name, @{n='State';e={$_.AlertValue}}\n\t\twhen all State is Healthy");
      await exactly(calculated);
      // Plain property names through Select-Object are still the cmdlet's.
      await exactly(port(text, 'when all AlertValue is Healthy', 'when all AlertValu is Healthy'), 'unknown-property');
    });

    it('full-width punctuation and a capitalised keyword: a warning each with its fix, and nothing else', async () => {
      let text = port(FLAT, 'healthset POP, POP.Protocol', 'healthset POP\uFF0C POP.Protocol');
      text = port(text, 'step self "重新运行自检探测器"', 'Step self "重新运行自检探测器"');
      const diagnostics = await diagnose(text);
      assert.deepEqual(codes(diagnostics).sort(), ['full-width', 'keyword-case']);
      assert.deepEqual(diagnostics.map((d) => fixTexts(d)[0]).sort(), [',', 'step']);
    });

    it('names a documented health set may have beyond its topic are not judged', async () => {
      let text = port(TABS, '?{$_.Name -like "Owa*"}', '?{$_.Name -eq "OwaSomeUnlistedMonitor"}');
      text = port(text, 'for monitor OwaSelfTestMonitor,', 'for monitor OwaSomeUnlistedMonitor, OwaSelfTestMonitor,');
      text = port(text, 'OWA.Protocol\\OwaSelfTestProbe', 'OWA.Protocol\\OwaSomeUnlistedProbe');
      await exactly(text);
    });

    it('a real cmdlet the catalog does not describe is never a "did you mean"', async () => {
      const text = port(FLAT, 'run Get-PSSession | Remove-PSSession', 'run Get-PSSession | Where-Object State -eq Broken | Remove-PSSession; Get-ExchangeCertificate -Server $Server | Sort-Object NotAfter | Select-Object -First 1; Get-ADUser -Filter * | Measure-Object');
      await exactly(text);
    });

    it('a here-string kept in a variable, a script block with its own param(), a calculated property', async () => {
      const text = port(
        FLAT,
        'run Get-PSSession | Remove-PSSession',
        'run $note = @"\n      Server: $Server\n      "@\n    run $note | Out-File -FilePath "$env:TEMP\\note.txt"\n    run Invoke-Command -ComputerName $Server -ScriptBlock { param($Name) Get-Service -Name $Name } -ArgumentList MSExchangePOP3\n    run Get-ServerHealth -Identity $Server | Select-Object Name, @{n=\'Since\';e={$_.LastTransitionTime}}, AlertValue',
      );
      await exactly(text);
      // A variable nobody defines is still caught inside such a block.
      await exactly(port(text, 'Get-Service -Name $Name }', 'Get-Service -Name $Nmae }'), 'undeclared-parameter');
    });

    it('variables, positional and colon-bound parameters in one line', async () => {
      const text = port(FLAT, 'run $r = Invoke-MonitoringProbe -Identity:POP\\PopCTPProbe -Server:$Server', 'run $ErrorActionPreference = "Stop"; foreach ($probe in @("POP\\PopCTPProbe")) { $r = Invoke-MonitoringProbe $probe -Server $Server -OutVariable last }; $last | Out-Null');
      await exactly(text);
    });
  });

  describe('a ported runbook with one defect gets exactly its diagnostic', () => {
    it('a documentation misspelling inside a filter string, with where it comes from', async () => {
      const text = port(FLAT, 'run $r | Format-List ResultType', 'run Get-ServerHealth $Server | ?{$_.Name -eq "PopTestDeepMonitor"}\nrun $r | Format-List ResultType');
      const d = await exactly(text, 'misspelt-name');
      assert.equal(covered(text, d), 'PopTestDeepMonitor');
      assert.match(String(d.message), /PopDeepTestMonitor\. .*section heading/);
      assert.deepEqual(fixTexts(d), ['PopDeepTestMonitor']);
    });

    it('a misspelt name in an -in list, "did you mean" within the runbook\'s health sets', async () => {
      const text = port(FLAT, 'run $r | Format-List ResultType', 'run Get-ServerHealth $Server | ?{$_.Name -in "PopDeepTestMonitor", "PopSelfTestMonitr"}\nrun $r | Format-List ResultType');
      const d = await exactly(text, 'unknown-monitor');
      assert.equal(covered(text, d), 'PopSelfTestMonitr');
      assert.equal(fixTexts(d)[0], 'PopSelfTestMonitor');
      assert.ok(!fixTexts(d).some((f) => f.startsWith('Imap')), fixTexts(d).join());
    });

    it('a -like pattern that matches no monitor of the health set the command reads', async () => {
      const text = port(FLAT, 'run $r | Format-List ResultType', 'run Get-ServerHealth $Server -HealthSet POP | ?{$_.Name -like "Imap*"}\nrun $r | Format-List ResultType');
      const d = await exactly(text, 'unknown-monitor');
      assert.equal(covered(text, d), 'Imap*');
    });

    it('the documentation\'s misspelt parameter still turns logging on: both problems in one pass', async () => {
      const text = port(FLAT, 'step close "关闭会话"', 'step log "打开协议日志"\nrun Set-PopSettings -Server $Server -ProtocolLoggingEnabled $true\nstep close "关闭会话"');
      const diagnostics = await diagnose(text);
      assert.deepEqual(codes(diagnostics).sort(), ['not-undone', 'unknown-parameter']);
      const undo = diagnostics.find((d) => d.code === 'not-undone')!;
      assert.equal(covered(text, undo), '-ProtocolLoggingEnabled');
      assert.deepEqual(fixTexts(diagnostics.find((d) => d.code === 'unknown-parameter')), ['-ProtocolLogEnabled']);
    });

    it('a splatted failover not undone on the escalation path, colon-bound undo counted elsewhere', async () => {
      const text = port(FLAT, 'run Set-MailboxServer $Mailbox -DatabaseCopyActivationDisabledAndMoveNow:$false\n', '');
      const d = await exactly(text, 'not-undone');
      assert.equal(covered(text, d), '@move');
      assert.match(String(d.message), /DatabaseCopyActivationDisabledAndMoveNow \$true \(\$Mailbox\).*give-up/);
    });

    it('a Mailbox server restarted after moving one database only (Move-ActiveMailboxDatabase -Identity)', async () => {
      const moved = read('move-active-databases.exrunbook');
      const text = port(moved, 'Move-ActiveMailboxDatabase -Server $Server -ActivateOnServer $Other', 'Move-ActiveMailboxDatabase -Identity DB01 -ActivateOnServer $Other');
      await exactly(text, 'restart-before-failover');
      // -Confirm:$false is the switch's value, not the database to move.
      await exactly(port(moved, '-Confirm:$false\n  step check', '-Confirm:$false -MountDialOverride:BestAvailability\n  step check'));
    });

    it('DAG maintenance started with Exchange\'s script and not stopped on the escalation path', async () => {
      const text = port(read('dag-maintenance-scripts.exrunbook'), '    run & "$exscripts\\StopDagServerMaintenance.ps1" -serverName $Server\n    escalate', '    escalate');
      const d = await exactly(text, 'not-undone');
      assert.match(String(d.message), /StartDagServerMaintenance\.ps1 -serverName \$Server/);
      // Restarted with no maintenance started at all: the databases were never moved off.
      await exactly(port(read('dag-maintenance-scripts.exrunbook'), 'run & "$exscripts\\StartDagServerMaintenance.ps1" -serverName $Server -MoveComment "POP slow commands"', 'manual "Nothing"'), 'restart-before-failover');
    });

    it('a splatted failover is dangerous without confirm', async () => {
      const text = port(FLAT, 'step fail-over "将数据库移出邮箱服务器" confirm', 'step fail-over "将数据库移出邮箱服务器"');
      const d = await exactly(text, 'missing-confirm');
      assert.equal(covered(text, d), 'Set-MailboxServer');
    });

    it('a splatted hashtable with a parameter the cmdlet does not have', async () => {
      const text = port(FLAT, 'DatabaseCopyActivationDisabledAndMoveNow = $false', 'DatabaseCopyActivationDisabledAndMoveNow = $false; ActivationDisabled = $true');
      const d = await exactly(text, 'unknown-parameter');
      assert.equal(covered(text, d), '@back');
      assert.deepEqual(fixTexts(d), []);
    });

    it('a service restarted on the admin\'s own computer, fixed by Invoke-Command', async () => {
      const text = port(FLAT, 'run Invoke-Command -ComputerName $Server -ScriptBlock { Restart-Service -Name MSExchangePOP3 -Force }', 'run Restart-Service -Name MSExchangePOP3 -Force');
      const d = await exactly(text, 'untargeted-service');
      assert.equal(covered(text, d), 'Restart-Service');
      assert.deepEqual(fixTexts(d), ['Invoke-Command -ComputerName $Server { Restart-Service -Name MSExchangePOP3 -Force }']);
    });

    it('a service restarted for each name of a literal list, outside Invoke-Command', async () => {
      const text = port(FLAT, 'run Invoke-Command -ComputerName $Server -ScriptBlock { Restart-Service -Name MSExchangePOP3 -Force }', "run 'MSExchangePOP3', 'MSExchangePOP3BE' | ForEach-Object { Restart-Service $_ }");
      await exactly(text, 'untargeted-service');
    });

    it('the topic\'s example server name, fixed with a server parameter', async () => {
      const text = port(FLAT, 'POP.Protocol\\PopSelfTestProbe -Server $Mailbox', 'POP.Protocol\\PopSelfTestProbe -Server mbx1.contoso.com');
      const d = await exactly(text, 'example-name');
      assert.equal(covered(text, d), 'mbx1.contoso.com');
      assert.deepEqual(fixTexts(d), ['$Server', '$Mailbox']);
    });

    it('the topic\'s example address', async () => {
      const text = port(TABS, '-Port 443', '-Port 443; Test-OwaConnectivity -MailboxCredential (Get-Credential kim@contoso.com)');
      const d = await exactly(text, 'example-name');
      assert.equal(covered(text, d), 'kim@contoso.com');
    });

    it('placeholders get fixes of their own kind', async () => {
      let text = port(TABS, '-HealthSet OWA.Protocol |', '-HealthSet <health set name> |');
      const healthSet = await exactly(text, 'placeholder');
      assert.equal(covered(text, healthSet), '<health set name>');
      assert.deepEqual(fixTexts(healthSet), ['OWA', 'OWA.Protocol']);
      text = port(TABS, 'Test-NetConnection -ComputerName $Cas', 'Test-NetConnection -ComputerName <CAS server name>');
      const cas = await exactly(text, 'placeholder', 'unused-parameter');
      assert.equal(covered(text, cas), '<CAS server name>');
      assert.deepEqual(fixTexts(cas), ['$Cas', '$Server']);
    });

    it('a probe placeholder offers the runbook\'s probes, not $Server', async () => {
      const text = port(FLAT, 'POP.Protocol\\PopSelfTestProbe -Server $Mailbox', 'POP.Protocol\\<probe name> -Server $Mailbox');
      const d = await exactly(text, 'placeholder');
      assert.ok(fixTexts(d).includes('PopSelfTestProbe'), fixTexts(d).join());
      assert.ok(!fixTexts(d).some((f) => f.startsWith('$')), fixTexts(d).join());
    });

    it('a placeholder with no parameter of its kind offers to declare one', async () => {
      const text = port(FLAT, 'run Import-PSSession $s -DisableNameChecking -AllowClobber | Out-Null', 'run Import-PSSession $s -DisableNameChecking -AllowClobber | Out-Null\nrun Get-MailboxDatabase "<database name>" -Status');
      const d = await exactly(text, 'placeholder');
      assert.deepEqual(fixTexts(d), ['  param $Database: database "Database"\n', '$Database']);
    });

    it('a Chinese unit and a Chinese value get the English word as their fix', async () => {
      const unit = port(FLAT, 'wait 2 minutes', 'wait 2 分钟');
      assert.deepEqual(fixTexts(await exactly(unit, 'invalid-wait')), ['minutes']);
      const value = port(FLAT, 'when ResultType is Succeeded -> self', 'when ResultType is 成功 -> self');
      const d = await exactly(value, 'unknown-value');
      assert.equal(covered(value, d), '成功');
      assert.deepEqual(fixTexts(d), ['Succeeded']);
    });

    it('a near miss of a real cmdlet is still caught', async () => {
      const text = port(FLAT, 'run Get-PSSession | Remove-PSSession', 'run Get-PSSesion | Remove-PSSession');
      const d = await exactly(text, 'unknown-cmdlet');
      assert.deepEqual(fixTexts(d), ['Get-PSSession']);
    });

    it('a variable of another step is undeclared here', async () => {
      const text = port(FLAT, 'run Invoke-Command -ComputerName $Server -ScriptBlock { Restart-Service -Name MSExchangePOP3 -Force }', 'run Invoke-Command -Session $s -ScriptBlock { Restart-Service -Name MSExchangePOP3 -Force }');
      const d = await exactly(text, 'undeclared-parameter');
      assert.equal(covered(text, d), '$s');
    });

    it('a condition on what a variable holds knows the probe result', async () => {
      const text = port(FLAT, 'when ResultType is Succeeded -> self', 'when Result is Succeeded -> self');
      const d = await exactly(text, 'unknown-property');
      assert.deepEqual(fixTexts(d), ['ResultType']);
    });

    it('output flows through a literal list into ForEach-Object, and out of & { ... }', async () => {
      const listed = port(TABS, 'when any Status is Stopped -> start', 'when any Status is Stoped -> start');
      assert.deepEqual(fixTexts(await exactly(listed, 'unknown-value')), ['Stopped']);
      const called = port(TABS, "| ft Name, AlertValue -AutoSize\n\t\twhen all AlertValue is Healthy", "| ft Name, AlertValue -AutoSize\n\t\trun & { Get-ServerHealth -Identity $Server } | Format-Table\n\t\twhen all AlertValue is Healty");
      assert.deepEqual(fixTexts(await exactly(called, 'unknown-value')), ['Healthy']);
    });

    it('a line PowerShell cannot parse stays a warning of its own line', async () => {
      const text = port(TABS, 'Restart-WebAppPool -Name MSExchangeOWAAppPool }', 'Restart-WebAppPool -Name MSExchangeOWAAppPool');
      const diagnostics = await diagnose(text);
      assert.deepEqual(codes(diagnostics), ['powershell-syntax']);
      const line = text.split('\n').findIndex((l) => l.includes('Import-Module WebAdministration'));
      assert.equal(diagnostics[0]!.range.start.line, line);
    });
  });
});
