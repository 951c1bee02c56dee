# Peregrine's image: the standalone server from the jar that `mvn -B package` built, on any
# Debian-based image with java (17 or newer) on the PATH.
#
#   mvn -B -pl server -am package -DskipTests
#   docker build -t peregrine .
#   docker run --rm -p 7401:7401 -p 7402:7402 -e PEREGRINE_AUTH_ALLOW_ANONYMOUS_REMOTE=true peregrine
#
# Where no image registry is reachable, build the base from Debian's packages and name it:
#   deploy/docker/build-base            (prints peregrine-base:bookworm-jre17)
#   docker build --build-arg BASE_IMAGE=peregrine-base:bookworm-jre17 -t peregrine .
# docs/deployment.md has the whole story: configuration, probes, drain, numbers.
ARG BASE_IMAGE=eclipse-temurin:21-jre
FROM ${BASE_IMAGE}

ARG JAR=server/target/peregrine-server-0.1.0-SNAPSHOT-all.jar
# A numeric uid with no entry in /etc/passwd: nothing in the image needs one, and Kubernetes can
# check runAsNonRoot against a number. Group 0 so that a platform picking another uid can still read.
ARG UID=10001

# Container flags: the heap follows the container's memory limit, an OutOfMemoryError ends the
# process (the orchestrator restarts it) instead of leaving it half alive, and no hsperfdata file is
# written, so the root filesystem can be read-only. Replace JAVA_OPTS whole to change them.
ENV PEREGRINE_HOME=/opt/peregrine \
    JAVA_OPTS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError -XX:-UsePerfData -Djava.io.tmpdir=/tmp" \
    PEREGRINE_TCP_HOST=0.0.0.0 \
    PEREGRINE_HTTP_HOST=0.0.0.0 \
    PEREGRINE_ADMIN_ENABLED=true \
    PEREGRINE_ADMIN_HOST=0.0.0.0 \
    PEREGRINE_DEMO_FS_ROOT=/srv/peregrine

COPY deploy/docker/entrypoint /opt/peregrine/bin/peregrine
COPY deploy/docker/healthcheck /opt/peregrine/bin/healthcheck
COPY deploy/docker/cds-training /opt/peregrine/bin/cds-training
# The default configuration, read from $PEREGRINE_HOME/config: mount another file over it.
COPY config/peregrine.yaml /opt/peregrine/config/peregrine.yaml
# Something for the demo's fs.* tools to read.
COPY README.md /srv/peregrine/
COPY docs /srv/peregrine/docs
COPY ${JAR} /opt/peregrine/peregrine.jar

# The AppCDS archive: one training start-up records the classes it loads.
RUN /opt/peregrine/bin/cds-training

USER ${UID}:0
# MCP over TCP, MCP over HTTP and WebSocket (/mcp, /health, /ready, /metrics), the admin listener.
EXPOSE 7400 7401 7402
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 CMD ["/opt/peregrine/bin/healthcheck"]
# SIGTERM (docker stop) drains: /ready turns 503 for shutdown.ready-delay (5s), running calls get
# shutdown.drain-timeout (10s), exit status 0. Give `docker stop` more than their sum (-t 20) when
# calls may be running.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/opt/peregrine/bin/peregrine"]
