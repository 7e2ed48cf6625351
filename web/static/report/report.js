// 月度考核: pick a month, see every unit's figures and rank (sortable table, SVG bar chart), download the workbook.

import { ApiError, get, token } from "/static/common/api.js";
import { requireStaff } from "/static/common/auth.js";
import { $, h, percent, replace } from "/static/common/dom.js";
import { showError } from "/static/common/notice.js";
import { barChart } from "/static/report/chart.js";

// Who may open the page; kept with the API's ASSESSMENT_ROLES (command/assessment.py).
const ROLES = ["commander", "admin"];
const COLUMNS = [
  ["rank", "排名"], ["department", "承办单位"], ["score", "综合得分"],
  ["sign_on_time_rate", "按时签收率"], ["on_time_rate", "按期办结率"], ["direct_answer_rate", "直接答复率"],
  ["response_rate", "响应率"], ["resolution_rate", "解决率"], ["satisfaction_rate", "满意率"],
  ["return_rate", "退单率"], ["duplicate_rate", "重复件率"], ["co_report_on_time_rate", "协办按时反馈率"],
  ["received", "受理量"], ["dispatched", "派单量"], ["signed", "签收量"], ["closed", "办结量"],
  ["closed_late", "超期办结"], ["extended", "延期数"], ["month_end_open", "月末在办"],
  ["month_end_overdue", "月末超期"], ["urged", "催办数"], ["supervised", "督办数"], ["returned", "退单量"],
  ["merged", "并单量"], ["rated", "评价量"],
];
const RATE_NAMES = { sign_on_time_rate: "按时签收率", on_time_rate: "按期办结率", response_rate: "响应率",
  resolution_rate: "解决率", satisfaction_rate: "满意率", return_rate: "1-退单率", duplicate_rate: "1-重复件率",
  co_report_on_time_rate: "协办按时反馈率" };
const state = { report: null, sort: { key: "rank", descending: false } };

requireStaff({ roles: ROLES, title: "月度考核", start });

function lastMonth() {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit" })
    .formatToParts(new Date());
  let year = Number(parts.find((p) => p.type === "year").value);
  let month = Number(parts.find((p) => p.type === "month").value) - 1;
  if (month === 0) [year, month] = [year - 1, 12];
  return `${year}-${String(month).padStart(2, "0")}`;
}

function start() {
  const picker = $("#month");
  picker.value = new URLSearchParams(location.search).get("month") || lastMonth();
  $("#month-form").addEventListener("submit", (event) => {
    event.preventDefault();
    load(picker.value);
  });
  $("#download").addEventListener("click", () => download(picker.value));
  load(picker.value);
}

async function load(month) {
  showError($("#page-error"), null);
  try {
    state.report = await get(`/api/reports/assessment?month=${encodeURIComponent(month)}`);
  } catch (error) {
    state.report = null;
    replace($("#table"));
    replace($("#chart"));
    $("#as-at").textContent = "";
    showError($("#page-error"), error);
    return;
  }
  const report = state.report;
  $("#as-at").textContent = report.complete ? "月末数据截至该月最后时刻" : "本月尚未结束，数据截至当前";
  $("#weights").textContent = "权重：" + Object.entries(report.weights).filter(([, w]) => w)
    .map(([key, w]) => `${RATE_NAMES[key] || key} ${w}`).join("、");
  drawChart(report);
  drawTable();
}

function drawChart(report) {
  const ranked = report.units.filter((row) => row.rank !== null);
  if (!ranked.length) {
    replace($("#chart"), h("p", { class: "empty", text: "本月没有可排名的单位" }));
    return;
  }
  replace($("#chart"), barChart(ranked.map((row) => ({ label: `${row.rank}. ${row.department}`, value: row.score }))));
}

function cell(key, value) {
  if (value === null || value === undefined) return "—";
  if (key.endsWith("_rate")) return percent(value, 1);
  return String(value);
}

function compare(key, descending) {
  return (a, b) => {
    const x = a[key], y = b[key];
    if (x === y) return a.department_id - b.department_id;
    if (x === null || x === undefined) return 1;  // empty figures last, whichever way
    if (y === null || y === undefined) return -1;
    const order = typeof x === "string" ? x.localeCompare(y, "zh-CN") : x - y;
    return descending ? -order : order;
  };
}

function drawTable() {
  const { key, descending } = state.sort;
  const rows = [...state.report.units].sort(compare(key, descending));
  const head = h("tr", {}, COLUMNS.map(([column, label]) => h("th", {
    scope: "col", "aria-sort": column === key ? (descending ? "descending" : "ascending") : "none",
  }, h("button", { type: "button", name: `sort-${column}`, text: label, onclick: () => sortBy(column) }))));
  const line = (row, extra) => h("tr", { class: extra, dataset: { department: row.department } },
    COLUMNS.map(([column]) => h("td", { class: column === "department" ? "" : "num", text: cell(column, row[column]) })));
  replace($("#table"), h("thead", {}, head),
    h("tbody", {}, rows.map((row) => line(row, row.active ? "" : "idle"))),
    h("tfoot", {}, line(state.report.total, "total")));
}

function sortBy(column) {
  const same = state.sort.key === column;
  // figures read best high first; the rank and the name read from the top
  state.sort = { key: column, descending: same ? !state.sort.descending : !["rank", "department"].includes(column) };
  drawTable();
}

async function download(month) {
  showError($("#page-error"), null);
  try {
    const response = await fetch(`/api/reports/assessment?month=${encodeURIComponent(month)}&format=xlsx`, {
      headers: { Authorization: `Bearer ${token()}` }, credentials: "same-origin",
    });
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      throw new ApiError(response.status, body.detail || `下载失败（${response.status}）`, body);
    }
    const url = URL.createObjectURL(await response.blob());
    const link = h("a", { href: url, download: `12345-月度考核-${month}.xlsx` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  } catch (error) {
    showError($("#page-error"), error);
  }
}
