# The module's guards and announcements: simulator mode only, never next to real Exchange, a banner
# and a [SIM] prompt that goes away with the module.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Helpers.ps1')
    Use-FreshState | Out-Null
}

AfterAll {
    $env:EXCHANGE_SIMULATOR = '1'
    Remove-Item -Path Function:\Get-ExchangeServer -ErrorAction SilentlyContinue
    Import-Simulator
    Remove-TestStates
}

Describe 'Loading the simulator' {
    BeforeEach {
        Remove-Module ExchangeSimulator -ErrorAction SilentlyContinue
    }

    It 'refuses to load outside simulator mode' {
        $env:EXCHANGE_SIMULATOR = $null
        { Import-Module $script:SimManifest -Force } | Should -Throw '*simulator mode*EXCHANGE_SIMULATOR*'
        Get-Module ExchangeSimulator | Should -BeNullOrEmpty
        Get-Command Get-ServerHealth -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'refuses to load when EXCHANGE_SIMULATOR is anything but 1' {
        $env:EXCHANGE_SIMULATOR = 'true'
        { Import-Module $script:SimManifest -Force } | Should -Throw '*simulator mode*'
    }

    It 'refuses to shadow real Exchange cmdlets already in the session' {
        $env:EXCHANGE_SIMULATOR = '1'
        # What an Exchange Management Shell session has: a Get-ExchangeServer that is not the simulator's.
        function global:Get-ExchangeServer { 'the real one' }
        try {
            { Import-Module $script:SimManifest -Force } | Should -Throw '*real Exchange cmdlets are present*Get-ExchangeServer*'
            Get-ExchangeServer | Should -Be 'the real one'
        } finally {
            Remove-Item -Path Function:\Get-ExchangeServer
        }
    }

    It 'refuses to load next to a module that exports Exchange cmdlets (implicit remoting)' {
        $env:EXCHANGE_SIMULATOR = '1'
        # Import-PSSession makes a temporary module like this one.
        New-Module -Name tmp_exchange_remoting -ScriptBlock { function Get-ServerHealth { 'remote' }; Export-ModuleMember -Function Get-ServerHealth } | Import-Module
        try {
            { Import-Module $script:SimManifest -Force } | Should -Throw "*Get-ServerHealth from 'tmp_exchange_remoting'*"
        } finally {
            Remove-Module tmp_exchange_remoting
        }
    }

    It 'announces itself with a banner on the host, not in the pipeline' {
        $env:EXCHANGE_SIMULATOR = '1'
        $env:EXCHANGE_SIMULATOR_QUIET = $null
        try {
            $output = @(Import-Module $script:SimManifest -Force 6>&1)
        } finally {
            $env:EXCHANGE_SIMULATOR_QUIET = '1'
        }
        $host_ = @($output | Where-Object { $_ -is [System.Management.Automation.InformationRecord] })
        $host_.Count | Should -Be 1
        "$($host_[0].MessageData)" | Should -BeLike '`[SIM`] Exchange simulator loaded*not a real one*'
        @($output | Where-Object { $_ -isnot [System.Management.Automation.InformationRecord] }).Count | Should -Be 0
    }

    It 'prefixes the prompt with [SIM] and restores the prompt on Remove-Module' {
        $env:EXCHANGE_SIMULATOR = '1'
        $before = prompt
        Import-Module $script:SimManifest -Force
        prompt | Should -Be "[SIM] $before"
        Remove-Module ExchangeSimulator
        prompt | Should -Be $before
    }

    It 'keeps VS Code shell integration''s command detection: its marks and exit codes, [SIM] inside its prompt' {
        # VS Code's own script, from the code-server the host tests run in (scripts/setup.sh).
        $integration = Join-Path $script:SimRoot '.vscode-test/code-server/node_modules/code-server/lib/vscode/out/vs/workbench/contrib/terminal/common/scripts/shellIntegration.ps1'
        Test-Path -LiteralPath $integration | Should -BeTrue -Because "scripts/setup.sh installs code-server with VS Code's shell integration ($integration)"
        # A fresh pwsh, as a terminal is: the integration installs itself once per session. A command
        # ends (history entry, in execution), then PowerShell asks for the prompt with $? as it left it.
        $probe = @'
param($Integration, $Manifest)
$env:VSCODE_NONCE = 'n1'
. $Integration
$esc = [string][char]0x1b
$bel = [string][char]0x07
function Show([string]$Text) { $Text.Replace($esc, '<ESC>').Replace($bel, '<BEL>') }
# What PSReadLine's Enter does under the integration: the command is in execution, in the history.
function Start-Command {
    $global:__VSCodeIsInExecution = $true
    Add-History -InputObject ([pscustomobject]@{ CommandLine = 'x'; ExecutionStatus = 'Completed'; StartExecutionTime = [datetime]::Now; EndExecutionTime = [datetime]::Now })
}
prompt | Out-Null
$env:EXCHANGE_SIMULATOR = '1'
Import-Module $Manifest -ErrorAction Stop
Start-Command; Get-Item -LiteralPath '/no/such/exr/file' -ErrorAction SilentlyContinue; $failed = prompt
Start-Command; Get-ServerHealth -Identity EX-CAS01 -ErrorAction Stop | Out-Null; $succeeded = prompt
Remove-Module ExchangeSimulator
Start-Command; 'done' | Out-Null; $after = prompt
# The integration writes its own marks to stdout when it loads: the answer is the marked line.
'EXR-PROMPTS ' + (@{ failed = (Show $failed); succeeded = (Show $succeeded); after = (Show $after) } | ConvertTo-Json -Compress)
'@
        $file = Join-Path ([IO.Path]::GetTempPath()) "exsim-integration-$PID.ps1"
        Set-Content -LiteralPath $file -Value $probe
        try {
            $env:EXCHANGE_SIMULATOR_STATE = Use-FreshState
            $json = & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -File $file $integration $script:SimManifest
            $LASTEXITCODE | Should -Be 0 -Because "$json"
        } finally {
            Remove-Item -LiteralPath $file -ErrorAction SilentlyContinue
        }
        $line = [string](@($json) -match 'EXR-PROMPTS ' | Select-Object -First 1)
        $prompts = $line.Substring($line.IndexOf('EXR-PROMPTS ') + 12) | ConvertFrom-Json
        # The failed command is reported as exit code 1, the successful one as 0 (VS Code reads $? first).
        $prompts.failed | Should -BeLike '<ESC>]633;D;1<BEL><ESC>]633;A<BEL>*'
        $prompts.succeeded | Should -BeLike '<ESC>]633;D;0<BEL><ESC>]633;A<BEL>*'
        foreach ($prompt in $prompts.failed, $prompts.succeeded) {
            # One prompt start, one command start, and [SIM] as prompt text between them, after the cwd mark.
            ([regex]::Matches($prompt, '633;A')).Count | Should -Be 1
            ([regex]::Matches($prompt, '633;B')).Count | Should -Be 1
            $prompt | Should -Match '633;P;Cwd=[^<]*<BEL>\[SIM\] PS [^<]*> <ESC>\]633;B<BEL>$'
        }
        # Removed: VS Code's prompt is back as it was, no [SIM].
        $prompts.after | Should -Match '633;A<BEL>.*633;P;Cwd=[^<]*<BEL>PS [^<]*> <ESC>\]633;B<BEL>$'
        $prompts.after | Should -Not -Match 'SIM'
    }
}
