#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed for the browser tests (playwright-core drives it;
# `npx playwright install` cannot download browsers here). Safe to run when it is there.
set -euo pipefail

CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then exit 0; fi
if ! command -v apt-get >/dev/null; then
  echo "ensure-chromium: no $CHROMIUM and no apt-get; install Chromium and set CHROMIUM_PATH" >&2
  exit 1
fi
echo "ensure-chromium: installing chromium (about 80 s)"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
