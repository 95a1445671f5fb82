#!/usr/bin/env bash
# Benchmarks Turnout against its baselines in one run on this machine.
#   load-tests/run.sh quick   # ~2 minutes: smoke test of the harness, every request must be answered
#   load-tests/run.sh full    # the figures in load-tests/results/latest.{json,md} and latency.png
set -euo pipefail
mode="${1:-quick}"
here="$(cd "$(dirname "$0")" && pwd)"
top="$(dirname "$here")"
cd "$top"

mvn -q -B package -DskipTests
mvn -q -B -f load-tests/pom.xml package

if [ "$mode" = "full" ]; then
  # The peers, from the registries this machine reaches; each arm is skipped (with the reason) if it cannot be had.
  if [ ! -x /usr/sbin/nginx ] && command -v apt-get >/dev/null; then
    (DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx-light >/dev/null 2>&1 && { service nginx stop >/dev/null 2>&1 || true; }) || true
  fi
  if [ ! -d load-tests/peers/node_modules/@portkey-ai/gateway ] && command -v npm >/dev/null; then
    (mkdir -p load-tests/peers && cd load-tests/peers && npm install --no-audit --no-fund @portkey-ai/gateway >/dev/null 2>&1) || true
  fi
fi

cp="$(cat load-tests/target/classpath.txt):target/turnout.jar:load-tests/target/turnout-load-tests.jar"
exec java -Xmx1g -Dturnout.jar=target/turnout.jar -Dportkey.modules=load-tests/peers/node_modules \
  -cp "$cp" dev.turnout.load.Bench "$mode" load-tests/results
