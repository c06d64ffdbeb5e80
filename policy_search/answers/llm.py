"""The optional generated answer: an OpenAI-compatible chat endpoint writes a short Chinese
answer only from the extracted sentences, citing them as [1], [2] …; if it fails, the
extractive answer stands."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any


class GenerationError(Exception):
    """The chat endpoint failed; the message is one line for the user."""


@dataclass(frozen=True)
class LLMConfig:
    """An OpenAI-compatible chat endpoint, e.g. http://localhost:11434/v1 (Ollama) or vLLM."""

    endpoint: str
    model: str
    api_key: str = ""
    timeout: float = 30.0
    max_tokens: int = 400


_SYSTEM_PROMPT = (
    "你是知识产权政策助手。只能根据用户提供的编号摘录回答，不得使用摘录以外的信息。"
    "用简洁的中文回答，并在每句话后用[编号]标注出处。摘录不能回答时，直接说明语料中没有相关内容。"
)


def generate(config: LLMConfig, question: str, items: list[Any]) -> str:
    """A short Chinese answer written only from ``items``, citing them as [1], [2] …"""
    excerpts = "\n".join(
        f"[{n}] {i.plan_title} · {' › '.join(i.section)} · {i.title}：{i.text}"
        for n, i in enumerate(items, 1)
    )
    payload = {
        "model": config.model,
        "messages": [
            {"role": "system", "content": _SYSTEM_PROMPT},
            {"role": "user", "content": f"摘录：\n{excerpts}\n\n问题：{question}"},
        ],
        "temperature": 0,
        "max_tokens": config.max_tokens,
    }
    url = config.endpoint.rstrip("/") + "/chat/completions"
    headers = {"Content-Type": "application/json"}
    if config.api_key:
        headers["Authorization"] = f"Bearer {config.api_key}"
    request = urllib.request.Request(url, json.dumps(payload).encode("utf-8"), headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=config.timeout) as response:
            body = json.loads(response.read().decode("utf-8"))
        content = body["choices"][0]["message"]["content"]
    except urllib.error.HTTPError as exc:
        raise GenerationError(f"chat endpoint {url} answered HTTP {exc.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise GenerationError(f"chat endpoint {url} unreachable ({reason})") from None
    except (ValueError, KeyError, IndexError, TypeError):
        raise GenerationError(f"chat endpoint {url} returned an unexpected response") from None
    if not isinstance(content, str) or not content.strip():
        raise GenerationError(f"chat endpoint {url} returned an empty answer")
    return content.strip()
