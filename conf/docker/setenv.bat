rem Called by Tomcat's bin\catalina.bat (the Windows image copies it to bin\setenv.bat).
rem The image runs JDK 21+: requests are served on virtual threads (conf\tomcat\server.xml's
rem useVirtualThreads). Not needed for concurrency by the non-blocking relay, but measured cheaper for GETs (docs\performance.md,
rem "Virtual threads"). A -Dhttp.virtualThreads=false given in CATALINA_OPTS still wins (it comes later).
set "CATALINA_OPTS=-Dhttp.virtualThreads=true %CATALINA_OPTS%"
