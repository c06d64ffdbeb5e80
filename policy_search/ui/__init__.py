"""Streamlit-free helpers for the page (``app.py``, ``app_pages/``), one module per idea, re-exported
here so ``from policy_search import ui; ui.xxx`` keeps working:

- ``state``: the search state and its URL form, filter options, what each filter removed, the
  names recognised in the query as filters, a search that never raises; ``query_cache``: query
  vectors shared by all sessions
- ``render``: highlighting, result cards, citations, context view, answer panel, comparison
- ``export``: CSV / .xlsx / JSON / citation lines; ``corpus_rows``: the corpus page's table
- ``messages``: plain-text escaping, display paths, skip reasons and corpus notes in Chinese
- ``manage`` and ``catalog_edit``: uploads, deletes and catalog corrections (the 文件与索引 page)
- ``document_view``: a whole plan with one task marked; ``style.css``: the look (``APP_CSS``);
  ``aria_zh.js``: Streamlit's English screen-reader labels put in Chinese (``APP_JS``)

Safety rule: every piece of corpus or user text goes through ``html.escape`` before any
markup is added; markup is only ever produced by these modules.
"""

from __future__ import annotations

from pathlib import Path

from ..search.retrieval import clean_query as clean_query
from . import manage as manage
from .corpus_rows import DEFAULT_TIMEZONE as DEFAULT_TIMEZONE
from .corpus_rows import TABLE_COLUMNS as TABLE_COLUMNS
from .corpus_rows import ZONE_NAMES_ZH as ZONE_NAMES_ZH
from .corpus_rows import document_rows as document_rows
from .corpus_rows import document_table_html as document_table_html
from .corpus_rows import format_built_at as format_built_at
from .corpus_rows import page_timezone as page_timezone
from .corpus_rows import provenance_html as provenance_html
from .corpus_rows import provenance_rows as provenance_rows
from .document_view import document_html as document_html
from .export import CSV_COLUMNS as CSV_COLUMNS
from .export import XLSX_MIME as XLSX_MIME
from .export import citations_text as citations_text
from .export import results_csv as results_csv
from .export import results_json as results_json
from .export import results_rows as results_rows
from .export import results_xlsx as results_xlsx
from .export import table_csv as table_csv
from .export import table_xlsx as table_xlsx
from .messages import _cell as _cell
from .messages import display_path as display_path
from .messages import limit_lines as limit_lines
from .messages import markdown_escape as markdown_escape
from .messages import message as message
from .messages import note_zh as note_zh
from .messages import plain_text as plain_text
from .messages import reason_zh as reason_zh
from .messages import url_notes as url_notes
from .query_cache import CachedQueryEncoder as CachedQueryEncoder
from .render import NOTHING_RELEVANT as NOTHING_RELEVANT
from .render import answer_html as answer_html
from .render import card_html as card_html
from .render import citation as citation
from .render import common_terms as common_terms
from .render import comparison_html as comparison_html
from .render import context_html as context_html
from .render import document_link as document_link
from .render import export_target_label as export_target_label
from .render import highlight as highlight
from .render import highlight_terms as highlight_terms
from .render import nothing_relevant as nothing_relevant
from .render import plan_meta as plan_meta
from .render import plan_source as plan_source
from .render import relevance_percent as relevance_percent
from .render import render_text as render_text
from .render import section_chunks as section_chunks
from .render import section_path as section_path
from .render import target_label as target_label
from .render import task_title as task_title
from .state import DEFAULT_K as DEFAULT_K
from .state import EXAMPLES as EXAMPLES
from .state import FILTER_LABELS as FILTER_LABELS
from .state import K_CHOICES as K_CHOICES
from .state import LEVEL_ORDER as LEVEL_ORDER
from .state import MAX_URL_PARAM_CHARS as MAX_URL_PARAM_CHARS
from .state import MAX_URL_VALUES as MAX_URL_VALUES
from .state import MODE_LABELS as MODE_LABELS
from .state import PLACEHOLDER as PLACEHOLDER
from .state import FilterEffect as FilterEffect
from .state import FilterOptions as FilterOptions
from .state import NameFilter as NameFilter
from .state import SearchFn as SearchFn
from .state import SearchOutcome as SearchOutcome
from .state import SearchState as SearchState
from .state import active_filters as active_filters
from .state import effect_line as effect_line
from .state import filter_effects as filter_effects
from .state import filter_options as filter_options
from .state import log as log
from .state import name_filters as name_filters
from .state import no_hits_message as no_hits_message
from .state import only_filter as only_filter
from .state import params_key as params_key
from .state import query_notes as query_notes
from .state import restrict_state as restrict_state
from .state import run_search as run_search
from .state import state_from_params as state_from_params
from .state import state_to_params as state_to_params
from .state import without_filter as without_filter

# Chinese accessibility labels for Streamlit's own controls (st.html(APP_JS, unsafe_allow_javascript=True))
APP_JS = "<script>\n" + (Path(__file__).with_name("aria_zh.js")).read_text(encoding="utf-8") + "</script>\n"
APP_CSS = "<style>\n" + (Path(__file__).with_name("style.css")).read_text(encoding="utf-8") + "</style>\n"
