// 热点 on the commander's desk: the window's clusters of one problem at one place, hottest first
// (GET /api/hotspots), one cluster's tickets, and the commander's 合并 / 拆分 / 督办 / 并单 on it; below, a past window
// mined on demand. The API decides every action; its Chinese refusal is shown in the form that asked.

import { get, post } from "/static/common/api.js";
import { $, $$, dateInput, h, replace, statusBadge, when } from "/static/common/dom.js";
import { toast } from "/static/common/notice.js";
import { actionForm, input, textarea } from "/static/common/ticket.js";

const state = { list: [], openId: null, ticketLink: null, changed: () => {} };
const HISTORY_DAYS = 30; // the default past window: the month up to today
const call = (id, path, body) => post(`/api/hotspots/${id}/${path}`, body);
const heat = (value) => String(Math.round(value * 10) / 10);
const span = (spot, full = false) => `${when(spot.first_at, full)} 至 ${when(spot.last_at, full)}`;

/** YYYY-MM-DD of the county's calendar (Asia/Shanghai), `back` days before today. */
function countyDay(back = 0) {
  const day = new Date(Date.now() - back * 86400000);
  return new Intl.DateTimeFormat("sv-SE", { timeZone: "Asia/Shanghai" }).format(day);
}

/** Show the section: `ticketLink(number)` is the desk's link to one ticket; `changed()` refreshes its counts. */
export function loadHotspots({ ticketLink, changed }) {
  state.ticketLink = ticketLink;
  state.changed = changed;
  setupHistory();
  return loadList(true);
}

// ------------------------------------------------------------------ the live list

/** The list; `reopen` shows again the cluster that was open when the desk comes back to this view. */
async function loadList(reopen = false) {
  const box = $("#hotspot-list");
  try {
    state.list = await get("/api/hotspots?limit=50");
  } catch (error) {
    replace(box, h("div", { class: "error-box", role: "alert", text: error.detail }));
    return;
  }
  replace(box, state.list.length ? figuresTable(state.list, { live: true })
    : h("p", { class: "empty", text: "近期没有两件以上工单聚集的热点" }));
  if (reopen && state.openId !== null) await openSpot(state.openId);
}

/** The live list and the history share one table: name, township, the figures, time span (and units, 查看). */
function figuresTable(spots, { live }) {
  const head = ["热点", "乡镇", "工单", "来电人", "近24小时", "重复件", "热度", "时间跨度", ...(live ? ["承办单位", ""] : [])];
  return h("table", { class: "hotspot-table", id: live ? "hotspot-table" : "history-table" },
    h("thead", {}, h("tr", {}, head.map((text) => h("th", { text })))),
    h("tbody", {}, spots.map((s) => h("tr", { dataset: live ? { id: s.id } : {} },
      h("td", { class: "name", text: s.name || "（未命名）" }),
      h("td", { text: s.township || "—" }),
      h("td", { class: "size", text: s.size }),
      h("td", { class: "callers", text: s.callers }),
      h("td", { class: "last-day", text: s.last_day }),
      h("td", { class: "repeats", text: s.repeats }),
      h("td", { class: "heat", text: heat(s.heat) }),
      h("td", { class: "span", text: span(s, !live) }),
      live ? h("td", { class: "units", text: s.units.join("、") || "未派单" }) : null,
      live ? h("td", {}, h("button", { type: "button", name: `open-hotspot-${s.id}`, text: "查看",
        onclick: () => openSpot(s.id) })) : null))));
}

// ------------------------------------------------------------------ one cluster

async function openSpot(id) {
  state.openId = id;
  const box = $("#hotspot-detail");
  box.hidden = false;
  try {
    renderSpot(await get(`/api/hotspots/${id}`));
  } catch (error) {
    state.openId = null;
    replace(box, h("div", { class: "error-box", role: "alert", text: error.detail }));
  }
}

function renderSpot(spot, outcome = null) {
  state.openId = spot.id;
  $$("#hotspot-table tr.open").forEach((row) => row.classList.remove("open"));
  $(`#hotspot-table tr[data-id="${spot.id}"]`)?.classList.add("open");
  const picks = Object.fromEntries(spot.tickets.map((t) => [t.number, h("input", { type: "checkbox",
    name: `pick-${t.number}`, "aria-label": `选择 ${t.number}` })]));
  replace($("#hotspot-detail"),
    h("div", { class: "ticket-head" }, h("h3", { id: "hotspot-title", text: `热点 #${spot.id} ${spot.name}` }),
      spot.by_hand ? h("span", { class: "badge", text: "已人工调整" }) : null,
      spot.notified_at ? h("span", { class: "badge", text: `已短信通知 ${when(spot.notified_at)}` }) : null,
      h("button", { type: "button", class: "link", text: "收起", onclick: closeSpot })),
    h("p", { class: "muted", id: "hotspot-figures", text: `${spot.township || "未填乡镇"} · 工单 ${spot.size} 件 · 来电人 ${
      spot.callers} 位 · 近24小时 ${spot.last_day} 件 · 重复件 ${spot.repeats} 件 · 热度 ${heat(spot.heat)} · ${span(spot)}` }),
    ticketTable(spot, picks),
    outcome,
    h("div", { class: "hotspot-actions", id: "hotspot-actions" },
      splitForm(spot, picks), mergeForm(spot), superviseForm(spot), mergeTicketsForm(spot)));
}

function closeSpot() {
  state.openId = null;
  $("#hotspot-detail").hidden = true;
  $$("#hotspot-table tr.open").forEach((row) => row.classList.remove("open"));
}

function ticketTable(spot, picks) {
  return h("table", { class: "hotspot-tickets", id: "hotspot-tickets" },
    h("thead", {}, h("tr", {}, ["拆分", "工单号", "受理时间", "诉求摘要", "状态", "承办单位"].map((text) => h("th", { text })))),
    h("tbody", {}, spot.tickets.map((t) => h("tr", { dataset: { number: t.number } },
      h("td", {}, picks[t.number]),
      h("td", {}, state.ticketLink(t.number)),
      h("td", { class: "nowrap", text: when(t.created_at, true) }),
      h("td", { class: "summary", text: t.summary }),
      h("td", {}, statusBadge(t.status, t.status_label)),
      h("td", { class: "unit", text: t.unit || "未派单" })))));
}

// While one request runs, every action on the cluster waits: no second merge, split or 督办 on stale members.
async function exclusive(request) {
  const buttons = $$("#hotspot-actions button");
  buttons.forEach((b) => { b.disabled = true; });
  try {
    return await request();
  } finally {
    buttons.forEach((b) => { b.disabled = false; });
  }
}

// The list first, so the merge picker no longer offers a cluster that is gone.
async function refreshed(spot, outcome = null) {
  await loadList();
  renderSpot(spot, outcome);
  state.changed();
}

function splitForm(spot, picks) {
  return actionForm({ id: "hotspot-split", title: "拆分", submit: "拆分所选工单",
    send: () => {
      const numbers = Object.keys(picks).filter((n) => picks[n].checked);
      if (!numbers.length) throw { detail: "请先在上表勾选要拆分出去的工单" };
      return exclusive(() => call(spot.id, "split", { numbers }));
    },
    done: (fresh) => {
      toast(`已拆分：${fresh.tickets.length} 件工单成为热点 #${fresh.id}`);
      const note = h("div", { class: "ok-box", id: "hotspot-outcome" },
        `已拆出 ${fresh.tickets.map((t) => t.number).join("、")}，成为热点 #${fresh.id}。`,
        h("button", { type: "button", class: "link", text: `查看热点 #${fresh.id}`, onclick: () => openSpot(fresh.id) }));
      return get(`/api/hotspots/${spot.id}`).then((rest) => refreshed(rest, note), () => openSpot(spot.id));
    } });
}

function mergeForm(spot) {
  const others = state.list.filter((s) => s.id !== spot.id);
  const select = h("select", {}, h("option", { value: "", text: others.length ? "请选择" : "没有其他热点" }),
    others.map((s) => h("option", { value: s.id, text: `#${s.id} ${s.name}（${s.size} 件）` })));
  return actionForm({ id: "hotspot-merge", title: "合并", submit: "合并到本热点", fields: [["other", "同一问题的另一热点", select]],
    send: (v) => {
      if (!v.other) throw { detail: "请选择要并入本热点的另一热点" };
      return exclusive(() => call(spot.id, "merge", { other: Number(v.other) }));
    },
    success: "已合并", done: (fresh) => refreshed(fresh) });
}

function superviseForm(spot) {
  return actionForm({ id: "hotspot-supervise", title: "督办", submit: "督办在办工单",
    fields: [["message", "督办要求", textarea(3, "写明要求和期限")],
      ["days", "回复期限（工作日，留空按县里规定）", input({ type: "number", min: 1, max: 10, placeholder: "默认" })]],
    send: (v) => {
      if (!v.message.trim()) throw { detail: "请填写督办要求" };
      const body = { message: v.message.trim(), ...(v.days ? { respond_within_days: Number(v.days) } : {}) };
      return exclusive(() => call(spot.id, "supervise", body));
    },
    done: (outcome) => {
      toast(`已督办 ${outcome.done.length} 件`);
      refreshed(outcome.hotspot, outcomeBox("督办", outcome));
    } });
}

function mergeTicketsForm(spot) {
  const parent = h("select", {}, h("option", { value: "", text: "请选择主工单" }),
    spot.tickets.map((t) => h("option", { value: t.number, text: `${t.number}（${t.status_label}）` })));
  return actionForm({ id: "hotspot-merge-tickets", title: "并单", submit: "其余工单并入主工单", danger: true,
    fields: [["parent", "主工单", parent], ["note", "说明（可不填）", textarea(2)]],
    send: (v) => {
      if (!v.parent) throw { detail: "请选择主工单" };
      return exclusive(() => call(spot.id, "merge-tickets", { parent_number: v.parent, note: v.note.trim() || null }));
    },
    done: (outcome) => {
      toast(`已并单 ${outcome.done.length} 件`);
      refreshed(outcome.hotspot, outcomeBox("并单", outcome));
    } });
}

/** What a 督办 or 并单 did, member by member, as the API answered: the ones done and the ones skipped with why. */
function outcomeBox(what, outcome) {
  const skipped = Object.entries(outcome.skipped);
  return h("div", { class: "ok-box", id: "hotspot-outcome" },
    h("div", { id: "hotspot-done" }, `已${what} ${outcome.done.length} 件：`, outcome.done.join("、")),
    skipped.length ? h("div", {}, `未${what} ${skipped.length} 件：`,
      h("ul", { id: "hotspot-skipped" }, skipped.map(([number, why]) => h("li", { dataset: { number } },
        state.ticketLink(number), `：${why}`)))) : null);
}

// ------------------------------------------------------------------ a past window

function setupHistory() {
  const box = $("#hotspot-history-form");
  if (box.dataset.ready) return;
  box.dataset.ready = "1";
  replace(box, actionForm({ id: "hotspot-history", submit: "挖掘", inline: true,
    fields: [["start", "开始日期", dateInput({ value: countyDay(HISTORY_DAYS - 1) })],
      ["end", "结束日期", dateInput({ value: countyDay() })]],
    send: (v) => {
      if (!v.start || !v.end) throw { detail: "请填写开始日期和结束日期（年-月-日，如 2026-12-01）" };
      replace($("#history-result"));
      return get(`/api/hotspots/history?${new URLSearchParams({ start: v.start, end: v.end })}`);
    },
    done: showHistory }));
}

function showHistory(table) {
  replace($("#history-result"),
    h("p", { class: "muted", id: "history-summary",
      text: `${table.start} 至 ${table.end}：工单 ${table.tickets} 件，热点 ${table.hotspots.length} 个（按热度排列，不保存）` }),
    table.hotspots.length ? figuresTable(table.hotspots, { live: false })
      : h("p", { class: "empty", text: "该时段没有两件以上工单聚集的热点" }));
}
