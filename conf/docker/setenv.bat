rem Called by Tomcat's bin\catalina.bat (the Windows image copies it to bin\setenv.bat).
rem The image runs JDK 21+: serve requests on virtual threads (conf\tomcat\server.xml's
rem useVirtualThreads). A -Dhttp.virtualThreads=false given in CATALINA_OPTS still wins (it comes later).
set "CATALINA_OPTS=-Dhttp.virtualThreads=true %CATALINA_OPTS%"
