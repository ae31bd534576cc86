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

    It 'puts [SIM] after the prompt-start mark of VS Code shell integration' {
        $env:EXCHANGE_SIMULATOR = '1'
        $saved = (Get-Item function:prompt).ScriptBlock
        $mark = [string][char]0x1b + ']633;A' + [string][char]0x07
        Set-Item function:global:prompt -Value ([scriptblock]::Create("'$mark' + 'PS /> '"))
        try {
            Import-Module $script:SimManifest -Force
            prompt | Should -Be "$($mark)[SIM] PS /> "
            Remove-Module ExchangeSimulator
        } finally {
            Set-Item function:global:prompt -Value $saved
        }
    }
}
