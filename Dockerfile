# Multi-stage build: Maven builds the jar, a JRE runs it as a non-root user.
# Build:  docker build -t turnout .
# Run:    docker run -p 8080:8080 -e TURNOUT_ADMIN_TOKEN=... -e TURNOUT_STORE=redis -e TURNOUT_REDIS_URI=redis://redis:6379 turnout
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src src
RUN mvn -B -q -DskipTests package

FROM eclipse-temurin:17-jre
# /var/lib/turnout is the one directory the turnout user owns: the diff log goes there (mount a
# volume on it to keep the log past the container).
RUN groupadd --system turnout && useradd --system --gid turnout --home-dir /opt/turnout --shell /usr/sbin/nologin turnout \
    && mkdir -p /var/lib/turnout && chown turnout:turnout /var/lib/turnout \
    && apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/turnout
COPY --from=build /src/target/turnout.jar turnout.jar
COPY conf conf
USER turnout
# The admin API listens on loopback unless a token is set; in a container set TURNOUT_ADMIN_TOKEN
# and TURNOUT_ADMIN_HOST=0.0.0.0 to reach it (and the probes) from outside.
# The semantic differ's tokenizer (DJL) extracts its native library into DJL_CACHE_DIR, default ~/.djl.ai;
# the turnout user's home (/opt/turnout) is root's and not writable, so the cache goes to /tmp, where ONNX
# Runtime extracts its own library too (java.io.tmpdir). Without a writable directory semantic diffs are
# off (one warning at start) and everything else runs.
ENV TURNOUT_HOST=0.0.0.0 \
    DJL_CACHE_DIR=/tmp/djl \
    TURNOUT_DIFF_LOG=/var/lib/turnout/turnout-diffs.jsonl \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
# Only the data plane: the admin API binds to loopback unless TURNOUT_ADMIN_HOST says otherwise (with a
# token), so exposing its port would advertise one nothing outside can reach.
EXPOSE 8080
# Shell form, so the check follows TURNOUT_ADMIN_PORT when it is set at run time; it runs inside the
# container, where the admin API's loopback is reachable.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD curl -fsS "http://127.0.0.1:${TURNOUT_ADMIN_PORT:-8081}/health/ready" || exit 1
ENTRYPOINT ["java", "-jar", "/opt/turnout/turnout.jar"]
CMD ["serve", "--config", "/opt/turnout/conf/turnout.yaml"]
