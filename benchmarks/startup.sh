#!/usr/bin/env bash
# Start-up cost of the agent, side by side: each start-up application run N times without an agent, with albtrace
# (every instrumentation on, as shipped) and with OpenTelemetry's Java agent (exporters off), interleaved round-robin
# per iteration, each iteration starting one variant further on, so that a busy machine slows all variants alike.
# Prints, per application, the medians of wall time,
# CPU time (user + sys of the child, from /usr/bin/time) and peak RSS, the added amounts and the ratios, as a
# Markdown table; with the none and transformer variants, albtrace's own part (albtrace against the no-op transformer);
# writes them to benchmarks/target/startup.tsv (read by the chart, Chart.java); then checks class-data sharing (CDS)
# for each agent.
#
#   bash benchmarks/startup.sh [N]          (from anywhere; N defaults to 11, at least 5)
#
# Variants (VARIANTS="none empty transformer albtrace premain otel none-cds albtrace-cds" by default, and on a JDK with
# the AOT cache, 25 and later, also "none-aot albtrace-aot otel-aot"): no agent; albtrace as shipped; albtrace with
# every instrumentation switched off (its premain alone: what the JVM and premain cost, without any weaving);
# OpenTelemetry; also "empty": an agent whose premain does nothing (what any -javaagent costs the JVM, the floor of
# every agent), and "transformer": the same agent registering one class file transformer that changes nothing (the
# floor of every agent that changes classes as they load; common.sh says what the JVM does for it).
# albtrace-base: the agent jar BASE_AGENT (albtrace built at another commit: to measure a change, build the jar before
# it, copy it out of agent/target, and run VARIANTS="none albtrace-base albtrace" BASE_AGENT=that.jar).
# none-cds, albtrace-cds: with a dynamic AppCDS archive made by one earlier run of the application with that variant
# (-XX:ArchiveClassesAtExit; with an agent the JDK requires -XX:+AllowArchivingWithJavaAgent); albtrace-cds-none:
# albtrace with none-cds's archive, made without it (the README's way on JDK 17). VARIANT-aot (any
# variant; JDK 25): with an AOT cache made by one training run with that variant (-XX:AOTCacheOutput), as JEP 483
# and Spring Boot say; a variant whose training run fails (OpenTelemetry 2.33.1's crashes the JVM) is reported and left
# out (albtrace's failing fails the script). Ratios of a -cds or -aot variant are against no agent with its own archive
# or cache.
# Applications (APPS="small tomcat spring" by default):
#   small   io.albtrace.benchmarks.startup.SmallApp: a JDK HttpServer, one OkHttp and one JDK HttpClient request, exit
#   tomcat  io.albtrace.benchmarks.startup.TomcatApp: embedded Tomcat 10.1, a servlet that calls another with OkHttp,
#           one HttpURLConnection request to it, stop, exit
#   spring  the smoke tests' Spring Boot application (smoke-tests/spring-boot-app: Spring MVC on Tomcat 11, Logback),
#           extracted as Spring Boot's documentation says for CDS and the AOT cache (java -Djarmode=tools -jar app.jar
#           extract), run to the end of its context's refresh (-Dspring.context.exit=onRefresh), the whole process
#   webflux the smoke tests' Spring Boot WebFlux application (smoke-tests/webflux-app: WebFlux on Reactor Netty,
#           Logback), extracted and run the same way (not in the default APPS; APPS=webflux)
# Needs: mvn -B -pl agent,benchmarks,smoke-tests/spring-boot-app -am package -DskipTests (the agent jar;
# benchmarks/target/*-startup.jar, lib/ and otel/opentelemetry-javaagent.jar, which the benchmarks build fetches from
# Maven Central; the Spring Boot application's executable jar). The JDK is the one on PATH or JAVA_HOME. Never run by
# the build.
# The machine may be shared: the script prints the load average at each iteration's start (and their median and
# maximum); MAX_LOAD=3 makes each iteration wait (up to 10 minutes) until the 1-minute load average is below 3.
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
SPRING_JAR=$PWD/smoke-tests/spring-boot-app/target/albtrace-spring-front-exec.jar
WEBFLUX_JAR=$PWD/smoke-tests/webflux-app/target/albtrace-webflux-front-exec.jar
APPS=${APPS:-small tomcat spring}
if [ -n "${JAVA_HOME:-}" ]; then
    JAVA=$JAVA_HOME/bin/java
else
    JAVA=$(readlink -f "$(command -v java)")
fi
FEATURE=$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
if [ "$FEATURE" -ge 25 ]; then
    VARIANTS=${VARIANTS:-none empty transformer albtrace premain otel none-cds albtrace-cds none-aot albtrace-aot otel-aot}
else
    VARIANTS=${VARIANTS:-none empty transformer albtrace premain otel none-cds albtrace-cds}
fi
needed="$AGENT $OTEL $APP_JAR"
case " $VARIANTS " in *" albtrace-base "*) needed="$needed ${BASE_AGENT:?albtrace-base needs BASE_AGENT=jar}" ;; esac
case " $APPS " in *" spring "*) needed="$needed $SPRING_JAR" ;; esac
case " $APPS " in *" webflux "*) needed="$needed $WEBFLUX_JAR" ;; esac
for f in $needed; do
    if [ ! -f "$f" ]; then
        echo "no $f: build first (mvn -B -pl agent,benchmarks,smoke-tests/spring-boot-app,smoke-tests/webflux-app -am package -DskipTests)" >&2
        exit 2
    fi
done
# jars only (no directory): what a class-data sharing archive needs
CP=$APP_JAR$(for j in "$PWD"/benchmarks/target/lib/*.jar; do printf ':%s' "$j"; done)
OUT=${OUT:-$PWD/benchmarks/target/startup.tsv}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
case " $APPS " in
    *" spring "*)
        # the layout Spring Boot gives for CDS and the AOT cache: the application's jar with lib/ beside it
        "$JAVA" -Djarmode=tools -jar "$SPRING_JAR" extract --destination "$WORK/spring" > "$WORK/extract" 2>&1 || {
            cat "$WORK/extract" >&2
            exit 1
        } ;;
esac
case " $APPS " in
    *" webflux "*)
        "$JAVA" -Djarmode=tools -jar "$WEBFLUX_JAR" extract --destination "$WORK/webflux" > "$WORK/extract" 2>&1 || {
            cat "$WORK/extract" >&2
            exit 1
        } ;;
esac

# the class path, main class and arguments of an application (and, for spring, where its run ends)
app_args() {
    case $1 in
        small) echo "-cp $CP io.albtrace.benchmarks.startup.SmallApp" ;;
        tomcat) echo "-cp $CP io.albtrace.benchmarks.startup.TomcatApp" ;;
        spring) echo "-Dspring.context.exit=onRefresh -cp $WORK/spring/$(basename "$SPRING_JAR")
            io.albtrace.smoke.spring.SpringFrontApp --server.port=0 --back.url=http://127.0.0.1:9/back" ;;
        webflux) echo "-Dspring.context.exit=onRefresh -cp $WORK/webflux/$(basename "$WEBFLUX_JAR")
            io.albtrace.smoke.webflux.WebFluxFrontApp --server.port=0 --back.url=http://127.0.0.1:9/back" ;;
        *) echo "unknown application $1" >&2; exit 2 ;;
    esac
}

# the JVM options of a variant (and application: the -cds and -aot variants use an archive or cache made for it)
agent_opts() {
    case $1 in
        *-aot) echo "-XX:AOTCache=$WORK/$2.$1 $(agent_opts "${1%-aot}" "$2")" ;;
        none) ;;
        empty) echo "-javaagent:$EMPTY" ;;
        transformer) echo "-javaagent:$EMPTY=transformer" ;;
        none-cds) echo "-XX:SharedArchiveFile=$WORK/$2.none.jsa" ;;
        albtrace-cds-none) echo "-XX:SharedArchiveFile=$WORK/$2.none.jsa -javaagent:$AGENT" ;;
        albtrace-cds) echo "-XX:+UnlockDiagnosticVMOptions -XX:+AllowArchivingWithJavaAgent -XX:SharedArchiveFile=$WORK/$2.albtrace.jsa -javaagent:$AGENT" ;;
        albtrace) echo "-javaagent:$AGENT" ;;
        # another build of albtrace (BASE_AGENT=jar), e.g. before a change, to compare a change in one interleaved run
        albtrace-base) echo "-javaagent:$BASE_AGENT" ;;
        # albtrace's premain alone: every instrumentation off, so nothing is woven and Byte Buddy is never loaded
        premain) echo "-javaagent:$AGENT -Dalbtrace.instrumentation.okhttp.enabled=false
            -Dalbtrace.instrumentation.apache-httpclient.enabled=false -Dalbtrace.instrumentation.jdk-httpclient.enabled=false
            -Dalbtrace.instrumentation.http-url-connection.enabled=false -Dalbtrace.instrumentation.jdk-httpserver.enabled=false
            -Dalbtrace.instrumentation.servlet.enabled=false -Dalbtrace.instrumentation.executors.enabled=false
            -Dalbtrace.instrumentation.reactor.enabled=false -Dalbtrace.instrumentation.apache-httpasyncclient.enabled=false
            -Dalbtrace.instrumentation.jetty-httpclient.enabled=false -Dalbtrace.instrumentation.netty.enabled=false" ;;
        otel) echo "-javaagent:$OTEL -Dotel.traces.exporter=none -Dotel.metrics.exporter=none -Dotel.logs.exporter=none" ;;
    esac
}

# shellcheck source=common.sh
source benchmarks/common.sh
case " $VARIANTS " in
    *" empty"* | *" transformer"*) EMPTY=$(empty_agent "$WORK" "$JAVA") ;;
esac

# the name of a variant in the tables
label() {
    case $1 in
        none) echo "no agent" ;;
        premain) echo "albtrace, premain only" ;;
        empty) echo "empty agent" ;;
        transformer) echo "empty agent, no-op transformer" ;;
        otel) echo "OpenTelemetry" ;;
        albtrace-base) echo "albtrace, base build" ;;
        *) echo "$1" ;;
    esac
}

# run APP VARIANT: one timed run; wall and CPU (ms) and peak RSS (KiB) appended to $WORK/<app>.<variant>.{wall,cpu,rss}
run() {
    local app=$1 variant=$2 status=0
    # shellcheck disable=SC2046
    /usr/bin/time -f "%e %U %S %M" -o "$WORK/time" "$JAVA" $(agent_opts "$variant" "$app") $(app_args "$app") \
        > "$WORK/out" 2> "$WORK/err" || status=$?
    if [ "$status" -ne 0 ]; then
        echo "$app ($variant) failed with exit code $status:" >&2
        tail -20 "$WORK/err" >&2
        exit 1
    fi
    if [ "$app" = spring ] || [ "$app" = webflux ]; then
        # it makes no request: it ran when Spring Boot started it (the smoke tests check the chain)
        if ! grep -q 'Starting SpringFrontApp\|Starting WebFluxFrontApp' "$WORK/out"; then
            echo "$app ($variant) did not run" >&2
            exit 1
        fi
    else
        # the agent under measurement worked: albtrace's header arrived; none (and OpenTelemetry's default
        # propagators) sent none
        local seen
        seen=$(grep '^seen ' "$WORK/out")
        case $variant in
            albtrace | albtrace-*) if ! echo "$seen" | grep -q 'Root=1-'; then echo "$app: albtrace sent no header: $seen" >&2; exit 1; fi ;;
            none | none-* | premain | empty | empty-* | transformer | transformer-*) if echo "$seen" | grep -q 'Root='; then echo "$app: a header without an agent: $seen" >&2; exit 1; fi ;;
        esac
    fi
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
        *" none-cds "* | *" albtrace-cds-none "*)
            # shellcheck disable=SC2046
            "$JAVA" -XX:ArchiveClassesAtExit="$WORK/$app.none.jsa" $(app_args "$app") >/dev/null 2>&1 ;;
    esac
    case " $VARIANTS " in
        *" albtrace-cds "*)
            # shellcheck disable=SC2046
            "$JAVA" -XX:+UnlockDiagnosticVMOptions -XX:+AllowArchivingWithJavaAgent \
                -XX:ArchiveClassesAtExit="$WORK/$app.albtrace.jsa" -javaagent:"$AGENT" $(app_args "$app") \
                >/dev/null 2>&1 ;;
    esac
done
# The -aot variants: an AOT cache from one training run of the application with that variant (-XX:AOTCacheOutput:
# the JVM records the run, then starts a second JVM with the same options that writes the cache). A training run
# that fails leaves its variant out, said here and under the table.
FAILED=$WORK/failed
: > "$FAILED"
for variant in $VARIANTS; do
    case $variant in *-aot) ;; *) continue ;; esac
    for app in $APPS; do
        status=0
        # shellcheck disable=SC2046
        "$JAVA" -XX:AOTCacheOutput="$WORK/$app.$variant" $(agent_opts "${variant%-aot}" "$app") $(app_args "$app") \
            > "$WORK/train.$app.$variant" 2>&1 || status=$?
        if [ "$status" -ne 0 ] || [ ! -s "$WORK/$app.$variant" ]; then
            frame=$(grep -A1 'Problematic frame:' "$WORK/train.$app.$variant" | tail -1 | sed 's/^# *//; s/  */ /g')
            reason="$app: exit $status${frame:+, crashed in $frame}"
            echo "$variant: the training run failed ($reason), no cache" >&2
            case $variant in
                albtrace*) tail -20 "$WORK/train.$app.$variant" >&2; exit 1 ;;
            esac
            printf '%s\t%s\n' "$variant" "$reason" >> "$FAILED"
        fi
    done
done
while IFS=$'\t' read -r variant reason; do
    VARIANTS=$(echo " $VARIANTS " | sed "s/ $variant / /; s/^ *//; s/ *$//")
done < "$FAILED"
LOADS=$WORK/loads
for i in $(seq "$N"); do
    if [ -n "${MAX_LOAD:-}" ]; then
        waited=0
        while awk -v l="$(cut -d' ' -f1 /proc/loadavg)" -v m="$MAX_LOAD" 'BEGIN { exit !(l >= m) }' && [ "$waited" -lt 600 ]; do
            sleep 10
            waited=$((waited + 10))
        done
        if [ "$waited" -gt 0 ]; then
            echo "(iteration $i waited $waited s for the load average to fall below $MAX_LOAD)"
        fi
    fi
    cut -d' ' -f1 /proc/loadavg >> "$LOADS"
    # each iteration starts one variant further on, so that none always follows the same one (OpenTelemetry's long
    # runs leave the machine's load higher for the next)
    # shellcheck disable=SC2086
    set -- $VARIANTS
    shift $(((i - 1) % $#))
    order="$* ${VARIANTS%"$*"}"
    for app in $APPS; do
        for variant in $order; do
            run "$app" "$variant"
        done
    done
done
echo "(load average $(cut -d' ' -f1-3 /proc/loadavg) at the end; 1-minute load at the iterations' start: median" \
    "$(median "$LOADS"), max $(sort -n "$LOADS" | tail -1), each: $(tr '\n' ' ' < "$LOADS" | sed 's/ $//'))"
echo
echo "Ratios and added amounts are against no agent; for a variant with an AppCDS archive or an AOT cache, against no"
echo "agent with its own archive or cache."
while IFS=$'\t' read -r variant reason; do
    echo "Left out: $variant, its training run failed ($reason)."
done < "$FAILED"
echo
echo "| application | agent | wall, ms | added wall | wall ratio | CPU user+sys, ms | added CPU | CPU ratio | peak RSS, MiB | added RSS |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
printf 'app\tagent\twall_ms\tcpu_ms\trss_kib\tbase_wall_ms\tbase_cpu_ms\tbase_rss_kib\tjava\n' > "$OUT"
for app in $APPS; do
    for variant in $VARIANTS; do
        base=none
        case $variant in
            *-cds | *-cds-none) [ -f "$WORK/$app.none-cds.wall" ] && base=none-cds ;;
            *-aot) [ -f "$WORK/$app.none-aot.wall" ] && base=none-aot ;;
        esac
        base_wall=$(median "$WORK/$app.$base.wall")
        base_cpu=$(median "$WORK/$app.$base.cpu")
        base_rss=$(median "$WORK/$app.$base.rss")
        wall=$(median "$WORK/$app.$variant.wall")
        cpu=$(median "$WORK/$app.$variant.cpu")
        rss=$(median "$WORK/$app.$variant.rss")
        label=$(label "${variant%-aot}")
        case $variant in
            none-cds) label="no agent, AppCDS archive" ;;
            albtrace-cds) label="albtrace, AppCDS archive" ;;
            albtrace-cds-none) label="albtrace, AppCDS archive made without it" ;;
            *-aot) label="$label, AOT cache" ;;
        esac
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$app" "$label" "$wall" "$cpu" "$rss" "$base_wall" "$base_cpu" \
            "$base_rss" "$FEATURE" >> "$OUT"
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
echo "| application | agent | classes loaded | of them from the CDS archive or AOT cache | \"only supported for boot loader classes\" |"
echo "| --- | --- | ---: | ---: | --- |"
for app in $APPS; do
    for variant in $VARIANTS; do
        aot=""
        case $variant in *-aot) aot="-Xlog:aot=info" ;; esac
        # shellcheck disable=SC2046
        "$JAVA" -Xlog:cds=info $aot -Xlog:class+load=info $(agent_opts "$variant" "$app") \
            $(app_args "$app") > "$WORK/cds" 2>&1 || true
        if [ -n "$aot" ] && ! grep -q 'Using AOT-linked classes: true' "$WORK/cds"; then
            echo "$app ($variant): the JVM did not use the AOT cache:" >&2
            grep -m5 '\[aot\].*\(error\|[Uu]nable\|[Mm]ismatch\|disabled\)' "$WORK/cds" >&2 || true
            exit 1
        fi
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
