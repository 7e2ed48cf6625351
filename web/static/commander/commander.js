// 指挥中心调度台: the manual dispatch queue, return disputes, extension requests, supervision notices and
// merges; each queue card carries the decision it waits for, and every ticket opens with its full timeline.

import { get, post } from "/static/common/api.js";
import { requireStaff } from "/static/common/auth.js";
import { $, h, percent, replace, statusBadge, when } from "/static/common/dom.js";
import { EMERGENCY_KINDS, LINES, STATUS, categoryOptions } from "/static/common/labels.js";
import { showError } from "/static/common/notice.js";
import { actionForm, input, textarea, ticketDetails, ticketHead } from "/static/common/ticket.js";
import { setupSearch } from "/static/common/search.js";
import { staffTimeline } from "/static/common/timeline.js";
import { loadHotspots } from "/static/commander/hotspots.js";

const VIEWS = ["dispatch", "returns", "reviews", "extensions", "supervision", "complaints", "merge", "hotspots", "gate",
  "search", "ticket"];
const LINE_OF = { fire: "119", gas_leak: "119", disaster: "119", trapped: "119", traffic: "122", danger: "110",
  crime: "110", medical: "120" };
const NOTICE_KINDS = { urge: "催办", supervise: "督办", escalate: "升级", manual: "指挥中心督办" };
const ref = { categories: [], departments: [], names: {} };

requireStaff({ roles: ["commander"], title: "指挥中心调度台", start });

async function start() {
  try {
    [ref.categories, ref.departments] = await Promise.all([get("/api/reference/categories"), get("/api/departments")]);
    ref.names = Object.fromEntries(ref.categories.map((c) => [c.code, c.name]));
  } catch (error) {
    showError($("#page-error"), error);
  }
  window.addEventListener("hashchange", route);
  route();
  refreshCounts();
  warnAboutCalendar();
}

// A year that deadlines already reach but whose holidays nobody imported: they count Monday to Friday there.
async function warnAboutCalendar() {
  try {
    const coverage = await get("/api/admin/calendar/coverage");
    const banner = $("#calendar-warning");
    banner.textContent = coverage.message || "";
    banner.hidden = !coverage.message;
  } catch {
    // the desk works without the warning; the scheduler's log and /ready report the gap too
  }
}

const ticketLink = (number) => h("a", { href: `/commander/tickets/${encodeURIComponent(number)}`, text: number });
const act = (number, path, body) => post(`/api/tickets/${encodeURIComponent(number)}/${path}`, body);

function categorySelect(selected) {
  const select = h("select", {}, categoryOptions(h, ref.categories, "（按派单目录）"));
  if (selected) select.value = selected;
  return select;
}

function departmentSelect() {
  return h("select", {}, h("option", { value: "", text: "（按分类确定）" }),
    ref.departments.map((d) => h("option", { value: d.id, text: d.name })));
}

function dispatchBody(values) {
  const body = {};
  if (values.category) body.category_code = values.category;
  if (values.department) body.department_id = Number(values.department);
  if (!body.category_code && !body.department_id) throw { detail: "请选择分类或主办部门" };
  return body;
}

function show(view) {
  for (const name of VIEWS) $(`#view-${name}`).hidden = name !== view;
  for (const name of VIEWS) $(`#nav-${name}`)?.setAttribute("aria-current", name === view ? "page" : "false");
}

function route() {
  showError($("#page-error"), null);
  const match = location.pathname.match(/^\/commander\/tickets\/([^/]+)$/);
  if (match) {
    show("ticket");
    loadTicket(decodeURIComponent(match[1]));
    return;
  }
  const view = (location.hash || "#dispatch").slice(1);
  const loaders = { dispatch: loadDispatch, returns: loadReturns, reviews: loadReviews, extensions: loadExtensions,
    supervision: loadSupervision, complaints: loadComplaints, merge: loadMerge, gate: loadGate, search: loadSearch,
    hotspots: () => loadHotspots({ ticketLink, changed: refreshCounts }) };
  const name = loaders[view] ? view : "dispatch";
  show(name);
  loaders[name]();
}

// The search form is built once and keeps its filters and results while the desk moves between views.
function loadSearch() {
  const box = $("#search");
  if (box.dataset.ready) return;
  box.dataset.ready = "1";
  setupSearch(box, { departments: ref.departments, categories: ref.categories,
    open: (number) => { location.href = `/commander/tickets/${encodeURIComponent(number)}`; } });
}

async function refreshCounts() {
  const sources = { dispatch: "/api/queues/manual-dispatch", returns: "/api/queues/returns",
    extensions: "/api/queues/extensions", supervision: "/api/supervision", reviews: "/api/reviews",
    complaints: "/api/complaint-reviews?status=pending", hotspots: "/api/hotspots?limit=50" };
  await Promise.all(Object.entries(sources).map(async ([name, path]) => {
    try {
      const items = await get(path);
      $(`#count-${name}`).textContent = items.length;
      if (name === "reviews") showOverdueReviews(items.filter((item) => item.review.overdue).length);
    } catch {
      // each view shows its own error
    }
  }));
}

// Reviews past their time limit stand out on the desk whatever view is open.
function showOverdueReviews(overdue) {
  const mark = $("#count-reviews-overdue");
  mark.textContent = `超时 ${overdue}`;
  mark.hidden = overdue === 0;
}

function after() {
  route();
  refreshCounts();
}

async function fill(box, path, card, empty) {
  try {
    const items = await get(path);
    replace(box, items.length ? items.map(card) : h("p", { class: "empty", text: empty }));
    return items;
  } catch (error) {
    replace(box, h("div", { class: "error-box", role: "alert", text: error.detail }));
    return [];
  }
}

function cardHead(item) {
  return h("div", { class: "ticket-head" }, ticketLink(item.number), statusBadge(item.status, STATUS[item.status]),
    item.manual_review ? h("span", { class: "badge status-returned", text: "需人工确认" }) : null,
    item.emergency_kind ? h("span", { class: "card-mark card-red",
      text: `疑似${EMERGENCY_KINDS[item.emergency_kind] || "紧急"}` }) : null,
    h("span", { class: "muted", text: `${when(item.created_at)} · ${item.township || "未填乡镇"}` }));
}

// ------------------------------------------------------------------ manual dispatch

function dispatchCard(item) {
  const guess = item.suggested_category
    ? `${ref.names[item.suggested_category] || item.suggested_category}（${percent(item.confidence)}）` : "无";
  const line = LINE_OF[item.emergency_kind];
  return h("article", { class: `qcard ${item.emergency_kind ? "emergency" : item.manual_review ? "flagged" : ""}`,
    dataset: { number: item.number } },
  cardHead(item),
  h("p", { class: "content", text: item.content }),
  h("div", { class: "muted suggestion", text: `智能建议：${guess}` }),
  item.reason ? h("div", { class: "reason why" }, h("strong", { text: "需人工确认的原因：" }), item.reason) : null,
  item.duplicate_of ? h("div", { class: "reason duplicate" }, h("strong", { text: "疑似重复于：" }),
    ticketLink(item.duplicate_of), "（已填入下方并单）") : null,
  actionForm({ id: `dispatch-${item.number}`, submit: "派单", inline: true,
    fields: [["category", "分类", categorySelect(item.suggested_category)], ["department", "主办部门", departmentSelect()]],
    success: `${item.number} 已派单`, send: (v) => act(item.number, "dispatch", dispatchBody(v)), done: after }),
  actionForm({ id: `merge-${item.number}`, submit: "并入", inline: true, fields: [["parent", "并入主工单号", input({ maxlength: 20, value: item.duplicate_of || "" })]],
    success: `${item.number} 已并单`, send: (v) => act(item.number, "merge", { parent_number: v.parent.trim() }),
    done: after }),
  line ? actionForm({ id: `transfer-${item.number}`, submit: `转 ${LINES[line]}`, danger: true,
    success: `已转 ${line}`, send: () => act(item.number, "transfer", { line }), done: after }) : null);
}

function loadDispatch() {
  return fill($("#dispatch"), "/api/queues/manual-dispatch", dispatchCard, "没有待人工分拨的工单");
}

// ------------------------------------------------------------------ auto-dispatch gate

const SEEDED_FROM = { history: "历史工单评估切片", demo: "演示县起始数据" };

function gateRow(c) {
  const seeded = c.seeded_judged ? `${c.seeded_confirmed}/${c.seeded_judged}（${SEEDED_FROM[c.seeded_from] || c.seeded_from || "起始"}）` : "—";
  return h("tr", { dataset: { code: c.category_code } },
    h("td", { text: `${c.category_name || ref.names[c.category_code] || ""} ${c.category_code}` }),
    h("td", { text: `${c.live_confirmed}/${c.live_judged}` }),
    h("td", { text: seeded }),
    h("td", { text: percent(c.precision, 1) }),
    h("td", { text: percent(c.lower_bound, 1) }),
    h("td", {}, h("span", { class: `badge ${c.open ? "status-in_progress" : "status-returned"}`,
      text: c.open ? "自动派单" : "仅建议" })));
}

async function loadGate() {
  try {
    const gate = await get("/api/routing-gate");
    $("#gate-rule").textContent = `当前模型系列 ${gate.family}：核对不少于 ${gate.min_judged} 张，且准确率的置信下限`
      + `（Wilson，单侧 z=${gate.z}）达到 ${percent(gate.target_precision)} 时自动派单。`;
    const rows = [...gate.categories].sort((a, b) => Number(b.open) - Number(a.open) || b.judged - a.judged);
    replace($("#gate"), h("table", {},
      h("thead", {}, h("tr", {}, ["分类", "实时核对（确认/核对）", "起始证据", "准确率", "置信下限", "状态"]
        .map((t) => h("th", { text: t })))),
      h("tbody", {}, rows.map(gateRow))));
  } catch (error) {
    replace($("#gate"), h("div", { class: "error-box", role: "alert", text: error.detail }));
  }
}

// ------------------------------------------------------------------ returns

function returnCard(item) {
  return h("article", { class: "qcard", dataset: { number: item.number } },
    cardHead(item),
    h("p", { class: "content", text: item.content }),
    h("div", { class: "reason" }, h("strong", { text: `${item.department || "承办单位"}退单理由：` }),
      h("span", { class: "pre", text: item.reason || "（未填写）" })),
    actionForm({ id: `redispatch-${item.number}`, title: "同意退单，改派", submit: "改派", inline: true,
      fields: [["category", "分类", categorySelect(null)], ["department", "改派给", departmentSelect()]],
      success: `${item.number} 已改派`, send: (v) => act(item.number, "redispatch", dispatchBody(v)), done: after }),
    actionForm({ id: `force-${item.number}`, title: "不同意退单，强制派单", submit: "强制派单", danger: true,
      fields: [["note", "说明（承办单位可见）", textarea(2)]],
      success: `${item.number} 已强制派单`, send: (v) => act(item.number, "force", { note: v.note || null }),
      done: after }));
}

function loadReturns() {
  return fill($("#returns"), "/api/queues/returns", returnCard, "没有待审核的退单");
}

// ------------------------------------------------------------------ 办结审核

const CHECKS = [["answers_request", "针对诉求"], ["complete", "内容完整"], ["courteous", "文明规范"], ["cites_basis", "依据明确"]];

function checkSelect(id) {
  return h("select", { id }, h("option", { value: "", text: "请选择" }), h("option", { value: "yes", text: "是" }),
    h("option", { value: "no", text: "否" }));
}

// The four checks are answered for both decisions: each one is 25 points of the reply's quality score.
function checkValues(selects) {
  const missing = CHECKS.filter(([name]) => !selects[name].value).map(([, text]) => text);
  if (missing.length) throw { detail: `请逐项填写质检结果：${missing.join("、")}` };
  return Object.fromEntries(CHECKS.map(([name]) => [name, selects[name].value === "yes"]));
}

function reviewCard(item) {
  const r = item.review;
  const key = item.number;
  const selects = Object.fromEntries(CHECKS.map(([name]) => [name, checkSelect(`check-${name}-${key}`)]));
  const reason = textarea(2, "写明需要补充或改正的内容（承办单位可见）");
  reason.id = `return-reason-${key}`;
  const deadline = r.overdue ? h("span", { class: "card-mark card-red", text: `审核超时（期限 ${when(r.due_at)}）` })
    : h("span", { class: "muted", text: `审核期限 ${when(r.due_at)}` });
  return h("article", { class: `qcard review-card ${r.overdue ? "emergency" : ""}`, dataset: { number: key } },
    h("div", { class: "ticket-head" }, ticketLink(key), h("span", { class: "badge", text: item.type_label }),
      deadline),
    h("div", { class: "side-by-side" },
      h("div", { class: "request" }, h("h3", { text: "群众诉求" }),
        h("div", { class: "muted", text: `${when(item.created_at)} · ${item.township || "未填乡镇"} · ${
          item.caller_name || ""} ${item.caller_phone || ""}` }),
        item.title ? h("strong", { text: item.title }) : null,
        h("p", { class: "content", text: item.content })),
      h("div", { class: "answer" }, h("h3", { text: `${r.department || "承办单位"}答复` }),
        h("div", { class: "muted", text: `${when(r.replied_at)} 答复 · ${r.on_time ? "按期" : "超期"}答复` }),
        h("p", { class: "content", text: r.reply }))),
    h("div", { class: "checks" }, CHECKS.map(([name, text]) => h("div", { class: "field" },
      h("label", { for: selects[name].id, text }), selects[name]))),
    h("div", { class: "field" }, h("label", { for: reason.id, text: "退回理由（退回时必填）" }), reason),
    h("div", { class: "actions" },
      actionForm({ id: `approve-reply-${key}`, submit: "审核通过，办结", success: `${key} 已审核通过`,
        send: () => act(key, "review/approve", checkValues(selects)), done: after }),
      actionForm({ id: `return-reply-${key}`, submit: "退回承办单位", danger: true, success: `${key} 已退回`,
        send: () => {
          if (!reason.value.trim()) throw { detail: "请填写退回理由" };
          return act(key, "review/return", { ...checkValues(selects), reason: reason.value.trim() });
        }, done: after })));
}

function loadReviews() {
  return fill($("#reviews"), "/api/reviews", reviewCard, "没有待审核的答复");
}

// ------------------------------------------------------------------ extensions

function extensionCard(item) {
  const note = textarea(2, "审批意见（可不填）");
  note.id = `decision-note-${item.number}`;
  const decide = (approve) => actionForm({ id: `${approve ? "approve" : "refuse"}-${item.number}`,
    submit: approve ? "同意延期" : "不同意", danger: !approve,
    success: approve ? `${item.number} 已同意延期` : `${item.number} 已不同意延期`,
    send: () => act(item.number, "extension/decision", { approve, note: note.value.trim() || null }), done: after });
  return h("article", { class: "qcard", dataset: { number: item.number } },
    cardHead(item),
    h("p", { class: "content", text: item.content }),
    h("div", { class: "reason" },
      h("strong", { text: `${item.department || "承办单位"}申请延期 ${item.extension_days ?? "?"} 个工作日：` }),
      h("span", { class: "pre", text: item.reason || "" })),
    h("div", { class: "field" }, h("label", { for: note.id, text: "审批意见" }), note),
    h("div", { class: "actions" }, decide(true), decide(false)));
}

function loadExtensions() {
  return fill($("#extensions"), "/api/queues/extensions", extensionCard, "没有待审批的延期申请");
}

// ------------------------------------------------------------------ 差评 review

const SATISFIED = { satisfied: "满意", basically_satisfied: "基本满意", unsatisfied: "不满意" };
const SOLVED_AS = { solved: "已解决", partly_solved: "部分解决", unsolved: "未解决" };
const APPEALS = { pending: "申诉待裁定", upheld: "申诉驳回", granted: "申诉成立" };
const review = (r, path, body) => post(`/api/complaint-reviews/${r.id}/${path}`, body);

function complaintHead(r) {
  return h("div", { class: "ticket-head" }, ticketLink(r.ticket_number),
    h("span", { class: "badge", text: r.status_label }),
    r.contradictory ? h("span", { class: "badge status-returned", text: "评价矛盾：满意但未解决" }) : null,
    r.appeal_status ? h("span", { class: "badge", text: APPEALS[r.appeal_status] }) : null,
    h("span", { class: "muted", text: `${r.department || "直接答复"} · 核查期限 ${when(r.due_at)}` }));
}

function complaintBody(r) {
  return [h("p", { class: "content", text: r.content }),
    h("div", { class: "reason" }, h("strong", { text: "评价：" }),
      `${SATISFIED[r.satisfaction] || r.satisfaction}，${SOLVED_AS[r.solved] || r.solved}`,
      r.rating_comment ? h("span", { class: "pre", text: `（${r.rating_comment}）` }) : null),
    r.reply ? h("div", { class: "reason" }, h("strong", { text: "答复：" }), h("span", { class: "pre", text: r.reply })) : null,
    r.rectification ? h("div", { class: "reason" }, h("strong", { text: "整改情况：" }),
      h("span", { class: "pre", text: r.rectification })) : null,
    r.rectify_due_at && !r.rectified_at ? h("p", { class: "muted", text: `整改反馈期限 ${when(r.rectify_due_at)}` }) : null];
}

function complaintCard(r) {
  const card = h("article", { class: "qcard", dataset: { review: r.id } }, complaintHead(r), complaintBody(r));
  if (r.status !== "pending") return card;
  const note = textarea(2, "核查意见；不合理时必填理由");
  note.id = `review-note-${r.id}`;
  const decide = (verdict, remedy, label, danger = false) => actionForm({ id: `review-${verdict}-${remedy || "none"}-${r.id}`,
    submit: label, danger, success: `${r.ticket_number} 已核查：${label}`,
    send: () => review(r, "decision", { verdict, remedy, note: note.value.trim() || null }), done: after });
  card.append(h("div", { class: "field" }, h("label", { for: note.id, text: "核查意见" }), note),
    h("div", { class: "actions" }, decide("reasonable", "rectify", "合理，责令整改"),
      decide("reasonable", "reopen", "合理，重办"), decide("unreasonable", null, "不合理，不予采信", true)));
  return card;
}

function appealCard(r) {
  const note = textarea(2, "裁定意见（可不填）");
  note.id = `appeal-note-${r.id}`;
  const decide = (grant) => actionForm({ id: `appeal-${grant ? "grant" : "uphold"}-${r.id}`,
    submit: grant ? "申诉成立" : "驳回申诉", danger: !grant,
    success: `${r.ticket_number} ${grant ? "申诉成立，该差评不计入考核" : "已驳回申诉"}`,
    send: () => review(r, "appeal/decision", { grant, note: note.value.trim() || null }), done: after });
  return h("article", { class: "qcard", dataset: { appeal: r.id } }, complaintHead(r), complaintBody(r),
    h("div", { class: "reason" }, h("strong", { text: `${r.department || "承办单位"}申诉理由：` }),
      h("span", { class: "pre", text: r.appeal_reason || "" })),
    h("div", { class: "field" }, h("label", { for: note.id, text: "裁定意见" }), note),
    h("div", { class: "actions" }, decide(true), decide(false)));
}

async function loadComplaints() {
  const unit = $("#complaint-unit");
  if (!unit.dataset.ready) {
    unit.dataset.ready = "1";
    replace(unit, h("option", { value: "", text: "全部单位" }),
      ref.departments.map((d) => h("option", { value: d.id, text: d.name })));
    unit.addEventListener("change", loadComplaints);
    $("#complaint-status").addEventListener("change", loadComplaints);
  }
  const query = new URLSearchParams();
  if ($("#complaint-status").value) query.set("status", $("#complaint-status").value);
  if (unit.value) query.set("department_id", unit.value);
  const appeals = new URLSearchParams(unit.value ? { department_id: unit.value } : {});
  try {
    const all = await get(`/api/complaint-reviews?${appeals}`);
    const open = all.filter((r) => r.appeal_status === "pending");
    replace($("#appeals"), open.length ? open.map(appealCard) : h("p", { class: "empty", text: "没有待裁定的申诉" }));
  } catch (error) {
    replace($("#appeals"), h("div", { class: "error-box", role: "alert", text: error.detail }));
  }
  return fill($("#complaints"), `/api/complaint-reviews?${query}`, complaintCard, "没有符合条件的差评");
}

// ------------------------------------------------------------------ supervision

function superviseForm(number = "") {
  return actionForm({ id: "supervise", title: "发起督办", submit: "下达督办",
    fields: [["number", "工单号", input({ maxlength: 20, value: number })],
      ["message", "督办要求", textarea(3, "写明要求和期限")],
      ["days", "回复期限（工作日，留空按县里规定）", input({ type: "number", min: 1, max: 10, placeholder: "默认" })]],
    success: "已下达督办",
    send: (v) => act(v.number.trim(), "supervise", v.days ? { message: v.message, respond_within_days: Number(v.days) }
      : { message: v.message }),
    done: after });
}

function noticeItem(n) {
  return h("div", { class: "panel notice-item" },
    h("div", { class: "ticket-head" }, h("strong", { text: NOTICE_KINDS[n.kind] || n.kind }),
      n.document_number ? h("span", { class: "doc-number", text: n.document_number }) : null,
      n.overdue ? h("span", { class: "card-mark card-red", text: "督办逾期" }) : null, ticketLink(n.ticket_number),
      h("span", { class: "muted", text: `${n.department || ""} · ${when(n.created_at)}${
        n.respond_by ? ` · 回复期限 ${when(n.respond_by)}` : ""}` })),
    h("p", { class: "pre", text: n.message }));
}

function loadSupervision() {
  replace($("#supervise-form-box"), superviseForm());
  return fill($("#supervision"), "/api/supervision", noticeItem, "没有未回复的督办");
}

// ------------------------------------------------------------------ merges

function mergeForm(duplicate = "", parent = "") {
  return actionForm({ id: "merge", title: "并单", submit: "并单",
    fields: [["duplicate", "重复工单号", input({ maxlength: 20, value: duplicate })],
      ["parent", "主工单号", input({ maxlength: 20, value: parent })], ["note", "说明（可不填）", textarea(2)]],
    success: "已并单",
    send: (v) => act(v.duplicate.trim(), "merge", { parent_number: v.parent.trim(), note: v.note || null }),
    done: after });
}

async function loadMerge() {
  replace($("#merge-form-box"), mergeForm());
  const box = $("#merge-candidates");
  replace(box, h("p", { class: "muted", text: "正在查找疑似重复件…" }));
  try {
    const queue = (await get("/api/queues/manual-dispatch")).slice(0, 30);
    const tickets = await Promise.all(queue.map((q) => get(`/api/tickets/${encodeURIComponent(q.number)}`)));
    const pairs = tickets.flatMap((t) => (t.events || []).filter((e) => e.action === "propose_merge")
      .flatMap((e) => e.data.candidates.map((c) => ({ ticket: t, parent: c.number, score: c.score }))));
    replace(box, pairs.length ? pairs.map(({ ticket, parent, score }) => h("div", { class: "panel notice-item" },
      h("div", { class: "ticket-head" }, ticketLink(ticket.number), h("span", { text: "疑似重复于" }), ticketLink(parent),
        h("span", { class: "muted", text: `相似度 ${percent(score)}` }),
        h("button", { type: "button", text: "填入并单", onclick: () => replace($("#merge-form-box"),
          mergeForm(ticket.number, parent)) })),
      h("p", { class: "pre", text: ticket.content }))) : h("p", { class: "empty", text: "暂无疑似重复件" }));
  } catch (error) {
    replace(box, h("div", { class: "error-box", role: "alert", text: error.detail }));
  }
}

// ------------------------------------------------------------------ one ticket

async function loadTicket(number) {
  const box = $("#ticket");
  replace(box, h("p", { class: "muted", text: "正在读取…" }));
  try {
    renderTicket(await get(`/api/tickets/${encodeURIComponent(number)}`));
  } catch (error) {
    replace(box, h("div", { class: "error-box", role: "alert", id: "ticket-error", text: error.detail }));
  }
}

function renderTicket(t) {
  document.title = `工单 ${t.number} · 指挥中心`;
  replace($("#ticket"), ticketHead(t), h("div", { class: "ticket-view" },
    h("section", { class: "panel" }, ticketDetails(t), h("div", { id: "ticket-actions" }, ticketActions(t))),
    h("section", { class: "panel" }, h("h2", { text: "办理过程" }), staffTimeline(t.events || []))));
}

function ticketActions(t) {
  const allowed = new Set(t.allowed_actions);
  const done = (fresh) => {
    renderTicket(fresh);
    refreshCounts();
  };
  const forms = [];
  if (allowed.has("dispatch")) {
    forms.push(actionForm({ id: "dispatch", title: "派单", submit: "派单",
      fields: [["category", "分类", categorySelect(t.category_code || t.suggested_category)],
        ["department", "主办部门", departmentSelect()]],
      success: "已派单", send: (v) => act(t.number, "dispatch", dispatchBody(v)), done }));
  }
  if (allowed.has("redispatch")) {
    forms.push(actionForm({ id: "redispatch", title: "改派", submit: "改派",
      fields: [["category", "分类", categorySelect(null)], ["department", "改派给", departmentSelect()]],
      success: "已改派", send: (v) => act(t.number, "redispatch", dispatchBody(v)), done }));
    forms.push(actionForm({ id: "force", title: "强制派单", submit: "强制派单", danger: true,
      fields: [["note", "说明", textarea(2)]], success: "已强制派单",
      send: (v) => act(t.number, "force", { note: v.note || null }), done }));
  }
  if (allowed.has("approve_extension")) {
    for (const approve of [true, false]) {
      forms.push(actionForm({ id: approve ? "approve" : "refuse", submit: approve ? "同意延期" : "不同意延期",
        danger: !approve, success: "已审批", send: () => act(t.number, "extension/decision", { approve }), done }));
    }
  }
  if (allowed.has("approve_reply")) {
    forms.push(h("p", { class: "action-box" }, h("a", { href: "/commander#reviews", id: "to-review",
      text: "答复待审核：到「办结审核」对照诉求逐项质检后通过或退回" })));
  }
  if (allowed.has("reopen") && t.satisfaction === "unsatisfied") {
    forms.push(actionForm({ id: "reopen", title: "重办", submit: "重办",
      fields: [["reason", "重办理由", textarea(2)]], success: "已重办",
      send: (v) => act(t.number, "reopen", { reason: v.reason }), done }));
  }
  if (allowed.has("hand_back")) {
    forms.push(actionForm({ id: "hand-back", title: `联动退回（${t.transferred_to || ""} 非警务）`, submit: "退回热线",
      fields: [["reason", "联动单位说明的理由", textarea(2)]], success: "已退回热线，待派单",
      send: (v) => act(t.number, "hand-back", { reason: v.reason }), done }));
  }
  if (allowed.has("archive")) {
    forms.push(actionForm({ id: "archive", submit: "归档", success: "已归档", send: () => act(t.number, "archive"),
      done }));
  }
  if (allowed.has("merge")) {
    forms.push(actionForm({ id: "merge-one", title: "并单", submit: "并入",
      fields: [["parent", "主工单号", input({ maxlength: 20 })]], success: "已并单",
      send: (v) => act(t.number, "merge", { parent_number: v.parent.trim() }), done }));
  }
  if (["pending_sign", "in_progress", "extension_pending"].includes(t.status)) forms.push(superviseForm(t.number));
  return forms;
}
