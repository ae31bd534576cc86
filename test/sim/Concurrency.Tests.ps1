# One world shared by several pwsh processes (the health view's session, the terminal, tests):
# writers serialise on the lock, so no update is lost; readers never see a half-written file.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Helpers.ps1')
    Import-Simulator
}

AfterAll { Remove-TestStates }

Describe 'Several processes, one world' {
    It 'keeps every update of 3 processes x 10 writes, and readers always see a whole world' {
        $state = Use-FreshState
        Reset-ExchangeSimulator pop3-cas-stopped -FreezeClock
        $start = (Get-ExchangeSimulatorState).Revision
        $writes = 10
        # Start pwsh through $PSHOME: under the .NET tool, the running process is `dotnet`.
        $pwsh = Join-Path $PSHOME 'pwsh'
        $script = "Import-Module '$($script:SimManifest)'; 1..$writes | ForEach-Object { Invoke-MonitoringProbe POP\PopCTPProbe -Server EX-CAS01 | Out-Null }"
        $children = foreach ($n in 1..3) {
            $log = "$state.child$n.log"
            Start-Process -FilePath $pwsh -ArgumentList @('-NoProfile', '-NonInteractive', '-Command', $script) -PassThru -NoNewWindow `
                -RedirectStandardOutput $log -RedirectStandardError "$log.err"
        }
        $reads = 0
        $readErrors = [System.Collections.Generic.List[string]]::new()
        while (@($children | Where-Object { -not $_.HasExited }).Count -gt 0) {
            try { (Get-ExchangeSimulatorState).Revision | Out-Null; $reads++ } catch { $readErrors.Add($_.Exception.Message) }
            Start-Sleep -Milliseconds 20
        }
        $children | ForEach-Object { $_.WaitForExit(); $_.ExitCode | Should -Be 0 -Because (Get-Content -Raw "$state.child*.log.err" -ErrorAction SilentlyContinue) }
        (Get-ExchangeSimulatorState).Revision | Should -Be ($start + 3 * $writes)
        $readErrors | Should -BeNullOrEmpty
        $reads | Should -BeGreaterThan 0
        # The failing probe runs of all three recorded: the monitor is still Unhealthy, not reset.
        Get-AlertValue EX-CAS01 PopCTPMonitor | Should -Be 'Unhealthy'
    }

    It 'lets a change made in one process show in another, past the reader''s cache' {
        Use-FreshState | Out-Null
        Reset-ExchangeSimulator pop3-cas-stopped -FreezeClock
        # Readers cache a world whose file is older than 2 s: let this process cache this one.
        Start-Sleep -Milliseconds 2200
        Get-AlertValue EX-CAS01 PopCTPMonitor | Should -Be 'Unhealthy'
        Get-AlertValue EX-CAS01 PopCTPMonitor | Should -Be 'Unhealthy'
        $pwsh = Join-Path $PSHOME 'pwsh'
        & $pwsh -NoProfile -NonInteractive -Command "Import-Module '$($script:SimManifest)'; Invoke-Command -ComputerName EX-CAS01 { Restart-Service MSExchangePOP3 }; Invoke-MonitoringProbe POP\PopCTPProbe -Server EX-CAS01 | Out-Null"
        $LASTEXITCODE | Should -Be 0
        Get-AlertValue EX-CAS01 PopCTPMonitor | Should -Be 'Healthy'
        Start-Sleep -Milliseconds 2200
        Get-AlertValue EX-CAS01 PopCTPMonitor | Should -Be 'Healthy'
        (Invoke-Command -ComputerName EX-CAS01 { Get-Service MSExchangePOP3 }).Status | Should -Be 'Running'
    }

    It 'parses a world once while its text is unchanged, even just after a write, and drops it on any write' {
        Use-FreshState | Out-Null
        Reset-ExchangeSimulator pop3-cas-stopped -FreezeClock
        $module = Get-Module ExchangeSimulator
        # Within 2 s of the write the time stamp is not trusted: the text decides.
        $first = & $module { Read-SimWorld }
        $again = & $module { Read-SimWorld }
        [object]::ReferenceEquals($first, $again) | Should -BeTrue -Because 'an unchanged file is not parsed again'
        # Another process changes the world a moment later (well within the 2 s of distrust).
        $pwsh = Join-Path $PSHOME 'pwsh'
        & $pwsh -NoProfile -NonInteractive -Command "Import-Module '$($script:SimManifest)'; Set-ExchangeSimulatorServer -Identity EX-MBX02 -LatencyMilliseconds 7 | Out-Null"
        $LASTEXITCODE | Should -Be 0
        $theirs = & $module { Read-SimWorld }
        [object]::ReferenceEquals($first, $theirs) | Should -BeFalse
        $theirs['revision'] | Should -Be ($first['revision'] + 1)
        $theirs['servers']['EX-MBX02']['latencyMs'] | Should -Be 7
        # This process's own write: the next read is the new world, not the cached one.
        Set-ExchangeSimulatorServer -Identity EX-MBX02 -LatencyMilliseconds 8 | Out-Null
        $ours = & $module { Read-SimWorld }
        $ours['servers']['EX-MBX02']['latencyMs'] | Should -Be 8
        $ours['revision'] | Should -Be ($theirs['revision'] + 1)
    }

    It 'gives up on a lock held too long with a clear error instead of hanging' {
        $state = Use-FreshState
        Reset-ExchangeSimulator healthy -FreezeClock
        $lock = [IO.File]::Open("$state.lock", [IO.FileMode]::OpenOrCreate, [IO.FileAccess]::ReadWrite, [IO.FileShare]::None)
        $module = Get-Module ExchangeSimulator
        $saved = & $module { $script:SimLockTimeoutMs }
        & $module { $script:SimLockTimeoutMs = 300 }
        try {
            { Step-ExchangeSimulatorClock -Minutes 1 } | Should -Throw '*locked by another process*'
            # Reading needs no lock.
            (Get-ExchangeSimulatorState).Scenario | Should -Be 'healthy'
        } finally {
            & $module { param($ms) $script:SimLockTimeoutMs = $ms } $saved
            $lock.Dispose()
        }
    }
}
