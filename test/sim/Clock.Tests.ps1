# The simulated clock and Managed Availability's thresholds: monitors go Healthy -> Degraded ->
# Unhealthy as scheduled probe runs keep failing (ProxyTest: 4 failures, a run every 60 s; CTP: 5
# failures, a run every 240 s), Degraded for the first 60 s, and Healthy again once a run succeeds.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Helpers.ps1')
    Import-Simulator
}

AfterAll { Remove-TestStates }

Describe 'The simulated clock' {
    BeforeEach { Use-FreshState | Out-Null }

    It 'follows real time plus the steps taken' {
        Reset-ExchangeSimulator healthy
        $before = Get-ExchangeSimulatorClock
        $before | Should -BeOfType [DateTime]
        [Math]::Abs(($before - [DateTime]::Now).TotalSeconds) | Should -BeLessThan 5
        $stepped = Step-ExchangeSimulatorClock -Minutes 10
        ($stepped - $before).TotalMinutes | Should -BeGreaterOrEqual 10
        (Get-ExchangeSimulatorClock) | Should -BeGreaterOrEqual $stepped
        (Get-ExchangeSimulatorState).ClockOffset | Should -Be ([TimeSpan]::FromMinutes(10))
    }

    It 'stands still between steps when frozen, and only moves forward' {
        Reset-ExchangeSimulator healthy -FreezeClock
        $before = Get-ExchangeSimulatorClock
        Start-Sleep -Milliseconds 1100
        Get-ExchangeSimulatorClock | Should -Be $before
        Step-ExchangeSimulatorClock -Seconds 90 | Should -Be $before.AddSeconds(90)
        Step-ExchangeSimulatorClock -Minutes 1 -Seconds 30 | Should -Be $before.AddSeconds(180)
        { Step-ExchangeSimulatorClock -Minutes -1 } | Should -Throw '*only moves forward*'
    }
}

Describe 'Monitor thresholds' {
    BeforeEach {
        Use-FreshState | Out-Null
        Reset-ExchangeSimulator healthy -FreezeClock
        # EX-CAS02's POP3 stops: its proxy test and customer touch point probes start failing.
        Invoke-Command -ComputerName EX-CAS02 { Stop-Service MSExchangePOP3 }
    }

    It 'PopProxyTestMonitor: Healthy for 3 minutes, Unhealthy after 5, through Degraded' {
        $seen = [System.Collections.Generic.List[string]]::new()
        for ($second = 30; $second -le 300; $second += 30) {
            Step-ExchangeSimulatorClock -Seconds 30 | Out-Null
            $alert = Get-AlertValue EX-CAS02 PopProxyTestMonitor
            if ($second -le 180) { $alert | Should -Be 'Healthy' -Because "only 3 runs can have failed after $second s" }
            if ($seen.Count -eq 0 -or $seen[$seen.Count - 1] -ne $alert) { $seen.Add($alert) }
        }
        $seen | Should -Be @('Healthy', 'Degraded', 'Unhealthy')
        $entry = Get-ServerHealth EX-CAS02 -HealthSet POP.Proxy
        ($entry.LastTransitionTime - $entry.FirstAlertObservedTime).TotalSeconds | Should -Be 60
        $entry.Error | Should -BeLike '*EX-CAS02*995*refused*'
    }

    It 'PopCTPMonitor: still Healthy after 15 minutes (4 failures), Unhealthy after 21' {
        Step-ExchangeSimulatorClock -Minutes 15 | Out-Null
        Get-AlertValue EX-CAS02 PopCTPMonitor | Should -Be 'Healthy'
        Step-ExchangeSimulatorClock -Minutes 6 | Out-Null
        Get-AlertValue EX-CAS02 PopCTPMonitor | Should -Be 'Unhealthy'
        Get-AlertValue EX-CAS01 PopCTPMonitor | Should -Be 'Healthy'
    }

    It 'returns to Healthy at the first successful run after the cure' {
        Step-ExchangeSimulatorClock -Minutes 6 | Out-Null
        Get-AlertValue EX-CAS02 PopProxyTestMonitor | Should -Be 'Unhealthy'
        Invoke-Command -ComputerName EX-CAS02 { Start-Service MSExchangePOP3 }
        Get-AlertValue EX-CAS02 PopProxyTestMonitor | Should -Be 'Unhealthy'
        Step-ExchangeSimulatorClock -Seconds 61 | Out-Null
        Get-AlertValue EX-CAS02 PopProxyTestMonitor | Should -Be 'Healthy'
        (Get-ServerHealth EX-CAS02 -HealthSet POP.Proxy).LastTransitionTime | Should -BeGreaterThan (Get-ExchangeSimulatorClock).AddSeconds(-61)
    }

    It 'counts Invoke-MonitoringProbe runs like scheduled ones' {
        1..4 | ForEach-Object { (Invoke-MonitoringProbe POP.Proxy\PopProxyTestProbe -Server EX-CAS02).ResultType | Should -Be 'Failed' }
        Get-AlertValue EX-CAS02 PopProxyTestMonitor | Should -Be 'Degraded'
        Step-ExchangeSimulatorClock -Seconds 61 | Out-Null
        Get-AlertValue EX-CAS02 PopProxyTestMonitor | Should -Be 'Unhealthy'
    }

    It 'keeps the alert''s first observed time while the failure lasts for hours' {
        Step-ExchangeSimulatorClock -Minutes 6 | Out-Null
        $first = (Get-ServerHealth EX-CAS02 -HealthSet POP.Proxy).FirstAlertObservedTime
        Invoke-MonitoringProbe POP.Proxy\PopProxyTestProbe -Server EX-CAS02 | Out-Null
        Step-ExchangeSimulatorClock -Hours 3 | Out-Null
        Invoke-MonitoringProbe POP.Proxy\PopProxyTestProbe -Server EX-CAS02 | Out-Null
        $entry = Get-ServerHealth EX-CAS02 -HealthSet POP.Proxy
        $entry.AlertValue | Should -Be 'Unhealthy'
        $entry.FirstAlertObservedTime | Should -Be $first
    }

    It 'dates the alert from the first failures even when hours pass with no write at all' {
        $start = Get-ExchangeSimulatorClock
        Step-ExchangeSimulatorClock -Hours 3 | Out-Null
        $entry = Get-ServerHealth EX-CAS02 -HealthSet POP.Proxy
        $entry.AlertValue | Should -Be 'Unhealthy'
        $entry.FirstAlertObservedTime | Should -BeGreaterThan $start
        $entry.FirstAlertObservedTime | Should -BeLessOrEqual $start.AddMinutes(4)
    }

    It 'marks entries stale while the Health Manager service is stopped' {
        Invoke-Command -ComputerName EX-CAS02 { Stop-Service MSExchangeHM }
        @(Get-ServerHealth EX-CAS02 | Where-Object { -not $_.IsStale }).Count | Should -Be 0
        @(Get-ServerHealth EX-CAS01 | Where-Object IsStale).Count | Should -Be 0
    }
}
