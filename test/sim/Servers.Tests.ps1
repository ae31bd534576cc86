# Slow and dead servers: per-server latency that every cmdlet addressing the server waits, and
# unreachable servers that fail with the WinRM error, so the health view's handling is testable.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Helpers.ps1')
    Import-Simulator
}

AfterAll { Remove-TestStates }

Describe 'Set-ExchangeSimulatorServer' {
    BeforeEach {
        Use-FreshState | Out-Null
        Reset-ExchangeSimulator healthy -FreezeClock
    }

    It 'makes every cmdlet that addresses a slow server wait its latency, and only that server' {
        Set-ExchangeSimulatorServer -Identity EX-MBX02 -LatencyMilliseconds 400
        # A lower bound, not a speed assertion: the wait is the behaviour under test.
        (Measure-Command { Get-ServerHealth EX-MBX02 | Out-Null }).TotalMilliseconds | Should -BeGreaterOrEqual 400
        (Measure-Command { Invoke-MonitoringProbe POP.Protocol\PopSelfTestProbe -Server EX-MBX02 | Out-Null }).TotalMilliseconds | Should -BeGreaterOrEqual 400
        (Measure-Command { Invoke-Command -ComputerName EX-MBX02 { Get-Service W3SVC } | Out-Null }).TotalMilliseconds | Should -BeGreaterOrEqual 400
        (Measure-Command { Get-ServerHealth EX-MBX01, EX-MBX02, EX-MBX03 | Out-Null }).TotalMilliseconds | Should -BeGreaterOrEqual 400
        Set-ExchangeSimulatorServer -Identity EX-MBX02 -LatencyMilliseconds 0
        @(Get-ServerHealth EX-MBX02).Count | Should -Be 5
    }

    It 'makes an unreachable server fail with the WinRM error while the others answer' {
        Set-ExchangeSimulatorServer -Identity EX-MBX02 -Unreachable $true
        { Get-ServerHealth EX-MBX02 -ErrorAction Stop } | Should -Throw '*Connecting to remote server EX-MBX02 failed*WinRM*'
        $entries = @(Get-ServerHealth EX-MBX01, EX-MBX02, EX-MBX03 -ErrorVariable failures -ErrorAction SilentlyContinue)
        @($entries.Server | Select-Object -Unique) | Should -Be @('EX-MBX01', 'EX-MBX03')
        $failures.Count | Should -Be 1
        $failures[0].TargetObject | Should -Be 'EX-MBX02'
        $failures[0].Exception.GetType().FullName | Should -Be 'System.Management.Automation.Remoting.PSRemotingTransportException'
        { Invoke-MonitoringProbe POP.Protocol\PopDeepTestProbe -Server EX-MBX02 -ErrorAction Stop } | Should -Throw '*EX-MBX02 failed*'
        { Invoke-Command -ComputerName EX-MBX02 { Restart-Service MSExchangePOP3BE } -ErrorAction Stop } | Should -Throw '`[EX-MBX02`] Connecting to remote server EX-MBX02 failed*'
        { Restart-Computer -ComputerName EX-MBX02 -Force -ErrorAction Stop } | Should -Throw '*EX-MBX02*'
        { Get-MailboxDatabaseCopyStatus -Server EX-MBX02 -ErrorAction Stop } | Should -Throw '*EX-MBX02 failed*'
        # Directory data (Active Directory, not the server) is still readable.
        (Get-ExchangeServer EX-MBX02).Name | Should -Be 'EX-MBX02'
        Set-ExchangeSimulatorServer -Identity EX-MBX02 -Unreachable $false
        @(Get-ServerHealth EX-MBX02).Count | Should -Be 5
    }

    It 'waits the latency before failing an unreachable server, as a connection timeout does' {
        Set-ExchangeSimulatorServer -Identity EX-CAS02 -LatencyMilliseconds 300 -Unreachable $true
        (Measure-Command { Get-ServerHealth EX-CAS02 -ErrorAction SilentlyContinue }).TotalMilliseconds | Should -BeGreaterOrEqual 300
    }

    It 'rejects servers that are not in the organisation' {
        { Set-ExchangeSimulatorServer -Identity EX-NOPE -LatencyMilliseconds 5 -ErrorAction Stop } | Should -Throw "*couldn't be found*"
    }

    It 'adds Mailbox servers up to -ServerCount for benchmarks, all Healthy' {
        Reset-ExchangeSimulator healthy -ServerCount 12 -FreezeClock
        $servers = @(Get-ExchangeServer)
        $servers.Count | Should -Be 12
        $servers[-1].Name | Should -Be 'EX-MBX10'
        $servers[-1].ServerRole | Should -Be 'Mailbox'
        $health = @(Get-ServerHealth $servers.Name)
        $health.Count | Should -Be (2 * 5 + 10 * 5)
        @($health | Where-Object AlertValue -NE 'Healthy').Count | Should -Be 0
        (Get-ExchangeSimulatorState).ServerCount | Should -Be 12
    }
}
