<#
.SYNOPSIS
  Installs hostproxy as a Windows service: Tomcat from its Windows zip (checked against its
  SHA-512), the proxy's server.xml, hostproxy.war as the ROOT application.

.DESCRIPTION
  For a Windows Server without containers (the host that runs IIS + ARR today). Run it in an
  elevated PowerShell from a clone, after .\mvnw.cmd package -DskipTests made target\hostproxy.war:

    .\conf\windows\install-service.ps1 -Settings @{ BACKEND_PORT = '8080'; DNS_SERVERS = '10.0.0.2' }

  Settings become HOSTPROXY_* environment variables of the service (BACKEND_PORT ->
  HOSTPROXY_BACKEND_PORT; names as in docs/configuration.md in upper snake case); -JavaOptions adds
  JVM options such as -Dhostproxy.backendPort=8080. Running it again replaces the installation (the
  service is stopped and removed first; logs are kept). Logs: <InstallDir>\logs\ (hostproxy-stderr.*.log
  is the console: Tomcat logs to standard error). Not run on the machines this project is tested on (no Windows there):
  hostproxy.containers.DockerfileLayoutIT checks its Tomcat version, checksum and paths against the
  real zip. See docs/windows.md.
#>
[CmdletBinding()]
param(
    [string] $InstallDir = 'C:\hostproxy',
    [string] $ServiceName = 'hostproxy',
    [string] $War = (Join-Path $PSScriptRoot '..\..\target\hostproxy.war'),
    [hashtable] $Settings = @{},
    [string[]] $JavaOptions = @(),
    [int] $Port = 8080,
    [int] $MaxHeapMB = 512,
    [string] $JavaHome = $env:JAVA_HOME,
    # A copy of the zip already on this server (no download); it is checked all the same.
    [string] $TomcatZip = ''
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

# The Tomcat the project's pom pins, and the SHA-512 of its Windows zip on Maven Central (the one
# with service.bat and tomcat11.exe; the generic zip has neither).
$TomcatVersion = '11.0.24'
$TomcatSha512 = 'bdff4dc163441fdbfbab7a0504d374dc25079497959829f3d94fada11fafaae55e56a577240b961711f583e31a1f8aa993b0675d768581ee87d3aa09d17761e9'
$TomcatUrl = "https://repo.maven.apache.org/maven2/org/apache/tomcat/tomcat/$TomcatVersion/tomcat-$TomcatVersion-windows-x64.zip"

$admin = ([Security.Principal.WindowsPrincipal][Security.Principal.WindowsIdentity]::GetCurrent()).IsInRole(
    [Security.Principal.WindowsBuiltInRole]::Administrator)
if (-not $admin) { throw 'Run this script in an elevated PowerShell (Run as administrator): it installs a service.' }
if (-not (Test-Path $War -PathType Leaf)) { throw "No WAR at ${War}: run .\mvnw.cmd package -DskipTests first, or give -War." }
if (-not $JavaHome -or -not (Test-Path (Join-Path $JavaHome 'bin\java.exe'))) {
    throw 'No Java found: set JAVA_HOME to a JDK or JRE 17 or newer, or give -JavaHome.'
}
$repo = Join-Path $PSScriptRoot '..\..'

if (Get-Service $ServiceName -ErrorAction SilentlyContinue) {
    Write-Host "Replacing the existing service '$ServiceName'"
    & (Join-Path $PSScriptRoot 'uninstall-service.ps1') -InstallDir $InstallDir -ServiceName $ServiceName -KeepLogs
}

$work = Join-Path ([IO.Path]::GetTempPath()) ("hostproxy-install-" + [Guid]::NewGuid())
New-Item -ItemType Directory $work | Out-Null
try {
    $zip = $TomcatZip
    if (-not $zip) {
        $zip = Join-Path $work 'tomcat.zip'
        Write-Host "Downloading Tomcat $TomcatVersion from $TomcatUrl"
        Invoke-WebRequest -UseBasicParsing -Uri $TomcatUrl -OutFile $zip
    }
    $hash = (Get-FileHash $zip -Algorithm SHA512).Hash
    if ($hash -ne $TomcatSha512) { throw "$zip is not Tomcat $TomcatVersion's Windows zip: SHA-512 $hash, expected $TomcatSha512" }
    Expand-Archive $zip -DestinationPath $work
    $unpacked = Join-Path $work "apache-tomcat-$TomcatVersion"

    New-Item -ItemType Directory -Force $InstallDir | Out-Null
    Copy-Item (Join-Path $unpacked '*') $InstallDir -Recurse -Force
} finally {
    Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue
}

# Tomcat's sample applications out; the proxy's server.xml and hostproxy as the ROOT application.
Remove-Item (Join-Path $InstallDir 'webapps\*') -Recurse -Force
Copy-Item (Join-Path $repo 'conf\tomcat\server.xml') (Join-Path $InstallDir 'conf\server.xml') -Force
Copy-Item $War (Join-Path $InstallDir 'webapps\ROOT.war') -Force

# service.bat reads these: where Tomcat and Java are, the JVM options it adds (JvmArgs, ';'-separated),
# the start mode and the heap.
$env:CATALINA_HOME = $InstallDir
$env:CATALINA_BASE = $InstallDir
$env:JAVA_HOME = $JavaHome
$env:JRE_HOME = ''
$env:JvmArgs = ((@("-Dhttp.port=$Port") + $JavaOptions) -join ';')
$env:SERVICE_STARTUP_MODE = 'auto'
$env:JvmMx = "$MaxHeapMB"
& cmd /c "`"$(Join-Path $InstallDir 'bin\service.bat')`" install $ServiceName"
if ($LASTEXITCODE -ne 0) { throw "Tomcat's service.bat install failed ($LASTEXITCODE)" }

# The settings, as the service's own environment (procrun's --Environment: '#'-separated pairs).
$pairs = @()
foreach ($key in $Settings.Keys) {
    # BACKEND_PORT, backendPort and HOSTPROXY_BACKEND_PORT all name HOSTPROXY_BACKEND_PORT
    $name = 'HOSTPROXY_' + (($key -replace '^HOSTPROXY_', '') -creplace '([a-z0-9])([A-Z])', '$1_$2').ToUpperInvariant()
    $value = [string] $Settings[$key]
    if ($value -match '[#;]') { throw "Setting $name='$value': '#' and ';' cannot be passed to a service's environment" }
    $pairs += "$name=$value"
}
$procrun = Join-Path $InstallDir 'bin\tomcat11.exe'
$update = @("//US//$ServiceName", '--DisplayName', 'hostproxy', '--Description', 'hostproxy: the Host header''s first label names the backend')
if ($pairs.Count -gt 0) { $update += @('--Environment', ($pairs -join '#')) }
& $procrun @update
if ($LASTEXITCODE -ne 0) { throw "Setting the service's environment failed ($LASTEXITCODE)" }

Start-Service $ServiceName
Write-Host "hostproxy runs as the service '$ServiceName' on port ${Port}: Get-Service $ServiceName;"
Write-Host "logs in $(Join-Path $InstallDir 'logs') (hostproxy-stderr.*.log); status page on the admin port, http://127.0.0.1:8081/ (adminPort)."
