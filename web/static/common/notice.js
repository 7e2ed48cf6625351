// Messages to the person at the screen: a toast for outcomes, an inline box for a form's errors.

import { h, replace } from "./dom.js";

let region = null;

function toastRegion() {
  if (!region) {
    region = h("div", { class: "toasts", role: "status", "aria-live": "polite" });
    document.body.append(region);
  }
  return region;
}

export function toast(message, kind = "ok", ms = 4000) {
  const node = h("div", { class: `toast toast-${kind}`, role: kind === "error" ? "alert" : null, text: message });
  toastRegion().append(node);
  setTimeout(() => node.remove(), ms);
  return node;
}

/** An API error (or any error) as a Chinese sentence plus the per-field messages, never raw JSON. */
export function errorLines(error) {
  const lines = [];
  const fields = error && Array.isArray(error.fieldErrors) ? error.fieldErrors : [];
  if (fields.length > 1) {
    lines.push("提交的内容有误：");
    for (const item of fields) lines.push(`· ${item.message}`);
  } else {
    lines.push(error && error.detail ? error.detail : (error && error.message) || "操作失败，请稍后重试");
  }
  if (error && error.status === 409 && Array.isArray(error.body?.allowed_actions)) {
    lines.push("请刷新后查看工单当前状态。");
  }
  return lines;
}

/** Show an error inside `box` (an element with role=alert); hide it when `error` is null. */
export function showError(box, error) {
  if (!error) {
    box.hidden = true;
    replace(box);
    return;
  }
  replace(box, errorLines(error).map((line) => h("div", { text: line })));
  box.hidden = false;
}

export function errorBox(extraClass = "") {
  return h("div", { class: `error-box ${extraClass}`.trim(), role: "alert", hidden: true });
}
