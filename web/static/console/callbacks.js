// 回访: the operator calls back the callers of 办结 tickets, the overdue first, and records each call. A reached
// call records the survey (满意度, 解决情况, whether the unit contacted the caller) as the ticket's rating.

import { get, post } from "/static/common/api.js";
import { requireStaff } from "/static/common/auth.js";
import { $, h, options, replace, when } from "/static/common/dom.js";
import { SATISFACTION, SOLVED } from "/static/common/labels.js";
import { showError, toast } from "/static/common/notice.js";

const OUTCOMES = { no_answer: "未接通", busy: "占线", refused: "拒绝回访", reached: "已接通" };
const state = { items: [], current: null, busy: false };

requireStaff({ roles: ["operator"], title: "回访", start });

async function start() {
  options($("#satisfaction"), SATISFACTION, { placeholder: "请选择" });
  options($("#solved"), SOLVED, { placeholder: "请选择" });
  for (const radio of document.querySelectorAll("input[name=outcome]")) radio.addEventListener("change", showSurvey);
  $("#attempt-form").addEventListener("submit", save);
  $("#attempt-form").addEventListener("change", () => { $("#attempt-error").hidden = true; });
  await load();
}

const outcome = () => document.querySelector("input[name=outcome]:checked").value;

function showSurvey() {
  $("#survey").hidden = outcome() !== "reached";
}

async function load() {
  try {
    state.items = await get("/api/callbacks");
    $("#queue-error").hidden = true;
  } catch (error) {
    showError($("#queue-error"), error);
    return;
  }
  $("#queue-count").textContent = `${state.items.length} 件`;
  replace($("#queue"), state.items.length ? state.items.map(row) : h("li", { class: "empty", text: "暂无待回访工单" }));
  if (state.current && !state.items.some((i) => i.number === state.current.number)) choose(null);
}

function row(item) {
  return h("li", {},
    h("button", { type: "button", class: `callback-item${item.overdue ? " overdue" : ""}`,
      dataset: { number: item.number }, onclick: () => choose(item) },
    h("strong", { text: item.number }), " ",
    h("span", { class: item.overdue ? "badge red" : "badge", text: item.overdue ? "已超期" : "待回访" }), " ",
    h("span", { class: "muted", text: `应回访 ${when(item.due_at)}` }),
    h("div", { class: "small", text: `${item.caller_name || "来电人"} ${item.caller_phone || ""} · ${item.department || "直接答复"}` }),
    item.attempts ? h("div", { class: "small muted",
      text: `已回访 ${item.attempts} 次，最近：${OUTCOMES[item.last_outcome] || "—"}` }) : null));
}

function choose(item) {
  state.current = item;
  $("#attempt-form").hidden = !item;
  $("#call-number").textContent = item ? item.number : "";
  $("#attempt-error").hidden = true;
  if (!item) {
    replace($("#call-ticket"), h("p", { class: "empty", text: "从左侧选择一张待回访工单。" }));
    return;
  }
  replace($("#call-ticket"),
    h("p", {}, h("strong", { text: "来电人：" }), `${item.caller_name || "—"} `,
      h("span", { class: "phone", id: "call-phone", text: item.caller_phone || "—" })),
    h("p", {}, h("strong", { text: "诉求：" }), item.content),
    h("p", {}, h("strong", { text: "答复：" }), item.reply || "—"),
    h("p", { class: "muted small", text: `办结 ${when(item.closed_at)} · 应回访 ${when(item.due_at)}` }));
  $("#attempt-form").reset();
  showSurvey();
  $("#note").focus();
}

async function save(event) {
  event.preventDefault();
  if (!state.current || state.busy) return;
  const body = { outcome: outcome(), note: $("#note").value.trim() || null };
  if (body.outcome === "reached") {
    body.satisfaction = $("#satisfaction").value || null;
    body.solved = $("#solved").value || null;
    body.contacted = $("#contacted").value === "" ? null : $("#contacted").value === "true";
    if (!body.satisfaction || !body.solved || body.contacted === null) {
      showError($("#attempt-error"), new Error("已接通的回访须填写满意度、解决情况和承办单位是否联系过来电人"));
      return;
    }
  }
  state.busy = true;
  $("#save-attempt").disabled = true;
  try {
    const ticket = await post(`/api/tickets/${state.current.number}/callback-attempts`, body);
    const failed = ticket.events.some((e) => e.action === "callback_failed");
    toast(body.outcome === "reached" ? `${ticket.number} 回访评价已记录`
      : failed ? `${ticket.number} 多次未能联系，已记为回访失败` : `${ticket.number} 已记录：${OUTCOMES[body.outcome]}`);
    await load();
    const again = state.items.find((i) => i.number === ticket.number);
    choose(again || null);
  } catch (error) {
    showError($("#attempt-error"), error);
  } finally {
    state.busy = false;
    $("#save-attempt").disabled = false;
  }
}
