#!/usr/bin/env bash
# Per-request cost of the agent, side by side and interleaved: ClientRequestBenchmark (a keep-alive GET over loopback
# through OkHttp 5, Apache HttpClient 5 and the JDK HttpClient, outside and inside a bound context), one JMH fork at a
# time, without an agent and with albtrace alternately (no agent first in odd rounds, albtrace first in even ones), so
# that a drifting machine weighs on both alike; OpenTelemetry's agent once per case in the first round. Each fork
# measures throughput and sample time (p50, p99) with -prof gc (bytes allocated per request). Prints, per client and
# context, the throughput ratio and the added p50, p99 and bytes of each round and their medians, as a Markdown
# table; writes every fork's JMH rows to benchmarks/target/request.csv (read by the chart, Chart.java, which draws the
# first round: the one where OpenTelemetry ran too).
#
#   bash benchmarks/request.sh [ROUNDS]        (from anywhere; ROUNDS defaults to 3, at least 1)
#
# BENCHMARK=ReactorNettyBenchmark measures Reactor Netty's server and client instead (CLIENTS="reactor-netty jdk").
# Options (environment): CLIENTS="okhttp apache jdk", CONTEXTS="false true", OTEL=0 (leave OpenTelemetry out),
# WARMUP="-wi 3 -w 2s", MEASURE="-i 5 -r 2s" (JMH options of each fork), CPUS=0 (run every fork on these CPUs only,
# taskset -c: on the benchmark VM a loopback request takes about 10 us or about 80 us depending on whether the client's
# and the responder's threads wake each other across its two virtual CPUs, and a fork can flip between the two; on one
# CPU it stays at 10). About 7 minutes a round on 2 cores, plus 4 minutes for OpenTelemetry. Needs:
# mvn -B -pl agent,benchmarks -am package -DskipTests. Never run by the build.
set -euo pipefail

cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
if ! [ "$ROUNDS" -ge 1 ] 2>/dev/null; then
    echo "ROUNDS must be a whole number, at least 1" >&2
    exit 2
fi
JAR=$PWD/benchmarks/target/benchmarks.jar
for f in "$JAR" "$PWD/agent/target/albtrace-agent.jar"; do
    if [ ! -f "$f" ]; then
        echo "no $f: build first (mvn -B -pl agent,benchmarks -am package -DskipTests)" >&2
        exit 2
    fi
done
if [ "${OTEL:-1}" != 0 ] && [ ! -f benchmarks/target/otel/opentelemetry-javaagent.jar ]; then
    echo "no benchmarks/target/otel/opentelemetry-javaagent.jar: build first, or OTEL=0" >&2
    exit 2
fi
BENCHMARK=${BENCHMARK:-ClientRequestBenchmark}
if [ "$BENCHMARK" = ReactorNettyBenchmark ]; then
    CLIENTS=${CLIENTS:-reactor-netty jdk}
fi
CLIENTS=${CLIENTS:-okhttp apache jdk}
CONTEXTS=${CONTEXTS:-false true}
read -r -a WARMUP_OPTS <<< "${WARMUP:--wi 3 -w 2s}"
read -r -a MEASURE_OPTS <<< "${MEASURE:--i 5 -r 2s}"
if [ -n "${JAVA_HOME:-}" ]; then
    JAVA=$JAVA_HOME/bin/java
else
    JAVA=$(readlink -f "$(command -v java)")
fi
PIN=()
if [ -n "${CPUS:-}" ]; then
    if ! command -v taskset > /dev/null; then
        echo "CPUS needs taskset (util-linux)" >&2
        exit 2
    fi
    PIN=(taskset -c "$CPUS")
fi
OUT=$PWD/benchmarks/target/request.csv
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

echo "albtrace per request: $ROUNDS interleaved round(s) of one JMH fork per variant, client and context"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); JDK: $JAVA ($("$JAVA" -version 2>&1 | head -1))"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average $(cut -d' ' -f1-3 /proc/loadavg) at the start"
echo "each fork: ${WARMUP_OPTS[*]} ${MEASURE_OPTS[*]} -prof gc, throughput and sample time${CPUS:+, on CPUs $CPUS only}"

# one fork: variant client context round
fork() {
    local name=$4-$1-$2-$3
    if ! ${PIN[@]+"${PIN[@]}"} "$JAVA" -jar "$JAR" "$BENCHMARK\.$1\$" -p "client=$2" -p "inContext=$3" -f 1 \
            "${WARMUP_OPTS[@]}" "${MEASURE_OPTS[@]}" -prof gc -rf csv -rff "$WORK/$name.csv" > "$WORK/$name.log" 2>&1; then
        echo "the fork $1 $2 inContext=$3 (round $4) failed:" >&2
        tail -n 30 "$WORK/$name.log" >&2
        exit 1
    fi
    # round first, then JMH's row (its parameters are the last two columns)
    tail -n +2 "$WORK/$name.csv" | sed "s/^/$4,/" >> "$WORK/all.csv"
    printf '.'
}

: > "$WORK/all.csv"
for round in $(seq 1 "$ROUNDS"); do
    for client in $CLIENTS; do
        for context in $CONTEXTS; do
            if [ $((round % 2)) -eq 1 ]; then
                fork noAgent "$client" "$context" "$round"
                fork agent "$client" "$context" "$round"
            else
                fork agent "$client" "$context" "$round"
                fork noAgent "$client" "$context" "$round"
            fi
            if [ "$round" -eq 1 ] && [ "${OTEL:-1}" != 0 ]; then
                fork otel "$client" "$context" "$round"
            fi
        done
    done
done
echo
echo "(load average $(cut -d' ' -f1-3 /proc/loadavg) at the end)"

# request.csv: JMH's header and every fork's rows, for Chart (the first round of a case is what it draws)
head -n 1 "$(ls "$WORK"/*.csv | grep -v all.csv | head -1)" > "$OUT"
cut -d, -f2- "$WORK/all.csv" >> "$OUT"
echo "wrote $OUT"
echo

awk -F, -v rounds="$ROUNDS" '
function unq(s) { gsub(/"/, "", s); return s }
function median(list,    n, a, i, j, t) {
    n = split(list, a, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    if (n == 0) return ""
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
{
    round = $1; name = unq($2); mode = unq($3); score = $6; client = $(NF - 1); context = $NF
    split(name, parts, ":"); variant = parts[1]; sub(/.*\./, "", variant); metric = parts[2]
    key = client SUBSEP context
    if (!(key in seen)) { seen[key] = 1; order[++cases] = key }
    if (metric == "" && mode == "thrpt") v[key, round, variant, "thr"] = score
    else if (metric == "p0.50") v[key, round, variant, "p50"] = score
    else if (metric == "p0.99") v[key, round, variant, "p99"] = score
    else if (metric == "gc.alloc.rate.norm" && mode == "thrpt") v[key, round, variant, "alloc"] = score
}
END {
    print "| client | in a context | round | albtrace throughput / none | added p50, us | added p99, us | added B/request (-prof gc) | OpenTelemetry throughput / none | OTel added p50, us | OTel added B/request |"
    print "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    for (c = 1; c <= cases; c++) {
        key = order[c]; split(key, kc, SUBSEP)
        ratios = ""; p50s = ""; p99s = ""; allocs = ""
        for (r = 1; r <= rounds; r++) {
            n = v[key, r, "noAgent", "thr"]; a = v[key, r, "agent", "thr"]
            if (n == "" || a == "") continue
            ratio = sprintf("%.3f", a / n); ratios = ratios " " ratio
            dp50 = sprintf("%+.1f", v[key, r, "agent", "p50"] - v[key, r, "noAgent", "p50"]); p50s = p50s " " dp50
            dp99 = sprintf("%+.1f", v[key, r, "agent", "p99"] - v[key, r, "noAgent", "p99"]); p99s = p99s " " dp99
            dal = sprintf("%+.0f", v[key, r, "agent", "alloc"] - v[key, r, "noAgent", "alloc"]); allocs = allocs " " dal
            otel = ""; op50 = ""; oal = ""
            if (v[key, r, "otel", "thr"] != "") {
                otel = sprintf("%.3f", v[key, r, "otel", "thr"] / n)
                op50 = sprintf("%+.1f", v[key, r, "otel", "p50"] - v[key, r, "noAgent", "p50"])
                oal = sprintf("%+.0f", v[key, r, "otel", "alloc"] - v[key, r, "noAgent", "alloc"])
            }
            printf "| %s | %s | %d | %s | %s | %s | %s | %s | %s | %s |\n", kc[1], kc[2], r, ratio, dp50, dp99, dal, otel, op50, oal
        }
        printf "| %s | %s | **median** | **%.3f** | **%+.1f** | **%+.1f** | **%+.0f** | | | |\n", kc[1], kc[2], median(ratios), median(p50s), median(p99s), median(allocs)
    }
}' "$WORK/all.csv"
