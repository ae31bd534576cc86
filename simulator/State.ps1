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

# The last world this runspace read, its text, and what readers derive from it (Get-SimReadCache).
# The health view asks for one server per call, 200 calls a poll, each in one of its runspaces:
# parsing the world each time cost ~17 ms of CPU per call. Two checks keep it exact:
# - the file's write time and length, trusted only for a file written over 2 s ago, so a file
#   system with coarse time stamps cannot pass off a newer file as the one cached;
# - otherwise the file's text, read again (~0.1 ms) and compared with the cached text: the world is
#   parsed again only when it really changed. Writers rename a whole new file over the state, so a
#   reader's text is always one complete world.
# Every write this process makes drops the cache (Update-SimWorld).
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
    $cache = $script:SimReadCache
    if ($null -ne $cache -and $cache.Path -ne $path) { $cache = $null }
    # Taken before the text is read: if the file is replaced in between, the stamp is the older
    # file's, which only costs one more read next time, never a stale world.
    $stamp = Get-SimStateStamp $path
    if ($null -ne $cache -and $null -ne $stamp -and $cache.Stamp -eq $stamp) { return $cache.World }
    for ($attempt = 0; ; $attempt++) {
        try {
            $text = [IO.File]::ReadAllText($path, [Text.Encoding]::UTF8)
            if ($null -ne $cache -and [string]::Equals($cache.Text, $text, [StringComparison]::Ordinal)) {
                $cache.Stamp = $stamp
                return $cache.World
            }
            $world = ConvertFrom-Json -InputObject $text -AsHashtable
            $script:SimReadCache = @{ Path = $path; Stamp = $stamp; Text = $text; World = $world; Derived = @{} }
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
        # The world this runspace cached is no longer the state (and $__simWorld may still be
        # changed by the caller with -PassThru): the next read takes the file.
        $script:SimReadCache = $null
    } finally {
        $__simLock.Dispose()
    }
    if ($PassThru) { return $__simWorld }
    return $__simResult
}
