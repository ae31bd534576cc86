# Runs the Exchange simulator's Pester suite (test/sim/*.Tests.ps1) with the Pester that setup.sh
# restored into .tools/nuget, and prints the CI line `pester: N passed, N failed`.
# Arguments: test files or folders to run instead of the whole folder (`-File` passes them as words).
param([Parameter(ValueFromRemainingArguments)][string[]]$Path)
if (-not $Path) { $Path = @($PSScriptRoot) }

$ErrorActionPreference = 'Stop'
$root = Split-Path -Parent (Split-Path -Parent $PSScriptRoot)
$pesterManifest = Join-Path $root '.tools/nuget/pester/5.7.1/tools/Pester.psd1'
if (-not (Test-Path -LiteralPath $pesterManifest)) {
    Write-Host "pester: Pester 5.7.1 is not installed at $pesterManifest (run scripts/setup.sh)"
    Write-Host 'pester: 0 passed, 1 failed'
    exit 1
}
# The NuGet copy is not on PSModulePath: import it by path.
Import-Module $pesterManifest -Force

$configuration = New-PesterConfiguration
$configuration.Run.Path = $Path
$configuration.Run.PassThru = $true
$configuration.Output.RenderMode = 'Plaintext'
$configuration.Output.Verbosity = 'Normal'
try {
    $result = Invoke-Pester -Configuration $configuration
} catch {
    Write-Host "pester: Pester itself failed: $($_.Exception.Message)"
    Write-Host 'pester: 0 passed, 1 failed'
    exit 1
}

# A BeforeAll that throws fails its whole block without failing a test: count those too.
$failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
Write-Host "pester: $($result.PassedCount) passed, $failed failed"
exit $failed
