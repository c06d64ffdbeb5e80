"""Check that every judged chunk still exists, re-resolving ids through anchor texts.

Qrels are keyed by chunk id, and ids change when the chunker changes. Each judged chunk also
has a short verbatim anchor (``eval/anchors.jsonl``). ``python eval/anchors.py`` finds the one
current chunk containing each anchor and fails, listing them, if any judgement no longer
resolves (anchor found nowhere or in several chunks). ``--fix`` rewrites qrels and anchors
to the re-resolved ids when every anchor resolves.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass

from common import ANCHORS, QRELS, REPO, load_qrels

from policy_search.ingest.corpus import load_corpus
from policy_search.records import Chunk


@dataclass(frozen=True)
class Resolution:
    old_id: str
    anchor: str
    new_ids: tuple[str, ...]  # chunks containing the anchor now

    @property
    def ok(self) -> bool:
        return len(self.new_ids) == 1


def load_anchors() -> dict[str, str]:
    rows = [json.loads(line) for line in ANCHORS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {r["chunk_id"]: r["anchor"] for r in rows}


def resolve(chunks: list[Chunk], anchors: dict[str, str], judged: set[str]) -> list[Resolution]:
    out = []
    for chunk_id in sorted(judged):
        anchor = anchors.get(chunk_id, "")
        found = tuple(c.chunk_id for c in chunks if anchor and anchor in c.text)
        out.append(Resolution(chunk_id, anchor, found))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--fix", action="store_true", help="rewrite qrels/anchors to the current ids")
    args = parser.parse_args()
    chunks = load_corpus(REPO / "corpus").chunks
    qrels = load_qrels()
    judged = {doc for docs in qrels.values() for doc in docs}
    results = resolve(chunks, load_anchors(), judged)
    broken = [r for r in results if not r.ok]
    moved = [r for r in results if r.ok and r.new_ids[0] != r.old_id]
    for r in broken:
        where = (
            "no anchor recorded" if not r.anchor else f"anchor {r.anchor!r} found in {len(r.new_ids)} chunks"
        )
        print(f"UNRESOLVED {r.old_id}: {where} {list(r.new_ids)[:3]}", file=sys.stderr)
    for r in moved:
        print(f"moved {r.old_id} -> {r.new_ids[0]}")
    if broken:
        print(
            f"{len(broken)} of {len(results)} judged chunks do not resolve; fix eval/anchors.jsonl",
            file=sys.stderr,
        )
        return 1
    if moved and args.fix:
        mapping = {r.old_id: r.new_ids[0] for r in moved}
        lines = []
        for line in QRELS.read_text(encoding="utf-8").splitlines():
            if line.strip():
                qid, zero, doc, rel = line.split()
                lines.append(f"{qid} {zero} {mapping.get(doc, doc)} {rel}")
        QRELS.write_text("\n".join(lines) + "\n", encoding="utf-8")
        anchors = {mapping.get(k, k): v for k, v in load_anchors().items()}
        ANCHORS.write_text(
            "".join(
                json.dumps({"chunk_id": k, "anchor": v}, ensure_ascii=False) + "\n"
                for k, v in anchors.items()
            ),
            encoding="utf-8",
        )
        print(f"rewrote {len(mapping)} ids in qrels and anchors")
    elif moved:
        print(f"{len(moved)} judged chunks changed id; run with --fix to update qrels", file=sys.stderr)
        return 1
    print(f"all {len(results)} judged chunks resolve")
    return 0


if __name__ == "__main__":
    sys.exit(main())
