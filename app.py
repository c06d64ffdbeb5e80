"""Browser search page for policy_search: ``streamlit run app.py`` (or ``bash scripts/app.sh``).

Thin wiring only: the pages live in ``pages/`` and everything they compute or render is in
``policy_search.ui``. Index and corpus folders come from POLICY_SEARCH_INDEX (default
``index``) and POLICY_SEARCH_CORPUS (default ``corpus``); a missing index is built on first start.
"""

from __future__ import annotations

import streamlit as st

from policy_search.ui import APP_CSS

st.set_page_config(page_title="知识产权政策检索", page_icon="🔎", layout="wide")
st.html(APP_CSS)

page = st.navigation(
    [
        st.Page("pages/search.py", title="政策检索", icon=":material/search:", default=True),
        st.Page("pages/atlas.py", title="指标对比", icon=":material/compare_arrows:", url_path="atlas"),
        st.Page("pages/corpus.py", title="文件与索引", icon=":material/library_books:", url_path="corpus"),
        st.Page("pages/document.py", title="规划全文", icon=":material/description:", url_path="document"),
    ]
)
# the search page tells a Back/Forward (URL changed on the same page) from arriving by the menu
st.session_state["_page_prev"] = st.session_state.get("_page_now")
st.session_state["_page_now"] = page.url_path
page.run()
