"""The scale benchmark (``python eval/bench_scale.py``), in parts.

``build``    generated corpus (``eval/scale_corpus.py``) → index folder via the library's writer
``vectors``  pool-text embeddings and each chunk's approximated vector
``runner``   one corpus size, in its own process
``measure``  FAISS-alone sweeps, engine latency, thread settings, filters, step breakdown
``choose``   recommended HNSW parameters and exact/HNSW threshold
``report`` / ``notes`` / ``chart``  scale.md, its prose and README table, scale.png

Modules import ``common`` and ``scale_corpus`` from ``eval/``: run from a script in ``eval/``.
"""
