#!/usr/bin/env bash
# Install everything the tests need, then run lint and the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
# The browser test (tests/e2e) drives the system Chromium and needs a CJK font. Install them
# only when missing (CI runs this as root on a fresh clone); elsewhere that test is skipped.
if [ ! -x /usr/bin/chromium ] || [ ! -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing chromium and fonts-wqy-microhei for the browser test" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq </dev/null
    apt-get install -y -qq chromium fonts-wqy-microhei </dev/null >/dev/null
  else
    echo "note: /usr/bin/chromium or the CJK font is missing; the browser test will be skipped" >&2
  fi
fi
python -m ruff check .
python -m ruff format --check .
python -m pytest -q "$@"
