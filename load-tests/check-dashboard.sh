#!/usr/bin/env bash
# Checks every query of conf/grafana-dashboard.json against a real Prometheus scraping a running gateway.
#   load-tests/check-dashboard.sh                       # DASHBOARD=other.json checks another file
# Starts `turnout.jar demo` (any free loopback ports), sends a bounded burst of traffic (chat, streams, a
# pinned client, every request shadowed, a version that is down so a breaker opens and the gateway answers
# 503 itself), runs a rollout of support-v2 whose first step passes within seconds and whose second holds,
# and a probe with the shipped golden set before and after the burst (support-v2 drifts), runs Debian's
# Prometheus on loopback scraping the admin port's /metrics every second, then asks Prometheus's HTTP
# API for each variable's label_values and each panel target, with the variables set to the values
# Prometheus returned. Prints panel, expr and OK / EMPTY / ERROR; exits 1 if a query errors or a panel
# not on the allow-list below is empty. Stops by itself within ~2 minutes (at once on an ERROR); every process it starts is
# stopped at the end. Needs java, curl, jq, perl; Prometheus from PATH, or Debian's package unpacked into
# load-tests/prometheus/ (not committed) with `apt-get download` + `dpkg -x`, no root needed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
top="$(dirname "$here")"
cd "$top"
dashboard="${DASHBOARD:-conf/grafana-dashboard.json}"

# Panels that may legitimately draw nothing in this run, and why. Anything else empty fails the check.
declare -A ALLOWED_EMPTY=(
  ["Shadow drops by reason"]="a shadow is only dropped past the gateway's shadow limits (in-flight, differ backlog, capture size); this bounded burst stays under them"
)
# Panels whose counters are exported at 0 from the start: a series proves nothing, so one must be above 0.
declare -A NEEDS_NONZERO=(
  ["Rollout decisions (pass, fail, timed_out, promoted, rolled_back, paused, aborted)"]="every decision's counter exists at 0 from the start"
)

deadline=$((SECONDS + 110))
work="$(mktemp -d)"
pids=()
cleanup() {
  local rc=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'echo "check-dashboard: out of time" >&2; exit 124' TERM INT
# A watchdog: whatever hangs, the run ends within its deadline.
( trap 'kill $nap 2>/dev/null' TERM; sleep 130 & nap=$!; wait $nap && kill -TERM $$ 2>/dev/null ) &
pids+=($!)

left() { [ "$SECONDS" -lt "$deadline" ]; }
free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 40000))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}

# --- the pieces ---------------------------------------------------------------------------------
for tool in java curl jq perl; do command -v "$tool" >/dev/null || { echo "check-dashboard: needs $tool" >&2; exit 2; }; done
if [ ! -f target/turnout.jar ] || [ -n "$(find src/main pom.xml -newer target/turnout.jar -print -quit)" ]; then
  mvn -q -B package -DskipTests
fi
if command -v prometheus >/dev/null; then
  prometheus="$(command -v prometheus)"
else
  prometheus="$here/prometheus/usr/bin/prometheus"
  if [ ! -x "$prometheus" ]; then
    echo "check-dashboard: fetching Debian's prometheus package into load-tests/prometheus/" >&2
    mkdir -p "$here/prometheus"
    (cd "$work" && apt-get download prometheus >/dev/null 2>&1) || { echo "check-dashboard: apt-get download prometheus failed" >&2; exit 2; }
    dpkg -x "$work"/prometheus_*.deb "$here/prometheus"
  fi
fi
echo "prometheus: $("$prometheus" --version 2>&1 | head -1)"

# --- the gateway ----------------------------------------------------------------------------------
java -Xmx512m -jar target/turnout.jar demo --port 0 --admin-port 0 --sim-port 0 --token-ms 2 >"$work/demo.log" 2>&1 &
pids+=($!)
until grep -qs '^  admin ' "$work/demo.log"; do
  left && kill -0 "${pids[-1]}" 2>/dev/null || { cat "$work/demo.log" >&2; echo "check-dashboard: the demo did not start" >&2; exit 2; }
  sleep 0.2
done
gw="http://127.0.0.1:$(sed -n 's#^  gateway   http://127.0.0.1:\([0-9]*\)/v1.*#\1#p' "$work/demo.log")"
admin_port="$(sed -n 's#^  admin     http://127.0.0.1:\([0-9]*\)$#\1#p' "$work/demo.log")"
admin="http://127.0.0.1:$admin_port"
echo "gateway: $gw  admin: $admin"

# --- Prometheus -----------------------------------------------------------------------------------
prom_port="$(free_port)"
prom="http://127.0.0.1:$prom_port"
cat >"$work/prometheus.yml" <<EOF
global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: turnout
    static_configs: [ { targets: [ "127.0.0.1:$admin_port" ] } ]
EOF
"$prometheus" --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --web.listen-address="127.0.0.1:$prom_port" >"$work/prometheus.log" 2>&1 &
pids+=($!)
until curl -sf "$prom/-/ready" >/dev/null; do
  left && kill -0 "${pids[-1]}" 2>/dev/null || { cat "$work/prometheus.log" >&2; echo "check-dashboard: prometheus did not start" >&2; exit 2; }
  sleep 0.2
done
echo "prometheus: $prom scraping $admin/metrics every 1s"

# --- a probe's baseline and a rollout (admin API, as the demo prints them) -------------------------
admin_call() { # admin_call <method> <path> [curl args...] : fails the check on a refused call
  local m="$1" p="$2"; shift 2
  curl -sf -m 30 -X "$m" "$admin$p" -H 'x-turnout-author: check-dashboard' "$@" \
    || { echo "check-dashboard: $m $p failed" >&2; exit 2; }
}
admin_call PUT /admin/golden-sets/support-golden -o /dev/null -H 'content-type: application/jsonl' \
  --data-binary @conf/golden/support-golden.jsonl
admin_call PUT /admin/probes/support-watch -o /dev/null -H 'content-type: application/json' \
  -d '{"set":"support-golden","versions":["support-v1","support-v2"]}'
admin_call POST /admin/probes/support-watch/run -o /dev/null -H 'content-type: application/json'  # each version's baseline
# Step 1 (30%, support-v2's share already) is judged after 20 candidate requests and 3 s, on criteria
# loose enough that a few hundred requests decide it (the demo's 0.05 / 1.5 were still inconclusive after
# 200 here); step 2 (60%)
# holds past the end of the run, so the weight series (exported only while a rollout is active) stays.
rollout="$(admin_call POST /admin/rollouts -H 'content-type: application/json' -d '{"alias":"support-bot","candidate":"support-v2",
  "steps":[{"weight":30,"minRequests":20,"minSeconds":3,"maxSeconds":60},{"weight":60,"minSeconds":600,"maxSeconds":600},{"weight":100}],
  "criteria":{"errorRate":{"maxIncrease":0.2},"latencyP95":{"maxRatio":3}}}' | jq -r '.id')"
[[ "$rollout" =~ ^[A-Za-z0-9_-]+$ ]] || { echo "check-dashboard: the rollout was not created" >&2; exit 2; }
echo "rollout: $rollout (support-bot -> support-v2); probe: support-watch (support-v1, support-v2)"

# --- traffic (bounded) ----------------------------------------------------------------------------
ask() { # ask <client> <extra json> : one chat request to support-bot
  curl -s -o /dev/null -m 5 "$gw/v1/chat/completions" -H 'content-type: application/json' -H "x-turnout-client: $1" \
    -d "{\"model\":\"support-bot\",\"messages\":[{\"role\":\"user\",\"content\":\"question from $1\"}]$2}" || true
}
export -f ask; export gw
seq 1 200 | xargs -P 8 -I{} bash -c 'ask client-{} ""'                     # split across v1/v2, all shadowed to v3
seq 1 20 | xargs -P 4 -I{} bash -c 'ask client-{} ",\"stream\":true"'      # streamed
seq 1 10 | xargs -P 2 -I{} bash -c 'ask beta-tester-7 ""'                  # pinned to support-v3
# A version that is down behind an alias of its own: unreachable upstream, then its breaker opens.
curl -sf -o /dev/null -X PUT "$admin/admin/versions/down" -H 'content-type: application/json' -H 'x-turnout-author: check-dashboard' \
  -d '{"url":"http://127.0.0.1:9/v1"}'
curl -sf -o /dev/null -X PUT "$admin/admin/aliases/broken-bot" -H 'content-type: application/json' -H 'x-turnout-author: check-dashboard' \
  -d '{"split":{"down":100}}'
for _ in $(seq 1 20); do
  curl -s -o /dev/null -m 5 "$gw/v1/chat/completions" -H 'content-type: application/json' \
    -d '{"model":"broken-bot","messages":[{"role":"user","content":"hi"}]}' || true
done
# support-v2 answers differently after the burst: the probe's second run reports the drift.
admin_call POST /admin/probes/support-watch/run -o /dev/null -H 'content-type: application/json'
# A trickle while the queries run, so the 1m rates and quantiles have something in their window.
( while :; do ask "trickle-$RANDOM" ""; ask "trickle-$RANDOM" ",\"stream\":true"; sleep 0.3; done ) >/dev/null 2>&1 &
pids+=($!)

# --- the queries ----------------------------------------------------------------------------------
query() { # query <promql> -> Prometheus's JSON answer
  curl -s -m 10 -G "$prom/api/v1/query" --data-urlencode "query=$1" || echo '{"status":"error","error":"no answer"}'
}
label_values() { # label_values <metric selector> <label> -> values, one a line
  curl -s -m 10 -G "$prom/api/v1/label/$2/values" --data-urlencode "match[]=$1" | jq -r '.data[]?'
}
verdict() { # verdict <answer JSON> -> OK / EMPTY / ERROR <why>
  jq -r 'if .status != "success" then "ERROR " + ((.errorType // "") + ": " + (.error // "?") | gsub("\n"; " "))
         elif (.data.resultType == "vector" or .data.resultType == "matrix") and (.data.result | length) == 0 then "EMPTY no series"
         elif .data.resultType == "vector" and ([.data.result[].value[1]] | all(. == "NaN")) then "EMPTY only NaN"
         else "OK \(.data.result | length) series" end' <<<"$1"
}

# Every variable's label_values(metric, label) query, as Grafana runs it.
mapfile -t variables < <(jq -r '.templating.list[] | select(.type == "query") | [.name, (.query.query // .query // .definition)] | @tsv' "$dashboard")
declare -A value
failed=0
run_checks() {
  failed=0; errored=0; rows=()
  for line in "${variables[@]}"; do
    name="${line%%$'\t'*}"; def="${line#*$'\t'}"
    if [[ "$def" =~ ^label_values\((.*),[[:space:]]*([a-zA-Z_]+)\)$ ]]; then
      mapfile -t vals < <(label_values "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}")
      if [ "${#vals[@]}" -gt 0 ]; then
        # As Grafana writes a multi-value selection into a regex matcher: values escaped, joined with |.
        value[$name]="$(printf '%s\n' "${vals[@]}" | perl -pe 's/([][.*+?^\$(){}|\\])/\\\\$1/g' | paste -sd'|')"
        rows+=("variable \$$name"$'\t'"$def"$'\t'"OK ${vals[*]}")
      else
        value[$name]=".*"; failed=1
        rows+=("variable \$$name"$'\t'"$def"$'\t'"EMPTY no values")
      fi
    else
      value[$name]=".*"; failed=1
      rows+=("variable \$$name"$'\t'"$def"$'\t'"ERROR not a label_values(metric, label) query this script reads")
    fi
  done
  panels=0; targets=0
  local vars="{}"
  for name in "${!value[@]}"; do vars="$(jq -c --arg k "$name" --arg v "${value[$name]}" '. + {($k): $v}' <<<"$vars")"; done
  while IFS=$'\x1f' read -r title expr q; do
    targets=$((targets + 1))
    answer="$(query "$q")"
    v="$(verdict "$answer")"
    if [[ "$v" == OK* ]] && [ -n "${NEEDS_NONZERO[$title]:-}" ] \
        && jq -e '[.data.result[]?.value[1] | tonumber? // 0] | all(. == 0)' <<<"$answer" >/dev/null; then
      v="EMPTY only zeros (${NEEDS_NONZERO[$title]})"
    fi
    if [[ "$v" == EMPTY* ]] && [ -n "${ALLOWED_EMPTY[$title]:-}" ]; then
      v="EMPTY (allowed: ${ALLOWED_EMPTY[$title]})"
    elif [[ "$v" != OK* ]]; then
      failed=1
      [[ "$v" != ERROR* ]] || errored=1
    fi
    rows+=("$title"$'\t'"$expr"$'\t'"$v")
  done < <(jq -r --argjson vars "$vars" '
      def fill: reduce ($vars | to_entries[]) as $e (.;
          split("${" + $e.key + "}") | join($e.value) | split("$" + $e.key) | join($e.value))
        | split("$__rate_interval") | join("1m") | split("$__interval") | join("15s") | split("$__range") | join("5m");
      .panels[] | .title as $t | .targets[]? | [$t, .expr, (.expr | fill)] | join("\u001f")' "$dashboard")
  panels="$(jq '[.panels[] | select((.targets // []) | length > 0)] | length' "$dashboard")"
}

# Wait (bounded) until Prometheus holds enough samples for every panel; the last round is reported.
# A query Prometheus refuses (ERROR) will not mend by waiting: that ends the wait at once.
sleep 5
until run_checks; [ "$failed" = 0 ] || [ "$errored" = 1 ] || ! left || [ $((deadline - SECONDS)) -lt 10 ]; do sleep 3; done

printf '\n%-62s | %-9s | %s\n' "panel" "result" "expr"
printf '%s\n' "--------------------------------------------------------------------------------------------------------------"
for row in "${rows[@]}"; do
  IFS=$'\t' read -r title expr v <<<"$row"
  printf '%-62s | %-9s | %s\n' "${title:0:62}" "${v%% *}" "$expr"
  [ "${v%% *}" = OK ] || printf '%-62s | %-9s |   -> %s\n' "" "" "${v#* }"
done
# What the rollout and the probe did, as the admin API tells it (the panels above draw these).
printf '\nrollout %s: %s\n' "$rollout" "$(curl -s -m 5 "$admin/admin/rollouts/$rollout" \
  | jq -r '"state \(.state // "?"), step \(.step // "?"), log: \([.log[]? | .decision // .action // .event // empty] | join(", "))"' 2>/dev/null || echo '?')"
printf 'probe support-watch, latest run: %s\n' "$(curl -s -m 5 "$admin/admin/probes/support-watch/results?limit=1" \
  | jq -r '[.. | objects | select(has("version") and has("passRate")) | "\(.version) pass \(.passRate) drifted \(.drift.drifted // .drifted // false)"] | join("; ")' 2>/dev/null || echo '?')"
ok=$(printf '%s\n' "${rows[@]}" | awk -F'\t' '$3 ~ /^OK/' | grep -vc '^variable ' || true)
echo
echo "$panels panels, $targets queries: $ok return data; variables: ${#variables[@]} checked ($((SECONDS))s)"
if [ "$failed" != 0 ]; then echo "check-dashboard: FAILED" >&2; exit 1; fi
echo "check-dashboard: OK"
