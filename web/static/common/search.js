// Ticket search (GET /api/tickets/search) for the operator console and the commander desk: a form of filters, a
// results list (number, received time in Beijing time, category, unit, status, masked summary) paged with 更多.
// Each page says what clicking a result does (`open`). The API checks every value; its Chinese refusal is shown.

import { get } from "/static/common/api.js";
import { $, dateInput, h, options, replace, statusBadge } from "/static/common/dom.js";
import { CHANNELS, STATUS, categoryOptions } from "/static/common/labels.js";

const RECEIVED = new Intl.DateTimeFormat("zh-CN", {
  timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
  hour12: false,
});
const FIELDS = ["q", "phone", "number", "unit", "category", "status", "channel", "received_from", "received_to"];

/** 2026/12/03 09:05 (+08:00): the county's clock, whatever the browser's zone. */
export function received(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${RECEIVED.format(date)} (+08:00)`;
}

function field(id, text, control) {
  control.id = id;
  control.name = id.replace(/^search-/, "");
  return h("div", { class: "field" }, h("label", { for: id, text }), control);
}

/** Build the search panel into `box`: departments and categories as the reference endpoints return them. */
export function setupSearch(box, { departments, categories, open }) {
  const status = options(h("select"), Object.entries(STATUS), { placeholder: "全部状态" });
  const channel = options(h("select"), CHANNELS, { placeholder: "全部渠道" });
  const unit = options(h("select"), departments.map((d) => [String(d.id), d.name]), { placeholder: "全部单位" });
  const category = h("select", {}, categoryOptions(h, categories, "全部类别"));
  const results = h("div", { class: "search-results", id: "search-results", "aria-live": "polite" });
  const error = h("div", { class: "error-box", id: "search-error", role: "alert", hidden: true });
  const more = h("button", { type: "button", id: "search-more", hidden: true, text: "更多结果" });
  const form = h("form", { id: "search-form", role: "search", class: "search-form", novalidate: true },
    h("div", { class: "search-grid" },
      field("search-q", "关键词（标题、内容、地址）", h("input", { type: "search", maxlength: 50,
        placeholder: "如：停水 幸福里" })),
      field("search-phone", "来电号码", h("input", { inputmode: "tel", maxlength: 32 })),
      field("search-number", "工单编号（可只输前几位）", h("input", { maxlength: 20 })),
      field("search-unit", "承办单位", unit),
      field("search-category", "类别", category),
      field("search-status", "状态", status),
      field("search-channel", "渠道", channel),
      field("search-received_from", "受理日期 从", dateInput()),
      field("search-received_to", "至", dateInput())),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary", id: "search-submit", text: "搜索" }),
      h("button", { type: "reset", text: "清空条件" })),
    error);
  replace(box, form, results, more);
  let params = null;
  let next = null;

  async function load(append) {
    error.hidden = true;
    try {
      const query = new URLSearchParams({ ...params, ...(append && next ? { before_id: next } : {}) });
      const page = await get(`/api/tickets/search?${query}`);
      const rows = page.items.map((t) => row(t, page));
      if (!append) {
        replace(results, rows.length ? table(rows) : h("p", { class: "empty", text: "没有符合条件的工单" }));
      } else {
        $("tbody", results).append(...rows);
      }
      next = page.next_before_id;
      more.hidden = !page.has_more;
    } catch (err) {
      error.textContent = err.detail || "搜索失败，请稍后再试";
      error.hidden = false;
    }
  }

  function row(t, page) {
    const name = t.category_code ? page.categories[t.category_code] || t.category_code : "未分类";
    return h("tr", { dataset: { number: t.number }, tabindex: 0, class: "search-row",
      onclick: () => open(t.number), onkeydown: (e) => { if (e.key === "Enter") open(t.number); } },
    h("td", {}, h("a", { href: "#", text: t.number, onclick: (e) => { e.preventDefault(); } })),
    h("td", { class: "nowrap", text: received(t.created_at) }),
    h("td", { text: name }),
    h("td", { text: t.lead_department ? t.lead_department.name : "未派单" }),
    h("td", {}, statusBadge(t.status, t.status_label)),
    h("td", { class: "summary", text: page.summaries[t.number] || "" }));
  }

  function table(rows) {
    return h("table", { class: "search-table" },
      h("thead", {}, h("tr", {}, ["工单编号", "受理时间", "类别", "承办单位", "状态", "摘要"].map((t) => h("th", { text: t })))),
      h("tbody", {}, rows));
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    params = {};
    for (const name of FIELDS) {
      const value = form.elements[name].value.trim();
      if (value) params[name] = value;
    }
    next = null;
    load(false);
  });
  form.addEventListener("reset", () => {
    replace(results);
    more.hidden = true;
    error.hidden = true;
  });
  more.addEventListener("click", () => load(true));
}
