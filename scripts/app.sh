#!/usr/bin/env bash
# Start the browser search page: installs the runtime requirements, then `streamlit run app.py`.
# The page builds the index from corpus/ on first start if there is none (about 30 s).
# Extra arguments go to streamlit, e.g. `bash scripts/app.sh --server.port 8600`.
set -euo pipefail
cd "$(dirname "$0")/.."
# Install only when a pinned requirement is missing or at another version (pip costs ~3 s).
if ! python - <<'PY'
import re, sys
from importlib.metadata import PackageNotFoundError, version
for line in open("requirements.txt", encoding="utf-8"):
    m = re.match(r"\s*([A-Za-z0-9_.-]+)==([^\s#]+)", line)
    if m:
        try:
            if version(m.group(1)) != m.group(2):
                sys.exit(1)
        except PackageNotFoundError:
            sys.exit(1)
PY
then
  python -m pip install --quiet --disable-pip-version-check -r requirements.txt
fi
exec python -m streamlit run app.py "$@"  # settings: .streamlit/config.toml
