// 网格: the county's grid cells, where each lies (乡镇 and optionally 村/社区) and which 网格员 work it.
// The API (GET/POST /api/admin/grid-cells, PUT …/{id}, POST …/{id}/deactivate|reactivate) checks every field and
// answers in Chinese; a worker listed in one cell leaves any other.

import { api, get, post } from "/static/common/api.js";
import { $, h, replace } from "/static/common/dom.js";
import { showError, toast } from "/static/common/notice.js";

const state = { cells: [], editing: null };

/** Build the tab's list and form once; `loadGrid` fills them (called when the tab is shown). */
export function setupGrid() {
  const field = (id, label, attrs = {}) => h("div", { class: "field" }, h("label", { for: id, text: label }),
    h("input", { id, ...attrs }));
  replace($("#view-grid"),
    h("div", { class: "panel" },
      h("h2", { id: "grid-title" }, "网格 ", h("span", { class: "muted", id: "grid-count" })),
      h("div", { class: "error-box", id: "grid-list-error", role: "alert", hidden: true }),
      h("table", {}, h("thead", {}, h("tr", {}, ["编码", "名称", "乡镇（街道）", "村（社区）", "网格员", "状态", ""]
        .map((t) => h("th", { text: t })))), h("tbody", { id: "grid-cells" }))),
    h("form", { class: "panel", id: "grid-form", novalidate: true, "aria-labelledby": "grid-form-title" },
      h("h2", { id: "grid-form-title", text: "新增网格" }),
      field("grid-code", "网格编码", { maxlength: 32, placeholder: "如 CG-WJ-03" }),
      field("grid-name", "网格名称", { maxlength: 64, placeholder: "如 望江社区第三网格" }),
      field("grid-township", "乡镇（街道）", { maxlength: 32, list: "grid-townships" }),
      field("grid-village", "村（社区），可不填", { maxlength: 32 }),
      field("grid-workers", "网格员用户名（多个用逗号分隔）", { maxlength: 400, placeholder: "如 grid1, grid2" }),
      h("datalist", { id: "grid-townships" }),
      h("div", { class: "error-box", id: "grid-error", role: "alert", hidden: true }),
      h("div", { class: "actions" }, h("button", { type: "submit", class: "primary", name: "save-grid", text: "保存" }),
        h("button", { type: "button", id: "grid-new", text: "新增网格", onclick: () => edit(null) }))));
  $("#grid-form").addEventListener("submit", save);
}

export async function loadGrid() {
  try {
    const [cells, areas] = await Promise.all([get("/api/admin/grid-cells"), get("/api/admin/areas")]);
    state.cells = cells;
    replace($("#grid-townships"), areas.filter((a) => !a.township).map((a) => h("option", { value: a.name })));
    showError($("#grid-list-error"), null);
  } catch (error) {
    showError($("#grid-list-error"), error);
    return;
  }
  render();
}

function render() {
  $("#grid-count").textContent = `${state.cells.length} 个`;
  replace($("#grid-cells"), state.cells.map((c) => h("tr", { dataset: { code: c.code } },
    h("td", { text: c.code }), h("td", { text: c.name }), h("td", { text: c.township }), h("td", { text: c.village || "—" }),
    h("td", { text: c.workers.map((w) => `${w.display_name}（${w.username}）`).join("、") || "—" }),
    h("td", { text: c.active ? "启用" : "已停用" }),
    h("td", {}, h("button", { type: "button", name: "edit", text: "编辑", onclick: () => edit(c) }),
      h("button", { type: "button", name: c.active ? "deactivate" : "reactivate", text: c.active ? "停用" : "启用",
        onclick: () => toggle(c) })))));
}

function edit(cell) {
  state.editing = cell;
  $("#grid-form-title").textContent = cell ? `编辑网格 ${cell.code}` : "新增网格";
  $("#grid-code").value = cell ? cell.code : "";
  $("#grid-code").disabled = Boolean(cell);
  $("#grid-name").value = cell ? cell.name : "";
  $("#grid-township").value = cell ? cell.township : "";
  $("#grid-village").value = cell ? cell.village || "" : "";
  $("#grid-workers").value = cell ? cell.workers.map((w) => w.username).join(", ") : "";
  showError($("#grid-error"), null);
}

async function save(event) {
  event.preventDefault();
  const body = {
    name: $("#grid-name").value.trim(), township: $("#grid-township").value.trim(),
    village: $("#grid-village").value.trim() || null,
    workers: $("#grid-workers").value.split(/[,，、\s]+/).map((w) => w.trim()).filter(Boolean),
  };
  try {
    const saved = state.editing
      ? await api(`/api/admin/grid-cells/${state.editing.id}`, { method: "PUT", body })
      : await post("/api/admin/grid-cells", { ...body, code: $("#grid-code").value.trim() });
    toast(`已保存网格 ${saved.name}`);
    edit(null);
    await loadGrid();
  } catch (error) {
    showError($("#grid-error"), error);
  }
}

async function toggle(cell) {
  try {
    await post(`/api/admin/grid-cells/${cell.id}/${cell.active ? "deactivate" : "reactivate"}`);
    toast(cell.active ? `已停用 ${cell.name}` : `已启用 ${cell.name}`);
    await loadGrid();
  } catch (error) {
    showError($("#grid-list-error"), error);
  }
}
