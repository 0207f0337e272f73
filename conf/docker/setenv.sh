# Sourced by Tomcat's bin/catalina.sh (the Docker image copies it to bin/setenv.sh).
# The image runs JDK 21+: serve requests on virtual threads (conf/tomcat/server.xml's
# useVirtualThreads). A -Dhttp.virtualThreads=false given in CATALINA_OPTS still wins (it comes later).
CATALINA_OPTS="-Dhttp.virtualThreads=true $CATALINA_OPTS"
