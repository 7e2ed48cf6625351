/* Drawing the board. Every text goes in through textContent; chart labels lose their angle brackets. */

const TZ = "Asia/Shanghai";
const FONT = '"Microsoft YaHei", "PingFang SC", "WenQuanYi Micro Hei", sans-serif';
const $ = (id) => document.getElementById(id);
export const timeFormat = new Intl.DateTimeFormat("zh-CN", { timeZone: TZ, hour: "2-digit", minute: "2-digit",
  second: "2-digit", hour12: false });

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

/* Pixels of 1rem: the root font follows the wall's size (board.css), and so do the charts' fonts and margins. */
function px(n) {
  return Math.round(n * (parseFloat(getComputedStyle(document.documentElement).fontSize) || 16) / 16);
}

const stampFormat = new Intl.DateTimeFormat("en-CA", { timeZone: TZ, month: "2-digit", day: "2-digit",
  hour: "2-digit", minute: "2-digit", hour12: false });

/* «12-07 14:05», Beijing time: when a ticket was filed, readable without the year. */
export function stamp(iso) {
  const parts = Object.fromEntries(stampFormat.formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  return `${parts.month}-${parts.day} ${parts.hour === "24" ? "00" : parts.hour}:${parts.minute}`;
}

/* Drop the last rows until every row left is whole inside the list: a wall never shows half a row. */
export function fitRows(list) {
  const style = getComputedStyle(list);
  const bottom = list.getBoundingClientRect().bottom - parseFloat(style.paddingBottom || "0");
  while (list.children.length > 1 && list.lastElementChild.getBoundingClientRect().bottom > bottom + 0.5) {
    list.lastElementChild.remove();
  }
}

/* The ticker: as many whole items as the line holds. */
function fitAcross(list) {
  const right = list.getBoundingClientRect().right;
  while (list.children.length > 1 && list.lastElementChild.getBoundingClientRect().right > right + 0.5) {
    list.lastElementChild.remove();
  }
}

/* A whole-number step for a count axis: 1, 2, 5, 10, 20, ... with about five lines. */
export function countStep(max) {
  const rough = Math.max(1, max / 5);
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough);
  return Math.max(1, Math.round(step));
}

function percent(value) {
  return value === null || value === undefined ? "—" : `${(value * 100).toFixed(1)}%`;
}

export function render(board, ticker) {
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
  renderHotspots(board);
  renderLatest(board);
  renderCards(board);
  renderSupervision(board);
  renderTicker(ticker);
  renderCharts(board);
}

function renderLatest(board) {
  const newest = board.latest.slice().sort((a, b) => new Date(b.at) - new Date(a.at));
  const items = newest.map((t) => {
    const li = el("li", t.fresh ? "fresh" : "");
    li.append(el("span", "muted when", stamp(t.at)), el("span", "number", t.ticket),
      el("span", t.urgency === "urgent" ? "tag urgent" : "tag", t.type_label), el("span", "muted", t.township || "—"),
      el("span", "text", t.summary), el("span", "tag", t.status_label));
    delete t.fresh;
    return li;
  });
  $("latest").replaceChildren(...items);
  fitRows($("latest"));
}

const dayFormat = new Intl.DateTimeFormat("zh-CN", { timeZone: TZ, month: "long", day: "numeric" });
const minuteFormat = new Intl.DateTimeFormat("zh-CN", { timeZone: TZ, hour: "2-digit", minute: "2-digit",
  hour12: false });

/* «12月7日 14:40–16:10» within a day, else «12月4日–12月7日»: when the calls about it came. */
export function span(firstAt, lastAt) {
  const first = new Date(firstAt);
  const last = new Date(lastAt);
  const [from, to] = [dayFormat.format(first), dayFormat.format(last)];
  if (from !== to) return `${from}–${to}`;
  const [start, end] = [minuteFormat.format(first), minuteFormat.format(last)];
  return start === end ? `${from} ${start}` : `${from} ${start}–${end}`;
}

/* The hotspot panel: masked names and counts only (the snapshot carries nothing else about a cluster). */
function renderHotspots(board) {
  const items = (board.hotspots || []).map((h, i) => {
    const li = el("li");
    li.dataset.hotspot = String(h.id);
    const meta = el("span", "spot-meta");
    const part = (label, value, unit) => {
      meta.append(document.createTextNode(label), el("b", "", value), document.createTextNode(unit));
    };
    meta.append(document.createTextNode(`${h.township || "—"} · `));
    part("", h.tickets, "件 · ");
    part("", h.callers, "人来电 · ");
    if (h.last_day > 0) meta.append(el("span", "spot-new", `近24小时 +${h.last_day}`), document.createTextNode(" · "));
    if (h.repeats > 0) meta.append(el("span", "spot-new", `办结后又来 ${h.repeats}`), document.createTextNode(" · "));
    meta.append(document.createTextNode(span(h.first_at, h.last_at)));
    if (h.units.length) meta.append(document.createTextNode(` · ${h.units.join("、")}`));
    li.append(el("span", "rank", i + 1), el("span", "spot-name", h.name), el("span", "spot-heat", `热度 ${Math.round(h.heat)}`),
      meta);
    return li;
  });
  $("hotspots").replaceChildren(...(items.length ? items : [el("li", "muted", "暂无热点（两件以上同一问题）")]));
  fitRows($("hotspots"));
}

let clockSkew = 0;  // server time minus local time
export function setClockSkew(skew) { clockSkew = skew; }

function countdown(dueAt) {
  if (!dueAt) return { text: "无期限", overdue: false };
  const left = new Date(dueAt).getTime() - (Date.now() + clockSkew);
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
  fitRows($("cards"));
}

export function tickCountdowns() {
  for (const li of document.querySelectorAll("#cards li[data-due]")) {
    const node = li.querySelector(".countdown");
    if (!node || !li.dataset.due) continue;
    const left = countdown(li.dataset.due);
    node.textContent = left.text;
    node.className = left.overdue ? "countdown overdue" : "countdown";
  }
  $("clock").textContent = timeFormat.format(new Date(Date.now() + clockSkew));
}

function renderSupervision(board) {
  const items = board.supervision.map((s) => {
    const li = el("li");
    li.append(el("span", "muted when", stamp(s.at)),
      el("span", s.action === "escalate" ? "tag urgent" : "tag", s.action_label), el("span", "number", s.ticket),
      el("span", "text", s.department || ""));
    return li;
  });
  $("supervision").replaceChildren(...(items.length ? items : [el("li", "muted", "暂无督办")]));
  fitRows($("supervision"));
}

function renderTicker(ticker) {
  const items = ticker.map((e) => el("li", "",
    `${timeFormat.format(new Date(e.at))} ${e.ticket} ${e.action_label}${e.department ? " · " + e.department : ""}` +
    (e.summary ? ` · ${e.summary}` : "")));
  $("ticker").replaceChildren(...items);
  fitAcross($("ticker"));
}

const BASE_LAYOUT = {
  paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
  font: { family: FONT, color: "#cfe3ff", size: 15 }, margin: { l: 48, r: 16, t: 8, b: 36 },
  xaxis: { gridcolor: "#173f73", zerolinecolor: "#173f73" }, yaxis: { gridcolor: "#173f73", zerolinecolor: "#173f73" },
  showlegend: false,
};
const CONFIG = { displayModeBar: false, staticPlot: true, responsive: true };

function layout(extra) {
  const base = { ...BASE_LAYOUT, font: { ...BASE_LAYOUT.font, size: px(15) },
    margin: { l: px(48), r: px(16), t: px(8), b: px(36) } };
  return { ...base, ...extra, xaxis: { ...BASE_LAYOUT.xaxis, ...(extra.xaxis || {}) },
    yaxis: { ...BASE_LAYOUT.yaxis, ...(extra.yaxis || {}) } };
}

function draw(id, data, extra) {
  if (!window.Plotly) return;
  window.Plotly.react($(id), data, layout(extra || {}), CONFIG);
}

function empty(id) {
  draw(id, [], { xaxis: { visible: false }, yaxis: { visible: false }, annotations: [{ text: "暂无数据",
    showarrow: false, font: { size: px(18), color: "#7d9cc4" }, xref: "paper", yref: "paper", x: 0.5, y: 0.5 }] });
}

function horizontal(id, counts, color, left) {
  if (!counts.some((c) => c.count > 0)) return empty(id);
  const rows = counts.slice().reverse();
  const slots = Math.max(rows.length, 7);  // a lone bar stays a bar, at the top
  draw(id, [{ type: "bar", orientation: "h", x: rows.map((c) => c.count), y: rows.map((c) => plain(c.label)),
    marker: { color }, text: rows.map((c) => String(c.count)), textposition: "outside", cliponaxis: false }],
  { margin: { l: px(left), r: px(40), t: px(6), b: px(6) }, xaxis: { visible: false, rangemode: "tozero" },
    yaxis: { automargin: false, range: [rows.length - slots - 0.5, rows.length - 0.5], tickmode: "linear", dtick: 1,
      tickfont: { size: px(rows.length > 8 ? 13 : 15) } } });
}

function renderCharts(board) {
  const channels = board.intake_by_channel.filter((c) => c.count > 0);
  if (!channels.length) empty("chart-channel");
  else draw("chart-channel", [{ type: "pie", hole: 0.55, sort: false, labels: channels.map((c) => plain(c.label)),
    values: channels.map((c) => c.count), textinfo: "value", textfont: { size: px(16) },
    marker: { colors: ["#2f8cff", "#36cfc9", "#ffd34d", "#ff7a45", "#9254de", "#73d13d", "#ff5a6a", "#40a9ff",
      "#f759ab", "#bae637", "#597ef7", "#ffc069", "#5cdbd3"] } }],
  { showlegend: true, legend: { font: { size: px(15) }, x: 1, y: 0.5 }, margin: { l: px(8), r: px(8), t: px(8), b: px(8) } });
  draw("chart-hour", [{ type: "bar", x: board.intake_by_hour.map((_, h) => `${h}时`), y: board.intake_by_hour,
    marker: { color: "#36cfc9" } }], { xaxis: { tickangle: 0, dtick: 3 },
    yaxis: { rangemode: "tozero", tick0: 0, dtick: countStep(Math.max(...board.intake_by_hour, 1)), tickformat: "d" } });
  horizontal("chart-category", board.top_categories, "#ffd34d", 190);
  horizontal("chart-status", board.open_by_status, "#2f8cff", 130);
  horizontal("chart-dept", board.open_by_department, "#9254de", 230);
  const heat = board.heat;
  draw("chart-heat", [{ type: "heatmap", z: heat.month, x: heat.types.map((t) => plain(t.label)),
    y: heat.townships.map(plain), colorscale: [[0, "#0b2a52"], [0.3, "#1f6fd1"], [0.6, "#36cfc9"], [0.8, "#ffd34d"],
      [1, "#ff5a6a"]], showscale: false, xgap: 2, ygap: 2, texttemplate: "%{z}", textfont: { size: px(14) } }],
  { margin: { l: px(96), r: px(10), t: px(6), b: px(28) }, yaxis: { autorange: "reversed" } });
}
