#!/usr/bin/env bash
# Runs every test: unit and module tests (JDK 17, and Temurin 25 when installed), then the smoke tests
# that start separate JVMs with the built agent jar, and the container smoke tests (ContainersIT: the test
# applications in Podman containers with the agent layer). This is what CI runs (.ci/run). Extra arguments go to mvn.
# ALBTRACE_CONTAINERS says what to do about the container smoke tests:
#   auto (the default) set Podman up with scripts/setup-podman.sh where that is possible (Podman works already, or
#        root or passwordless sudo, with apt-get) and run them; else skip them, saying why here and in the test
#        report (ContainersIT's tests are reported skipped with the reason);
#   1    strict (CI): they must run; a set-up failure fails this script;
#   0    off: Podman is left alone and the tests are reported skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
containers=()
skip_reason=""
mode=${ALBTRACE_CONTAINERS:-auto}
case "$mode" in
  0|false|no|off)
    skip_reason="ALBTRACE_CONTAINERS=$mode: Podman left alone, the container smoke tests are off"
    ;;
  1|true|yes|on|auto)
    status=0
    errors=$(mktemp)
    # its stderr shown as it comes and kept, for the reason of a failure
    { bash scripts/setup-podman.sh 2>&1 1>&3 3>&- | tee "$errors" >&2; } 3>&1 || status=$?
    if [ "$status" -eq 0 ]; then
      containers=(-Pcontainers)
      if [ -n "${ALBTRACE_BASE_IMAGE:-}" ]; then
        containers+=("-Dalbtrace.smoke.base.image=$ALBTRACE_BASE_IMAGE")
      fi
    else
      why=$(grep '^\[setup\] ERROR:' "$errors" | tail -n 1 | sed 's/^\[setup\] ERROR: //')
      why=${why:-scripts/setup-podman.sh failed (exit $status)}
      if [ "$mode" != auto ]; then
        rm -f "$errors"
        echo "[setup] ERROR: ALBTRACE_CONTAINERS=$mode requires the container smoke tests, but Podman could not be set up: $why" >&2
        exit 1
      fi
      skip_reason="Podman could not be set up here ($why); ALBTRACE_CONTAINERS=auto skips the container smoke tests"
    fi
    rm -f "$errors"
    ;;
  *)
    echo "[setup] ERROR: ALBTRACE_CONTAINERS=$mode: expected auto, 1 or 0" >&2
    exit 2
    ;;
esac

banner() {
  if [ -n "$skip_reason" ]; then
    echo "[setup] ############################################################################################"
    echo "[setup] # CONTAINER SMOKE TESTS SKIPPED (ContainersIT): $skip_reason"
    echo "[setup] ############################################################################################"
  fi
}
if [ -n "$skip_reason" ]; then
  banner
  # ContainersIT reports its tests skipped with this reason (failsafe passes -D user properties on to the tests).
  containers=("-Dalbtrace.smoke.containers.skipped=$skip_reason")
fi
status=0
mvn -B verify ${containers[@]+"${containers[@]}"} "$@" || status=$?
banner # again at the end, where it is seen
exit "$status"
