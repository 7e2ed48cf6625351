// 系统管理: the county's units, areas, dispatch catalogue and staff accounts, the block list, the workbook import,
// and the routing model's versions (models.js).
// Everything goes through /api/admin/* (admin role only); the API checks every field and answers in Chinese.

import { api, get, post, token } from "/static/common/api.js";
import { requireStaff } from "/static/common/auth.js";
import { $, h, options, replace } from "/static/common/dom.js";
import { TYPES, categoryOptions } from "/static/common/labels.js";
import { showError, toast } from "/static/common/notice.js";
import { loadModels, setupModels } from "/static/admin/models.js";
import { loadGrid, setupGrid } from "/static/admin/grid.js";

const KINDS = [["bureau", "县直部门"], ["township", "乡镇政府/街道办事处"], ["office", "县政府办"], ["enterprise", "企事业单位"]];
const ROLES = [["operator", "话务员"], ["handler", "承办人员"], ["commander", "指挥中心"], ["admin", "管理员"],
  ["auditor", "监察审计"], ["grid_worker", "网格员"]];
const VIEWS = ["units", "areas", "catalogue", "staff", "grid", "blocked", "import", "models"];
const state = { units: [], areas: [], entries: [], staff: [], blocked: [], categories: [], editing: {} };
const put = (path, body) => api(path, { method: "PUT", body });
const remove = (path) => api(path, { method: "DELETE" });

requireStaff({ roles: ["admin"], title: "系统管理", start });

async function start() {
  window.addEventListener("hashchange", show);
  options($("#unit-kind"), KINDS);
  options($("#staff-role"), ROLES);
  $("#unit-form").addEventListener("submit", saveUnit);
  $("#unit-new").addEventListener("click", () => editUnit(null));
  $("#area-form").addEventListener("submit", saveArea);
  $("#entry-form").addEventListener("submit", saveEntry);
  $("#entry-new").addEventListener("click", () => editEntry(null));
  $("#staff-form").addEventListener("submit", saveStaff);
  $("#staff-new").addEventListener("click", () => editStaff(null));
  $("#blocked-form").addEventListener("submit", saveBlocked);
  $("#import-form").addEventListener("submit", importWorkbook);
  setupModels();
  setupGrid();
  replace($("#entry-limits"), TYPES.map(([value, label]) => h("div", { class: "field" },
    h("label", { for: `entry-limit-${value}`, text: `${label}时限（工作日）` }),
    h("input", { id: `entry-limit-${value}`, type: "number", min: "0", step: "0.5", placeholder: "按时限政策" }))));
  show();
  await Promise.all([reload(), calendarWarning()]);
  editUnit(null);
  editEntry(null);
  editStaff(null);
}

function show() {
  const view = VIEWS.includes(location.hash.slice(1)) ? location.hash.slice(1) : "units";
  for (const name of VIEWS) {
    $(`#view-${name}`).hidden = name !== view;
    $(`#nav-${name}`).setAttribute("aria-current", name === view ? "page" : "false");
  }
  if (view === "models") loadModels(); // read afresh each time: a retrain or another admin may have changed it
  if (view === "grid") loadGrid();
}

async function calendarWarning() {
  try {
    const coverage = await get("/api/admin/calendar/coverage");
    $("#calendar-warning").textContent = coverage.message || "";
    $("#calendar-warning").hidden = !coverage.message;
  } catch { /* the warning is a courtesy; the sections still work */ }
}

async function reload() {
  try {
    const [units, areas, entries, staff, categories, blocked] = await Promise.all([get("/api/admin/units"),
      get("/api/admin/areas"), get("/api/admin/catalogue"), get("/api/admin/staff"), get("/api/reference/categories"),
      get("/api/admin/blocked-phones")]);
    Object.assign(state, { units, areas, entries, staff, categories, blocked });
    showError($("#page-error"), null);
  } catch (error) {
    showError($("#page-error"), error);
    return;
  }
  renderUnits();
  renderAreas();
  renderEntries();
  renderStaff();
  renderBlocked();
  pickers();
}

const townships = () => state.areas.filter((a) => a.kind === "township");
const unitOptions = (units) => units.filter((u) => u.active).map((u) => [u.code, `${u.code} ${u.name}`]);

function pickers() {
  const keep = (select, fill) => { const value = select.value; fill(); select.value = value; };
  keep($("#unit-township"), () => options($("#unit-township"), townships().map((t) => [t.name, t.name]), { placeholder: "（无）" }));
  keep($("#unit-parent"), () => options($("#unit-parent"), unitOptions(state.units), { placeholder: "（无）" }));
  keep($("#entry-township"), () => options($("#entry-township"), townships().map((t) => [t.name, t.name]), { placeholder: "全县默认" }));
  keep($("#entry-lead"), () => options($("#entry-lead"), unitOptions(state.units), { placeholder: "选择主办单位" }));
  keep($("#staff-unit"), () => options($("#staff-unit"), unitOptions(state.units), { placeholder: "（不绑定单位）" }));
  keep($("#entry-category"), () => replace($("#entry-category"), categoryOptions(h, state.categories)));
  replace($("#township-list"), townships().map((t) => h("option", { value: t.name })));
}

function button(text, name, onclick, kind = "") {
  return h("button", { type: "button", name, class: kind, text, onclick });
}

async function act(promise, done) {
  try {
    const result = await promise;
    toast(done);
    await reload();
    return result;
  } catch (error) {
    toast(error.detail || "操作失败", "error", 6000);
    return null;
  }
}

// -- units ---------------------------------------------------------------------------------------------------------

function renderUnits() {
  $("#units-count").textContent = `${state.units.length} 个`;
  replace($("#units"), state.units.map((u) => h("tr", { class: u.active ? "" : "inactive", dataset: { code: u.code } },
    h("td", { text: u.code }), h("td", { text: u.name }), h("td", { text: u.kind_label }),
    h("td", { text: u.duty_phone || "—" }), h("td", { text: u.township || "—" }), h("td", { text: u.parent_code || "—" }),
    h("td", { text: u.active ? "启用" : "已停用" }),
    h("td", {}, h("div", { class: "actions" }, button("编辑", "edit", () => editUnit(u)),
      u.active ? button("停用", "deactivate", () => act(post(`/api/admin/units/${u.id}/deactivate`), `已停用 ${u.name}`))
        : button("启用", "reactivate", () => act(post(`/api/admin/units/${u.id}/reactivate`), `已启用 ${u.name}`)))))));
}

function editUnit(unit) {
  state.editing.unit = unit;
  $("#unit-form-title").textContent = unit ? `编辑单位 ${unit.code}` : "新建单位";
  $("#unit-code").value = unit ? unit.code : "";
  $("#unit-code").disabled = Boolean(unit);
  $("#unit-name").value = unit ? unit.name : "";
  $("#unit-kind").value = unit ? unit.kind : "bureau";
  $("#unit-phone").value = unit?.duty_phone || "";
  $("#unit-township").value = unit?.township || "";
  $("#unit-parent").value = unit?.parent_code || "";
  showError($("#unit-error"), null);
}

async function saveUnit(event) {
  event.preventDefault();
  const unit = state.editing.unit;
  const body = { name: $("#unit-name").value.trim(), kind: $("#unit-kind").value,
    duty_phone: $("#unit-phone").value.trim() || null, township: $("#unit-township").value || null,
    parent_code: $("#unit-parent").value || null };
  try {
    const saved = unit ? await put(`/api/admin/units/${unit.id}`, body)
      : await post("/api/admin/units", { code: $("#unit-code").value.trim(), ...body });
    toast(`已保存 ${saved.name}`);
    await reload();
    editUnit(null);
  } catch (error) {
    showError($("#unit-error"), error);
  }
}

// -- areas ---------------------------------------------------------------------------------------------------------

function renderAreas() {
  $("#areas-count").textContent = `${townships().length} 个乡镇（街道），${state.areas.length - townships().length} 个村（社区）`;
  const rows = [];
  for (const town of townships()) {
    rows.push(areaRow(town, town.name, ""));
    for (const village of state.areas.filter((a) => a.township === town.name)) rows.push(areaRow(village, "", village.name));
  }
  replace($("#areas"), rows);
}

function areaRow(area, township, village) {
  const kinds = { township: "乡镇（街道）", village: "村", community: "社区" };
  return h("tr", { dataset: { area: area.name } }, h("td", { text: township }), h("td", { text: village }),
    h("td", { text: kinds[area.kind] || area.kind }),
    h("td", {}, h("div", { class: "actions" },
      button("改名", "rename", () => {
        const name = prompt(`「${area.name}」改为：`, area.name);
        if (name && name.trim() !== area.name) act(put(`/api/admin/areas/${area.id}`, { name: name.trim() }), "已改名");
      }),
      button("删除", "remove", () => {
        if (confirm(`删除「${area.name}」？`)) act(remove(`/api/admin/areas/${area.id}`), `已删除 ${area.name}`);
      }))));
}

async function saveArea(event) {
  event.preventDefault();
  try {
    const saved = await post("/api/admin/areas", { township: $("#area-township").value.trim(),
      village: $("#area-village").value.trim() || null });
    toast(`已新增 ${saved.name}`);
    $("#area-village").value = "";
    showError($("#area-error"), null);
    await reload();
  } catch (error) {
    showError($("#area-error"), error);
  }
}

// -- catalogue -----------------------------------------------------------------------------------------------------

function limitsText(limits) {
  if (!limits) return "按时限政策";
  return TYPES.filter(([value]) => value in limits).map(([value, label]) => `${label} ${limits[value]}`).join("，");
}

function renderEntries() {
  $("#catalogue-count").textContent = `${state.entries.length} 条`;
  replace($("#catalogue"), state.entries.map((e) => h("tr", { dataset: { entry: `${e.category_code}:${e.township || ""}` } },
    h("td", { text: `${e.category_code} ${e.category_name}` }), h("td", { text: e.township || "全县默认" }),
    h("td", { text: e.lead.name }), h("td", { text: e.co.map((c) => c.name).join("、") || "—" }),
    h("td", { text: limitsText(e.time_limits) }),
    h("td", {}, h("div", { class: "actions" }, button("编辑", "edit", () => editEntry(e)),
      button("停用", "remove", () => {
        if (confirm(`停用派单目录「${e.category_code}${e.township ? "（" + e.township + "）" : ""}」？此后该分类按全县默认或转人工分拨。`)) {
          act(remove(`/api/admin/catalogue/${e.id}`), "已停用该条目");
        }
      }))))));
}

function editEntry(entry) {
  state.editing.entry = entry;
  $("#entry-form-title").textContent = entry ? `编辑条目 ${entry.category_code}${entry.township ? "（" + entry.township + "）" : ""}` : "新建条目";
  $("#entry-category").value = entry ? entry.category_code : "";
  $("#entry-township").value = entry?.township || "";
  $("#entry-category").disabled = $("#entry-township").disabled = Boolean(entry);
  $("#entry-name").value = entry ? entry.category_name : "";
  $("#entry-lead").value = entry ? entry.lead.code : "";
  $("#entry-co").value = entry ? entry.co.map((c) => c.code).join("、") : "";
  for (const [value] of TYPES) $(`#entry-limit-${value}`).value = entry?.time_limits?.[value] ?? "";
  showError($("#entry-error"), null);
}

async function saveEntry(event) {
  event.preventDefault();
  const entry = state.editing.entry;
  const limits = {};
  for (const [value] of TYPES) {
    const text = $(`#entry-limit-${value}`).value.trim();
    if (text) limits[value] = Number(text);
  }
  const body = { lead_code: $("#entry-lead").value, category_name: $("#entry-name").value.trim() || null,
    co_codes: $("#entry-co").value.split(/[、,，;；\s]+/).filter(Boolean), time_limits: limits };
  try {
    if (entry) await put(`/api/admin/catalogue/${entry.id}`, body);
    else await post("/api/admin/catalogue", { category_code: $("#entry-category").value,
      township: $("#entry-township").value || null, ...body });
    toast("已保存派单目录");
    await reload();
    editEntry(null);
  } catch (error) {
    showError($("#entry-error"), error);
  }
}

// -- staff ---------------------------------------------------------------------------------------------------------

function renderStaff() {
  $("#staff-count").textContent = `${state.staff.length} 个账号`;
  replace($("#staff"), state.staff.map((s) => h("tr", { class: s.active ? "" : "inactive", dataset: { username: s.username } },
    h("td", { text: s.username }), h("td", { text: s.display_name }), h("td", { text: s.role_label }),
    h("td", { text: s.unit_name || "—" }), h("td", { text: s.phone || "—" }), h("td", { class: "state", text: s.active ? "启用" : "已停用" }),
    h("td", {}, h("div", { class: "actions" }, button("编辑", "edit", () => editStaff(s)),
      s.active ? button("停用", "deactivate", () => {
        if (confirm(`停用 ${s.display_name}（${s.username}）？其登录立即失效。`)) {
          act(post(`/api/admin/staff/${s.id}/deactivate`), `已停用 ${s.display_name}`);
        }
      }) : button("启用", "reactivate", () => act(post(`/api/admin/staff/${s.id}/reactivate`), `已启用 ${s.display_name}`)),
      button("重置密码", "reset-password", () => resetPassword(s)))))));
}

function showPassword(staff, password) {
  const box = $("#staff-password-shown");
  replace(box, `${staff.display_name}（${staff.username}）的密码：`, h("span", { class: "password", text: password }),
    "。只显示这一次，请交给本人。");
  box.hidden = false;
}

async function resetPassword(staff) {
  if (!confirm(`重置 ${staff.display_name} 的密码？其登录立即失效，新密码随机生成。`)) return;
  const result = await act(post(`/api/admin/staff/${staff.id}/password`, {}), "已重置密码");
  if (result && result.password) showPassword(staff, result.password);
}

function editStaff(staff) {
  state.editing.staff = staff;
  $("#staff-form-title").textContent = staff ? `编辑账号 ${staff.username}` : "新建账号";
  $("#staff-username").value = staff ? staff.username : "";
  $("#staff-username").disabled = Boolean(staff);
  $("#staff-name").value = staff ? staff.display_name : "";
  $("#staff-role").value = staff ? staff.role : "operator";
  $("#staff-unit").value = staff?.unit_code || "";
  $("#staff-phone").value = staff?.phone || "";
  $("#staff-password").value = "";
  $("#staff-password-field").hidden = Boolean(staff);
  $("#staff-revoke-note").hidden = !staff;
  showError($("#staff-error"), null);
}

async function saveStaff(event) {
  event.preventDefault();
  const staff = state.editing.staff;
  const body = { display_name: $("#staff-name").value.trim(), role: $("#staff-role").value,
    unit_code: $("#staff-unit").value || null, phone: $("#staff-phone").value.trim() || null };
  try {
    $("#staff-password-shown").hidden = true;
    if (staff) {
      await put(`/api/admin/staff/${staff.id}`, body);
      toast(`已保存 ${body.display_name}`);
    } else {
      const created = await post("/api/admin/staff", { username: $("#staff-username").value.trim(), ...body,
        password: $("#staff-password").value || null });
      toast(`已新建 ${created.staff.display_name}`);
      if (created.password) showPassword(created.staff, created.password);
    }
    await reload();
    editStaff(null);
  } catch (error) {
    showError($("#staff-error"), error);
  }
}

// -- the block list ------------------------------------------------------------------------------------------------

function renderBlocked() {
  $("#blocked-count").textContent = `${state.blocked.length} 个号码`;
  replace($("#blocked"), state.blocked.map((b) => h("tr", { dataset: { phone: b.phone } },
    h("td", { text: b.phone }), h("td", { text: b.reason }), h("td", { text: b.created_by || "—" }),
    h("td", { text: b.created_at.slice(0, 16).replace("T", " ") }),
    h("td", {}, button("移出", "unblock", () => {
      if (confirm(`把 ${b.phone} 移出黑名单？`)) act(remove(`/api/admin/blocked-phones/${b.id}`), `已移出 ${b.phone}`);
    })))));
}

async function saveBlocked(event) {
  event.preventDefault();
  showError($("#blocked-error"), null);
  try {
    const added = await post("/api/admin/blocked-phones", { phone: $("#blocked-phone").value.trim(),
      reason: $("#blocked-reason").value.trim() });
    toast(`已列入黑名单 ${added.phone}`);
    $("#blocked-phone").value = "";
    $("#blocked-reason").value = "";
    await reload();
  } catch (error) {
    showError($("#blocked-error"), error);
  }
}

// -- the workbook --------------------------------------------------------------------------------------------------

async function importWorkbook(event) {
  event.preventDefault();
  const file = $("#import-file").files[0];
  showError($("#import-error"), null);
  if (!file) { showError($("#import-error"), { detail: "请选择工作簿文件" }); return; }
  const dryRun = $("#import-dry-run").checked;
  let response;
  try {
    response = await fetch(`/api/admin/county/import?dry_run=${dryRun}`, { method: "POST", body: await file.arrayBuffer(),
      headers: { Authorization: `Bearer ${token()}`, "Content-Type": "application/octet-stream" } });
  } catch {
    showError($("#import-error"), { detail: "无法连接服务器，请检查网络后重试" });
    return;
  }
  const result = await response.json().catch(() => ({}));
  if (!response.ok && !result.problems) { showError($("#import-error"), { detail: result.detail || `导入失败（${response.status}）` }); return; }
  replace($("#import-result"), importReport(result));
  if (!dryRun && !result.problems?.length) await reload();
}

function importReport(result) {
  if (result.problems?.length) {
    return [h("p", { class: "error-box", text: `发现 ${result.problems.length} 处问题，未写入任何数据：` }),
      h("table", { class: "problems" }, h("thead", {}, h("tr", {}, ["工作表", "行", "列", "问题"].map((t) => h("th", { text: t })))),
        h("tbody", {}, result.problems.map((p) => h("tr", {}, h("td", { text: p.sheet || "-" }), h("td", { text: p.row ?? "-" }),
          h("td", { text: p.column || "-" }), h("td", { text: p.message })))))];
  }
  const lines = [h("p", { class: "ok-box", text: result.dry_run ? "试运行：以下是将要发生的变化，未写入任何数据" : "导入完成" })];
  for (const [sheet, c] of Object.entries(result.changes || {})) {
    lines.push(h("p", { text: `${sheet}：新增 ${c.created.length}，更新 ${c.updated.length}，不变 ${c.unchanged}` }));
  }
  if (result.passwords?.length) {
    lines.push(h("p", { text: "新账号的初始密码（只显示这一次，请交给本人）：" }),
      h("table", {}, h("tbody", {}, result.passwords.map((p) => h("tr", {}, h("td", { text: p.username }),
        h("td", { text: p.display_name }), h("td", { class: "password", text: p.password }))))));
  }
  return lines;
}
