// Every diagnostic a runbook author can meet: its code, its exact range, its message and its fix.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { codes, covered, diagnose, fixTexts, runbook } from './helpers';

const VERIFY = `procedure verify "Verify the issue still exists"
  step rerun "Re-run the probe"
    run Invoke-MonitoringProbe POP.Proxy\\PopProxyTestProbe -Server $Server | Format-List
    when ResultType is Succeeded -> resolved "Transient"
    otherwise -> recover
`;

const RECOVER = `
procedure recover "PopProxyTestMonitor recovery" for monitor PopProxyTestMonitor
  step restart "Restart POP3 on the CAS" confirm
    run Invoke-Command -ComputerName $Server { Restart-Service MSExchangePOP3 }
  step again = verify.rerun
    when ResultType is Succeeded -> resolved
  step escalate "Escalate"
    escalate "Contact Microsoft Support"
`;

const CLEAN = runbook(VERIFY + RECOVER);

async function only(text: string, code: string) {
  const diagnostics = await diagnose(text);
  const found = diagnostics.filter((d) => d.code === code);
  assert.equal(found.length, 1, `expected one ${code}, got: ${diagnostics.map((d) => `${String(d.code)}: ${d.message}`).join(' | ')}`);
  return found[0]!;
}

describe('diagnostics', () => {
  it('a correct runbook gets none', async () => {
    assert.deepEqual(await diagnose(CLEAN), []);
  });

  describe('Exchange names', () => {
    it('unknown health set in the header, with did-you-mean', async () => {
      const text = CLEAN.replace('healthset POP.Proxy', 'healthset POP.Proxi');
      const d = await only(text, 'unknown-health-set');
      assert.equal(covered(text, d), 'POP.Proxi');
      assert.match(String(d.message), /POP\.Proxi is not an Exchange health set\. Did you mean POP\.Proxy/);
      assert.equal(fixTexts(d)[0], 'POP.Proxy');
    });

    it('unknown probe inside PowerShell, with did-you-mean', async () => {
      const text = CLEAN.replace('POP.Proxy\\PopProxyTestProbe', 'POP.Proxy\\PopProxyTestProb');
      const d = await only(text, 'unknown-probe');
      assert.equal(covered(text, d), 'PopProxyTestProb');
      assert.equal(fixTexts(d)[0], 'PopProxyTestProbe');
    });

    it('a probe named under the wrong health set', async () => {
      const text = CLEAN.replace('POP.Proxy\\PopProxyTestProbe', 'POP\\PopProxyTestProbe');
      const d = await only(text, 'wrong-health-set');
      assert.equal(covered(text, d), 'POP');
      assert.match(String(d.message), /PopProxyTestProbe belongs to the POP\.Proxy health set, not POP/);
      assert.deepEqual(fixTexts(d), ['POP.Proxy']);
    });

    it('a monitor given to Invoke-MonitoringProbe names its probe', async () => {
      const text = CLEAN.replace('POP.Proxy\\PopProxyTestProbe', 'POP.Proxy\\PopProxyTestMonitor');
      const d = await only(text, 'unknown-probe');
      assert.match(String(d.message), /PopProxyTestMonitor is a monitor; Invoke-MonitoringProbe runs its probe PopProxyTestProbe/);
    });

    it('health set names compared in a filter', async () => {
      const text = runbook(VERIFY.replace('    when ResultType', '    run Get-ServerHealth $Server | ?{$_.HealthSetName -eq "POPP"}\n    when ResultType') + RECOVER);
      const d = await only(text, 'unknown-health-set');
      assert.equal(covered(text, d), 'POPP');
      assert.ok(fixTexts(d).includes('POP'));
    });

    it('a -like pattern that matches no health set', async () => {
      const text = runbook(VERIFY.replace('    when ResultType', '    run Get-ServerHealth $Server | ?{$_.HealthSetName -like "PIP*"}\n    when ResultType') + RECOVER);
      const d = await only(text, 'unknown-health-set');
      assert.equal(covered(text, d), 'PIP*');
    });

    it('an unknown monitor in `for monitor`', async () => {
      const text = CLEAN.replace('for monitor PopProxyTestMonitor', 'for monitor PopProxyMonitor');
      const diagnostics = await diagnose(text);
      const d = diagnostics.find((x) => x.code === 'unknown-monitor')!;
      assert.equal(covered(text, d), 'PopProxyMonitor');
      assert.equal(fixTexts(d)[0], 'PopProxyTestMonitor');
      // ... and the monitor is now without a procedure.
      assert.ok(codes(diagnostics).includes('missing-recovery-procedure'));
    });

    it("the documentation's misspelt monitor names get the real name", async () => {
      const text = runbook(
        VERIFY.replace(/POP\.Proxy\\PopProxyTestProbe/, 'POP.Protocol\\PopDeepTestProbe') +
          RECOVER.replace('for monitor PopProxyTestMonitor', 'for monitor PopTestDeepMonitor'),
        '  healthset POP.Protocol\n  param $Server: mailbox "Mailbox server"',
      );
      const diagnostics = await diagnose(text);
      const d = diagnostics.find((x) => x.code === 'misspelt-name')!;
      assert.equal(covered(text, d), 'PopTestDeepMonitor');
      assert.deepEqual(fixTexts(d), ['PopDeepTestMonitor']);
    });

    it('a monitor of a health set the runbook does not declare', async () => {
      const text = CLEAN.replace('for monitor PopProxyTestMonitor', 'for monitor PopProxyTestMonitor, PopCTPMonitor');
      const d = await only(text, 'monitor-outside-runbook');
      assert.equal(covered(text, d), 'PopCTPMonitor');
    });

    it('monitors of the runbook health sets without a recovery procedure, with a fix that adds one', async () => {
      const text = runbook(VERIFY.replace('otherwise -> recover', 'otherwise -> escalate'));
      const d = await only(text, 'missing-recovery-procedure');
      assert.equal(covered(text, d), 'POP.Proxy');
      assert.match(fixTexts(d)[0]!, /procedure recover-pop-proxy-test "PopProxyTestMonitor recovery" for monitor PopProxyTestMonitor/);
    });
  });

  describe('cmdlets and parameters', () => {
    it('Set-PopSettings -ProtocolLoggingEnabled: the parameter is -ProtocolLogEnabled', async () => {
      const text = runbook(VERIFY + RECOVER.replace('  step again', '  step log "Log" \n    run Set-PopSettings -Server $Server -ProtocolLoggingEnabled $false\n  step again'));
      const d = await only(text, 'unknown-parameter');
      assert.equal(covered(text, d), '-ProtocolLoggingEnabled');
      assert.match(String(d.message), /Set-PopSettings has no parameter -ProtocolLoggingEnabled: the parameter is -ProtocolLogEnabled/);
      assert.deepEqual(fixTexts(d), ['-ProtocolLogEnabled']);
    });

    it('an unknown parameter gets the closest real ones', async () => {
      const text = CLEAN.replace('-Server $Server | Format-List', '-Servr $Server | Format-List');
      const d = await only(text, 'unknown-parameter');
      assert.equal(fixTexts(d)[0], '-Server');
    });

    it('an unambiguous prefix is accepted, an ambiguous one is not', async () => {
      assert.deepEqual(await diagnose(CLEAN.replace('-Server $Server | Format-List', '-Serv $Server | Format-List')), []);
      const text = runbook(VERIFY + RECOVER.replace('  step again', '  step log "Log"\n    run Set-PopSettings -Server $Server -Log $true\n  step again'));
      const diagnostics = await diagnose(text);
      assert.ok(codes(diagnostics).includes('ambiguous-parameter'), JSON.stringify(diagnostics.map((d) => d.message)));
    });

    it('a missing mandatory parameter', async () => {
      const text = CLEAN.replace('Invoke-MonitoringProbe POP.Proxy\\PopProxyTestProbe -Server', 'Invoke-MonitoringProbe -Server');
      const d = await only(text, 'missing-mandatory-parameter');
      assert.equal(covered(text, d), 'Invoke-MonitoringProbe');
      assert.match(String(d.message), /-Identity/);
    });

    it('a Boolean parameter given a word', async () => {
      const text = runbook(VERIFY + RECOVER.replace('  step again', '  step log "Log"\n    run Set-PopSettings -Server $Server -ProtocolLogEnabled true\n  step again'));
      const diagnostics = await diagnose(text);
      const d = diagnostics.find((x) => x.code === 'invalid-value')!;
      assert.equal(covered(text, d), 'true');
      assert.deepEqual(fixTexts(d), ['$true']);
    });

    it('an enum value that does not exist', async () => {
      const text = runbook(VERIFY + RECOVER.replace('  step again', '  step state "State" confirm\n    run Set-ServerComponentState $Server -Component PopProxy -State Actve -Requester Functional\n  step again'));
      const d = await only(text, 'invalid-value');
      assert.equal(covered(text, d), 'Actve');
      assert.equal(fixTexts(d)[0], 'Active');
    });

    it('a parameter without its value', async () => {
      const text = CLEAN.replace('-Server $Server | Format-List', '-Server | Format-List');
      const diagnostics = await diagnose(text);
      assert.ok(codes(diagnostics).includes('missing-value'));
    });

    it('an unknown Exchange service name', async () => {
      const text = CLEAN.replace('Restart-Service MSExchangePOP3 }', 'Restart-Service MSExchangePOP4 }');
      const d = await only(text, 'unknown-service');
      assert.equal(covered(text, d), 'MSExchangePOP4');
      assert.ok(fixTexts(d).includes('MSExchangePOP3'));
    });

    it('a near miss of a known cmdlet', async () => {
      const text = CLEAN.replace('Invoke-MonitoringProbe POP', 'Invoke-MonitorinProbe POP');
      const d = await only(text, 'unknown-cmdlet');
      assert.deepEqual(fixTexts(d), ['Invoke-MonitoringProbe']);
    });

    it('leftover placeholders from the documentation, with a fix to the declared parameter', async () => {
      const text = CLEAN.replace('-ComputerName $Server', '-ComputerName <ServerName>');
      const d = await only(text, 'placeholder');
      assert.equal(covered(text, d), '<ServerName>');
      assert.deepEqual(fixTexts(d), ['$Server']);
    });

    it('dangerous commands without confirm, with a fix that adds it', async () => {
      const text = CLEAN.replace('"Restart POP3 on the CAS" confirm', '"Restart POP3 on the CAS"');
      const d = await only(text, 'missing-confirm');
      assert.equal(covered(text, d), 'Restart-Service');
      assert.deepEqual(fixTexts(d), [' confirm']);
    });

    it('a reused dangerous step needs its own confirm', async () => {
      const text = CLEAN.replace('  step escalate "Escalate"', '  step restart2 = restart\n  step escalate "Escalate"');
      const d = await only(text, 'missing-confirm');
      assert.equal(covered(text, d), 'restart');
    });

    it('failing back is not dangerous, failing over is', async () => {
      const failback = runbook(VERIFY + RECOVER.replace('  step again', '  step back "Fail back"\n    run Set-MailboxServer -Identity $Server -DatabaseCopyActivationDisabledAndMoveNow $false\n  step again'));
      assert.ok(!codes(await diagnose(failback)).includes('missing-confirm'));
    });
  });

  describe('parameters of the runbook', () => {
    it('an undeclared variable, with fixes', async () => {
      const text = CLEAN.replace('-ComputerName $Server', '-ComputerName $Sever');
      const d = await only(text, 'undeclared-parameter');
      assert.equal(covered(text, d), '$Sever');
      assert.deepEqual(fixTexts(d).slice(0, 1), ['$Server']);
      assert.ok(fixTexts(d).some((t) => t.includes('param $Sever: server')));
    });

    it('variables assigned in the command, automatic variables and $using: are not parameters', async () => {
      const text = CLEAN.replace('{ Restart-Service MSExchangePOP3 }', '{ $name = "MSExchangePOP3"; Restart-Service $name; $_ ; $true; $using:Server }');
      assert.deepEqual(await diagnose(text), []);
    });

    it('an unused parameter', async () => {
      const text = CLEAN.replace('  param $Server', '  param $Mailbox: mailbox "Mailbox server"\n  param $Server');
      const d = await only(text, 'unused-parameter');
      assert.equal(covered(text, d), '$Mailbox');
    });

    it('an unknown parameter kind', async () => {
      const d = await only(CLEAN.replace('$Server: cas', '$Server: serv'), 'unknown-param-kind');
      assert.equal(fixTexts(d)[0], 'server');
    });
  });

  describe('conditions', () => {
    it('Result instead of ResultType', async () => {
      const text = CLEAN.replace('when ResultType is Succeeded -> resolved "Transient"', 'when Result is Succeeded -> resolved "Transient"');
      const d = await only(text, 'unknown-property');
      assert.equal(covered(text, d), 'Result');
      assert.deepEqual(fixTexts(d), ['ResultType']);
    });

    it('a value the property never takes', async () => {
      const text = CLEAN.replace('when ResultType is Succeeded -> resolved "Transient"', 'when ResultType is Succeded -> resolved "Transient"');
      const d = await only(text, 'unknown-value');
      assert.equal(covered(text, d), 'Succeded');
      assert.equal(fixTexts(d)[0], 'Succeeded');
    });

    it('AlertValue values after Get-ServerHealth', async () => {
      const text = runbook(VERIFY.replace('  step rerun', '  step health "Health"\n    run Get-ServerHealth $Server | ?{$_.HealthSetName -eq "POP.Proxy"}\n    when all AlertValue is Healty -> resolved\n  step rerun') + RECOVER);
      const d = await only(text, 'unknown-value');
      assert.equal(fixTexts(d)[0], 'Healthy');
    });

    it('a filter value is checked against what the pipeline feeds the filter', async () => {
      const filter = (command: string) => runbook(VERIFY.replace('    run Invoke-MonitoringProbe', `    run ${command}\n    run Invoke-MonitoringProbe`) + RECOVER);
      assert.deepEqual(await diagnose(filter('Get-Service MSExchangePOP3 | ?{$_.Status -eq "Running"}')), []);
      const copies = filter('Get-MailboxDatabaseCopyStatus -Server $Server | ?{$_.Status -eq "Runing"}');
      const d = await only(copies, 'unknown-value');
      assert.match(String(d.message), /Runing is not a value of Status; it is one of Failed, Seeding/);
      const service = filter('Get-Service MSExchangePOP3 | ?{$_.Status -eq "Runing"}');
      assert.deepEqual(fixTexts(await only(service, 'unknown-value')).slice(0, 1), ['Running']);
    });

    it('after Group-Object Status, Name takes the copy status values', async () => {
      const text = runbook(VERIFY + RECOVER.replace('  step again', '  step copies "Copies"\n    run Get-MailboxDatabaseCopyStatus -Server $Server | Group-Object Status\n    when no Name is Mounted, Mountd -> again\n  step again'));
      const d = await only(text, 'unknown-value');
      assert.equal(covered(text, d), 'Mountd');
    });

    it('a condition on a step whose command writes nothing', async () => {
      const text = CLEAN.replace('    run Invoke-Command -ComputerName $Server { Restart-Service MSExchangePOP3 }', '    run Invoke-Command -ComputerName $Server { Restart-Service MSExchangePOP3 }\n    when Status is Running -> again');
      const d = await only(text, 'condition-without-output');
      assert.equal(covered(text, d), 'Status');
    });

    it('answer without ask, and role conditions on non-server parameters', async () => {
      const text = CLEAN.replace('    when ResultType is Succeeded -> resolved\n  step escalate', '    when answer is yes -> resolved\n  step escalate');
      await only(text, 'answer-without-ask');
      const role = CLEAN.replace('$Server: cas', '$Server: text').replace('    when ResultType is Succeeded -> resolved\n  step escalate', '    when $Server is mailbox -> resolved\n  step escalate');
      await only(role, 'invalid-role-condition');
    });
  });

  describe('structure and flow', () => {
    it('references to steps or procedures that do not exist', async () => {
      const text = CLEAN.replace('otherwise -> recover', 'otherwise -> recovr');
      const diagnostics = await diagnose(text);
      const d = diagnostics.find((x) => x.code === 'unknown-target')!;
      assert.equal(covered(text, d), 'recovr');
      assert.deepEqual(fixTexts(d), ['recover']);
    });

    it('a reuse of a step that does not exist', async () => {
      const text = CLEAN.replace('step again = verify.rerun', 'step again = verify.reru');
      const d = (await diagnose(text)).find((x) => x.code === 'unknown-target')!;
      assert.equal(covered(text, d), 'reru');
      assert.deepEqual(fixTexts(d), ['rerun']);
    });

    it('duplicate ids', async () => {
      const text = CLEAN.replace('step escalate "Escalate"', 'step again "Escalate"');
      const diagnostics = await diagnose(text);
      assert.ok(codes(diagnostics).includes('duplicate-id'));
    });

    it('unreachable steps', async () => {
      const text = CLEAN + '\nprocedure orphan "Never reached"\n  step lost "Lost"\n    manual "Nobody comes here"\n';
      const d = await only(text, 'unreachable-step');
      assert.equal(covered(text, d), 'lost');
      assert.match(String(d.message), /not a recovery procedure/);
      // In a recovery procedure the run starts at its first step: the step before cuts this one off.
      const cut = CLEAN + '\nprocedure cut "Cut off" for monitor PopCTPMonitor\n  step first "First"\n    escalate "Stop here"\n  step lost "Lost"\n    manual "Nobody comes here"\n';
      const inRecovery = await only(cut, 'unreachable-step');
      assert.equal(covered(cut, inRecovery), 'lost');
      assert.match(String(inRecovery.message), /the step before it never goes on to it/);
    });

    it('a loop with no way out', async () => {
      const text = CLEAN.replace('  step again = verify.rerun\n    when ResultType is Succeeded -> resolved', '  step again = verify.rerun\n    otherwise -> restart');
      const d = await only(text, 'endless-loop');
      assert.match(String(d.message), /recover\.restart, recover\.again|recover\.again, recover\.restart/);
    });

    it('a loop with a way out is fine', async () => {
      const text = CLEAN.replace('  step again = verify.rerun\n    when ResultType is Succeeded -> resolved', '  step again = verify.rerun\n    when ResultType is Succeeded -> resolved\n    otherwise -> restart');
      const diagnostics = await diagnose(text);
      assert.ok(!codes(diagnostics).includes('endless-loop'));
    });

    it('a failover not undone on every path', async () => {
      const text = runbook(
        VERIFY +
          RECOVER.replace(
            '  step again',
            '  step failover "Fail over" confirm\n    run Set-MailboxServer -Identity $Server -DatabaseCopyActivationDisabledAndMoveNow $true\n  step again',
          ).replace('    when ResultType is Succeeded -> resolved\n', '    when ResultType is Succeeded -> failback\n') +
          '  step failback "Fail back"\n    run Set-MailboxServer -Identity $Server -DatabaseCopyActivationDisabledAndMoveNow $false\n    otherwise -> resolved\n',
      );
      const d = await only(text, 'not-undone');
      assert.equal(covered(text, d), '-DatabaseCopyActivationDisabledAndMoveNow');
      assert.match(String(d.message), /escalation at step escalate/);
    });

    it('protocol logging switched off on every path is fine; left on is not', async () => {
      const on = '  step logon "Logging on"\n    run Set-PopSettings -Server $Server -ProtocolLogEnabled $true\n';
      const off = '  step logoff "Logging off"\n    run Set-PopSettings -Server $Server -ProtocolLogEnabled $false\n';
      const good = runbook(VERIFY + RECOVER.replace('  step again', on + '  step again').replace('    when ResultType is Succeeded -> resolved\n', '') .replace('  step escalate', off + '  step escalate'));
      assert.ok(!codes(await diagnose(good)).includes('not-undone'), JSON.stringify((await diagnose(good)).map((d) => d.message)));
      const bad = runbook(VERIFY + RECOVER.replace('  step again', on + '  step again'));
      const d = await only(bad, 'not-undone');
      assert.match(String(d.message), /ProtocolLogEnabled/);
      assert.match(String(d.message), /resolved after step again/);
    });

    it('a Mailbox server restarted before its databases were moved and checked', async () => {
      const header = '  healthset POP.Protocol\n  param $Server: mailbox "Mailbox server"';
      const verify = VERIFY.replace('POP.Proxy\\PopProxyTestProbe', 'POP.Protocol\\PopDeepTestProbe');
      const restart = '  step reboot "Restart the server" confirm\n    run Restart-Computer -ComputerName $Server -Force\n';
      const procedure = `\nprocedure recover "Recover" for monitor PopDeepTestMonitor, PopSelfTestMonitor\n${restart}  step escalate "Escalate"\n    escalate "Support"\n`;
      const d = await only(runbook(verify + procedure, header), 'restart-before-failover');
      assert.match(String(d.message), /EX|\$server/i);
      assert.match(String(d.message), /not moved off/);

      const failover = '  step failover "Fail over" confirm\n    run Set-MailboxServer -Identity $Server -DatabaseCopyActivationDisabledAndMoveNow $true\n';
      const unchecked = runbook(verify + procedure.replace(restart, failover + restart), header);
      const d2 = (await diagnose(unchecked)).find((x) => x.code === 'restart-before-failover')!;
      assert.match(String(d2.message), /no active copy/);

      const check = '  step copies "No active copies"\n    run Get-MailboxDatabaseCopyStatus -Server $Server\n    when no Status is Mounted, Mounting, Dismounted, Dismounting -> reboot\n    otherwise -> escalate\n';
      const failback = '  step failback "Fail back"\n    run Set-MailboxServer -Identity $Server -DatabaseCopyActivationDisabledAndMoveNow $false\n';
      const good = runbook(verify + procedure.replace(restart, failover + check + restart + failback).replace('  step escalate "Escalate"\n    escalate', '  step escalate "Escalate"\n    escalate'), header);
      const remaining = codes(await diagnose(good)).filter((c) => c === 'restart-before-failover');
      assert.deepEqual(remaining, []);
    });

    it('a CAS may be restarted directly; the role branch tells them apart', async () => {
      const header = '  healthset POP.Proxy\n  param $Server: server "Server named in the alert"';
      const body = RECOVER.replace(
        '  step again',
        '  step role "Which role?"\n    manual "Look at the server"\n    when $Server is mailbox -> escalate\n  step reboot "Restart the CAS" confirm\n    run Restart-Computer -ComputerName $Server\n  step again',
      );
      assert.ok(!codes(await diagnose(runbook(VERIFY + body, header))).includes('restart-before-failover'));
      const mailboxFirst = body.replace('when $Server is mailbox -> escalate', 'when $Server is cas -> escalate');
      assert.ok(codes(await diagnose(runbook(VERIFY + mailboxFirst, header))).includes('restart-before-failover'));
    });
  });

  describe('tolerance', () => {
    it('a broken line does not hide the diagnostics after it', async () => {
      const text = CLEAN.replace('  step again', '  stpe broken\n  step again').replace('-ComputerName $Server', '-ComputerName <ServerName>');
      const diagnostics = await diagnose(text);
      assert.ok(codes(diagnostics).includes('syntax'));
      assert.ok(codes(diagnostics).includes('placeholder'));
    });

    it('an empty document and a document of garbage still answer', async () => {
      assert.deepEqual(codes(await diagnose('')), ['missing-runbook']);
      const garbage = await diagnose('}}} {{{ "\n\t-> ->\n$$$\n');
      assert.ok(garbage.length >= 3);
    });
  });
});
