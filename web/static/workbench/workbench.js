// 承办工作台: the department's inbox by deadline, one ticket with its actions and full timeline, supervision
// notices to answer, and the department's own measures. A ticket URL of another department shows exactly what
// an unknown number shows, because the API answers both with the same 404.

import { get, post } from "/static/common/api.js";
import { staffUpload } from "/static/common/attachments.js";
import { requireStaff } from "/static/common/auth.js";
import { $, cardMark, h, percent, replace, statusBadge, when } from "/static/common/dom.js";
import { showError, toast } from "/static/common/notice.js";
import { actionForm, deadlineText, input, textarea, ticketDetails, ticketHead } from "/static/common/ticket.js";
import { staffTimeline } from "/static/common/timeline.js";

const VIEWS = ["inbox", "notices", "complaints", "measures", "ticket"];
const NOTICE_KINDS = { urge: "催办", supervise: "督办", escalate: "升级至县领导", manual: "指挥中心督办" };
let staff = null;

requireStaff({ roles: ["handler"], title: "承办工作台", start });

function start(who) {
  staff = who;
  $("#refresh").addEventListener("click", loadInbox);
  $("#measures-form").addEventListener("submit", (event) => {
    event.preventDefault();
    loadMeasures();
  });
  const today = new Intl.DateTimeFormat("sv-SE", { timeZone: "Asia/Shanghai" }).format(new Date());
  $("#m-end").value = today;
  $("#m-start").value = `${today.slice(0, 8)}01`;
  window.addEventListener("hashchange", route);
  route();
  loadCounts();
}

function show(view) {
  for (const name of VIEWS) $(`#view-${name}`).hidden = name !== view;
  for (const name of ["inbox", "notices", "complaints", "measures"]) {
    $(`#nav-${name}`).setAttribute("aria-current", name === view ? "page" : "false");
  }
}

function route() {
  const match = location.pathname.match(/^\/workbench\/tickets\/([^/]+)$/);
  if (match) {
    show("ticket");
    loadTicket(decodeURIComponent(match[1]));
    return;
  }
  const view = (location.hash || "#inbox").slice(1);
  if (view === "notices") {
    show("notices");
    loadNotices();
  } else if (view === "complaints") {
    show("complaints");
    loadComplaints();
  } else if (view === "measures") {
    show("measures");
    loadMeasures();
  } else {
    show("inbox");
    loadInbox();
  }
}

async function loadCounts() {
  try {
    const [inbox, notices, complaints] = await Promise.all([get("/api/inbox"), get("/api/supervision"),
      get("/api/complaint-reviews")]);
    $("#inbox-count").textContent = inbox.length;
    $("#notice-count").textContent = notices.length;
    $("#complaint-count").textContent = complaints.filter(needsAction).length;
  } catch {
    // the views show their own errors
  }
}

// ------------------------------------------------------------------ inbox

async function loadInbox() {
  showError($("#page-error"), null);
  try {
    const tickets = byDeadline((await get("/api/inbox")).map((t) => withCard(t)));
    $("#inbox-count").textContent = tickets.length;
    const red = tickets.filter((t) => t.card === "red").length;
    const yellow = tickets.filter((t) => t.card === "yellow").length;
    const toSign = tickets.filter((t) => t.status === "pending_sign").length;
    $("#inbox-summary").textContent = `共 ${tickets.length} 件 · 待签收 ${toSign} · 黄牌 ${yellow} · 红牌 ${red}`;
    const body = $("#inbox tbody");
    replace(body, tickets.length ? tickets.map(inboxRow)
      : h("tr", {}, h("td", { colspan: 7, class: "empty", text: "暂无待办工单" })));
  } catch (error) {
    showError($("#page-error"), error);
  }
}

// While a ticket awaits sign-for, the sign-for deadline is the one that runs out first: it decides the card
// (red once passed, yellow at 80 % of the time used, as the sweep does for the resolve deadline) and the order.
const YELLOW_SHARE = 0.8;
const nextDeadline = (t) => (t.status === "pending_sign" && t.sign_deadline ? t.sign_deadline : t.due_at);

function withCard(t, now = Date.now()) {
  if (t.status !== "pending_sign" || !t.sign_deadline || t.card === "red") return t;
  const end = new Date(t.sign_deadline).getTime();
  const start = t.dispatched_at ? new Date(t.dispatched_at).getTime() : end;
  if (end < now) return { ...t, card: "red" };
  if (!t.card && end > start && (now - start) / (end - start) >= YELLOW_SHARE) return { ...t, card: "yellow" };
  return t;
}

function byDeadline(tickets) {
  const at = (t) => (nextDeadline(t) ? new Date(nextDeadline(t)).getTime() : Infinity);
  return [...tickets].sort((a, b) => at(a) - at(b));
}

function inboxRow(t) {
  const lead = t.lead_department && staff.department && t.lead_department.id === staff.department.id;
  return h("tr", { class: t.card ? `row-${t.card}` : "", dataset: { number: t.number } },
    h("td", {}, cardMark(t.card) || h("span", { class: "muted", text: "—" })),
    h("td", {}, h("a", { href: `/workbench/tickets/${encodeURIComponent(t.number)}`, text: t.number })),
    h("td", {}, statusBadge(t.status, t.status_label)),
    h("td", { class: t.card === "red" ? "late" : "", text: deadlineText(t) }),
    h("td", { class: "clip", title: t.content, text: t.content }),
    h("td", { text: t.township || "—" }),
    h("td", { text: lead ? "主办" : "协办" }));
}

// ------------------------------------------------------------------ one ticket

async function loadTicket(number) {
  const box = $("#ticket");
  replace(box, h("p", { class: "muted", text: "正在读取…" }));
  try {
    renderTicket(await get(`/api/tickets/${encodeURIComponent(number)}`));
  } catch (error) {
    // 404 for an unknown number and for another department's ticket alike: the page cannot tell them apart
    replace(box, h("div", { class: "error-box", role: "alert", id: "ticket-error" },
      h("div", { text: error.detail }),
      error.status === 404 ? h("div", { text: "请核对工单号；其他部门的工单不能查看。" }) : null));
  }
}

function renderTicket(fresh) {
  const t = withCard(fresh);
  document.title = `工单 ${t.number} · 承办工作台`;
  const lead = t.lead_department && staff.department && t.lead_department.id === staff.department.id;
  replace($("#ticket"), ticketHead(t),
    h("div", { class: "ticket-view" },
      h("section", { class: "panel" }, ticketDetails(t, { upload: staffUpload(t.number) }),
        h("div", { id: "ticket-actions" }, actions(t, lead))),
      h("section", { class: "panel", "aria-labelledby": "timeline-title" },
        h("h2", { id: "timeline-title", text: "办理过程" }), staffTimeline(t.events || []))));
}

function actions(t, lead) {
  const allowed = new Set(t.allowed_actions);
  const act = (path) => (body) => post(`/api/tickets/${encodeURIComponent(t.number)}/${path}`, body);
  const after = (fresh) => {
    renderTicket(fresh);
    loadCounts();
  };
  const forms = [];
  if (!lead) {
    forms.push(h("p", { class: "muted", text: "本部门为协办单位：请配合主办单位办理，提交本单位的协办意见，由主办单位汇总答复群众。" }));
    if (allowed.has("co_report")) {
      forms.push(actionForm({ id: "co-report", title: "提交协办意见", submit: "提交协办意见",
        fields: [["report", "协办意见（主办单位可见，群众不可见）", textarea(4, "写明本单位职责范围内已做了什么、结论和依据")]],
        success: "已提交协办意见，已通知主办单位", send: (v) => act("co-report")({ report: v.report }), done: after }));
    }
  } else {
    if (allowed.has("sign")) {
      forms.push(actionForm({ id: "sign", title: "签收", submit: "签收", success: "已签收",
        send: () => act("sign")(), done: after }));
      forms.push(actionForm({ id: "return", title: "退单（不属于本部门职责）", submit: "退单", danger: true,
        fields: [["reason", "退单理由", textarea(2, "说明为什么不属于本部门，建议由哪个部门办理")]],
        success: "已退单，等待指挥中心审核", send: (v) => act("return")({ reason: v.reason }), done: after }));
    }
    const returned = returnedReply(t);
    if (returned) {
      forms.push(h("div", { class: "returned-box", id: "returned-reason", role: "status" },
        h("strong", { text: `答复被热线退回（${when(returned.created_at)}）：` }),
        h("span", { class: "pre", text: returned.note || "" }),
        h("div", { class: "muted", text: `请修改后重新答复，原办理期限${t.due_at ? ` ${when(t.due_at)} ` : ""}不变。` })));
    }
    if (allowed.has("reply")) {
      forms.push(actionForm({ id: "reply", title: "答复办结", submit: "提交答复并办结",
        fields: [["reply", "答复内容（群众可见）", textarea(4, "写明办理结果")]],
        send: (v) => act("reply")({ reply: v.reply }),
        done: (fresh) => {
          toast(fresh.status === "pending_review" ? "已提交答复，等待热线审核" : "已答复办结");
          after(fresh);
        } }));
    }
    if (t.status === "pending_review") {
      forms.push(h("p", { class: "ok-box", id: "review-waiting", text: "答复已提交，热线审核通过后办结并告知群众。" }));
    }
    if (allowed.has("request_extension") && !t.extension_used) {
      forms.push(actionForm({ id: "extension", title: "申请延期", submit: "提交延期申请",
        fields: [["days", "延期工作日", input({ type: "number", min: 1, max: 10, value: 5 })],
          ["reason", "延期理由", textarea(2)]],
        success: "已提交延期申请，等待指挥中心审批",
        send: (v) => act("extension")({ days: Number(v.days), reason: v.reason }), done: after }));
    }
    if (allowed.has("wait_citizen")) {
      forms.push(actionForm({ id: "wait", title: "请群众补充材料（暂停计时）", submit: "通知群众补充",
        fields: [["message", "需要补充的内容", textarea(2)]],
        success: "已通知群众补充", send: (v) => act("wait")({ message: v.message }), done: after }));
    }
    if (allowed.has("resume")) {
      forms.push(actionForm({ id: "resume", title: "恢复办理", submit: "恢复办理",
        fields: [["note", "说明（可不填）", textarea(2)]],
        success: "已恢复办理", send: (v) => act("resume")({ note: v.note || null }), done: after }));
    }
    if (t.status === "extension_pending") {
      forms.push(h("p", { class: "ok-box", text: "延期申请已提交，等待指挥中心审批。" }));
    }
  }
  if (allowed.has("note")) {
    forms.push(actionForm({ id: "note", title: "内部备注", submit: "添加备注",
      fields: [["reason", "备注（群众不可见）", textarea(2)]],
      success: "已添加备注", send: (v) => act("notes")({ reason: v.reason }), done: after }));
  }
  return forms;
}

// The hotline's latest 审核退回, if the unit has not replied since: its reason is what the handler must address.
function returnedReply(t) {
  const events = t.events || [];
  const last = events.map((e) => e.action).lastIndexOf("return_reply");
  if (last < 0 || t.status !== "in_progress" || events.slice(last).some((e) => e.action === "reply")) return null;
  return events[last];
}

// ------------------------------------------------------------------ notices

async function loadNotices() {
  const box = $("#notices");
  try {
    const notices = await get("/api/supervision");
    $("#notice-count").textContent = notices.length;
    replace(box, notices.length ? notices.map((n) => h("div", { class: "panel notice" },
      h("div", { class: "ticket-head" },
        h("strong", { text: NOTICE_KINDS[n.kind] || n.kind }),
        h("a", { href: `/workbench/tickets/${encodeURIComponent(n.ticket_number)}`, text: n.ticket_number }),
        h("span", { class: "muted", text: `下达于 ${when(n.created_at)}${n.respond_by ? `，请于 ${when(n.respond_by)} 前回复` : ""}` })),
      h("p", { class: "pre", text: n.message }),
      actionForm({ id: `respond-${n.id}`, submit: "回复督办",
        fields: [["response", "回复内容", textarea(2, "写明整改措施和办理进度")]],
        success: "已回复", send: (v) => post(`/api/supervision/${n.id}/response`, { response: v.response }),
        done: loadNotices })))
      : h("p", { class: "empty", text: "暂无待回复的督办通知" }));
  } catch (error) {
    replace(box, h("div", { class: "error-box", role: "alert", text: error.detail }));
  }
}

// ------------------------------------------------------------------ 差评整改

const SATISFIED = { satisfied: "满意", basically_satisfied: "基本满意", unsatisfied: "不满意" };
const SOLVED_AS = { solved: "已解决", partly_solved: "部分解决", unsolved: "未解决" };
const APPEALS = { pending: "申诉待裁定", upheld: "申诉驳回", granted: "申诉成立，不计入考核" };

const canAppeal = (r) => r.verdict === "reasonable" && !r.appeal_status && r.appeal_due_at
  && new Date(r.appeal_due_at) >= new Date();
const needsAction = (r) => r.status === "rectifying" || canAppeal(r);

function complaintItem(r) {
  const late = r.rectify_due_at && !r.rectified_at && new Date(r.rectify_due_at) < new Date();
  const box = h("div", { class: "panel notice", dataset: { review: r.id } },
    h("div", { class: "ticket-head" },
      h("a", { href: `/workbench/tickets/${encodeURIComponent(r.ticket_number)}`, text: r.ticket_number }),
      h("span", { class: "badge", text: r.status_label }),
      r.appeal_status ? h("span", { class: "badge", text: APPEALS[r.appeal_status] }) : null,
      r.rectify_due_at && !r.rectified_at ? h("span", { class: late ? "card-mark card-red" : "muted",
        text: `${late ? "已超期，" : ""}请于 ${when(r.rectify_due_at)} 前反馈整改` }) : null),
    h("p", {}, h("strong", { text: "群众评价：" }), `${SATISFIED[r.satisfaction] || r.satisfaction}，${SOLVED_AS[r.solved] || r.solved}`,
      r.rating_comment ? `（${r.rating_comment}）` : ""),
    r.decision_note ? h("p", {}, h("strong", { text: "核查意见：" }), r.decision_note) : null,
    r.rectification ? h("p", {}, h("strong", { text: "已反馈整改：" }), r.rectification) : null);
  if (r.status === "rectifying") {
    box.append(actionForm({ id: `rectify-${r.id}`, submit: "反馈整改情况",
      fields: [["report", "整改情况", textarea(3, "写明整改了什么、如何防止再次发生")]], success: "已反馈整改情况",
      send: (v) => post(`/api/complaint-reviews/${r.id}/rectification`, { report: v.report }), done: after }));
  }
  if (canAppeal(r)) {
    box.append(actionForm({ id: `appeal-${r.id}`, submit: "提出申诉", danger: true,
      title: `申诉（仅一次，截止 ${when(r.appeal_due_at)}）`,
      fields: [["reason", "申诉理由", textarea(2, "写明理由和依据")]], success: "已提出申诉",
      send: (v) => post(`/api/complaint-reviews/${r.id}/appeal`, { reason: v.reason }), done: after }));
  }
  return box;
}

function after() {
  loadComplaints();
  loadCounts();
}

async function loadComplaints() {
  const box = $("#complaints");
  try {
    const reviews = (await get("/api/complaint-reviews")).filter((r) => r.status !== "pending");
    replace(box, reviews.length ? reviews.map(complaintItem) : h("p", { class: "empty", text: "暂无核查后的差评" }));
  } catch (error) {
    replace(box, h("div", { class: "error-box", role: "alert", text: error.detail }));
  }
}

// ------------------------------------------------------------------ measures

const MEASURES = [
  ["received", "受理量", "count"], ["dispatched", "派单量", "count"], ["signed", "签收量", "count"],
  ["closed", "办结量", "count"], ["sign_on_time_rate", "按时签收率", "rate"], ["on_time_rate", "按期办结率", "rate"],
  ["response_rate", "响应率", "rate"], ["resolution_rate", "解决率", "rate"], ["satisfaction_rate", "满意率", "rate"],
  ["return_rate", "退单率", "rate"], ["avg_working_days", "平均办理（工作日）", "days"],
  ["open", "在办", "count"], ["overdue", "超期在办", "count"], ["yellow", "黄牌", "count"], ["red", "红牌", "count"],
];

async function loadMeasures() {
  showError($("#measures-error"), null);
  try {
    const data = await get(`/api/measures?start=${$("#m-start").value}&end=${$("#m-end").value}`);
    replace($("#measures"), MEASURES.map(([key, name, kind]) => h("div", { class: "measure", dataset: { key } },
      h("div", { class: "muted", text: name }),
      h("div", { class: "value", text: kind === "rate" ? percent(data[key], 1)
        : data[key] === null || data[key] === undefined ? "—" : String(data[key]) }))));
  } catch (error) {
    showError($("#measures-error"), error);
  }
}

