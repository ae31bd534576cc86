# Every scenario starts with its monitor Unhealthy; the recovery procedure of examples/ that matches
# it cures it (the probe succeeds again and the monitor returns to Healthy); the wrong remedy does not.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Helpers.ps1')
    Import-Simulator
}

AfterAll { Remove-TestStates }

Describe 'The scenario catalogue' {
    It 'lists every scenario with where its alert is raised' {
        $all = @(Get-ExchangeSimulatorScenario)
        $all.Name | Should -Be @('healthy', 'pop3-backend-hung', 'pop3-cas-stopped', 'pop-proxy-fault', 'pop-slow-commands', 'pop-transient')
        $hung = Get-ExchangeSimulatorScenario pop3-backend-hung
        $hung.Server | Should -Be 'EX-MBX01'
        $hung.HealthSet | Should -Be 'POP.Protocol'
        $hung.Monitor | Should -Be 'PopDeepTestMonitor'
        $hung.Probe | Should -Be 'POP.Protocol\PopDeepTestProbe'
        (Get-ExchangeSimulatorScenario pop3-cas-stopped).MailboxServer | Should -Be 'EX-MBX01'
        { Reset-ExchangeSimulator -Scenario no-such-thing } | Should -Throw '*Unknown scenario*pop-transient*'
    }

    It 'starts each scenario Unhealthy on the named monitor, and the current scenario is in the state' {
        foreach ($scenario in @(Get-ExchangeSimulatorScenario | Where-Object Name -NE 'healthy')) {
            Use-FreshState | Out-Null
            Reset-ExchangeSimulator -Scenario $scenario.Name -FreezeClock
            (Get-ExchangeSimulatorState).Scenario | Should -Be $scenario.Name
            $entry = Get-ServerHealth $scenario.Server -HealthSet $scenario.HealthSet | Where-Object Name -EQ $scenario.Monitor
            $entry.AlertValue | Should -Be 'Unhealthy' -Because "$($scenario.Name) raises $($scenario.Monitor)"
            $entry.FirstAlertObservedTime | Should -BeLessThan (Get-ExchangeSimulatorClock).AddSeconds(-60)
        }
    }

    It 'healthy: every monitor on every server is Healthy and the world keeps it so' {
        Use-FreshState | Out-Null
        Reset-ExchangeSimulator healthy -FreezeClock
        @(Get-ExchangeServer | Get-ServerHealth | Where-Object AlertValue -NE 'Healthy').Count | Should -Be 0
        Step-ExchangeSimulatorClock -Minutes 30 | Out-Null
        @(Get-ExchangeServer | Get-ServerHealth | Where-Object AlertValue -NE 'Healthy').Count | Should -Be 0
    }
}

Describe 'pop3-backend-hung (PopDeepTestMonitor on EX-MBX01)' {
    BeforeEach {
        Use-FreshState | Out-Null
        Reset-ExchangeSimulator pop3-backend-hung -FreezeClock
    }

    It 'is cured by restarting MSExchangePOP3BE on EX-MBX01 (pop-protocol.exrunbook, recover)' {
        (Invoke-MonitoringProbe POP.Protocol\PopDeepTestProbe -Server EX-MBX01).ResultType | Should -Be 'Failed'
        Invoke-Command -ComputerName EX-MBX01 { Restart-Service MSExchangePOP3BE }
        (Invoke-MonitoringProbe POP.Protocol\PopDeepTestProbe -Server EX-MBX01).ResultType | Should -Be 'Succeeded'
        (Invoke-MonitoringProbe POP.Protocol\PopSelfTestProbe -Server EX-MBX01).ResultType | Should -Be 'Succeeded'
        Get-AlertValue EX-MBX01 PopDeepTestMonitor | Should -Be 'Healthy'
    }

    It 'is also cured by failing over, restarting the server and failing back' {
        Set-MailboxServer -Identity EX-MBX01 -DatabaseCopyActivationDisabledAndMoveNow $true
        @(Get-MailboxDatabaseCopyStatus -Server EX-MBX01 | Group-Object Status).Name | Should -Be @('Healthy')
        Restart-Computer -ComputerName EX-MBX01 -Wait -For PowerShell -Force
        (Invoke-MonitoringProbe POP.Protocol\PopDeepTestProbe -Server EX-MBX01).ResultType | Should -Be 'Succeeded'
        Set-MailboxServer -Identity EX-MBX01 -DatabaseCopyActivationDisabledAndMoveNow $false
        (Get-MailboxServer EX-MBX01).DatabaseCopyActivationDisabledAndMoveNow | Should -BeFalse
        Get-AlertValue EX-MBX01 PopDeepTestMonitor | Should -Be 'Healthy'
    }

    It 'is not cured by restarting the front end; restarting the server with active copies takes DB01 down' {
        Invoke-Command -ComputerName EX-CAS01 { Restart-Service MSExchangePOP3 }
        (Invoke-MonitoringProbe POP.Protocol\PopDeepTestProbe -Server EX-MBX01).ResultType | Should -Be 'Failed'
        Restart-Computer -ComputerName EX-MBX01 -Wait -For PowerShell -Force
        (Get-MailboxDatabaseCopyStatus DB01\EX-MBX01).Status | Should -Be 'Dismounted'
        $probe = Invoke-MonitoringProbe POP.Protocol\PopDeepTestProbe -Server EX-MBX01
        $probe.ResultType | Should -Be 'Failed'
        $probe.Error | Should -BeLike '*DB01*dismounted*'
        Step-ExchangeSimulatorClock -Minutes 10 | Out-Null
        Get-AlertValue EX-MBX01 PopDeepTestMonitor | Should -Be 'Unhealthy'
    }

    It 'lets the CAS customer touch point fail too while DB01 is served by the hung back end' {
        (Invoke-MonitoringProbe POP\PopCTPProbe -Server EX-CAS01).Error | Should -BeLike '*EX-MBX01*'
        (Invoke-MonitoringProbe POP\PopCTPProbe -Server EX-CAS02).ResultType | Should -Be 'Succeeded'
    }
}

Describe 'pop3-cas-stopped (PopCTPMonitor on EX-CAS01)' {
    BeforeEach {
        Use-FreshState | Out-Null
        Reset-ExchangeSimulator pop3-cas-stopped -FreezeClock
    }

    It 'is cured by restarting MSExchangePOP3 on EX-CAS01 (pop.exrunbook, recover-ctp)' {
        (Invoke-Command -ComputerName EX-CAS01 { Get-Service MSExchangePOP3 }).Status | Should -Be 'Stopped'
        (Invoke-MonitoringProbe POP\PopCTPProbe -Server EX-CAS01).ResultType | Should -Be 'Failed'
        Invoke-Command -ComputerName EX-CAS01 { Restart-Service MSExchangePOP3 }
        (Invoke-MonitoringProbe POP\PopCTPProbe -Server EX-CAS01).ResultType | Should -Be 'Succeeded'
        Get-AlertValue EX-CAS01 PopCTPMonitor | Should -Be 'Healthy'
    }

    It 'is not cured by restarting the back end on the Mailbox server' {
        Invoke-Command -ComputerName EX-MBX01 { Restart-Service MSExchangePOP3BE }
        (Invoke-MonitoringProbe POP\PopCTPProbe -Server EX-CAS01).ResultType | Should -Be 'Failed'
        Get-AlertValue EX-CAS01 PopCTPMonitor | Should -Be 'Unhealthy'
    }
}

Describe 'pop-proxy-fault (PopProxyTestMonitor on EX-CAS01)' {
    BeforeEach {
        Use-FreshState | Out-Null
        Reset-ExchangeSimulator pop-proxy-fault -FreezeClock
    }

    It 'is not cured by restarting POP3, only by restarting the CAS (pop-proxy.exrunbook, recover)' {
        Invoke-Command -ComputerName EX-CAS01 { Restart-Service MSExchangePOP3 }
        (Invoke-MonitoringProbe POP.Proxy\PopProxyTestProbe -Server EX-CAS01).ResultType | Should -Be 'Failed'
        Get-AlertValue EX-CAS01 PopProxyTestMonitor | Should -Be 'Unhealthy'
        Restart-Computer -ComputerName EX-CAS01 -Wait -For PowerShell -Force
        (Invoke-MonitoringProbe POP.Proxy\PopProxyTestProbe -Server EX-CAS01).ResultType | Should -Be 'Succeeded'
        Get-AlertValue EX-CAS01 PopProxyTestMonitor | Should -Be 'Healthy'
    }

    It 'recovers on the schedule after the restart, without re-running the probe' {
        Restart-Computer -ComputerName EX-CAS01 -Wait -For PowerShell -Force
        Step-ExchangeSimulatorClock -Minutes 2 | Out-Null
        Get-AlertValue EX-CAS01 PopProxyTestMonitor | Should -Be 'Healthy'
    }
}

Describe 'pop-slow-commands (AverageCommandProcessingTimeGt60sMonitor on EX-MBX01)' {
    BeforeEach {
        Use-FreshState | Out-Null
        Reset-ExchangeSimulator pop-slow-commands -FreezeClock
        function Get-PopAlerts { @(Get-ServerHealth -Identity EX-MBX01 | Where-Object { $_.HealthSetName -like 'POP*' }).AlertValue }
    }

    It 'is cured by failover, restart and failback (pop.exrunbook, recover-slow-commands)' {
        (Invoke-MonitoringProbe POP.Protocol\PopSelfTestProbe -Server EX-MBX01).ResultType | Should -Not -Be 'Succeeded'
        Invoke-Command -ComputerName EX-MBX01 { Get-Service MSExchangePOP3* | Restart-Service }
        Step-ExchangeSimulatorClock -Minutes 10 | Out-Null
        Get-PopAlerts | Should -Contain 'Unhealthy'
        Set-MailboxServer -Identity EX-MBX01 -DatabaseCopyActivationDisabledAndMoveNow $true
        @(Get-MailboxDatabaseCopyStatus -Server EX-MBX01 | Where-Object { $_.Status -in 'Mounted', 'Mounting', 'Dismounted', 'Dismounting' }).Count | Should -Be 0
        (Get-MailboxDatabaseCopyStatus DB01\EX-MBX02).Status | Should -Be 'Mounted'
        Restart-Computer -ComputerName EX-MBX01 -Wait -For PowerShell -Force
        Step-ExchangeSimulatorClock -Minutes 10 | Out-Null
        Get-PopAlerts | Should -Not -Contain 'Unhealthy'
        Get-PopAlerts | Should -Not -Contain 'Degraded'
        Set-MailboxServer -Identity EX-MBX01 -DatabaseCopyActivationDisabledAndMoveNow $false
        (Get-MailboxServer EX-MBX01).DatabaseCopyActivationDisabledAndMoveNow | Should -BeFalse
        Get-AlertValue EX-MBX01 AverageCommandProcessingTimeGt60sMonitor | Should -Be 'Healthy'
    }

    It 'is not cured by a restart without failover, which takes the active database down' {
        Restart-Computer -ComputerName EX-MBX01 -Wait -For PowerShell -Force
        (Get-MailboxDatabaseCopyStatus DB01\EX-MBX01).Status | Should -Be 'Dismounted'
        Step-ExchangeSimulatorClock -Minutes 10 | Out-Null
        Get-AlertValue EX-MBX01 AverageCommandProcessingTimeGt60sMonitor | Should -Be 'Unhealthy'
        (Invoke-MonitoringProbe POP.Protocol\PopSelfTestProbe -Server EX-MBX01).ResultType | Should -Be 'Timeout'
    }

    It 'does not move databases to a server whose activation is Blocked' {
        Set-MailboxServer EX-MBX02 -DatabaseCopyAutoActivationPolicy Blocked
        Set-MailboxServer -Identity EX-MBX01 -DatabaseCopyActivationDisabledAndMoveNow $true
        (Get-MailboxDatabaseCopyStatus DB01\EX-MBX03).Status | Should -Be 'Mounted'
        (Get-MailboxDatabaseCopyStatus DB01\EX-MBX02).Status | Should -Be 'Healthy'
    }
}

Describe 'pop-transient (PopCTPMonitor on EX-CAS01, cause already gone)' {
    BeforeEach {
        Use-FreshState | Out-Null
        Reset-ExchangeSimulator pop-transient -FreezeClock
    }

    It 'recovers as soon as the probe is re-run (the verify procedure)' {
        Get-AlertValue EX-CAS01 PopCTPMonitor | Should -Be 'Unhealthy'
        (Invoke-MonitoringProbe POP\PopCTPProbe -Server EX-CAS01).ResultType | Should -Be 'Succeeded'
        Get-AlertValue EX-CAS01 PopCTPMonitor | Should -Be 'Healthy'
    }

    It 'also recovers by itself at the next scheduled probe run' {
        Step-ExchangeSimulatorClock -Minutes 5 | Out-Null
        Get-AlertValue EX-CAS01 PopCTPMonitor | Should -Be 'Healthy'
    }
}
