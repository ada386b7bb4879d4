#!/usr/bin/env bash
# Makes sure this machine can build albtrace: a JDK (17 or newer) and Maven. On a fresh Debian/Ubuntu
# machine it installs them with apt (as root, or through sudo). Sourced by demo.sh and test.sh.
set -euo pipefail

need_install=()
command -v javac >/dev/null 2>&1 || need_install+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || need_install+=(maven)
if [ ${#need_install[@]} -gt 0 ]; then
  echo "[setup] installing ${need_install[*]} with apt-get"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${need_install[@]}"
fi
# No pipes into head here: under pipefail, a writer cut off by head's exit (SIGPIPE) fails the script.
java_version=$(java -version 2>&1 || true)
# Maven 3.8 (Debian's) starts its lines with a colour reset, ESC[0m, even in batch mode: taken out of [setup] lines.
maven_version=$(mvn -B -v 2>/dev/null | sed 's/\x1b\[[0-9;]*m//g' || true)
echo "[setup] java: ${java_version%%$'\n'*}"
echo "[setup] ${maven_version%%$'\n'*}"
if [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]; then
  echo "[setup] Temurin 25 found: module tests run on JDK 17 and again on JDK 25"
else
  echo "[setup] Temurin 25 not found at /usr/lib/jvm/temurin-25-jdk-amd64: module tests run on the default JDK only"
fi
