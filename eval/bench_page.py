"""Enter-to-cards time in a real browser: ``python eval/bench_page.py [--index index]``.

Starts ``streamlit run app.py`` on the index, opens it in headless Chromium (Debian's
/usr/bin/chromium through Playwright), warms it with one search, then types new questions
one after another and measures, for each, the time from pressing Enter until the first result
card of the new question is drawn (not greyed out) and until the answer panel is drawn.
Writes ``eval/reports/page_latency.md``. Not a test: times depend on the machine it names.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

from common import REPO, machine

from policy_search.search.retrieval import SearchEngine
from policy_search.ui import PLACEHOLDER, task_title

QUESTIONS = [
    "各地对知识产权质押融资提出了什么目标",
    "专利行政执法案件立案数要增长多少",
    "红桥区知识产权工作经费怎么保障",
    "国家局怎么推进专利保险",
    "山东如何帮助企业开展涉外知识产权维权",
    "广安市政府每年开几次知识产权工作专题会议",
    "专利代理机构监管",
]
WARM_UP = "知识产权人才培养"
FIRST_CARD = """([title]) => {
  const card = [...document.querySelectorAll('.ps-card')].find(c => !c.closest('[data-stale="true"]'));
  return !!card && card.querySelector('.ps-task')?.innerText === title;
}"""
ANSWER = """() => [...document.querySelectorAll('.ps-answer')].some(a => !a.closest('[data-stale="true"]'))
  && [...document.querySelectorAll('.ps-card')].every(c => !c.closest('[data-stale="true"]'))"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--index", default=str(REPO / "index"))
    args = parser.parse_args()
    engine = SearchEngine.load(args.index)
    expected = {q: task_title(engine.search(q, k=1)[0].chunk) for q in [WARM_UP, *QUESTIONS]}
    port = free_port()
    env = dict(os.environ, POLICY_SEARCH_INDEX=args.index, POLICY_SEARCH_CORPUS=str(REPO / "corpus"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.headless", "true", "--server.fileWatcherType", "none",
         "--browser.gatherUsageStats", "false"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    cards, answers = [], []
    try:
        for _ in range(600):
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                    break
            except OSError:
                time.sleep(0.2)
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"]
            )
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(60_000)
            page.goto(url)
            box = page.get_by_placeholder(PLACEHOLDER)
            for n, q in enumerate([WARM_UP, *QUESTIONS]):
                box.fill(q)
                started = time.perf_counter()
                box.press("Enter")
                page.wait_for_function(FIRST_CARD, arg=[expected[q]], polling="raf")
                card_s = time.perf_counter() - started
                page.wait_for_function(ANSWER, polling="raf")
                answer_s = time.perf_counter() - started
                if n:  # the first search loads the model and the index
                    cards.append(card_s)
                    answers.append(answer_s)
            browser.close()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    rows = "\n".join(
        f"| {q} | {c * 1000:.0f} | {a * 1000:.0f} |" for q, c, a in zip(QUESTIONS, cards, answers)
    )
    text = (
        "# Enter to result cards in a real browser\n\n"
        f"Machine: {machine()}; headless Chromium; seed index; one warm-up search first.\n\n"
        "| new question | cards drawn ms | answer panel drawn ms |\n|---|---|---|\n"
        f"{rows}\n\n"
        f"Median over {len(cards)} new questions in a row: cards {statistics.median(cards) * 1000:.0f} ms, "
        f"answer panel {statistics.median(answers) * 1000:.0f} ms.\n"
    )
    (REPO / "eval" / "reports" / "page_latency.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
