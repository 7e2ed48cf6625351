// 话务受理台: record a call while the caller talks, with the classifier's suggestion, similar open tickets,
// the caller's earlier tickets and the knowledge base beside the form. Everything works from the keyboard.

import { get, newIdempotencyKey, post } from "/static/common/api.js";
import { attachmentsOf, attachmentsPanel, staffUpload } from "/static/common/attachments.js";
import { requireStaff } from "/static/common/auth.js";
import { $, debounce, h, options, percent, replace, statusBadge, when } from "/static/common/dom.js";
import { CHANNELS, EMERGENCY_KINDS, LINES, TYPES, URGENCY, categoryOptions } from "/static/common/labels.js";
import { showError, toast } from "/static/common/notice.js";
import { setupSearch } from "/static/common/search.js";
import { setupKnowledge } from "/static/console/knowledge-panel.js";

const state = {
  receipt: null, // {number, query_code} once the call is recorded
  done: false, // an action finished the call (submitted, dispatched, answered, merged, transferred)
  key: newIdempotencyKey(),
  busy: false,
  categoryTouched: false,
  areas: [],
  suggestSeq: 0,
};

const form = () => $("#call-form");
const value = (id) => $(`#${id}`).value.trim();

requireStaff({ roles: ["operator"], title: "话务受理台", start });

async function start() {
  options($("#channel"), CHANNELS);
  options($("#type"), TYPES);
  options($("#urgency"), URGENCY);
  wireKeyboard();
  wireForm();
  setupKnowledge({ contentOf: () => value("content"), answer: answerWithArticle });
  $("#caller_phone").focus();
  try {
    const [areas, categories, departments] = await Promise.all([get("/api/reference/areas"),
      get("/api/reference/categories"), get("/api/departments")]);
    state.areas = areas;
    replace($("#townships"), areas.map((a) => h("option", { value: a.township })));
    replace($("#category"), categoryOptions(h, categories, "（按建议）"));
    setupSearch($("#search"), { departments, categories, open: (number) => {
      peek(number);
      $("#peek").scrollIntoView({ block: "nearest" });
    } });
  } catch (error) {
    showError($("#call-error"), error);
  }
}

// ------------------------------------------------------------------ keyboard

function wireKeyboard() {
  document.addEventListener("keydown", (event) => {
    if ($(".login-overlay")) return;
    if (event.ctrlKey && event.key === "Enter") {
      event.preventDefault();
      submitCall();
    } else if (event.altKey && event.code === "KeyD") {
      event.preventDefault();
      dispatchCall();
    } else if (event.altKey && event.code === "KeyK") {
      event.preventDefault();
      $("#kb-query").focus();
      $("#kb-query").select();
    } else if (event.altKey && event.code === "KeyN") {
      event.preventDefault();
      newCall();
    } else if (event.key === "Escape") {
      $("#content").focus();
    }
  });
  // Enter in a one-line field moves on, as operators expect; it never sends a half-typed call.
  form().addEventListener("keydown", (event) => {
    const target = event.target;
    if (event.key !== "Enter" || event.ctrlKey || event.altKey || target.tagName !== "INPUT") return;
    event.preventDefault();
    const fields = Array.from(form().querySelectorAll("input, select, textarea")).filter((f) => !f.disabled);
    const next = fields[fields.indexOf(target) + 1];
    if (next) next.focus();
  });
}

// ------------------------------------------------------------------ form

function wireForm() {
  form().addEventListener("submit", (event) => {
    event.preventDefault();
    submitCall();
  });
  $("#dispatch-call").addEventListener("click", dispatchCall);
  $("#new-call").addEventListener("click", newCall);
  $("#category").addEventListener("change", () => { state.categoryTouched = true; });
  $("#township").addEventListener("change", () => {
    const area = state.areas.find((a) => a.township === value("township"));
    replace($("#villages"), (area ? area.villages : []).map((v) => h("option", { value: v })));
    $("#village").placeholder = area ? "输入或选择" : "先选乡镇";
    suggestSoon();
  });
  $("#caller_phone").addEventListener("change", suggestSoon);
  $("#content").addEventListener("input", suggestSoon);
}

function callBody() {
  const body = { content: value("content"), channel: value("channel"), type: value("type"), urgency: value("urgency"),
    idempotency_key: state.key };
  for (const name of ["caller_name", "caller_phone", "township", "village", "address"]) {
    if (value(name)) body[name] = value(name);
  }
  return body;
}

function checkPlaces() {
  const township = value("township");
  const village = value("village");
  if (!township) return village ? "填写村（社区）时请同时选择所属乡镇" : null;
  const area = state.areas.find((a) => a.township === township);
  if (!area) return `乡镇（街道）「${township}」不在本县名录中，请从列表中选择`;
  if (village && !area.villages.includes(village)) return `「${village}」不属于${township}，请从列表中选择`;
  return null;
}

/** Record the call once; every later action of this call uses the same ticket. */
async function record() {
  if (state.receipt) return state.receipt;
  const problem = checkPlaces();
  if (problem) throw { detail: problem };
  try {
    state.receipt = await post("/api/tickets", callBody());
  } catch (error) {
    if (error.status === 409 && error.body && error.body.number) {
      state.receipt = { number: error.body.number, query_code: null };
    } else {
      throw error;
    }
  }
  $("#call-state").textContent = `已登记 ${state.receipt.number}`;
  return state.receipt;
}

/** Run one finishing action for the call: record it if needed, act, show the receipt. */
async function act(action, describe) {
  if (state.busy || state.done) return;
  state.busy = true;
  showError($("#call-error"), null);
  try {
    const receipt = await record();
    const ticket = await action(receipt.number);
    finish(receipt, ticket, describe(ticket));
  } catch (error) {
    showError($("#call-error"), error);
  } finally {
    state.busy = false;
  }
}

function submitCall() {
  return act((n) => post(`/api/tickets/${n}/submit`), () => "已提交派单：系统将按派单目录自动分拨，无把握时转人工分拨。");
}

function dispatchCall() {
  const category = value("category") || state.suggested;
  if (!category) {
    showError($("#call-error"), { detail: "请先选择派单分类（或等待智能建议）" });
    $("#category").focus();
    return;
  }
  return act((n) => post(`/api/tickets/${n}/dispatch`, { category_code: category }),
    (t) => `已派单至 ${t.lead_department ? t.lead_department.name : "承办单位"}。`);
}

function answerWithArticle(article) {
  return act((n) => post(`/api/tickets/${n}/answer`, { reply: article.answer, article_id: article.id }),
    () => `已直接答复办结，引用知识库：${article.title}`);
}

function transfer(line) {
  return act((n) => post(`/api/tickets/${n}/transfer`, { line }), () => `已转 ${LINES[line] || line} 紧急处置。`);
}

function merge(parent) {
  return act((n) => post(`/api/tickets/${n}/merge`, { parent_number: parent }), () => `已并入工单 ${parent}。`);
}

function finish(receipt, ticket, message) {
  state.done = true;
  form().inert = true;
  $("#call-state").textContent = `已完成 ${receipt.number}`;
  const box = $("#receipt");
  replace(box,
    h("div", { class: "receipt-line" },
      h("span", { text: "工单号" }), h("strong", { class: "number", id: "receipt-number", text: receipt.number }),
      receipt.query_code ? h("span", { text: "查询码" }) : null,
      receipt.query_code ? h("strong", { class: "number", id: "receipt-code", text: receipt.query_code }) : null,
      statusBadge(ticket.status, ticket.status_label)),
    h("p", { text: message }),
    spokenDeadline(ticket),
    h("p", { class: "muted", text: "请将工单号和查询码告知来电人，可凭此在网上查询办理进度和评价。" }),
    attachmentsPanel({ ticket: { ...ticket, attachments: attachmentsOf(ticket) || [] },
      upload: staffUpload(receipt.number), title: "照片和录音" }),
    h("button", { type: "button", class: "primary", id: "next-call", text: "下一通来电 (Alt+N)", onclick: newCall }));
  box.hidden = false;
  $("#next-call").focus();
  toast(message);
}

const WEEKDAYS = "日一二三四五六";

/** 12月9日星期三下午5点30分: a deadline as the operator reads it out, county time. */
function spoken(iso) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai", year: "numeric",
    month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", hourCycle: "h23", weekday: "short" })
    .formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  const day = new Date(Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day))).getUTCDay();
  const hour = Number(parts.hour);
  const minute = Number(parts.minute);
  const part = hour < 6 ? "凌晨" : hour < 12 ? "上午" : hour < 13 ? "中午" : hour < 18 ? "下午" : "晚上";
  const twelve = hour > 12 ? hour - 12 : hour;
  return `${Number(parts.month)}月${Number(parts.day)}日星期${WEEKDAYS[day]}${part}${twelve}点${
    minute ? `${minute}分` : "整"}`;
}

/** The sentence to read to the caller: by when the answer is due, once the ticket has a deadline. */
function spokenDeadline(t) {
  if (!t.due_at || t.closed_at || ["closed", "rated", "archived", "merged", "transferred"].includes(t.status)) {
    return null;
  }
  return h("p", { class: "deadline", id: "receipt-deadline" }, h("strong", { text: "请告知来电人：" }),
    `承办单位将在${spoken(t.due_at)}前答复您。`);
}

function newCall() {
  if (state.busy) return;
  form().reset();
  form().inert = false;
  Object.assign(state, { receipt: null, done: false, key: newIdempotencyKey(), categoryTouched: false,
    suggested: null });
  $("#receipt").hidden = true;
  $("#call-state").textContent = "新来电";
  showError($("#call-error"), null);
  renderSuggestion(null);
  window.dispatchEvent(new CustomEvent("console:new-call"));
  $("#caller_phone").focus();
}

// ------------------------------------------------------------------ suggestion

const PHONE = /^(?:\+?86)?(?:1[3-9]\d{9}|0\d{2,3}\d{7,8})$/;

const suggestSoon = debounce(suggest, 450);

async function suggest() {
  const text = value("content");
  if (text.length < 6) return;
  const seq = ++state.suggestSeq;
  const body = { text };
  if (value("township")) body.township = value("township");
  const phone = value("caller_phone").replace(/[\s-]/g, "");
  if (PHONE.test(phone)) body.phone = phone;
  try {
    const data = await post("/api/classifier/suggest", body);
    if (seq === state.suggestSeq && !state.done) renderSuggestion(data);
  } catch (error) {
    if (seq === state.suggestSeq) replace($("#suggestion"), h("div", { class: "error-box", text: error.detail }));
  }
}

function renderSuggestion(data) {
  const emergency = $("#emergency");
  if (!data) {
    replace($("#suggestion"), h("p", { class: "empty", text: "输入诉求内容后显示建议分类和承办部门。" }));
    replace($("#similar"), h("p", { class: "empty", text: "暂无" }));
    replace($("#earlier"), h("p", { class: "empty", text: "暂无" }));
    emergency.hidden = true;
    $("#peek").hidden = true;
    return;
  }
  const s = data.suggestion;
  if (!s) {
    replace($("#suggestion"), h("p", { class: "empty", text: "暂无分类模型，请人工选择分类。" }));
  } else {
    const best = s.top[0];
    state.suggested = best.code;
    if (!state.categoryTouched) $("#category").value = best.code;
    const why = doubts(s, data.emergency);
    replace($("#suggestion"),
      h("div", { class: "best", id: "suggest-best" },
        h("strong", { text: best.name }), h("span", { class: "muted", text: ` ${best.code}` }),
        h("span", { class: why.length ? "badge unsure" : "badge sure", id: "suggest-sure",
          text: why.length ? "需人工确认" : "把握较大" })),
      why.length ? h("ul", { class: "doubts", id: "suggest-why" }, why.map((reason) => h("li", { text: reason }))) : null,
      h("div", { class: "muted", id: "suggest-dept", text: `承办部门：${s.department || "派单目录未覆盖"}` }),
      h("ul", { class: "bars", id: "suggest-top", "aria-label": "可能的分类及概率" }, s.top.slice(0, 3).map((c) => h("li", {},
        h("span", { class: "bar-label", text: c.name, title: `${c.name} ${c.code}` }),
        h("meter", { min: 0, max: 1, value: c.probability, "aria-hidden": "true" }),
        h("span", { class: "bar-value", text: chance(c.probability) })))),
      s.evidence && s.evidence.length
        ? h("div", { class: "evidence", id: "suggest-evidence" }, h("span", { class: "muted", text: "关键词：" }),
          s.evidence.map((w) => h("span", { class: "chip", text: w })))
        : null);
  }
  if (data.emergency) {
    const e = data.emergency;
    replace(emergency,
      h("strong", { text: `疑似紧急警情：${e.label || EMERGENCY_KINDS[e.kind] || e.kind}` }),
      h("div", { text: `依据：${(e.evidence || []).join("、")}` }),
      h("button", { type: "button", class: "danger", id: "transfer", text: `转 ${LINES[e.line] || e.line}`,
        onclick: () => transfer(e.line) }),
      ...(e.also || []).map((l) => h("button", { type: "button", class: "secondary", id: `transfer-${l}`,
        text: `另需 ${LINES[l] || l}`, onclick: () => transfer(l) })));
    emergency.hidden = false;
  } else {
    emergency.hidden = true;
  }
  replace($("#similar"), data.similar_open.length
    ? h("ul", { class: "tickets" }, data.similar_open.map((m) => h("li", {},
      h("button", { type: "button", class: "link", text: m.number, onclick: () => peek(m.number) }),
      h("span", { class: "muted", text: ` 相似度 ${percent(m.score)}` }),
      h("button", { type: "button", class: "merge", dataset: { parent: m.number }, text: "并入此单",
        onclick: () => merge(m.number) }))))
    : h("p", { class: "empty", text: "暂无" }));
  const earlier = data.earlier_tickets.length
    ? h("ul", { class: "tickets earlier" }, data.earlier_tickets.map(earlierItem))
    : h("p", { class: "empty", text: "暂无" });
  replace($("#earlier"), ...(data.repeat_of ? [repeatNotice(data.repeat_of)] : []), earlier);
}

const SUMMARY_CHARS = 30;
const summary = (text) => (text.length > SUMMARY_CHARS ? `${text.slice(0, SUMMARY_CHARS - 1)}…` : text);

/** One earlier ticket of the caller: its number, then (once read) its date, status and what it was about. */
function earlierItem(number) {
  const about = h("span", { class: "about muted", text: "" });
  const item = h("li", { dataset: { number } },
    h("button", { type: "button", class: "link", text: number, onclick: () => peek(number) }), about);
  get(`/api/tickets/${encodeURIComponent(number)}`).then((t) => {
    replace(about, ` ${when(t.created_at)} `, statusBadge(t.status, t.status_label),
      h("span", { class: "summary", title: t.content, text: ` ${summary(t.title || t.content)}` }));
  }).catch(() => { /* the number stays, and peek shows why it cannot be read */ });
  return item;
}

/** 重复诉求: the caller was answered on this problem before; the operator says so and a person decides. */
function repeatNotice(r) {
  const when = r.days_since_closed === null ? "此前" : (r.days_since_closed < 1 ? "今天" : `${r.days_since_closed} 天前`);
  return h("p", { class: "repeat", id: "repeat-of", role: "status" },
    h("strong", { text: "重复诉求：" }), `该来电人${when}办结的工单 `,
    h("button", { type: "button", class: "link", text: r.earlier_number, onclick: () => peek(r.earlier_number) }),
    " 反映过同类问题，请问明是否仍未解决。");
}

/** A probability as an operator reads it: a whole percent, never a misleading 0% or 100%. */
function chance(probability) {
  const whole = Math.round(probability * 100);
  if (whole < 1) return "<1%";
  if (whole > 99 && probability < 1) return ">99%";
  return `${whole}%`;
}

/** Why a person must decide this call, from what the suggestion carries; none when the model is sure. */
function doubts(s, emergency) {
  const reasons = [];
  if (emergency) reasons.push("疑似紧急警情：先按紧急情况处置，不按建议自动派单");
  else if (!s.confident) reasons.push(`模型没有把握：最可能的分类只有 ${chance(s.top[0].probability)}`);
  if (!s.department) reasons.push("派单目录未覆盖该分类：请人工选择分类或承办单位");
  return reasons;
}

async function peek(number) {
  const box = $("#peek");
  box.hidden = false;
  replace(box, h("p", { class: "muted", text: `正在读取 ${number}…` }));
  try {
    const t = await get(`/api/tickets/${encodeURIComponent(number)}`);
    replace(box,
      h("div", { class: "peek-head" }, h("strong", { text: t.number }), statusBadge(t.status, t.status_label),
        h("button", { type: "button", class: "link", text: "关闭", onclick: () => { box.hidden = true; } })),
      h("div", { class: "muted", text: `${when(t.created_at)} · ${t.township || ""} · ${
        t.lead_department ? t.lead_department.name : "未派单"}` }),
      h("p", { class: "pre", text: t.content }),
      t.reply ? h("p", { class: "pre", text: `答复：${t.reply}` }) : null,
      attachmentsPanel({ ticket: t, upload: staffUpload(t.number), title: "照片和录音" }));
  } catch (error) {
    replace(box, h("div", { class: "error-box", text: error.detail }));
  }
}
