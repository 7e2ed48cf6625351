// 群众诉求: send a letter without an account, look a ticket up with its number and query code, see the public
// timeline, rate the answer, add what the handler asked for. The code never goes into the URL or storage.

import { api, newIdempotencyKey } from "/static/common/api.js";
import { attachmentsOf, attachmentsPanel, citizenUpload } from "/static/common/attachments.js";
import { $, h, replace, statusBadge, when } from "/static/common/dom.js";
import { SATISFACTION, SOLVED, TYPES, label } from "/static/common/labels.js";
import { errorBox, showError } from "/static/common/notice.js";
import { publicTimeline } from "/static/common/timeline.js";

const publicCall = (path, body) => api(`/api/public/${path}`, { method: "POST", body, auth: false });
const state = { letterKey: newIdempotencyKey(), areas: [], current: null };
// whom the letter is addressed to, in a citizen's words; the values are the intake channels the API records
// (移动应用 is not offered: an app files through its own API key, not through this page)
const ADDRESSEES = [["web", "12345热线"], ["mailbox", "县长信箱"]];
// before dispatch no department and no deadline exist yet: the clock starts when one is given the ticket
const NOT_YET_DUE = new Set(["received", "pending_dispatch"]);
const DUE_LATER = "转交办理单位后确定";

init();

function init() {
  fillSelect($("#l-type"), TYPES);
  fillSelect($("#l-channel"), ADDRESSEES);
  $("#tab-letter").addEventListener("click", () => selectTab("letter"));
  $("#tab-lookup").addEventListener("click", () => selectTab("lookup"));
  $("#letter-form").addEventListener("submit", sendLetter);
  $("#lookup-form").addEventListener("submit", (event) => {
    event.preventDefault();
    lookUp($("#q-number").value.trim(), $("#q-code").value.trim());
  });
  $("#l-township").addEventListener("change", fillVillages);
  const number = new URLSearchParams(location.search).get("number");
  if (number) $("#q-number").value = number.slice(0, 20);
  selectTab(location.hash === "#lookup" || number ? "lookup" : "letter", false);
  loadAreas();
}

function fillSelect(select, pairs, placeholder) {
  replace(select, placeholder !== undefined ? h("option", { value: "", text: placeholder }) : null,
    pairs.map(([value, text]) => h("option", { value, text })));
}

async function loadAreas() {
  try {
    state.areas = await api("/api/reference/areas", { auth: false });
  } catch {
    state.areas = [];
  }
  fillSelect($("#l-township"), state.areas.map((a) => [a.township, a.township]), "（请选择）");
  fillVillages();
}

function fillVillages() {
  const area = state.areas.find((a) => a.township === $("#l-township").value);
  fillSelect($("#l-village"), (area ? area.villages : []).map((v) => [v, v]), area ? "（可不选）" : "（先选乡镇）");
}

function selectTab(name, focus = true) {
  for (const tab of ["letter", "lookup"]) {
    $(`#tab-${tab}`).setAttribute("aria-selected", String(tab === name));
    $(`#${tab}-view`).hidden = tab !== name;
  }
  history.replaceState(null, "", `${location.pathname}${location.search}#${name}`);
  if (focus) (name === "lookup" ? $("#q-number") : $("#l-title")).focus();
}

// ------------------------------------------------------------------ letter

async function sendLetter(event) {
  event.preventDefault();
  const problem = $("#letter-error");
  showError(problem, null);
  const value = (id) => $(`#${id}`).value.trim();
  const body = { title: value("l-title"), content: value("l-content"), phone: value("l-phone"),
    type: value("l-type"), channel: value("l-channel"), idempotency_key: state.letterKey };
  for (const [key, id] of [["name", "l-name"], ["township", "l-township"], ["village", "l-village"],
    ["address", "l-address"]]) {
    if (value(id)) body[key] = value(id);
  }
  const button = $("#send-letter");
  button.disabled = true;
  try {
    showReceipt(await publicCall("letters", body));
  } catch (error) {
    showError(problem, error);
  } finally {
    button.disabled = false;
  }
}

function showReceipt(receipt) {
  $("#letter-form").hidden = true;
  const box = $("#letter-receipt");
  replace(box,
    h("h2", { text: "留言已提交" }),
    h("div", { class: "muted", text: "工单号" }), h("div", { class: "big", id: "receipt-number", text: receipt.number }),
    h("div", { class: "muted", text: "查询码" }), h("div", { class: "big", id: "receipt-code", text: receipt.query_code }),
    h("p", { text: receipt.message }),
    h("dl", { class: "dl" }, h("dt", { text: "承诺办结时间" }),
      h("dd", { id: "receipt-due", text: `${DUE_LATER}，届时短信告知您办理单位和答复期限` })),
    h("p", { class: "muted small", text: "请记下工单号和查询码（可截图保存），凭此查询办理进度并评价。" }),
    attachmentsPanel({ ticket: { number: receipt.number, status: "received", attachments: [] },
      upload: citizenUpload(receipt.number, receipt.query_code), capture: true, title: "现场照片或录音" }),
    h("button", { type: "button", class: "primary wide", id: "to-lookup", text: "查询办理进度", onclick: () => {
      $("#q-number").value = receipt.number;
      $("#q-code").value = receipt.query_code;
      selectTab("lookup");
      lookUp(receipt.number, receipt.query_code);
    } }),
    h("p", {}, h("button", { type: "button", class: "link", text: "再写一条留言", onclick: newLetter })));
  box.hidden = false;
  box.focus();
}

function newLetter() {
  $("#letter-form").reset();
  fillVillages();
  state.letterKey = newIdempotencyKey();
  $("#letter-form").hidden = false;
  $("#letter-receipt").hidden = true;
  $("#l-title").focus();
}

// ------------------------------------------------------------------ lookup, rating, supplement

async function lookUp(number, code) {
  const box = $("#lookup-result");
  if (!number || !code) {
    replace(box, h("div", { class: "error-box", role: "alert", text: "请填写工单号和查询码" }));
    return;
  }
  try {
    const ticket = await publicCall("lookup", { number, query_code: code });
    state.current = { number, code };
    render(ticket);
  } catch (error) {
    state.current = null;
    // an unknown number and a wrong code get the same sentence from the API, and the same page here
    replace(box, h("div", { class: "error-box", role: "alert", id: "lookup-error", text: error.detail }));
  }
}

function render(t, thanks) {
  // a rating's or supplement's answer may leave the files out: keep those the page already showed
  const files = t.attachments && t.attachments.length ? t.attachments : attachmentsOf({ number: t.number }) || [];
  replace($("#lookup-result"), h("div", { class: "result" },
    thanks ? h("div", { class: "ok-box", role: "status", text: thanks }) : null,
    h("div", { class: "status-line" }, h("strong", { text: `工单 ${t.number}` }), statusBadge(t.status, t.status_label)),
    h("dl", { class: "dl" },
      h("dt", { text: "受理时间" }), h("dd", { text: when(t.created_at, true) }),
      t.due_text ? [h("dt", { text: "承诺办结时间" }), h("dd", { id: "due-text", text: t.due_text })] : null,
      !t.due_text && NOT_YET_DUE.has(t.status)
        ? [h("dt", { text: "承诺办结时间" }), h("dd", { id: "due-later",
          text: t.caller_phone ? `${DUE_LATER}，届时短信告知您` : DUE_LATER })]
        : null,
      t.supplement_due_text
        ? [h("dt", { text: "补充截止时间" }), h("dd", { id: "supplement-due-text", text: t.supplement_due_text })]
        : null,
      h("dt", { text: "联系电话" }), h("dd", { text: t.caller_phone || "—" }),
      t.satisfaction ? [h("dt", { text: "您的评价" }), h("dd", { text: label(SATISFACTION, t.satisfaction) })] : null),
    h("section", {}, h("h2", { text: t.title || "诉求内容" }), h("p", { class: "pre", text: t.content })),
    // the answer is read in the progress, where its event says 已办结。答复：… (a reopened ticket keeps each one
    // in its place); `t.reply` is not drawn again beside it
    h("section", { id: "progress" }, h("h2", { text: "办理进度" }), publicTimeline(t.timeline)),
    h("section", { id: "public-files" }, attachmentsPanel({ ticket: { ...t, attachments: files },
      upload: citizenUpload(state.current.number, state.current.code), capture: true, title: "照片和录音" })),
    t.can_rate ? ratingForm(t) : null,
    t.can_supplement ? supplementForm(t) : null));
}

function choices(name, pairs) {
  return h("div", { class: "choices", role: "radiogroup" }, pairs.map(([value, text]) => h("label", {},
    h("input", { type: "radio", name, value }), h("span", { text }))));
}

function ratingForm(t) {
  const problem = errorBox();
  const comment = h("textarea", { id: "r-comment", rows: 3, maxlength: 500, placeholder: "意见建议（可不填）" });
  const form = h("form", { id: "rating-form", novalidate: true },
    h("h2", { text: "请您评价" }),
    h("label", { text: "对办理结果是否满意" }), choices("satisfaction", SATISFACTION),
    h("label", { text: "问题是否解决" }), choices("solved", SOLVED),
    comment, problem,
    h("button", { type: "submit", class: "primary wide", id: "send-rating", text: "提交评价" }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const picked = (name) => form.querySelector(`input[name=${name}]:checked`)?.value;
    if (!picked("satisfaction") || !picked("solved")) {
      showError(problem, { detail: "请选择满意程度和解决情况" });
      return;
    }
    try {
      const fresh = await publicCall("rating", { number: state.current.number, query_code: state.current.code,
        satisfaction: picked("satisfaction"), solved: picked("solved"), comment: comment.value.trim() || null });
      render(fresh, "感谢您的评价！");
    } catch (error) {
      showError(problem, error);
    }
  });
  return h("section", {}, form);
}

function supplementForm(t) {
  const problem = errorBox();
  const content = h("textarea", { id: "s-content", rows: 4, maxlength: 4000, placeholder: "请按办理单位的要求补充情况" });
  const form = h("form", { id: "supplement-form", novalidate: true },
    h("h2", { text: "补充情况" }),
    t.supplement_due_text
      ? h("p", { class: "muted small", text: `请于 ${t.supplement_due_text} 前补充，逾期将按现有情况继续办理。` }) : null,
    content, problem,
    h("button", { type: "submit", class: "primary wide", text: "提交补充" }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const fresh = await publicCall("supplement", { number: state.current.number, query_code: state.current.code,
        content: content.value });
      render(fresh, "已收到您的补充，办理单位将继续办理。");
    } catch (error) {
      showError(problem, error);
    }
  });
  return h("section", {}, form);
}
