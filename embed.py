"""Build or update the search index from corpus/: ``python embed.py [--encoder NAME]``.

A thin wrapper over ``policy-search build`` (same options): only new or changed chunks are
embedded (content-hash cache); the new index is swapped in atomically, so an interrupted build
leaves the previous one usable.
"""

from __future__ import annotations

import sys

from policy_search.cli import main

if __name__ == "__main__":
    sys.exit(main(["build", *sys.argv[1:]], prog="python embed.py build"))
