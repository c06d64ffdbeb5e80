"""Backend options of the command line: ``--backend``, ``--milvus-uri``, ``--milvus-token``,
``--collection`` (or POLICY_SEARCH_MILVUS_URI / _TOKEN, POLICY_SEARCH_COLLECTION) and ``export``."""

from __future__ import annotations

import argparse


def _usage(message: str) -> Exception:
    from .cli import UsageError

    return UsageError(message)


def _milvus_target(args: argparse.Namespace):
    """The Milvus target of ``--backend milvus`` / ``--milvus-uri`` or the environment, else None."""
    from .store.milvus import MilvusTarget, target_from_env

    env = target_from_env()
    uri = args.milvus_uri or (env.uri if env else "")
    if args.backend == "embedded" or (args.backend is None and not uri):
        return None
    if not uri:
        raise _usage("--backend milvus needs --milvus-uri (or POLICY_SEARCH_MILVUS_URI)")
    token = args.milvus_token or (env.token if env else "")
    collection = args.collection or (env.collection if env else "policy_search")
    return MilvusTarget(uri, token, collection)


def cmd_export(args: argparse.Namespace) -> int:
    """Copy an embedded index folder into Milvus (its stored vectors: no re-embedding)."""
    from .store.index import IndexNotReady
    from .store.milvus_build import export_to_milvus

    args.backend = "milvus"
    target = _milvus_target(args)
    try:
        upserted, deleted = export_to_milvus(args.index, target)
    except IndexNotReady as exc:
        raise _usage(str(exc)) from None
    print(f"exported {args.index} to {target.label()}: upserted {upserted} chunks, deleted {deleted}")
    return 0


def _add_backend(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--backend", choices=["embedded", "milvus"], help="default: milvus when a Milvus URI is given"
    )
    parser.add_argument(
        "--milvus-uri", help="milvus-lite file (x.db) or http://host:19530 [POLICY_SEARCH_MILVUS_URI]"
    )
    parser.add_argument("--milvus-token", help="user:password or API key [POLICY_SEARCH_MILVUS_TOKEN]")
    parser.add_argument(
        "--collection", help="collection name (default policy_search) [POLICY_SEARCH_COLLECTION]"
    )
