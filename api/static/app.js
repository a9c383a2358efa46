/* tenderscan upload page: plain JavaScript, no framework, talks to the /v1 API of the same server. */
"use strict";

(function () {
  const SEV_LABEL = { high: "高", medium: "中", low: "低" };
  const SEV_RANK = { low: 1, medium: 2, high: 3 };
  const RISK_LABEL = { high: "高", medium: "中", low: "低", none: "无" };
  const KEY_STORE = "tenderscan.apiKey";

  const $ = (id) => document.getElementById(id);
  const state = { result: null, cps: [], category: "", severities: new Set(["high", "medium", "low"]), active: -1 };

  // -- API ---------------------------------------------------------------------------------
  function authHeaders() {
    const key = sessionStorage.getItem(KEY_STORE);
    return key ? { Authorization: "Bearer " + key } : {};
  }

  async function callApi(path, options) {
    const opts = Object.assign({}, options);
    opts.headers = Object.assign({}, opts.headers || {}, authHeaders());
    let resp;
    try {
      resp = await fetch(path, opts);
    } catch (err) {
      throw new Error("无法连接服务 / cannot reach the server");
    }
    let body = null;
    try {
      body = await resp.json();
    } catch (err) {
      body = null;
    }
    if (!resp.ok) {
      if (resp.status === 401) $("keybar").hidden = false;
      const msg = body && body.error ? body.error.message : "请求失败（HTTP " + resp.status + "）";
      const rid = body && body.error ? body.error.request_id : resp.headers.get("X-Request-ID");
      throw new Error(msg + (rid ? "（请求 id：" + rid + "）" : ""));
    }
    return body;
  }

  function setStatus(text, kind) {
    const el = $("status");
    el.textContent = text || "";
    el.className = "status" + (kind ? " " + kind : "");
  }

  function setBusy(busy) {
    $("scan-text").disabled = busy;
    $("file-input").disabled = busy;
  }

  async function scanFile(file) {
    if (!file) return;
    const fd = new FormData();
    fd.append("file", file, file.name);
    await runScan("正在扫描「" + file.name + "」……", () =>
      callApi("/v1/scan?include_text=true", { method: "POST", body: fd })
    );
  }

  async function scanText() {
    const text = $("paste-box").value;
    if (!text.trim()) {
      setStatus("请先粘贴要扫描的文本。", "error");
      return;
    }
    await runScan("正在扫描文本……", () =>
      callApi("/v1/scan/text?include_text=true", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ text: text, name: "粘贴的文本" }),
      })
    );
  }

  async function runScan(message, request) {
    setBusy(true);
    setStatus(message, "busy");
    const t0 = performance.now();
    try {
      const result = await request();
      const secs = ((performance.now() - t0) / 1000).toFixed(1);
      setStatus("扫描完成，用时 " + secs + " 秒，发现 " + result.findings.length + " 处问题。", "");
      showResult(result);
    } catch (err) {
      setStatus(err.message, "error");
    } finally {
      setBusy(false);
      $("file-input").value = "";
    }
  }

  // -- rendering ---------------------------------------------------------------------------
  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function showResult(result) {
    state.result = result;
    state.cps = Array.from(result.text || "");
    state.active = -1;
    state.category = "";
    const doc = result.document;
    $("doc-name").textContent = doc.name;
    const meta = [doc.media_type.replace("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "DOCX")];
    if (doc.pages && doc.media_type === "application/pdf") meta.push(doc.pages + " 页");
    meta.push(doc.chars.toLocaleString("zh-CN") + " 字");
    meta.push("规则版本 " + result.versions.rules);
    if (result.versions.model) meta.push("模型 " + result.versions.model);
    $("doc-meta").textContent = meta.join(" · ");

    const bySev = result.summary.by_severity || {};
    $("count-total").textContent = result.findings.length;
    ["high", "medium", "low"].forEach((s) => ($("count-" + s).textContent = bySev[s] || 0));
    const risk = result.summary.risk || "none";
    $("risk-value").textContent = RISK_LABEL[risk] || risk;
    $("risk-box").className = "stat risk risk-" + risk;

    const warnings = doc.warnings || [];
    const wbox = $("warnings");
    wbox.hidden = warnings.length === 0;
    wbox.textContent = "";
    warnings.forEach((w) => wbox.appendChild(el("div", "", (w.page ? "第 " + w.page + " 页：" : "") + w.message)));

    const select = $("filter-category");
    select.textContent = "";
    select.appendChild(new Option("全部类别（" + result.findings.length + "）", ""));
    const cats = new Map();
    result.findings.forEach((f) => {
      const c = cats.get(f.category) || { name: f.category_name, n: 0 };
      c.n += 1;
      cats.set(f.category, c);
    });
    [...cats.entries()]
      .sort((a, b) => b[1].n - a[1].n)
      .forEach(([id, c]) => select.appendChild(new Option(c.name + "（" + c.n + "）", id)));

    $("results").hidden = false;
    render();
  }

  function visibleFindings() {
    const out = [];
    state.result.findings.forEach((f, i) => {
      if (state.category && f.category !== state.category) return;
      if (!state.severities.has(f.severity)) return;
      out.push(i);
    });
    return out;
  }

  function render() {
    const visible = visibleFindings();
    renderDocument(visible);
    renderList(visible);
    $("shown-count").textContent = "（显示 " + visible.length + " / " + state.result.findings.length + "）";
  }

  function renderDocument(visible) {
    const box = $("doc-text");
    box.textContent = "";
    const cps = state.cps;
    const findings = state.result.findings;
    if (!cps.length) {
      box.appendChild(el("p", "muted", "（服务未返回文档全文）"));
      return;
    }
    const n = cps.length;
    const spans = visible
      .map((i) => ({ i: i, s: Math.max(0, Math.min(n, findings[i].start)), e: Math.max(0, Math.min(n, findings[i].end)) }))
      .filter((x) => x.e > x.s);
    const cuts = new Set([0, n]);
    spans.forEach((x) => {
      cuts.add(x.s);
      cuts.add(x.e);
    });
    const points = [...cuts].sort((a, b) => a - b);
    const frag = document.createDocumentFragment();
    const firstMark = new Set();
    for (let k = 0; k + 1 < points.length; k++) {
      const a = points[k];
      const b = points[k + 1];
      const piece = cps.slice(a, b).join("");
      const covering = spans.filter((x) => x.s <= a && x.e >= b);
      if (!covering.length) {
        frag.appendChild(document.createTextNode(piece));
        continue;
      }
      let top = covering[0];
      covering.forEach((x) => {
        if (SEV_RANK[findings[x.i].severity] > SEV_RANK[findings[top.i].severity]) top = x;
      });
      const mark = el("mark", "hl sev-" + findings[top.i].severity, piece);
      mark.dataset.findings = covering.map((x) => x.i).join(" ");
      mark.title = covering.map((x) => "【" + SEV_LABEL[findings[x.i].severity] + "】" + findings[x.i].category_name).join("\n");
      covering.forEach((x) => {
        if (!firstMark.has(x.i)) {
          firstMark.add(x.i);
          mark.id = mark.id || "mark-" + x.i;
          mark.dataset.first = (mark.dataset.first ? mark.dataset.first + " " : "") + x.i;
        }
      });
      frag.appendChild(mark);
    }
    box.appendChild(frag);
  }

  function where(f) {
    const parts = [];
    if (f.section && f.section.length) parts.push(f.section.join(" › "));
    if (f.page) parts.push("第 " + f.page + " 页");
    if (f.table) parts.push("表格 " + (f.table.index + 1) + " 第 " + (f.table.row + 1) + " 行" + (f.table.header ? "（" + f.table.header + "）" : ""));
    return parts.join(" · ");
  }

  function renderList(visible) {
    const list = $("finding-list");
    list.textContent = "";
    $("empty-list").hidden = visible.length > 0;
    visible.forEach((i) => {
      const f = state.result.findings[i];
      const li = el("li", "finding sev-" + f.severity);
      li.dataset.index = i;
      li.id = "finding-" + i;
      const head = el("div", "finding-head");
      const title = el("div", "finding-title");
      title.appendChild(el("span", "badge sev-" + f.severity, SEV_LABEL[f.severity]));
      title.appendChild(el("span", "", f.category_name));
      head.appendChild(title);
      head.appendChild(el("div", "finding-evidence", "“" + f.text + "”"));
      const loc = where(f);
      if (loc) head.appendChild(el("div", "finding-where", loc));
      li.appendChild(head);

      const detail = el("div", "finding-detail");
      detail.appendChild(el("h3", "", "问题说明"));
      detail.appendChild(el("p", "", f.explanation));
      detail.appendChild(el("h3", "", "建议改写"));
      detail.appendChild(el("p", "suggestion", f.suggestion));
      if (f.legal_basis && f.legal_basis.length) {
        detail.appendChild(el("h3", "", "法律依据"));
        f.legal_basis.forEach((lb) => {
          const d = el("details", "basis");
          const s = el("summary", "", lb.law + (lb.article ? " " + lb.article : "") + (lb.item ? lb.item : ""));
          s.title = lb.text;
          d.appendChild(s);
          d.appendChild(el("p", "basis-text", lb.text));
          detail.appendChild(d);
        });
      }
      detail.appendChild(el("h3", "", "所在条款"));
      detail.appendChild(el("p", "", f.clause));
      detail.appendChild(
        el("div", "meta-line", "规则 " + f.rule_id + " · 置信度 " + Math.round(f.score * 100) + "% · " + f.detectors.join("、"))
      );
      detail.addEventListener("click", (ev) => ev.stopPropagation());
      li.appendChild(detail);
      li.addEventListener("click", () => select(i, true, false));
      if (i === state.active) li.classList.add("active", "open");
      list.appendChild(li);
    });
  }

  function select(i, scrollDoc, scrollList) {
    const prev = state.active;
    state.active = prev === i && !scrollList ? -1 : i;
    document.querySelectorAll(".finding.active").forEach((n) => n.classList.remove("active", "open"));
    document.querySelectorAll("mark.hl.active").forEach((n) => n.classList.remove("active"));
    if (state.active < 0) return;
    const li = $("finding-" + i);
    if (li) {
      li.classList.add("active", "open");
      if (scrollList) li.scrollIntoView({ block: "nearest", behavior: "smooth" });
    }
    const marks = [...document.querySelectorAll("mark.hl")].filter((m) => m.dataset.findings.split(" ").includes(String(i)));
    marks.forEach((m) => m.classList.add("active"));
    if (scrollDoc && marks.length) {
      const box = $("doc-text");
      const top = marks[0].offsetTop - box.offsetTop - box.clientHeight / 3;
      box.scrollTo({ top: Math.max(0, top), behavior: "smooth" });
      marks[0].classList.remove("flash");
      void marks[0].offsetWidth;
      marks[0].classList.add("flash");
    }
  }

  function downloadJson() {
    if (!state.result) return;
    const copy = Object.assign({}, state.result);
    delete copy.text; // the download is exactly the contract shape
    const blob = new Blob([JSON.stringify(copy, null, 2)], { type: "application/json" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = (state.result.document.name || "document").replace(/\.[^.]+$/, "") + ".tenderscan.json";
    document.body.appendChild(a);
    a.click();
    setTimeout(() => {
      URL.revokeObjectURL(a.href);
      a.remove();
    }, 0);
  }

  // -- wiring ------------------------------------------------------------------------------
  function init() {
    document.querySelectorAll(".tab").forEach((tab) =>
      tab.addEventListener("click", () => {
        document.querySelectorAll(".tab").forEach((t) => {
          const on = t === tab;
          t.classList.toggle("active", on);
          t.setAttribute("aria-selected", on ? "true" : "false");
          $(t.dataset.pane).hidden = !on;
        });
      })
    );
    const dz = $("dropzone");
    ["dragenter", "dragover"].forEach((ev) =>
      dz.addEventListener(ev, (e) => {
        e.preventDefault();
        dz.classList.add("over");
      })
    );
    ["dragleave", "drop"].forEach((ev) => dz.addEventListener(ev, () => dz.classList.remove("over")));
    dz.addEventListener("drop", (e) => {
      e.preventDefault();
      if (e.dataTransfer && e.dataTransfer.files.length) scanFile(e.dataTransfer.files[0]);
    });
    $("file-input").addEventListener("change", (e) => scanFile(e.target.files[0]));
    $("scan-text").addEventListener("click", scanText);
    $("filter-category").addEventListener("change", (e) => {
      state.category = e.target.value;
      render();
    });
    $("sev-filters").addEventListener("change", (e) => {
      if (e.target.checked) state.severities.add(e.target.value);
      else state.severities.delete(e.target.value);
      render();
    });
    $("doc-text").addEventListener("click", (e) => {
      const mark = e.target.closest("mark.hl");
      if (mark) select(Number(mark.dataset.findings.split(" ")[0]), false, true);
    });
    $("download-json").addEventListener("click", downloadJson);
    $("new-scan").addEventListener("click", () => {
      $("results").hidden = true;
      setStatus("", "");
      window.scrollTo({ top: 0, behavior: "smooth" });
    });
    $("key-toggle").addEventListener("click", () => ($("keybar").hidden = !$("keybar").hidden));
    $("api-key").value = sessionStorage.getItem(KEY_STORE) || "";
    $("key-save").addEventListener("click", () => {
      const v = $("api-key").value.trim();
      if (v) sessionStorage.setItem(KEY_STORE, v);
      else sessionStorage.removeItem(KEY_STORE);
      $("keybar").hidden = true;
      loadFooter();
    });
    loadFooter();
  }

  async function loadFooter() {
    try {
      const h = await callApi("/v1/health");
      const v = h.versions;
      $("footer").textContent =
        "tenderscan " + v.scanner + " · 规则 " + v.rules + " · 模型 " + v.model + " · " +
        (h.auth ? "已启用 API 密钥认证" : "未启用认证（仅本机访问）");
    } catch (err) {
      $("footer").textContent = "tenderscan · " + err.message;
    }
  }

  document.addEventListener("DOMContentLoaded", init);
})();
