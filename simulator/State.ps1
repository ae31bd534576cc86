# The simulator's world on disk: one JSON file shared by every pwsh process, the lock that
# serialises writers, and the simulated clock.

# Several processes (the health view's session, the terminal that runs steps, tests) change one
# world. Writers take an exclusive lock on a separate file and replace the state by an atomic
# rename, so readers never need the lock: they always see a whole file, old or new.

# Generous: a write holds the lock for milliseconds, but on a loaded machine a writer that keeps
# losing the race to others can wait seconds (measured: over 10 s at load 20 on 2 cores).
$script:SimLockTimeoutMs = 30000

function Get-SimStatePath {
    if ($env:EXCHANGE_SIMULATOR_STATE) { return [IO.Path]::GetFullPath($env:EXCHANGE_SIMULATOR_STATE) }
    return [IO.Path]::Combine([IO.Path]::GetTempPath(), 'exchange-simulator', 'state.json')
}

function ConvertTo-SimEpoch([DateTime]$When) {
    return ($When.ToUniversalTime() - [DateTime]::UnixEpoch).TotalSeconds
}

function ConvertFrom-SimEpoch([double]$Seconds) {
    # Exchange prints local times; [DateTime] values, never strings, so formatting and JSON work.
    return [DateTime]::UnixEpoch.AddSeconds($Seconds).ToLocalTime()
}

# The simulated now, in epoch seconds: real time plus the offset Step-ExchangeSimulatorClock added,
# so a demo world keeps evolving by itself; a frozen clock (tests) stands still between steps.
function Get-SimNow($__simWorld) {
    $clock = $__simWorld['clock']
    if ($clock['frozen']) { return [double]$clock['frozenAt'] + [double]$clock['offset'] }
    return (ConvertTo-SimEpoch ([DateTime]::UtcNow)) + [double]$clock['offset']
}

function Read-SimStateFile([string]$Path) {
    $text = [IO.File]::ReadAllText($Path, [Text.Encoding]::UTF8)
    return ConvertFrom-Json -InputObject $text -AsHashtable
}

# The last world this process read, with what readers derive from it (Get-SimReadCache), keyed by
# the file's write time and length. The health view asks for one server per call, 200 calls a
# poll: without this each call would parse the whole world again. A file written in the last 2 s
# is always read again, so a file system with coarse time stamps cannot serve a stale world.
$script:SimReadCache = $null

function Get-SimStateStamp([string]$Path) {
    $info = [IO.FileInfo]::new($Path)
    if (-not $info.Exists) { return $null }
    $written = $info.LastWriteTimeUtc
    if (([DateTime]::UtcNow - $written).TotalSeconds -lt 2) { return $null }
    return "$($written.Ticks)|$($info.Length)"
}

# Derived data cached with the world it came from (readers never change a world they read).
function Get-SimReadCache($World) {
    if ($null -ne $script:SimReadCache -and [object]::ReferenceEquals($script:SimReadCache.World, $World)) { return $script:SimReadCache.Derived }
    return @{}
}

# Reads the world without the lock (the writer renames atomically). A missing file means no world
# yet: create the healthy organisation, under the lock.
function Read-SimWorld {
    $path = Get-SimStatePath
    $stamp = Get-SimStateStamp $path
    if ($null -ne $stamp -and $null -ne $script:SimReadCache -and $script:SimReadCache.Stamp -eq $stamp -and $script:SimReadCache.Path -eq $path) {
        return $script:SimReadCache.World
    }
    for ($attempt = 0; ; $attempt++) {
        try {
            $world = Read-SimStateFile $path
            $script:SimReadCache = if ($null -ne $stamp) { @{ Path = $path; Stamp = $stamp; World = $world; Derived = @{} } } else { $null }
            return $world
        } catch [System.IO.FileNotFoundException], [System.IO.DirectoryNotFoundException] {
            return Update-SimWorld -Action { param($__simWorld, $__simNow) } -PassThru
        } catch [System.IO.IOException] {
            # Windows refuses to open a file that is being renamed over: try again shortly.
            if ($attempt -ge 50) { throw }
            Start-Sleep -Milliseconds 10
        }
    }
}

function Enter-SimLock([string]$LockPath) {
    $deadline = [Diagnostics.Stopwatch]::StartNew()
    for ($attempt = 1; ; $attempt++) {
        try {
            return [IO.File]::Open($LockPath, [IO.FileMode]::OpenOrCreate, [IO.FileAccess]::ReadWrite, [IO.FileShare]::None)
        } catch [System.IO.IOException] {
            if ($deadline.ElapsedMilliseconds -gt $script:SimLockTimeoutMs) {
                throw "The Exchange simulator's state is locked by another process ($LockPath) for more than $($script:SimLockTimeoutMs / 1000) s."
            }
            # Back off a little more each time, with jitter so that waiting writers do not collide in step.
            Start-Sleep -Milliseconds ([Math]::Min(50, 2 * $attempt) + (Get-Random -Maximum 5))
        }
    }
}

# Runs $Action against the world under the lock and saves it: read, bring the probe history up to
# now, act, bump the revision, write a temp file, rename it over the state. $Action gets the world
# and the simulated now as arguments (never through shared variable names: dynamic scoping would
# let a helper's variables shadow the caller's). Returns what $Action returns, or the world with
# -PassThru.
function Update-SimWorld {
    param(
        [Parameter(Mandatory)][scriptblock]$Action,
        [object[]]$ArgumentList = @(),
        [switch]$PassThru,
        [string]$NewScenario,
        [int]$NewServerCount = 5,
        [switch]$NewFrozenClock
    )
    $__simPath = Get-SimStatePath
    $__simDir = [IO.Path]::GetDirectoryName($__simPath)
    if (-not [IO.Directory]::Exists($__simDir)) { [void][IO.Directory]::CreateDirectory($__simDir) }
    $__simLock = Enter-SimLock "$__simPath.lock"
    try {
        $__simWorld = $null
        if ($NewScenario) {
            $__simWorld = New-SimWorld -Scenario $NewScenario -ServerCount $NewServerCount -FrozenClock:$NewFrozenClock
        } elseif ([IO.File]::Exists($__simPath)) {
            $__simWorld = Read-SimStateFile $__simPath
        } else {
            $__simWorld = New-SimWorld -Scenario 'healthy' -ServerCount 5
        }
        $__simNow = Get-SimNow $__simWorld
        Sync-SimProbeHistory $__simWorld $__simNow
        $__simResult = & $Action $__simWorld $__simNow @ArgumentList
        $__simWorld['revision'] = [int64]$__simWorld['revision'] + 1
        $__simJson = ConvertTo-Json -InputObject $__simWorld -Depth 12 -Compress
        $__simTmp = "$__simPath.$PID.tmp"
        [IO.File]::WriteAllText($__simTmp, $__simJson, [Text.UTF8Encoding]::new($false))
        [IO.File]::Move($__simTmp, $__simPath, $true)
    } finally {
        $__simLock.Dispose()
    }
    if ($PassThru) { return $__simWorld }
    return $__simResult
}
