#!/usr/bin/env bash
# Install Debian's chromium for the browser tests (tests/test_ldavis_browser.py).
# Idempotent: does nothing when /usr/bin/chromium already exists. Quiet: apt output goes
# to a log that is printed only on failure. Needs root (or sudo) for apt-get.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
export DEBIAN_FRONTEND=noninteractive
# update first: a fresh image has empty package lists and apt-get install would 404
if ! { $SUDO apt-get update -qq && \
       $SUDO apt-get install -y -qq --no-install-recommends chromium; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "install-chromium.sh: apt-get failed" >&2
    exit 1
fi

test -x /usr/bin/chromium
