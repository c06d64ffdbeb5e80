"""Build or update the search index from corpus/: ``python embed.py [--encoder NAME]``.

Only new or changed chunks are embedded (content-hash cache); the new index is swapped in
atomically, so an interrupted build leaves the previous one usable.
"""

from __future__ import annotations

import argparse
import sys

from policy_search.encoders import ENCODER_CHOICES, EncoderError
from policy_search.index import BuildLocked, EmptyCorpus, build_index
from policy_search.metadata import CatalogError
from policy_search.settings import Settings


def main(argv: list[str] | None = None) -> int:
    defaults = Settings()
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", default="corpus", help="folder of policy texts (default: corpus)")
    parser.add_argument("--index", default="index", help="index folder (default: index)")
    parser.add_argument(
        "--encoder",
        default=defaults.encoder,
        help=f"encoder name (default: {defaults.encoder}); choices: {', '.join(ENCODER_CHOICES)}",
    )
    parser.add_argument("--batch-size", type=int, default=defaults.batch_size)
    parser.add_argument("--device", default=defaults.device, help="for st: encoders, e.g. cpu or cuda")
    parser.add_argument("--query-prompt", default=defaults.query_prompt, help="st: encoders only")
    parser.add_argument("--passage-prompt", default=defaults.passage_prompt, help="st: encoders only")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    settings = Settings(
        encoder=args.encoder,
        batch_size=args.batch_size,
        device=args.device,
        query_prompt=args.query_prompt,
        passage_prompt=args.passage_prompt,
    )
    try:
        report = build_index(args.corpus, args.index, settings, progress=not args.quiet)
    except KeyboardInterrupt:
        print("interrupted: the previous index (if any) is unchanged", file=sys.stderr)
        return 130
    except (EncoderError, BuildLocked, CatalogError, EmptyCorpus, FileNotFoundError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(report.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
