// 模型: the routing model's stored versions with the figures their training measured, which one routes calls now,
// a rollback to an earlier one (with the admin's reason, asked on the page) and pruning of old versions.
// The API (GET /api/admin/model/versions, POST …/{v}/rollback, POST /api/admin/model/prune) answers in Chinese.

import { get, post } from "/static/common/api.js";
import { $, h, replace, when } from "/static/common/dom.js";
import { showError, toast } from "/static/common/notice.js";

const SOURCES = { corpus: "内置语料", history: "本县历史工单", demo: "演示数据" };
const ACTIONS = { promote: "训练后启用", refuse: "训练后未启用（不如当前版本）", rollback: "回滚启用" };
const state = { versions: [], chosen: null };

/** Wire the tab once; `load` fills it (called when the tab is shown). */
export function setupModels() {
  $("#model-prune").addEventListener("click", prune);
  $("#rollback-form").addEventListener("submit", rollback);
  $("#rollback-cancel").addEventListener("click", () => choose(null));
}

export async function loadModels() {
  try {
    state.versions = await get("/api/admin/model/versions");
    showError($("#models-error"), null);
  } catch (error) {
    showError($("#models-error"), error);
    return;
  }
  render();
}

const fixed = (value, digits) => (value === null || value === undefined || Number.isNaN(value) ? "—" : value.toFixed(digits));
const share = (value) => (value === null || value === undefined ? "—" : `${(value * 100).toFixed(1)}%`);

function sourceLabel(source) {
  if (!source) return "—";
  if (SOURCES[source]) return SOURCES[source];
  return `文件 ${source.split(/[\\/]/).pop()}`; // a CSV the admin trained on: its name, not the server's path
}

function lastEntry(version) {
  const entry = (version.verdicts || []).filter((v) => ACTIONS[v.action]).at(-1);
  if (!entry) return "—";
  const text = `${when(entry.at, true)} ${ACTIONS[entry.action]}`;
  return entry.action === "rollback" && entry.reason ? `${text}：${entry.reason}` : text;
}

function render() {
  const current = state.versions.find((v) => v.current);
  $("#models-count").textContent = `${state.versions.length} 个版本`;
  $("#model-current").textContent = current
    ? `当前使用：${current.version}（${when(current.trained_at, true)} 训练，${sourceLabel(current.source)}）`
    : "尚无启用的模型：所有来电都由人工分拨。";
  replace($("#models"), state.versions.map((v) => h("tr", { class: v.current ? "current" : "", dataset: { version: v.version } },
    h("td", { class: "version", text: v.version }), h("td", { text: when(v.trained_at, true) }),
    h("td", { text: sourceLabel(v.source) }), h("td", { class: "num", text: v.n_samples.toLocaleString("zh-CN") }),
    h("td", { class: "num", text: fixed(v.macro_f1_holdout, 3) }), h("td", { class: "num", text: fixed(v.threshold, 2) }),
    h("td", { class: "num", text: fixed(v.temperature, 2) }), h("td", { class: "num", text: share(v.confident_precision) }),
    h("td", { class: "num", text: share(v.confident_coverage) }),
    h("td", { class: "state" }, v.current ? h("span", { class: "badge current-badge", text: "当前版本" }) : "—"),
    h("td", { class: "journal", text: lastEntry(v) }),
    h("td", {}, v.current ? null : h("button", { type: "button", name: "rollback", text: "回滚到此版本",
      onclick: () => choose(v) })))));
}

/** The confirmation: which version replaces which, with both sets of figures, and the reason to give. */
function choose(version) {
  state.chosen = version;
  const form = $("#rollback-form");
  form.hidden = !version;
  showError($("#rollback-error"), null);
  if (!version) return;
  const current = state.versions.find((v) => v.current);
  replace($("#rollback-summary"),
    h("p", { text: `把路由模型从 ${current ? current.version : "（无）"} 换回 ${version.version}。` }),
    h("p", { class: "muted", text: `${version.version}：${when(version.trained_at, true)} 训练，样本 ${
      version.n_samples.toLocaleString("zh-CN")} 条，留出集 macro-F1 ${fixed(version.macro_f1_holdout, 3)}，有把握时准确率 ${
      share(version.confident_precision)}、覆盖率 ${share(version.confident_coverage)}。` }),
    current ? h("p", { class: "muted", text: `当前 ${current.version}：留出集 macro-F1 ${fixed(current.macro_f1_holdout, 3)}，有把握时准确率 ${
      share(current.confident_precision)}、覆盖率 ${share(current.confident_coverage)}。` }) : null,
    h("p", { class: "muted", text: "确认后所有 Web 进程和任务进程在一秒内改用该版本；此操作记入模型日志。" }));
  $("#rollback-reason").value = "";
  $("#rollback-reason").focus();
}

async function rollback(event) {
  event.preventDefault();
  const version = state.chosen;
  if (!version) return;
  const reason = $("#rollback-reason").value.trim();
  if (!reason) { showError($("#rollback-error"), { detail: "请填写回滚原因" }); return; }
  try {
    const done = await post(`/api/admin/model/versions/${encodeURIComponent(version.version)}/rollback`, { reason });
    const message = `已回滚到版本 ${done.current}${done.previous ? `（原当前版本 ${done.previous}）` : ""}，一秒内所有进程改用此版本。`;
    choose(null);
    showResult(message);
    toast("已回滚模型版本");
  } catch (error) {
    showError($("#rollback-error"), error);
  }
  await loadModels();
}

async function prune() {
  if (!confirm("清理旧版本？保留最新 10 个版本、当前版本和它之前的版本，其余删除且无法恢复。")) return;
  try {
    const { deleted } = await post("/api/admin/model/prune");
    showResult(deleted.length ? `已删除 ${deleted.length} 个旧版本：${deleted.join("、")}。`
      : "没有需要清理的旧版本（保留最新 10 个版本、当前版本和它之前的版本）。");
  } catch (error) {
    showError($("#models-error"), error);
  }
  await loadModels();
}

function showResult(message) {
  const box = $("#model-result");
  box.textContent = message;
  box.hidden = false;
}
