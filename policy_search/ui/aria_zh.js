// Streamlit's own accessibility labels and placeholders are English; screen readers read them
// aloud. This puts them in Chinese as the page draws them (our constant script, no user input).
(() => {
  const doc = window.document;
  if (doc.__psAriaZh) return;
  doc.__psAriaZh = true;
  const WORDS = {
    "Collapse sidebar": "收起侧栏",
    "Expand sidebar": "展开侧栏",
    "Sidebar": "侧栏",
    "App pages": "页面导航",
    "Link to heading": "本标题的链接",
    "Open": "展开选项",
    "Close": "关闭",
    "Clear all": "全部清除",
    "Clear value": "清除",
    "Show password": "显示密码",
    "Hide password": "隐藏密码",
    "Choose an option": "请选择",
    "Choose options": "请选择",
    "Copy to clipboard": "复制到剪贴板",
    "Main menu": "主菜单",
    "Increment": "增加",
    "Decrement": "减少",
    "Delete": "删除",
    "Remove": "移除",
    "Drag and drop files here": "把文件拖到这里",
    "Browse files": "选择文件",
    "Running...": "正在运行…",
    "Stop": "停止",
    "Fullscreen": "全屏",
    "Close fullscreen": "退出全屏",
    "Download as CSV": "下载为 CSV",
    "Search": "搜索",
    "Show/hide columns": "显示/隐藏列",
    "Add row": "添加行",
    "Delete row(s)": "删除行",
    "Select": "选择",
    "Copy Vega-Lite spec": "复制图表定义",
    "Download as PNG": "下载为 PNG",
    "Download as SVG": "下载为 SVG",
    "Show data": "查看数据",
    "Vega visualization": "图表",
    "visualization": "图表",
    "axis": "坐标轴",
    "legend": "图例",
    "point": "点",
  };
  const PATTERNS = [
    [/^Help for (.+)$/, "$1：说明"],
    [/^(.+) — start$/, "$1（起）"],
    [/^(.+) — end$/, "$1（止）"],
    [/^Remove (.+)$/, "移除 $1"],
    [/^Delete (.+)$/, "删除 $1"],
    [/^\w+ mark container$/, "图形组"],
  ];
  const ATTRS = ["aria-label", "aria-roledescription", "title", "placeholder", "alt"];
  const zh = (value) => {
    const v = value.trim();
    if (WORDS[v]) return WORDS[v];
    for (const [re, to] of PATTERNS) if (re.test(v)) return v.replace(re, to);
    return null;
  };
  const fix = (root) => {
    if (!root.querySelectorAll) return;
    const els = [root, ...root.querySelectorAll(ATTRS.map((a) => `[${a}]`).join(", "))];
    for (const el of els) {
      for (const a of ATTRS) {
        const v = el.getAttribute && el.getAttribute(a);
        if (!v || !/[A-Za-z]{3}/.test(v)) continue;
        const t = zh(v);
        if (t && t !== v) el.setAttribute(a, t);
      }
    }
  };
  fix(doc.body);
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === "attributes") fix(r.target);
      else for (const n of r.addedNodes) if (n.nodeType === 1) fix(n);
    }
  }).observe(doc.body, { subtree: true, childList: true, attributes: true, attributeFilter: ATTRS });
})();
