#!/usr/bin/env bash
# Runs every test: unit and module tests (JDK 17, and Temurin 25 when installed), then the smoke tests
# that start separate JVMs with the built agent jar, and the container smoke tests (ContainersIT: the test
# applications in Podman containers with the agent layer). This is what CI runs (.ci/run).
# ALBTRACE_CONTAINERS=0 leaves Podman alone and skips the container smoke tests.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
containers=()
case "${ALBTRACE_CONTAINERS:-1}" in
  0|false|no|off)
    echo "[setup] ALBTRACE_CONTAINERS=${ALBTRACE_CONTAINERS}: no Podman set-up, the container smoke tests are skipped"
    ;;
  *)
    bash scripts/setup-podman.sh
    containers=(-Pcontainers)
    if [ -n "${ALBTRACE_BASE_IMAGE:-}" ]; then
      containers+=("-Dalbtrace.smoke.base.image=$ALBTRACE_BASE_IMAGE")
    fi
    ;;
esac
mvn -B verify "${containers[@]}" "$@"
