"""Hits → an answer: ``answer`` (sentence scoring, found / not found), ``evidence`` (whole
statements and their stored vectors), ``asks`` (what a question asks for), ``comparison``
(one row per plan), ``llm`` (the optional chat endpoint)."""

from .answer import Answer, AnswerItem, answer
from .comparison import ComparisonRow
from .llm import GenerationError, LLMConfig

__all__ = ["Answer", "AnswerItem", "ComparisonRow", "GenerationError", "LLMConfig", "answer"]
