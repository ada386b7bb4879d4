#!/usr/bin/env bash
# Start-up cost of the agent, side by side: each start-up application run N times without an agent, with albtrace
# (every instrumentation on, as shipped) and with OpenTelemetry's Java agent (exporters off), interleaved round-robin
# per iteration so that a busy machine slows all variants alike. Prints, per application, the medians of wall time,
# CPU time (user + sys of the child, from /usr/bin/time) and peak RSS, the added amounts and the ratios, as a
# Markdown table; with the none and transformer variants, albtrace's own part (albtrace against the no-op transformer);
# writes them to benchmarks/target/startup.tsv (read by the chart, Chart.java); then checks class-data sharing (CDS)
# for each agent.
#
#   bash benchmarks/startup.sh [N]          (from anywhere; N defaults to 11, at least 5)
#
# Variants (VARIANTS="none empty transformer albtrace premain otel none-cds albtrace-cds" by default): no agent; albtrace
# as shipped; albtrace with every instrumentation switched off (its premain alone: what the JVM and premain cost,
# without any weaving); OpenTelemetry; also "empty": an agent whose premain does nothing (what any -javaagent costs the
# JVM, the floor of every agent), and "transformer": the same agent registering one class file transformer that changes
# nothing (the floor of every agent that changes classes as they load; common.sh says what the JVM does for it).
# Applications (APPS="small tomcat" by default):
#   small   io.albtrace.benchmarks.startup.SmallApp: a JDK HttpServer, one OkHttp and one JDK HttpClient request, exit
#   tomcat  io.albtrace.benchmarks.startup.TomcatApp: embedded Tomcat 10.1, a servlet that calls another with OkHttp,
#           one HttpURLConnection request to it, stop, exit
# Needs: mvn -B -pl agent,benchmarks -am package -DskipTests (the agent jar; benchmarks/target/*-startup.jar, lib/ and
# otel/opentelemetry-javaagent.jar, which the benchmarks build fetches from Maven Central). The JDK is the one on PATH
# or JAVA_HOME. Never run by the build.
set -euo pipefail

cd "$(dirname "$0")/.."
N=${1:-11}
if [ "$N" -lt 5 ]; then
    echo "N must be at least 5" >&2
    exit 2
fi
AGENT=$PWD/agent/target/albtrace-agent.jar
OTEL=${OTEL:-$PWD/benchmarks/target/otel/opentelemetry-javaagent.jar}
APP_JAR=$(ls "$PWD"/benchmarks/target/albtrace-benchmarks-*-startup.jar 2>/dev/null | head -1 || true)
APPS=${APPS:-small tomcat}
VARIANTS=${VARIANTS:-none empty transformer albtrace premain otel none-cds albtrace-cds}
for f in "$AGENT" "$OTEL" "$APP_JAR"; do
    if [ ! -f "$f" ]; then
        echo "no $f: build first (mvn -B -pl agent,benchmarks -am package -DskipTests)" >&2
        exit 2
    fi
done
# jars only (no directory): what a class-data sharing archive needs
CP=$APP_JAR$(for j in "$PWD"/benchmarks/target/lib/*.jar; do printf ':%s' "$j"; done)
if [ -n "${JAVA_HOME:-}" ]; then
    JAVA=$JAVA_HOME/bin/java
else
    JAVA=$(readlink -f "$(command -v java)")
fi
OUT=$PWD/benchmarks/target/startup.tsv
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

main_class() {
    case $1 in
        small) echo io.albtrace.benchmarks.startup.SmallApp ;;
        tomcat) echo io.albtrace.benchmarks.startup.TomcatApp ;;
        *) echo "unknown application $1" >&2; exit 2 ;;
    esac
}

# the JVM options of a variant (and application: the -cds variants use an archive made for it)
agent_opts() {
    case $1 in
        none) ;;
        empty) echo "-javaagent:$EMPTY" ;;
        transformer) echo "-javaagent:$EMPTY=transformer" ;;
        none-cds) echo "-XX:SharedArchiveFile=$WORK/$2.none.jsa" ;;
        albtrace-cds) echo "-XX:+UnlockDiagnosticVMOptions -XX:+AllowArchivingWithJavaAgent -XX:SharedArchiveFile=$WORK/$2.albtrace.jsa -javaagent:$AGENT" ;;
        albtrace) echo "-javaagent:$AGENT" ;;
        # albtrace's premain alone: every instrumentation off, so nothing is woven and Byte Buddy is never loaded
        premain) echo "-javaagent:$AGENT -Dalbtrace.instrumentation.okhttp.enabled=false
            -Dalbtrace.instrumentation.apache-httpclient.enabled=false -Dalbtrace.instrumentation.jdk-httpclient.enabled=false
            -Dalbtrace.instrumentation.http-url-connection.enabled=false -Dalbtrace.instrumentation.jdk-httpserver.enabled=false
            -Dalbtrace.instrumentation.servlet.enabled=false -Dalbtrace.instrumentation.executors.enabled=false" ;;
        otel) echo "-javaagent:$OTEL -Dotel.traces.exporter=none -Dotel.metrics.exporter=none -Dotel.logs.exporter=none" ;;
    esac
}

# shellcheck source=common.sh
source benchmarks/common.sh
case " $VARIANTS " in
    *" empty "* | *" transformer "*) EMPTY=$(empty_agent "$WORK" "$JAVA") ;;
esac

# run APP VARIANT: one timed run; wall and CPU (ms) and peak RSS (KiB) appended to $WORK/<app>.<variant>.{wall,cpu,rss}
run() {
    local app=$1 variant=$2 status=0
    # shellcheck disable=SC2046
    /usr/bin/time -f "%e %U %S %M" -o "$WORK/time" "$JAVA" $(agent_opts "$variant" "$app") -cp "$CP" "$(main_class "$app")" \
        > "$WORK/out" 2> "$WORK/err" || status=$?
    if [ "$status" -ne 0 ]; then
        echo "$app ($variant) failed with exit code $status:" >&2
        tail -20 "$WORK/err" >&2
        exit 1
    fi
    # the agent under measurement worked: albtrace's header arrived; none (and OpenTelemetry's default propagators) sent none
    local seen
    seen=$(grep '^seen ' "$WORK/out")
    case $variant in
        albtrace | albtrace-cds) if ! echo "$seen" | grep -q 'Root=1-'; then echo "$app: albtrace sent no header: $seen" >&2; exit 1; fi ;;
        none | none-cds | premain | empty | transformer) if echo "$seen" | grep -q 'Root='; then echo "$app: a header without an agent: $seen" >&2; exit 1; fi ;;
    esac
    tail -1 "$WORK/time" | awk '{ printf "%.0f\n", $1 * 1000 }' >> "$WORK/$app.$variant.wall"
    tail -1 "$WORK/time" | awk '{ printf "%.0f\n", ($2 + $3) * 1000 }' >> "$WORK/$app.$variant.cpu"
    tail -1 "$WORK/time" | awk '{ print $4 }' >> "$WORK/$app.$variant.rss"
}

version=$("$JAVA" -version 2>&1 | head -1)
echo "albtrace start-up: $N runs of each application and variant, interleaved; medians"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); JDK: $JAVA ($version)"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average $(cut -d' ' -f1-3 /proc/loadavg) at the start"
echo "albtrace: $AGENT ($(stat -c %s "$AGENT") bytes); OpenTelemetry: $OTEL ($(stat -c %s "$OTEL") bytes)"
# The -cds variants: a dynamic class-data sharing archive (AppCDS) of one run of the application, without and with
# the agent (whose classes, Byte Buddy's included, then come from the archive too; archiving with an agent needs
# -XX:+AllowArchivingWithJavaAgent).
for app in $APPS; do
    case " $VARIANTS " in
        *" none-cds "*)
            "$JAVA" -XX:ArchiveClassesAtExit="$WORK/$app.none.jsa" -cp "$CP" "$(main_class "$app")" >/dev/null 2>&1 ;;
    esac
    case " $VARIANTS " in
        *" albtrace-cds "*)
            "$JAVA" -XX:+UnlockDiagnosticVMOptions -XX:+AllowArchivingWithJavaAgent \
                -XX:ArchiveClassesAtExit="$WORK/$app.albtrace.jsa" -javaagent:"$AGENT" -cp "$CP" "$(main_class "$app")" \
                >/dev/null 2>&1 ;;
    esac
done
for i in $(seq "$N"); do
    for app in $APPS; do
        for variant in $VARIANTS; do
            run "$app" "$variant"
        done
    done
done
echo "(load average $(cut -d' ' -f1-3 /proc/loadavg) at the end)"
echo
echo "Ratios and added amounts are against no agent; for \"albtrace, AppCDS archive\", against \"no agent, AppCDS archive\"."
echo
echo "| application | agent | wall, ms | added wall | wall ratio | CPU user+sys, ms | added CPU | CPU ratio | peak RSS, MiB | added RSS |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
printf 'app\tagent\twall_ms\tcpu_ms\trss_kib\tbase_wall_ms\tbase_cpu_ms\tbase_rss_kib\n' > "$OUT"
for app in $APPS; do
    for variant in $VARIANTS; do
        base=none
        if [ "$variant" = albtrace-cds ] && [ -f "$WORK/$app.none-cds.wall" ]; then
            base=none-cds
        fi
        base_wall=$(median "$WORK/$app.$base.wall")
        base_cpu=$(median "$WORK/$app.$base.cpu")
        base_rss=$(median "$WORK/$app.$base.rss")
        wall=$(median "$WORK/$app.$variant.wall")
        cpu=$(median "$WORK/$app.$variant.cpu")
        rss=$(median "$WORK/$app.$variant.rss")
        label=$variant
        case $variant in
            none) label="no agent" ;;
            premain) label="albtrace, premain only" ;;
            empty) label="empty agent" ;;
            transformer) label="empty agent, no-op transformer" ;;
            none-cds) label="no agent, AppCDS archive" ;;
            albtrace-cds) label="albtrace, AppCDS archive" ;;
            otel) label="OpenTelemetry" ;;
        esac
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$app" "$label" "$wall" "$cpu" "$rss" "$base_wall" "$base_cpu" \
            "$base_rss" >> "$OUT"
        awk -v a="$app" -v l="$label" -v w="$wall" -v bw="$base_wall" -v c="$cpu" -v bc="$base_cpu" -v r="$rss" \
            -v br="$base_rss" 'BEGIN {
            printf "| %s | %s | %d | %+d | %.2f | %d | %+d | %.2f | %.0f | %+.0f |\n", a, l, w, w - bw, w / bw, c, c - bc,
                c / bc, r / 1024, (r - br) / 1024 }'
    done
done
# albtrace's own part: against the no-op transformer (the floor of any agent that changes classes as they load), from
# the same interleaved run
if [[ " $VARIANTS " == *" none "* && " $VARIANTS " == *" transformer "* && " $VARIANTS " == *" albtrace "* ]]; then
    echo
    for app in $APPS; do
        awk -v a="$app" -v w="$(median "$WORK/$app.albtrace.wall")" -v fw="$(median "$WORK/$app.transformer.wall")" \
            -v c="$(median "$WORK/$app.albtrace.cpu")" -v fc="$(median "$WORK/$app.transformer.cpu")" \
            -v nw="$(median "$WORK/$app.none.wall")" 'BEGIN {
            printf "%s: albtrace against the no-op transformer: wall %+d ms (%+.1f%% of the %d ms without an agent), CPU %+d ms\n",
                a, w - fw, 100 * (w - fw) / nw, nw, c - fc }'
    done
fi
echo
echo "wrote $OUT"

# Class-data sharing: the JVM turns it off for all but the boot loader's classes when an agent appends to the boot
# class path (-Xbootclasspath/a, Instrumentation.appendToBootstrapClassLoaderSearch). Count the classes each variant
# loads from the shared archive, and look for the JVM's message.
echo
echo "| application | agent | classes loaded | of them from the CDS archive | \"only supported for boot loader classes\" |"
echo "| --- | --- | ---: | ---: | --- |"
for app in $APPS; do
    for variant in $VARIANTS; do
        # shellcheck disable=SC2046
        "$JAVA" -Xshare:auto -Xlog:cds=info -Xlog:class+load=info $(agent_opts "$variant" "$app") -cp "$CP" \
            "$(main_class "$app")" > "$WORK/cds" 2>&1 || true
        loaded=$(grep -c '\[class,load\]' "$WORK/cds" || true)
        shared=$(grep -c 'source: shared objects file' "$WORK/cds" || true)
        if grep -q 'Sharing is only supported for boot loader classes' "$WORK/cds"; then
            message=yes
        else
            message=no
        fi
        echo "| $app | $variant | $loaded | $shared | $message |"
        if [ "$variant" = albtrace ] && [ "$message" = yes ]; then
            echo "albtrace turned class-data sharing off for application classes" >&2
            exit 1
        fi
    done
done
