// A ticket as staff read it (details, content, photos and recordings), and small action forms with their own
// error box.

import { get } from "./api.js";
import { attachmentsOf, attachmentsPanel } from "./attachments.js";
import { cardMark, h, remaining, statusBadge, when } from "./dom.js";
import { errorBox, showError, toast } from "./notice.js";

export function ticketHead(t) {
  return h("div", { class: "ticket-head" },
    h("h2", { id: "ticket-title", text: `工单 ${t.number}` }),
    statusBadge(t.status, t.status_label),
    cardMark(t.card),
    t.emergency_kind ? h("span", { class: "card-mark card-red", text: "紧急" }) : null,
    t.parent_number ? h("span", { class: "muted", text: `已并入 ${t.parent_number}` }) : null);
}

export function deadlineText(t) {
  if (t.status === "pending_sign" && t.sign_deadline) {
    const due = t.due_at ? ` · 办结 ${when(t.due_at)}（${remaining(t.due_at)}）` : "";
    return `签收 ${when(t.sign_deadline)}（${remaining(t.sign_deadline)}）${due}`;
  }
  if (t.status === "waiting_citizen") return "待群众补充，已暂停计时";
  if (t.status === "pending_review" && t.closed_at) return `已于 ${when(t.closed_at)} 答复，等待热线审核`;
  if (t.due_at && !t.closed_at) return `办结 ${when(t.due_at)}（${remaining(t.due_at)}）`;
  if (t.closed_at) return `已于 ${when(t.closed_at)} 办结`;
  return "—";
}

// The catalogue's names, read once per page: a ticket carries its category as a code (0401).
let names = null;
const categoryNames = () => {
  names = names || get("/api/reference/categories").then((list) => new Map(list.map((c) => [c.code, c.name])))
    .catch(() => { names = null; return new Map(); });
  return names;
};

/** 0401 市容环境卫生, filled in once the names are read; the bare code until then (or if they cannot be). */
function categoryCell(t) {
  const code = t.category_code || t.suggested_category;
  const suffix = t.category_code ? "" : "（建议）";
  const cell = h("dd", { id: "ticket-category", text: code ? `${code}${suffix}` : "—" });
  if (code) {
    categoryNames().then((map) => {
      if (map.has(code)) cell.textContent = `${map.get(code)}（${code}）${suffix}`;
    });
  }
  return cell;
}

/** `upload(file)`, when given, adds an upload control to the attachments (see common/attachments.js). */
export function ticketDetails(t, { upload = null } = {}) {
  const place = [t.township, t.village, t.address].filter(Boolean).join(" ");
  const rows = [
    ["来源", `${t.channel_label} · ${t.type_label}${t.urgency !== "normal" ? " · 加急" : ""}`],
    ["受理时间", when(t.created_at, true)],
    ["来电人", [t.caller_name, t.caller_phone].filter(Boolean).join(" ") || "—"],
    ["地点", place || "—"],
    ["分类", categoryCell(t)],
    ["主办", t.lead_department ? t.lead_department.name : "未派单"],
    ["协办", t.co_departments.length ? t.co_departments.map((d) => d.name).join("、") : "—"],
    ["时限", deadlineText(t)],
    ["延期", t.extension_used ? "已申请过延期" : "未申请"],
  ];
  return [
    h("dl", { class: "dl" }, rows.flatMap(([k, v]) => [h("dt", { text: k }), v instanceof Node ? v : h("dd", { text: v })])),
    t.title ? h("h3", { text: t.title }) : h("h3", { text: "诉求内容" }),
    h("p", { class: "pre", id: "ticket-content", text: t.content }),
    t.reply ? h("div", { class: "ok-box pre", id: "ticket-reply", text: `答复：${t.reply}` }) : null,
    attachmentsOf(t) ? attachmentsPanel({ ticket: t, upload, title: "照片和录音" }) : null,
    coUnits(t),
  ];
}

// 联办: each co-unit's part of the current dispatch, so the lead unit sees who has reported before it replies.
function coUnits(t) {
  if (!t.co_units || !t.co_units.length) return null;
  const state = (u) => {
    if (u.reported) return h("span", { text: `已反馈 ${when(u.reported_at)}${u.on_time === false ? "（逾期）" : ""}` });
    if (u.overdue) return h("span", { class: "card-mark card-red", text: `逾期未反馈（期限 ${when(u.due_at)}）` });
    return h("span", { class: "muted", text: u.due_at ? `未反馈，期限 ${when(u.due_at)}` : "未反馈" });
  };
  const done = t.co_units.filter((u) => u.reported).length;
  return h("section", { id: "co-units", "aria-labelledby": "co-units-title" },
    h("h3", { id: "co-units-title", text: `协办单位反馈（${done}/${t.co_units.length}）` }),
    h("table", { class: "co-units" },
      h("thead", {}, h("tr", {}, h("th", { text: "协办单位" }), h("th", { text: "状态" }), h("th", { text: "协办意见" }))),
      h("tbody", {}, t.co_units.map((u) => h("tr", { dataset: { unit: u.department.name } },
        h("td", { text: u.department.name }), h("td", {}, state(u)),
        h("td", { class: "pre", text: u.report || "—" }))))));
}

/**
 * A small form for one action: fields are [name, label, control]; `send(values)` returns the API promise.
 * Errors stay inside the form, in Chinese; `done(result)` runs after success.
 */
export function actionForm({ id, title, fields = [], submit, send, done, success, danger = false, inline = false }) {
  const problem = errorBox();
  const controls = Object.fromEntries(fields.map(([name, , control]) => [name, control]));
  const button = h("button", { type: "submit", class: danger ? "danger" : "primary", name: id, text: submit });
  const blocks = fields.map(([name, label, control]) => {
    control.name = name;
    control.id = `${id}-${name}`;
    return h("div", { class: "field" }, h("label", { for: control.id, text: label }), control);
  });
  const form = h("form", { class: inline ? "action-box inline" : "action-box", id, novalidate: true },
    title ? h("h3", { text: title }) : null,
    inline ? h("div", { class: "inline-form" }, blocks, button) : [blocks, h("div", { class: "actions" }, button)],
    problem);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError(problem, null);
    button.disabled = true;
    try {
      const values = Object.fromEntries(Object.entries(controls).map(([k, c]) => [k, c.value]));
      const result = await send(values);
      if (success) toast(success);
      if (done) done(result);
    } catch (error) {
      showError(problem, error);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

export const textarea = (rows = 3, placeholder = "") => h("textarea", { rows, maxlength: 4000, placeholder });
export const input = (attrs = {}) => h("input", attrs);
