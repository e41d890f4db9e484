#!/usr/bin/env bash
# Makes sure the Temporal CLI (which embeds the dev server the tests start) is installed, and prints
# the absolute path of the binary on stdout. Everything else goes to stderr, so callers can write
#   TEMPORAL_BIN="$(bash scripts/ensure-temporal.sh)"
#
# Order: `temporal` on PATH, then $GOBIN, then $(go env GOPATH)/bin. Only when none has it does it
# run `go install` of the pinned version (v1.5.1 is the newest tag that installs with go install).
set -euo pipefail

readonly TEMPORAL_CLI_VERSION='v1.5.1'
readonly TEMPORAL_CLI_PACKAGE='github.com/temporalio/cli/cmd/temporal'

log() { printf 'ensure-temporal: %s\n' "$*" >&2; }

go_bin_dir() {
  local gobin
  gobin="$(go env GOBIN)"
  if [[ -n "$gobin" ]]; then
    printf '%s\n' "$gobin"
  else
    # GOPATH may be a list; go install writes to the first entry.
    printf '%s/bin\n' "$(go env GOPATH | cut -d: -f1)"
  fi
}

find_temporal() {
  local found
  if found="$(command -v temporal 2>/dev/null)" && [[ -x "$found" ]]; then
    printf '%s\n' "$found"
    return 0
  fi
  if command -v go >/dev/null 2>&1; then
    found="$(go_bin_dir)/temporal"
    if [[ -x "$found" ]]; then
      printf '%s\n' "$found"
      return 0
    fi
  fi
  return 1
}

if bin="$(find_temporal)"; then
  printf '%s\n' "$bin"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  log "no temporal binary on PATH and no Go toolchain to install it with."
  log "install Go (https://go.dev/dl/) or the Temporal CLI (https://docs.temporal.io/cli), then retry."
  exit 1
fi

bin_dir="$(go_bin_dir)"
mkdir -p "$bin_dir"

# Two callers at once (say two CI steps) must not build twice on a small machine: take a lock, and
# look again once we hold it, since the other caller may have finished the install meanwhile.
exec 9>"$bin_dir/.ensure-temporal.lock"
if command -v flock >/dev/null 2>&1; then
  flock 9
fi
if bin="$(find_temporal)"; then
  printf '%s\n' "$bin"
  exit 0
fi

log "installing ${TEMPORAL_CLI_PACKAGE}@${TEMPORAL_CLI_VERSION} into ${bin_dir} (takes a few minutes without a Go build cache)"
started=$SECONDS
CGO_ENABLED=0 go install "${TEMPORAL_CLI_PACKAGE}@${TEMPORAL_CLI_VERSION}" >&2
log "installed in $((SECONDS - started)) s: $("$bin_dir/temporal" --version)"
printf '%s\n' "$bin_dir/temporal"
