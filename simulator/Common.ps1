# Helpers the simulated cmdlets share: finding a server by name, the latency and unreachability of
# servers, Exchange-shaped output objects and Exchange-worded errors.

# A case-insensitive name -> canonical server name map, built once per world read.
function Get-SimServerIndex($World) {
    $cache = Get-SimReadCache $World
    if ($null -ne $cache.Index) { return , $cache.Index }
    $index = [System.Collections.Generic.Dictionary[string, string]]::new([StringComparer]::OrdinalIgnoreCase)
    foreach ($name in $World.servers.Keys) {
        $index[$name] = $name
        $index["$name.$script:SimDomain"] = $name
    }
    $cache.Index = $index
    return , $index
}

# Admins give servers as names, FQDNs, or objects from Get-ExchangeServer / Get-MailboxServer.
function Get-SimIdentityText($Identity) {
    if ($null -eq $Identity) { return '' }
    if ($Identity -is [string]) { return $Identity }
    foreach ($property in 'Name', 'Identity', 'Server', 'ComputerName') {
        $value = $Identity.PSObject.Properties[$property]
        if ($null -ne $value -and $null -ne $value.Value) { return [string]$value.Value }
    }
    return [string]$Identity
}

function New-SimErrorRecord([string]$Message, [string]$ErrorId, [System.Management.Automation.ErrorCategory]$Category, $Target, [string]$ExceptionType = 'System.InvalidOperationException') {
    # Windows-only exception types (ServiceCommandException) do not exist in pwsh on Linux.
    $type = $ExceptionType -as [type]
    if ($null -eq $type) { $type = [System.InvalidOperationException] }
    $exception = New-Object -TypeName $type.FullName -ArgumentList $Message
    return [System.Management.Automation.ErrorRecord]::new($exception, $ErrorId, $Category, $Target)
}

# The error Exchange gives for a server that is not in the organisation.
function New-SimNotFoundError([string]$Name) {
    return New-SimErrorRecord "The operation couldn't be performed because object '$Name' couldn't be found on 'DC01.$script:SimDomain'." `
        'ManagementObjectNotFoundException' ([System.Management.Automation.ErrorCategory]::ObjectNotFound) $Name
}

# The error WinRM gives for a server that does not answer.
function New-SimUnreachableError([string]$Name) {
    $message = "Connecting to remote server $Name failed with the following error message : The WinRM client cannot complete the operation within the time specified. Check if the machine name is valid and is reachable over the network and firewall exception for Windows Remote Management service is enabled. For more information, see the about_Remote_Troubleshooting Help topic."
    return New-SimErrorRecord $message 'WinRMOperationTimeout,PSSessionStateBroken' ([System.Management.Automation.ErrorCategory]::OpenError) $Name 'System.Management.Automation.Remoting.PSRemotingTransportException'
}

# Resolves a server and "reaches" it: sleeps its configured latency, then returns the canonical
# name, or an ErrorRecord when the server is unknown or unreachable (callers write it as a
# non-terminating error, as the real cmdlets do; -ErrorAction Stop makes it terminating).
function Connect-SimServer($World, $Index, $Identity, [string]$Role) {
    $text = Get-SimIdentityText $Identity
    $name = $null
    if (-not $Index.TryGetValue($text, [ref]$name)) { return New-SimNotFoundError $text }
    $server = $World.servers[$name]
    if ($Role -and $server.role -ne $Role) {
        return New-SimErrorRecord "$name is not a $Role server. Its role is $($server.role)." 'InvalidServerRole' ([System.Management.Automation.ErrorCategory]::InvalidArgument) $name
    }
    $latency = [int]$server.latencyMs
    if ($latency -gt 0) { Start-Sleep -Milliseconds $latency }
    if ($server.unreachable) { return New-SimUnreachableError $name }
    return $name
}

# An output object whose PSTypeNames start with the real Exchange type, so formatting and
# consumers that look at the type see what they would see against Exchange.
function New-SimObject([string]$TypeName, $Properties) {
    $object = [pscustomobject]$Properties
    $object.PSObject.TypeNames.Insert(0, $TypeName)
    return $object
}
