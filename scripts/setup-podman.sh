#!/usr/bin/env bash
# Makes this machine able to run the container smoke tests (smoke-tests/.../ContainersIT) with Podman, the way
# ../shared/CONTAINERS.md describes it, and does only what is missing: where Podman already works it changes nothing
# and costs a few seconds.
#   1. podman, runc and debootstrap, installed with apt-get when one of them is not installed;
#   2. the base image with a JRE (no registry is reachable: no FROM eclipse-temurin), made with debootstrap from
#      the Debian mirror apt already uses for $SUITE and `podman import`, when `podman image exists` says it is not there;
#   3. a probe, `podman run --rm <base image> true`. Only when it fails is Podman's configuration changed, and then
#      with a drop-in of its own, /etc/containers/containers.conf.d/albtrace.conf (runc as the runtime: crun fails
#      here, "cgroups in hybrid mode not supported"; no default ulimits: else every run fails, "setrlimit
#      RLIMIT_NOFILE: Operation not permitted"). Podman reads containers.conf.d after containers.conf
#      (containers.conf(5)); the user's own /etc/containers/containers.conf is never edited;
#   4. a check that a container runs a JRE: `podman run --rm <base image> java -version`.
# Every external command is bounded with timeout. Needs root, or sudo without a password, only for what steps 1-3
# have to do (apt, debootstrap, /etc/containers).
# Exit status: 0 ready; 3 not possible here (not root and no passwordless sudo, or no apt-get): nothing was tried;
# 1 a step failed. The reason is on stderr, in the last line starting with "[setup] ERROR:".
# Called by scripts/test.sh (see ALBTRACE_CONTAINERS there). Override the image name with ALBTRACE_BASE_IMAGE.
# `bash scripts/test-setup-podman.sh` checks the mirror detection against fake apt source files.
set -euo pipefail

BASE_IMAGE=${ALBTRACE_BASE_IMAGE:-localhost/albtrace-base-jre17:latest}
DROP_IN_DIR=/etc/containers/containers.conf.d
DROP_IN=$DROP_IN_DIR/albtrace.conf
SUITE=bookworm
DEFAULT_MIRROR=http://deb.debian.org/debian
# Bounds: apt and debootstrap download (a slow mirror), podman's metadata commands should answer in seconds.
LONG=900
SHORT=120
APT_OPTS=(-o Acquire::http::Timeout=30 -o Acquire::https::Timeout=30 -o Acquire::Retries=3)

say() { echo "[setup] $*"; }
# How a bounded command ended, for messages: "exit N", or that timeout killed it.
ended() { if [ "$1" -eq 124 ]; then echo "timed out after $2 s"; else echo "exit $1"; fi; }
# die [STATUS] MESSAGE: 1 for a failed step, 3 for "not possible on this machine".
die() {
  local status=1
  if [ "$#" -gt 1 ]; then status=$1; shift; fi
  echo "[setup] ERROR: $*" >&2
  exit "$status"
}

# The first URI of an apt source for Debian suite $1 (exactly that suite, not $1-security or $1-updates), from
# one-line files (sources.list, *.list: "deb [options] URI SUITE COMPONENTS...") and deb822 files (*.sources:
# stanzas of "Types:", "URIs:", "Suites:", "Enabled:"), read in the order given as $2...; prints nothing when none
# matches. Other vendors' repositories (adoptium, docker, ...) name other suites and are passed over.
mirror_for_suite() {
  local suite=$1 f
  shift
  for f in "$@"; do
    [ -r "$f" ] || continue
    case "$f" in
      *.sources)
        awk -v suite="$suite" '
          function flush() {
            if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " suite " ") && enabled !~ /^(no|false|0)$/ && uri != "") {
              print uri; found = 1; exit }
            types = ""; suites = ""; uri = ""; enabled = "" }
          /^[[:space:]]*#/ { next }
          /^[[:space:]]*$/ { flush(); next }
          /^[^[:space:]]/ {
            key = tolower($1); v = $0; sub(/^[^:]*:[[:space:]]*/, "", v); sub(/[[:space:]]+$/, "", v); gsub(/[[:space:]]+/, " ", v)
            if (key == "types:") types = v
            else if (key == "suites:") suites = v
            else if (key == "uris:") { split(v, u, " "); uri = u[1] }
            else if (key == "enabled:") enabled = tolower(v) }
          END { if (!found) flush() }' "$f"
        ;;
      *)
        awk -v suite="$suite" '
          $1 == "deb" {
            i = 2
            if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
            if ($(i + 1) == suite && $i ~ /^(https?|ftp|file):/) { print $i; exit } }' "$f"
        ;;
    esac | { IFS= read -r uri && echo "$uri"; } && return 0
  done
  return 0
}

# The mirror for debootstrap: the one apt uses for $SUITE on this machine, else Debian's redirector.
detect_mirror() {
  local root=${1:-} files=() m
  [ -e "$root/etc/apt/sources.list" ] && files+=("$root/etc/apt/sources.list")
  for m in "$root"/etc/apt/sources.list.d/*.list "$root"/etc/apt/sources.list.d/*.sources; do
    [ -e "$m" ] && files+=("$m")
  done
  m=$(mirror_for_suite "$SUITE" ${files[@]+"${files[@]}"})
  echo "${m:-$DEFAULT_MIRROR}"
}

# Sourced (by scripts/test-setup-podman.sh): the functions only.
if [ "${BASH_SOURCE[0]}" != "$0" ]; then
  return 0
fi

# Root is needed only for what is missing (apt, debootstrap, /etc/containers): then root, or sudo without a password.
SUDO=()
need_root() {
  [ "$(id -u)" -eq 0 ] && return 0
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
  else
    die 3 "not root, and sudo is not available without a password, $*"
  fi
}
as_root() { "${SUDO[@]}" "$@"; }

# 1. Packages.
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
missing=()
for p in podman runc debootstrap; do
  if command -v dpkg-query >/dev/null 2>&1; then
    installed "$p" || missing+=("$p")
  else
    command -v "$p" >/dev/null 2>&1 || [ -x "/usr/sbin/$p" ] || missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  command -v apt-get >/dev/null 2>&1 || die 3 "${missing[*]} missing and there is no apt-get to install them"
  need_root "to install ${missing[*]} with apt-get"
  say "installing ${missing[*]} with apt-get"
  status=0
  as_root timeout "$LONG" apt-get "${APT_OPTS[@]}" update -q || status=$?
  [ "$status" -eq 0 ] || die "apt-get update failed ($(ended "$status" "$LONG"))"
  as_root env DEBIAN_FRONTEND=noninteractive timeout "$LONG" apt-get "${APT_OPTS[@]}" install -y -q \
    podman runc debootstrap || status=$?
  [ "$status" -eq 0 ] || die "apt-get install podman runc debootstrap failed ($(ended "$status" "$LONG"))"
else
  say "podman, runc and debootstrap are installed"
fi
command -v podman >/dev/null 2>&1 || die "podman is still not on the PATH after installing it"
version=$(timeout "$SHORT" podman --version 2>&1) || die "podman --version failed: $version"
say "$version"

# 2. The base image: Debian $SUITE (minbase) with openjdk-17-jre-headless, from the mirror apt uses.
exists=0
timeout "$SHORT" podman image exists "$BASE_IMAGE" || exists=$?
if [ "$exists" -eq 0 ]; then
  say "base image $BASE_IMAGE exists: reused"
elif [ "$exists" -ne 1 ]; then
  die "podman image exists $BASE_IMAGE failed ($(ended "$exists" "$SHORT")): podman does not work here"
else
  need_root "to build the base image's root file system with debootstrap"
  mirror=$(detect_mirror)
  rootfs=$(mktemp -d /var/tmp/albtrace-rootfs.XXXXXX)
  trap 'as_root rm -rf "$rootfs"' EXIT
  say "building base image $BASE_IMAGE: debootstrap $SUITE with openjdk-17-jre-headless from $mirror (about a minute)"
  started=$SECONDS
  as_root timeout "$LONG" debootstrap --variant=minbase --include=openjdk-17-jre-headless "$SUITE" "$rootfs" "$mirror" \
    > "$rootfs.log" 2>&1 || { tail -n 20 "$rootfs.log" >&2; die "debootstrap failed (log above, full log in $rootfs.log)"; }
  as_root rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  as_root tar -C "$rootfs" -c . | timeout "$SHORT" podman import -q --change 'CMD ["java", "-version"]' \
    --message "albtrace base: Debian $SUITE minbase with openjdk-17-jre-headless (scripts/setup-podman.sh)" \
    - "$BASE_IMAGE" >/dev/null || die "podman import of the debootstrap root file system failed"
  rm -f "$rootfs.log"
  say "base image $BASE_IMAGE built in $((SECONDS - started)) s"
fi

# 3. Does a container run as Podman is configured now? Only if not, add our drop-in and try again.
probe() { timeout "$SHORT" podman run --rm "$BASE_IMAGE" true 2>&1; }
if out=$(probe); then
  say "podman run works as configured: Podman's configuration left as it is"
else
  say "podman run --rm $BASE_IMAGE true failed: ${out%%$'\n'*}"
  if [ -e "$DROP_IN" ]; then
    echo "$out" >&2
    die "podman run fails although $DROP_IN is there (output above)"
  fi
  need_root "to write $DROP_IN"
  say "writing $DROP_IN: runtime runc, no default ulimits (read after /etc/containers/containers.conf, which is left as it is)"
  as_root mkdir -p "$DROP_IN_DIR"
  printf '# Written by albtrace scripts/setup-podman.sh because `podman run` failed without it; delete to undo.\n[containers]\ndefault_ulimits = []\n[engine]\nruntime = "runc"\n' \
    | as_root tee "$DROP_IN" >/dev/null || die "cannot write $DROP_IN"
  if ! out=$(probe); then
    echo "$out" >&2
    die "podman run --rm $BASE_IMAGE true still fails with $DROP_IN (output above)"
  fi
fi

# 4. A container runs, with a JRE.
if ! out=$(timeout "$SHORT" podman run --rm "$BASE_IMAGE" java -version 2>&1); then
  echo "$out" >&2
  die "podman run --rm $BASE_IMAGE java -version failed (output above)"
fi
say "podman run works: ${out%%$'\n'*}"
