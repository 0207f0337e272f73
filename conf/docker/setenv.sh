# Sourced by Tomcat's bin/catalina.sh (the Docker image copies it to bin/setenv.sh).
# The image runs JDK 21+: requests are served on virtual threads (conf/tomcat/server.xml's
# useVirtualThreads). Not needed for concurrency by the non-blocking relay, but measured cheaper for GETs (docs/performance.md,
# "Virtual threads"). A -Dhttp.virtualThreads=false given in CATALINA_OPTS still wins (it comes later).
CATALINA_OPTS="-Dhttp.virtualThreads=true $CATALINA_OPTS"
