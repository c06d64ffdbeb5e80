"""Question → ranked hits: ``retrieval`` (SearchEngine, Filters, Hit), ``fusion``, ``query`` and
``names`` (what a question names), ``relevance`` (the calibrated score), ``glossary``."""

from .retrieval import Filters, Hit, SearchEngine

__all__ = ["Filters", "Hit", "SearchEngine"]
