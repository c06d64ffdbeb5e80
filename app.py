"""Browser search page for policy_search: ``streamlit run app.py`` (or ``bash scripts/app.sh``).

Thin wiring only: the pages live in ``app_pages/`` and everything they compute or render is in
``policy_search.ui``. Index and corpus folders come from POLICY_SEARCH_INDEX (default
``index``) and POLICY_SEARCH_CORPUS (default ``corpus``); a missing index is built on first start.
"""

from __future__ import annotations

import streamlit as st

from policy_search.ui import APP_CSS, APP_JS

st.set_page_config(page_title="知识产权政策检索", page_icon="🔎", layout="wide")
st.html(APP_CSS)
with st.container(key="ps_labels"):  # hidden (style.css); the script runs all the same
    st.html(APP_JS, unsafe_allow_javascript=True)  # our own constant script: Chinese aria-labels

# not a folder named pages/: until st.navigation first runs, a fresh server would serve each file
# in it as a bare page of its own (no styles, English file names in the menu)
PAGES = "app_pages"
page = st.navigation(
    [
        st.Page(f"{PAGES}/search.py", title="政策检索", icon=":material/search:", default=True),
        st.Page(f"{PAGES}/atlas.py", title="指标对比", icon=":material/compare_arrows:", url_path="atlas"),
        st.Page(f"{PAGES}/corpus.py", title="文件与索引", icon=":material/library_books:", url_path="corpus"),
        st.Page(f"{PAGES}/document.py", title="规划全文", icon=":material/description:", url_path="document"),
    ]
)
# the search page tells a Back/Forward (URL changed on the same page) from arriving by the menu
st.session_state["_page_prev"] = st.session_state.get("_page_now")
st.session_state["_page_now"] = page.url_path
page.run()
