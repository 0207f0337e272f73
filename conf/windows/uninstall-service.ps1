<#
.SYNOPSIS
  Stops and removes the hostproxy Windows service that install-service.ps1 installed, and its Tomcat.

.DESCRIPTION
    .\conf\windows\uninstall-service.ps1                 # removes the service and C:\hostproxy
    .\conf\windows\uninstall-service.ps1 -KeepLogs       # keeps C:\hostproxy\logs
  Run it in an elevated PowerShell. Not run on the machines this project is tested on (no Windows
  there); see docs/windows.md.
#>
[CmdletBinding()]
param(
    [string] $InstallDir = 'C:\hostproxy',
    [string] $ServiceName = 'hostproxy',
    [switch] $KeepLogs
)
$ErrorActionPreference = 'Stop'

if (Get-Service $ServiceName -ErrorAction SilentlyContinue) {
    # A stop lets exchanges in flight finish for drainTimeout (docs/operations.md, "Graceful stop").
    Stop-Service $ServiceName
    $procrun = Join-Path $InstallDir 'bin\tomcat11.exe'
    if (Test-Path $procrun) {
        & $procrun "//DS//$ServiceName"
    } else {
        & sc.exe delete $ServiceName
    }
    if ($LASTEXITCODE -ne 0) { throw "Removing the service '$ServiceName' failed ($LASTEXITCODE)" }
    Write-Host "The service '$ServiceName' is removed."
}
if (Test-Path $InstallDir) {
    Get-ChildItem $InstallDir | Where-Object { -not ($KeepLogs -and $_.Name -eq 'logs') } |
        Remove-Item -Recurse -Force
    if (-not $KeepLogs) { Remove-Item $InstallDir -Recurse -Force }
    Write-Host "Removed $InstallDir$(if ($KeepLogs) { ' (logs kept)' })"
}
