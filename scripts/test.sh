#!/usr/bin/env bash
# Install everything the tests need, then run lint and the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
python -m ruff check .
python -m pytest -q "$@"
