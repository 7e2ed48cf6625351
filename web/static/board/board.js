/*
 * The command center's wall display.
 *
 * It signs in (staff account or device token), trades that for a one-time websocket ticket, takes the snapshot,
 * then applies every event in id order. On a dropped connection it comes back with ?after=<last id> and gets
 * exactly what it missed. Ticket text only ever reaches the page through textContent: never as HTML.
 */
"use strict";

const OPEN = new Set(["received", "pending_dispatch", "pending_sign", "returned", "in_progress",
  "extension_pending", "waiting_citizen"]);
const STATUS_LABELS = {
  received: "已受理", pending_dispatch: "待派单", pending_sign: "待签收", returned: "已退单待审核",
  in_progress: "办理中", extension_pending: "延期审核中", waiting_citizen: "待补充材料", closed: "已办结",
  rated: "已回访", archived: "已归档", merged: "已并单", transferred: "已转警情/急救",
};
const SUPERVISION = new Set(["urge", "supervise", "escalate"]);
const CLOSE_RESNAPSHOT = 4000;
const RECENT_MAX = 500;
const LATEST_MAX = 15;
const TZ = "Asia/Shanghai";
const FONT = '"Microsoft YaHei", "PingFang SC", "WenQuanYi Micro Hei", sans-serif';

const state = {
  board: null,          // what is on screen: the last snapshot with later events applied
  lastId: null,         // the last event seen: where a reconnect resumes
  included: new Set(),  // events newer than the snapshot's position that it already counts
  recent: [],           // events since the last snapshot, re-applied when a refreshed snapshot arrives
  ticker: [],
  clockSkew: 0,         // server time minus local time, for the countdowns
  socket: null,
  retry: 1000,
};

const $ = (id) => document.getElementById(id);
const timeFormat = new Intl.DateTimeFormat("zh-CN", { timeZone: TZ, hour: "2-digit", minute: "2-digit",
  second: "2-digit", hour12: false });
const partsFormat = new Intl.DateTimeFormat("en-CA", { timeZone: TZ, year: "numeric", month: "2-digit",
  day: "2-digit", hour: "2-digit", hour12: false });

function local(iso) {
  const parts = Object.fromEntries(partsFormat.formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  return { day: `${parts.year}-${parts.month}-${parts.day}`, hour: Number(parts.hour) % 24 };
}

/* Chart labels come from the database; the chart library understands a few tags, so strip their brackets. */
function plain(label) {
  return String(label ?? "").replace(/[<>&]/g, (c) => ({ "<": "‹", ">": "›", "&": "＆" }[c]));
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

// ---- credentials and tickets ---------------------------------------------------------------------------------

const credentials = {
  get jwt() { return sessionStorage.getItem("board.jwt"); },
  get device() { return localStorage.getItem("board.device"); },
  clear() { sessionStorage.removeItem("board.jwt"); localStorage.removeItem("board.device"); },
};

class AuthError extends Error {}

async function fetchTicket() {
  let response;
  if (credentials.device) {
    response = await fetch("/api/board/device-ticket", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ token: credentials.device }) });
  } else if (credentials.jwt) {
    response = await fetch("/api/board/ticket", { method: "POST", headers: { Authorization: `Bearer ${credentials.jwt}` } });
  } else {
    throw new AuthError("请登录");
  }
  if (response.status === 401 || response.status === 403) {
    const body = await response.json().catch(() => ({}));
    throw new AuthError(body.detail || "无权查看指挥大屏");
  }
  if (!response.ok) throw new Error(`ticket ${response.status}`);
  return (await response.json()).ticket;
}

function showLogin(message) {
  $("login-message").textContent = message || "";
  $("login").hidden = false;
  setStatus("down", "未登录");
}

async function onLogin(event) {
  event.preventDefault();
  const form = event.target;
  const device = form.elements.device.value.trim();
  if (event.submitter && event.submitter.name === "device-login") {
    if (!device) return;
    localStorage.setItem("board.device", device);
  } else {
    const response = await fetch("/api/auth/login", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username: form.elements.username.value, password: form.elements.password.value }) });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) { $("login-message").textContent = body.detail || "登录失败"; return; }
    sessionStorage.setItem("board.jwt", body.access_token);
  }
  form.reset();
  $("login").hidden = true;
  connect();
}

// ---- the connection -------------------------------------------------------------------------------------------

function setStatus(kind, text) {
  const node = $("status");
  node.className = `status status-${kind}`;
  node.textContent = text;
}

async function connect() {
  let ticket;
  try {
    ticket = await fetchTicket();
  } catch (error) {
    if (error instanceof AuthError) { credentials.clear(); showLogin(error.message); return; }
    return scheduleReconnect();
  }
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const after = state.lastId === null ? "" : `&after=${state.lastId}`;
  const socket = new WebSocket(`${scheme}//${location.host}/api/board/ws?ticket=${encodeURIComponent(ticket)}${after}`);
  state.socket = socket;
  let first = true;
  socket.onopen = () => { state.retry = 1000; setStatus("live", "实时"); };
  socket.onmessage = (message) => {
    const frame = JSON.parse(message.data);
    receive(frame, first);
    first = false;
  };
  socket.onclose = (close) => {
    if (state.socket !== socket) return;
    if (close.code === CLOSE_RESNAPSHOT) state.lastId = null;
    scheduleReconnect();
  };
}

function scheduleReconnect() {
  setStatus("wait", "重连中…");
  const delay = state.retry;
  state.retry = Math.min(state.retry * 2, 15000);
  setTimeout(connect, delay);
}

function receive(frame, firstOfConnection) {
  switch (frame.type) {
    case "snapshot": return onSnapshot(frame, firstOfConnection);
    case "event": return onEvent(frame);
    case "resnapshot": state.lastId = null; return undefined;
    default: return undefined;  // "resumed", "reauth": nothing to draw
  }
}

function onSnapshot(snapshot, fresh) {
  state.clockSkew = new Date(snapshot.at).getTime() - Date.now();
  state.included = new Set(snapshot.included);
  if (fresh) {
    state.recent = [];
    state.lastId = snapshot.last_event_id;
  }
  const board = structuredClone(snapshot.board);
  for (const event of state.recent) {
    if (event.id > snapshot.last_event_id && !state.included.has(event.id)) apply(board, event);
  }
  state.recent = state.recent.filter((event) => event.id > snapshot.last_event_id);
  state.board = board;
  document.body.dataset.lastEvent = String(state.lastId);
  render();
}

function onEvent(event) {
  if (state.lastId !== null && event.id <= state.lastId) return;  // already have it
  state.lastId = event.id;
  document.body.dataset.lastEvent = String(event.id);
  state.recent.push(event);
  if (state.recent.length > RECENT_MAX) state.recent.shift();
  if (state.board && !state.included.has(event.id)) apply(state.board, event);
  state.ticker.unshift(event);
  state.ticker.length = Math.min(state.ticker.length, 8);
  scheduleRender();
}

// ---- applying an event to the board ---------------------------------------------------------------------------

function bump(counts, key, by) {
  const entry = counts.find((c) => c.key === key);
  if (entry) entry.count = Math.max(0, entry.count + by);
}

function apply(board, event) {
  const when = local(event.at);
  if (event.action === "receive") {
    if (when.day === board.day) {
      board.intake_today += 1;
      bump(board.intake_by_channel, event.channel, 1);
      board.intake_by_hour[when.hour] += 1;
    }
    const row = board.heat.townships.indexOf(event.township);
    const column = board.heat.types.findIndex((t) => t.key === event.ticket_type);
    if (row >= 0 && when.day.slice(0, 7) === board.day.slice(0, 7)) {
      if (column >= 0) board.heat.month[row][column] += 1;
      if (when.day === board.day) board.heat.today[row] += 1;
    }
    board.latest.unshift({ ticket: event.ticket, at: event.at, channel_label: event.channel_label,
      type: event.ticket_type, type_label: event.ticket_type_label, urgency: event.urgency, township: event.township,
      status: event.to_status, status_label: event.status_label, summary: event.summary || "", fresh: true });
    board.latest.length = Math.min(board.latest.length, LATEST_MAX);
  }
  if (event.from_status && OPEN.has(event.from_status)) bump(board.open_by_status, event.from_status, -1);
  if (event.to_status && OPEN.has(event.to_status)) bump(board.open_by_status, event.to_status, 1);
  board.open_total = board.open_by_status.reduce((sum, c) => sum + c.count, 0);
  for (const item of board.latest) {
    if (item.ticket === event.ticket && event.to_status) {
      item.status = event.to_status;
      item.status_label = STATUS_LABELS[event.to_status] || event.status_label;
    }
  }
  if (event.action === "yellow_card" || event.action === "red_card") {
    board.cards = board.cards.filter((c) => c.ticket !== event.ticket);
    board.cards.push({ ticket: event.ticket, card: event.action === "red_card" ? "red" : "yellow", due_at: event.due_at,
      department: event.department, category_name: event.category_name, township: event.township,
      escalation: event.escalation || 0, status_label: event.status_label });
    board.cards.sort((a, b) => (a.card === b.card ? String(a.due_at).localeCompare(String(b.due_at))
      : a.card === "red" ? -1 : 1));
  }
  if (event.to_status && !OPEN.has(event.to_status)) board.cards = board.cards.filter((c) => c.ticket !== event.ticket);
  if (SUPERVISION.has(event.action)) {
    board.supervision.unshift({ event_id: event.id, ticket: event.ticket, action: event.action,
      action_label: event.action_label, at: event.at, department: event.department, escalation: event.escalation });
    board.supervision.length = Math.min(board.supervision.length, 10);
    for (const card of board.cards) if (card.ticket === event.ticket) card.escalation = event.escalation;
  }
}

// ---- drawing --------------------------------------------------------------------------------------------------

let renderPending = false;
function scheduleRender() {
  if (renderPending) return;
  renderPending = true;
  setTimeout(() => { renderPending = false; render(); }, 250);
}

function percent(value) {
  return value === null || value === undefined ? "—" : `${(value * 100).toFixed(1)}%`;
}

function render() {
  const board = state.board;
  if (!board) return;
  $("kpi-intake").textContent = String(board.intake_today);
  $("kpi-open").textContent = String(board.open_total);
  $("kpi-yellow").textContent = String(board.cards.filter((c) => c.card === "yellow").length);
  $("kpi-red").textContent = String(board.cards.filter((c) => c.card === "red").length);
  for (const row of document.querySelectorAll("#rates tbody tr")) {
    const rates = board.measures[row.dataset.period] || {};
    const cells = row.querySelectorAll("td");
    ["on_time_rate", "response_rate", "resolution_rate", "satisfaction_rate"].forEach((key, i) => {
      cells[i].textContent = percent(rates[key]);
    });
  }
  renderLatest(board);
  renderCards(board);
  renderSupervision(board);
  renderTicker();
  renderCharts(board);
}

function renderLatest(board) {
  const items = board.latest.map((t) => {
    const li = el("li", t.fresh ? "fresh" : "");
    li.append(el("span", "muted", timeFormat.format(new Date(t.at))), el("span", "number", t.ticket),
      el("span", t.urgency === "urgent" ? "tag urgent" : "tag", t.type_label), el("span", "muted", t.township || "—"),
      el("span", "text", t.summary), el("span", "tag", t.status_label));
    delete t.fresh;
    return li;
  });
  $("latest").replaceChildren(...items);
}

function countdown(dueAt) {
  if (!dueAt) return { text: "无期限", overdue: false };
  const left = new Date(dueAt).getTime() - (Date.now() + state.clockSkew);
  const span = Math.abs(left);
  const days = Math.floor(span / 86400000);
  const hours = Math.floor((span % 86400000) / 3600000);
  const minutes = Math.floor((span % 3600000) / 60000);
  const amount = days > 0 ? `${days}天${hours}时` : `${hours}时${minutes}分`;
  return left >= 0 ? { text: `剩余 ${amount}`, overdue: false } : { text: `超期 ${amount}`, overdue: true };
}

function renderCards(board) {
  const items = board.cards.map((c) => {
    const li = el("li", c.card === "red" ? "card-red" : "card-yellow");
    const left = countdown(c.due_at);
    li.dataset.due = c.due_at || "";
    li.append(el("span", "tag", c.card === "red" ? "红牌" : "黄牌"), el("span", "number", c.ticket),
      el("span", "text", `${c.department || "未派单"} · ${c.category_name || c.township || ""}`),
      el("span", left.overdue ? "countdown overdue" : "countdown", left.text));
    if (c.escalation >= 2) li.append(el("span", "tag urgent", c.escalation >= 3 ? "已升级" : "督办"));
    return li;
  });
  $("cards").replaceChildren(...(items.length ? items : [el("li", "muted", "暂无黄牌、红牌工单")]));
}

function tickCountdowns() {
  for (const li of document.querySelectorAll("#cards li[data-due]")) {
    const node = li.querySelector(".countdown");
    if (!node || !li.dataset.due) continue;
    const left = countdown(li.dataset.due);
    node.textContent = left.text;
    node.className = left.overdue ? "countdown overdue" : "countdown";
  }
  $("clock").textContent = timeFormat.format(new Date(Date.now() + state.clockSkew));
}

function renderSupervision(board) {
  const items = board.supervision.map((s) => {
    const li = el("li");
    li.append(el("span", "muted", timeFormat.format(new Date(s.at))),
      el("span", s.action === "escalate" ? "tag urgent" : "tag", s.action_label), el("span", "number", s.ticket),
      el("span", "text", s.department || ""));
    return li;
  });
  $("supervision").replaceChildren(...(items.length ? items : [el("li", "muted", "暂无督办")]));
}

function renderTicker() {
  const items = state.ticker.map((e) => el("li", "",
    `${timeFormat.format(new Date(e.at))} ${e.ticket} ${e.action_label}${e.department ? " · " + e.department : ""}` +
    (e.summary ? ` · ${e.summary}` : "")));
  $("ticker").replaceChildren(...items);
}

const BASE_LAYOUT = {
  paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
  font: { family: FONT, color: "#cfe3ff", size: 15 }, margin: { l: 48, r: 16, t: 8, b: 36 },
  xaxis: { gridcolor: "#173f73", zerolinecolor: "#173f73" }, yaxis: { gridcolor: "#173f73", zerolinecolor: "#173f73" },
  showlegend: false,
};
const CONFIG = { displayModeBar: false, staticPlot: true, responsive: true };

function layout(extra) {
  return { ...BASE_LAYOUT, ...extra, xaxis: { ...BASE_LAYOUT.xaxis, ...(extra.xaxis || {}) },
    yaxis: { ...BASE_LAYOUT.yaxis, ...(extra.yaxis || {}) } };
}

function draw(id, data, extra) {
  if (!window.Plotly) return;
  window.Plotly.react($(id), data, layout(extra || {}), CONFIG);
}

function empty(id) {
  draw(id, [], { xaxis: { visible: false }, yaxis: { visible: false }, annotations: [{ text: "暂无数据",
    showarrow: false, font: { size: 18, color: "#7d9cc4" }, xref: "paper", yref: "paper", x: 0.5, y: 0.5 }] });
}

function horizontal(id, counts, color, left) {
  if (!counts.some((c) => c.count > 0)) return empty(id);
  const rows = counts.slice().reverse();
  const slots = Math.max(rows.length, 7);  // a lone bar stays a bar, at the top
  draw(id, [{ type: "bar", orientation: "h", x: rows.map((c) => c.count), y: rows.map((c) => plain(c.label)),
    marker: { color }, text: rows.map((c) => String(c.count)), textposition: "outside", cliponaxis: false }],
  { margin: { l: left, r: 40, t: 6, b: 6 }, xaxis: { visible: false, rangemode: "tozero" },
    yaxis: { automargin: false, range: [rows.length - slots - 0.5, rows.length - 0.5] } });
}

function renderCharts(board) {
  const channels = board.intake_by_channel.filter((c) => c.count > 0);
  if (!channels.length) empty("chart-channel");
  else draw("chart-channel", [{ type: "pie", hole: 0.55, sort: false, labels: channels.map((c) => plain(c.label)),
    values: channels.map((c) => c.count), textinfo: "value", textfont: { size: 16 },
    marker: { colors: ["#2f8cff", "#36cfc9", "#ffd34d", "#ff7a45", "#9254de", "#73d13d", "#ff5a6a", "#40a9ff",
      "#f759ab", "#bae637", "#597ef7", "#ffc069", "#5cdbd3"] } }],
  { showlegend: true, legend: { font: { size: 15 }, x: 1, y: 0.5 }, margin: { l: 8, r: 8, t: 8, b: 8 } });
  draw("chart-hour", [{ type: "bar", x: board.intake_by_hour.map((_, h) => `${h}时`), y: board.intake_by_hour,
    marker: { color: "#36cfc9" } }], { xaxis: { tickangle: 0, dtick: 3 } });
  horizontal("chart-category", board.top_categories, "#ffd34d", 190);
  horizontal("chart-status", board.open_by_status, "#2f8cff", 130);
  horizontal("chart-dept", board.open_by_department, "#9254de", 230);
  const heat = board.heat;
  draw("chart-heat", [{ type: "heatmap", z: heat.month, x: heat.types.map((t) => plain(t.label)),
    y: heat.townships.map(plain), colorscale: [[0, "#0b2a52"], [0.3, "#1f6fd1"], [0.6, "#36cfc9"], [0.8, "#ffd34d"],
      [1, "#ff5a6a"]], showscale: false, xgap: 2, ygap: 2, texttemplate: "%{z}", textfont: { size: 14 } }],
  { margin: { l: 96, r: 10, t: 6, b: 28 }, yaxis: { autorange: "reversed" } });
}

// ---- start ----------------------------------------------------------------------------------------------------

document.addEventListener("DOMContentLoaded", () => {
  $("login-form").addEventListener("submit", onLogin);
  setInterval(tickCountdowns, 1000);
  tickCountdowns();
  if (!credentials.jwt && !credentials.device) showLogin("");
  else connect();
});
