from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar

import pytest

from policy_search.answers.answer import LLMConfig, answer, split_sentences, wants_number
from policy_search.search.retrieval import SearchEngine

from .conftest import REPO
from .test_cli import run


def test_split_sentences_keeps_offsets():
    text = "（八）促进专利财富价值。深化试点；推进平台建设！\n全年专利权质押贷款达到15亿元"
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans] == [
        "（八）促进专利财富价值。",
        "深化试点；",
        "推进平台建设！",
        "全年专利权质押贷款达到15亿元",
    ]


@pytest.mark.parametrize(
    ("question", "expected"),
    [("国家局要新增几家知识产权培训基地", True), ("各地质押融资目标", True), ("培训多少人次", True),
     ("山东如何帮助企业开展涉外维权", False), ("patent pledge financing targets", True)],
)  # fmt: skip
def test_number_questions_are_recognised(question: str, expected: bool):
    assert wants_number(question) is expected


def test_answer_items_cite_their_chunk(hash_engine: SearchEngine):
    result = answer(hash_engine, "专利流转储备中心要建几家")
    assert result.found and result.wants_number
    first = result.items[0]
    chunk = next(c for c in hash_engine.chunks if c.chunk_id == first.chunk_id)
    assert chunk.text[first.start : first.end] == first.text
    assert first.plan_title == chunk.plan_title and first.section == chunk.section
    for target in first.targets:
        assert chunk.text[target.start : target.end] == target.text


def test_answer_span_limits_come_from_the_engine_settings(hash_engine: SearchEngine):
    """With no room for a list or a paragraph, every item is exactly one stored statement."""
    question = "山东要设立什么样的质押融资风险资金"
    store = hash_engine.sentences

    def statement_only(engine: SearchEngine) -> list[bool]:
        items = answer(engine, question).items
        assert items
        out = []
        for item in items:
            row = next(i for i, c in enumerate(engine.chunks) if c.chunk_id == item.chunk_id)
            spans = {(int(store.starts[r]), int(store.ends[r])) for r in store.rows_of(row)}
            out.append((item.start, item.end) in spans)
        return out

    assert not all(statement_only(hash_engine))  # the defaults quote whole paragraphs
    tight = hash_engine.with_settings(answer_list_chars=0, answer_paragraph_chars=0)
    assert all(statement_only(tight))


def test_empty_question(hash_engine: SearchEngine):
    result = answer(hash_engine, "  \x00 ")
    assert not result.found and result.items == [] and result.message


@pytest.mark.slow
def test_comparison_of_pledge_financing_targets(e5_engine: SearchEngine):
    result = answer(e5_engine, "各地对知识产权质押融资提出了什么目标")
    rows = {r.doc_id: r for r in result.comparison}
    assert {"tianjin-2013", "shandong-2015", "guangan-2017", "hongqiao-2021"} <= set(rows)
    assert rows["tianjin-2013"].chunk_id == "tianjin-2013/二/八"
    assert "达到15亿元" in [t.text for t in rows["tianjin-2013"].targets]
    assert all(r.section and r.title and r.text for r in rows.values())
    assert any("15亿元" in i.text for i in result.items)  # the target sentence is among the answers


@pytest.mark.slow
def test_named_plan_answers_first(e5_engine: SearchEngine):
    result = answer(e5_engine, "山东要设立什么样的质押融资风险资金")
    assert result.items[0].doc_id == "shandong-2015"
    assert "设立专利质押融资风险赔偿资金" in result.items[0].text


@pytest.mark.slow
@pytest.mark.parametrize("question", ["上海2030年商标注册费标准是多少", "集成电路布图设计登记收费标准"])
def test_unanswerable_question_says_not_found(e5_engine: SearchEngine, question: str):
    result = answer(e5_engine, question)
    assert not result.found and result.items == [] and result.comparison == []
    assert "没有" in result.message


@pytest.mark.slow
def test_answer_accuracy_on_labelled_questions(e5_engine: SearchEngine):
    sys.path.insert(0, str(REPO / "eval"))
    from answers_eval import accuracy, load_questions

    acc = accuracy(e5_engine, load_questions())
    assert acc["at1"] >= 0.8 and acc["at3"] >= 0.9, acc


def test_answer_cli_json(seed_index_hash):
    out = run("answer", "--index", str(seed_index_hash), "--json", "专利流转储备中心要建几家")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert set(data) >= {"question", "answer", "comparison"}
    first = data["answer"][0]
    assert {"text", "plan_title", "issuer", "year", "section", "chunk_id", "targets"} <= set(first)
    assert "8家" in first["text"]


# ------------------------------------------------------------------ optional chat endpoint


class _ChatHandler(BaseHTTPRequestHandler):
    requests: ClassVar[list[dict]] = []
    status = 200

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append(
            {"path": self.path, "body": body, "auth": self.headers.get("Authorization")}
        )
        if type(self).status != 200:
            self.send_response(type(self).status)
            self.end_headers()
            return
        reply = {
            "choices": [{"message": {"role": "assistant", "content": "天津计划建设专利流转储备中心8家[1]。"}}]
        }
        data = json.dumps(reply, ensure_ascii=False).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture()
def chat_server():
    _ChatHandler.requests = []
    _ChatHandler.status = 200
    server = HTTPServer(("127.0.0.1", 0), _ChatHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1", _ChatHandler
    server.shutdown()
    server.server_close()


def test_generated_answer_from_local_endpoint(hash_engine: SearchEngine, chat_server):
    url, handler = chat_server
    result = answer(hash_engine, "专利流转储备中心要建几家", llm=LLMConfig(url, "qwen-test", api_key="k"))
    assert result.generated == "天津计划建设专利流转储备中心8家[1]。"
    (request,) = handler.requests
    assert request["path"] == "/v1/chat/completions" and request["auth"] == "Bearer k"
    assert request["body"]["model"] == "qwen-test"
    user = request["body"]["messages"][-1]["content"]
    assert "[1]" in user and result.items[0].text in user and "专利流转储备中心要建几家" in user


def test_failing_endpoint_keeps_the_extractive_answer(hash_engine: SearchEngine, chat_server):
    url, handler = chat_server
    handler.status = 500
    result = answer(hash_engine, "专利流转储备中心要建几家", llm=LLMConfig(url, "m"))
    assert result.found and result.items and result.generated is None
    assert "HTTP 500" in result.generation_error and "\n" not in result.generation_error
    down = answer(
        hash_engine, "专利流转储备中心要建几家", llm=LLMConfig("http://127.0.0.1:9/v1", "m", timeout=2)
    )
    assert down.items and "unreachable" in down.generation_error


def test_cli_reports_endpoint_failure_on_one_line(seed_index_hash):
    out = run(
        "answer", "--index", str(seed_index_hash), "--llm-endpoint", "http://127.0.0.1:9/v1", "--llm-model", "m",
        "专利流转储备中心要建几家",
    )  # fmt: skip
    assert out.returncode == 0 and "8家" in out.stdout
    assert "generated answer unavailable" in out.stderr and "Traceback" not in out.stderr
