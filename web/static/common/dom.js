// DOM helpers. Text always goes in as textContent or a text node: nothing a person typed is ever parsed as HTML.

/**
 * h("div", {class: "card", onclick: fn, dataset: {id: 1}}, "text", child)
 * Strings and numbers become text nodes; null/false children are skipped.
 */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else if (key === "value") node.value = value;
    else if (value === true) node.setAttribute(key, "");
    else node.setAttribute(key, String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function $(selector, root = document) {
  return root.querySelector(selector);
}

export function $$(selector, root = document) {
  return Array.from(root.querySelectorAll(selector));
}

export function replace(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

const DATE_TIME = new Intl.DateTimeFormat("zh-CN", {
  timeZone: "Asia/Shanghai", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hour12: false,
});
const FULL = new Intl.DateTimeFormat("zh-CN", {
  timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
  hour12: false,
});

/** 11/24 16:00 in the county's time, whatever the browser's zone. */
export function when(iso, full = false) {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return (full ? FULL : DATE_TIME).format(date);
}

/** 剩余 3小时20分 / 超期 1天2小时, wall-clock (the deadline itself is already in working time). */
export function remaining(iso, now = Date.now()) {
  if (!iso) return "";
  let minutes = Math.round((new Date(iso).getTime() - now) / 60000);
  const late = minutes < 0;
  minutes = Math.abs(minutes);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  const text = days ? `${days}天${hours}小时` : hours ? `${hours}小时${mins}分` : `${mins}分钟`;
  return late ? `超期 ${text}` : `剩余 ${text}`;
}

export function percent(value, digits = 0) {
  return value === null || value === undefined ? "—" : `${(value * 100).toFixed(digits)}%`;
}

export function statusBadge(status, label) {
  return h("span", { class: `badge status-${status}`, text: label || status });
}

export const CARD_LABELS = { yellow: "黄牌", red: "红牌" };

export function cardMark(card) {
  if (!card || !CARD_LABELS[card]) return null;
  return h("span", { class: `card-mark card-${card}`, title: card === "red" ? "已超期" : "时限已用80%以上",
    text: CARD_LABELS[card] });
}

/** Split `text` around any of `words` and wrap the matches in <mark>, still as text nodes only. */
export function highlighted(text, words = []) {
  const terms = words.filter((w) => w && w.length > 0).sort((a, b) => b.length - a.length);
  if (!terms.length) return [text];
  const parts = [];
  let rest = text;
  while (rest.length) {
    let best = -1;
    let term = "";
    for (const w of terms) {
      const at = rest.toLowerCase().indexOf(w.toLowerCase());
      if (at >= 0 && (best < 0 || at < best)) {
        best = at;
        term = w;
      }
    }
    if (best < 0) {
      parts.push(rest);
      break;
    }
    if (best > 0) parts.push(rest.slice(0, best));
    parts.push(h("mark", { text: rest.slice(best, best + term.length) }));
    rest = rest.slice(best + term.length);
  }
  return parts;
}

export function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

/** Label + control, with an id so the label is clickable and read by screen readers. */
export function field(label, control, hint) {
  if (!control.id) control.id = `f-${Math.random().toString(36).slice(2, 9)}`;
  return h("div", { class: "field" },
    h("label", { for: control.id, text: label }),
    control,
    hint ? h("small", { class: "hint", text: hint }) : null);
}

export function options(select, items, { placeholder } = {}) {
  replace(select, placeholder !== undefined ? h("option", { value: "", text: placeholder }) : null,
    items.map(([value, label]) => h("option", { value, text: label })));
  return select;
}

/** A date a clerk reads the same in every browser: 2026-12-01 as typed text (a type=date box follows the
 * browser's own locale and shows mm/dd/yyyy in an English one). */
export function dateInput(attrs = {}) {
  return h("input", { type: "text", inputmode: "numeric", pattern: "\\d{4}-\\d{2}-\\d{2}", maxlength: 10,
    placeholder: "如 2026-12-01", title: "年-月-日，如 2026-12-01", ...attrs });
}
