#!/usr/bin/env bash
# Start the browser search page: installs the runtime requirements, then `streamlit run app.py`.
# The page builds the index from corpus/ on first start if there is none (about 15 s).
# Extra arguments go to streamlit, e.g. `bash scripts/app.sh --server.port 8600`.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install --quiet --disable-pip-version-check -r requirements.txt
exec python -m streamlit run app.py \
  --browser.gatherUsageStats false \
  --client.toolbarMode minimal \
  --theme.base light \
  --theme.primaryColor "#1d4ed8" \
  "$@"
