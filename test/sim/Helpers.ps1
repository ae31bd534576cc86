# Shared set-up for the simulator's Pester files: simulator mode, the module imported once, and a
# fresh state file per test so that no test sees another's world.

$script:SimRoot = Split-Path -Parent (Split-Path -Parent $PSScriptRoot)
$script:SimManifest = Join-Path $script:SimRoot 'simulator/ExchangeSimulator.psd1'
$script:SimTempRoot = Join-Path ([IO.Path]::GetTempPath()) "exsim-tests-$PID"

$env:EXCHANGE_SIMULATOR = '1'
$env:EXCHANGE_SIMULATOR_QUIET = '1'

function Use-FreshState {
    $env:EXCHANGE_SIMULATOR_STATE = Join-Path $script:SimTempRoot "$([guid]::NewGuid().ToString('N'))/state.json"
    return $env:EXCHANGE_SIMULATOR_STATE
}

function Import-Simulator {
    if (-not (Get-Module ExchangeSimulator)) { Import-Module $script:SimManifest -Force }
}

# The AlertValue of one monitor on one server.
function Get-AlertValue([string]$Server, [string]$Monitor) {
    $entry = @(Get-ServerHealth -Identity $Server | Where-Object Name -EQ $Monitor)
    if ($entry.Count -ne 1) { throw "Expected one $Monitor on $Server, found $($entry.Count)." }
    return $entry[0].AlertValue
}

function Remove-TestStates {
    if (Test-Path -LiteralPath $script:SimTempRoot) { Remove-Item -LiteralPath $script:SimTempRoot -Recurse -Force -ErrorAction SilentlyContinue }
}
