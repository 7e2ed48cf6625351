/*
 * The command center's wall display.
 *
 * It signs in (staff account or device token), trades that for a one-time websocket pass, takes the snapshot,
 * then applies every event in id order. On a dropped connection it comes back with ?after=<last id> and gets
 * exactly what it missed. Ticket text only ever reaches the page through textContent: never as HTML.
 */
import { apply } from "./model.js";
import { render, setClockSkew, tickCountdowns } from "./view.js";

const CLOSE_RESNAPSHOT = 4000;
const RECENT_MAX = 500;

const state = {
  board: null,          // what is on screen: the last snapshot with later events applied
  lastId: null,         // the last event seen: where a reconnect resumes
  included: new Set(),  // events newer than the snapshot's position that it already counts
  recent: [],           // events since the last snapshot, re-applied when a refreshed snapshot arrives
  ticker: [],
  socket: null,
  retry: 1000,
};

const $ = (id) => document.getElementById(id);

// ---- credentials and passes ----------------------------------------------------------------------------------

const credentials = {
  get jwt() { return sessionStorage.getItem("board.jwt"); },
  get device() { return localStorage.getItem("board.device"); },
  clear() { sessionStorage.removeItem("board.jwt"); localStorage.removeItem("board.device"); },
};

class AuthError extends Error {}

async function fetchPass() {
  let response;
  if (credentials.device) {
    response = await fetch("/api/board/device-pass", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ token: credentials.device }) });
  } else if (credentials.jwt) {
    response = await fetch("/api/board/pass", { method: "POST", headers: { Authorization: `Bearer ${credentials.jwt}` } });
  } else {
    throw new AuthError("请登录");
  }
  if (response.status === 401 || response.status === 403) {
    const body = await response.json().catch(() => ({}));
    throw new AuthError(body.detail || "无权查看指挥大屏");
  }
  if (!response.ok) throw new Error(`pass ${response.status}`);
  return (await response.json()).pass;
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
  let boardPass;
  try {
    boardPass = await fetchPass();
  } catch (error) {
    if (error instanceof AuthError) { credentials.clear(); showLogin(error.message); return; }
    return scheduleReconnect();
  }
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const after = state.lastId === null ? "" : `&after=${state.lastId}`;
  const socket = new WebSocket(`${scheme}//${location.host}/api/board/ws?pass=${encodeURIComponent(boardPass)}${after}`);
  state.socket = socket;
  let first = true;
  socket.onopen = () => { state.retry = 1000; setStatus("live", "实时"); };
  socket.onmessage = (message) => {
    for (const line of message.data.split("\n")) {  // one or more frames, one JSON object per line
      receive(JSON.parse(line), first);
      first = false;
    }
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
  setClockSkew(new Date(snapshot.at).getTime() - Date.now());
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
  render(state.board, state.ticker);
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

// ---- drawing, at most four times a second -------------------------------------------------------------------

let renderPending = false;
function scheduleRender() {
  if (renderPending) return;
  renderPending = true;
  setTimeout(() => { renderPending = false; render(state.board, state.ticker); }, 250);
}

// ---- start ----------------------------------------------------------------------------------------------------

document.addEventListener("DOMContentLoaded", () => {
  $("login-form").addEventListener("submit", onLogin);
  window.addEventListener("resize", scheduleRender);  // a new wall size: fonts, charts and rows that fit
  setInterval(tickCountdowns, 1000);
  tickCountdowns();
  if (!credentials.jwt && !credentials.device) showLogin("");
  else connect();
});
