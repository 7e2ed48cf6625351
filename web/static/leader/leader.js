// 县领导督办视图: the county's overdue tickets, the open 督办单 with their numbers and reply dates, the instructions
// given with their status, and a form for a 领导批示 on a ticket or a 督办单. It reads; it takes no workflow step.

import { get, post } from "/static/common/api.js";
import { requireStaff } from "/static/common/auth.js";
import { $, h, replace, statusBadge, when } from "/static/common/dom.js";
import { actionForm, input, textarea } from "/static/common/ticket.js";
import { showError } from "/static/common/notice.js";

const NUMBERED = new Set(["supervise", "manual"]);

requireStaff({ roles: ["leader"], title: "县领导督办视图", start });

function start() {
  replace($("#instruct-form-box"), instructForm());
  refresh();
}

function refresh() {
  return Promise.all([loadOverdue(), loadOrders(), loadInstructions()]);
}

async function fill(box, path, item, empty, keep = () => true) {
  try {
    const rows = (await get(path)).filter(keep);
    replace(box, rows.length ? rows.map(item) : h("p", { class: "empty", text: empty }));
    return rows;
  } catch (error) {
    showError($("#page-error"), error);
    return [];
  }
}

async function loadOverdue() {
  const rows = await fill($("#overdue"), "/api/leadership/overdue", (t) => h("div", { class: "item", dataset: { number: t.number } },
    h("div", { class: "head" }, h("strong", { text: t.number }), statusBadge(t.status, t.status_label),
      h("span", { class: "muted", text: `${t.lead_department ? t.lead_department.name : ""} · 期限 ${when(t.due_at)}` })),
    h("p", { class: "pre", text: t.content })), "没有超期在办的工单");
  $("#count-overdue").textContent = rows.length;
}

async function loadOrders() {
  const rows = await fill($("#orders"), "/api/supervision", (n) => h("div", { class: "item order", dataset: { id: n.id } },
    h("div", { class: "head" }, h("span", { class: "doc-number", text: n.document_number }),
      n.overdue ? h("span", { class: "card-mark card-red", text: "督办逾期" }) : null,
      h("span", { text: n.ticket_number }),
      h("span", { class: "muted", text: `${n.department || ""} · 回复期限 ${when(n.respond_by)}` })),
    h("p", { class: "pre", text: n.message }),
    h("button", { type: "button", name: `instruct-order-${n.id}`, text: "对此督办单批示", onclick: () => aim(n) })),
  "没有未回复的督办单", (n) => NUMBERED.has(n.kind));
  $("#count-orders").textContent = rows.length;
}

function loadInstructions() {
  return fill($("#instructions"), "/api/instructions", (i) => h("div",
    { class: `item instruction status-${i.status}-instruction`, dataset: { id: i.id } },
    h("div", { class: "head" }, h("strong", { text: i.status_label }),
      i.overdue ? h("span", { class: "card-mark card-red", text: "逾期未报" }) : null,
      h("span", { text: i.document_number ? `${i.ticket_number} · ${i.document_number}` : i.ticket_number }),
      h("span", { class: "muted", text: `${i.department || "指挥中心"} · 报告期限 ${when(i.reply_by)}` })),
    h("p", { class: "pre", text: i.text }),
    i.reply ? h("p", { class: "pre muted", text: `落实情况：${i.reply}` }) : null), "还没有批示");
}

// A 督办单 chosen on the left: the instruction goes on it (and so to the unit it was sent to).
function aim(notice) {
  $("#instruct-number").value = notice.ticket_number;
  $("#instruct-notice").value = notice.id;
  $("#instruct-text").focus();
}

function instructForm() {
  return actionForm({ id: "instruct", title: "对工单或督办单作出批示", submit: "批示",
    fields: [["number", "工单号", input({ maxlength: 20 })],
      ["notice", "督办单序号（选填：在督办单上点「对此督办单批示」）", input({ type: "number", min: 1 })],
      ["text", "批示内容", textarea(4, "例如：请主要负责人亲自过问，三日内报告落实情况")]],
    success: "已批示，承办单位将收到通知",
    send: (v) => (v.notice ? post(`/api/supervision/${Number(v.notice)}/instructions`, { text: v.text })
      : post(`/api/tickets/${encodeURIComponent(v.number.trim())}/instructions`, { text: v.text })),
    done: refresh });
}
