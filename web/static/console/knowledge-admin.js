// 知识库维护: admins write, edit, retire and delete articles; operators and commanders read them here too.

import { api, get } from "/static/common/api.js";
import { requireStaff } from "/static/common/auth.js";
import { $, h, replace, when } from "/static/common/dom.js";
import { showError, toast } from "/static/common/notice.js";

const state = { articles: [], current: null, admin: false };

requireStaff({ roles: ["admin", "operator", "commander"], title: "知识库", start });

async function start(staff) {
  state.admin = staff.role === "admin";
  $("#inactive-label").hidden = !state.admin;
  $("#new-article").hidden = !state.admin;
  $("#read-only").hidden = state.admin;
  for (const control of $("#article-form").elements) control.disabled = !state.admin;
  $("#filter").addEventListener("input", renderList);
  $("#include-inactive").addEventListener("change", load);
  $("#new-article").addEventListener("click", () => edit(null));
  $("#article-form").addEventListener("submit", save);
  $("#delete").addEventListener("click", remove);
  try {
    const departments = await get("/api/departments");
    replace($("#department"), h("option", { value: "", text: "（通用，不指定部门）" }),
      departments.map((d) => h("option", { value: d.id, text: d.name })));
  } catch (error) {
    showError($("#article-error"), error);
  }
  await load();
  edit(null);
}

async function load() {
  const inactive = state.admin && $("#include-inactive").checked;
  try {
    state.articles = await get(`/api/knowledge/articles${inactive ? "?include_inactive=true" : ""}`);
    renderList();
  } catch (error) {
    showError($("#article-error"), error);
  }
}

function renderList() {
  const needle = $("#filter").value.trim().toLowerCase();
  const shown = state.articles.filter((a) => !needle
    || [a.title, a.keywords, a.answer].some((text) => text.toLowerCase().includes(needle)));
  $("#list-count").textContent = `${shown.length} 篇`;
  replace($("#articles"), shown.map((a) => h("li", {},
    h("button", { type: "button", "aria-current": state.current && state.current.id === a.id ? "true" : "false",
      dataset: { id: a.id }, onclick: () => edit(a) },
    h("span", { class: a.active && !a.expired ? "" : "retired", text: a.title }),
    h("div", { class: "muted small", text: [a.department ? a.department.name : "通用",
      !a.active ? "已停用" : a.expired ? `已过期（${a.valid_until}）` : a.valid_until ? `有效期至 ${a.valid_until}` : "长期有效",
    ].join(" · ") })))));
}

function edit(article) {
  state.current = article;
  showError($("#article-error"), null);
  $("#edit-title").textContent = article ? `文章 #${article.id}` : state.admin ? "新建文章" : "请选择文章";
  $("#title").value = article ? article.title : "";
  $("#answer").value = article ? article.answer : "";
  $("#keywords").value = article ? article.keywords : "";
  $("#valid_until").value = article && article.valid_until ? article.valid_until : "";
  $("#department").value = article && article.department ? String(article.department.id) : "";
  $("#active").checked = article ? article.active : true;
  $("#delete").hidden = !(state.admin && article);
  $("#meta").textContent = article ? `更新于 ${when(article.updated_at, true)}` : "";
  renderList();
  if (state.admin) $("#title").focus();
}

async function save(event) {
  event.preventDefault();
  if (!state.admin) return;
  const body = {
    title: $("#title").value, answer: $("#answer").value, keywords: $("#keywords").value,
    department_id: $("#department").value ? Number($("#department").value) : null,
    valid_until: $("#valid_until").value || null, active: $("#active").checked,
  };
  try {
    const saved = state.current
      ? await api(`/api/knowledge/articles/${state.current.id}`, { method: "PATCH", body })
      : await api("/api/knowledge/articles", { method: "POST", body });
    toast(state.current ? "已保存修改" : "已新建文章");
    $("#include-inactive").checked = $("#include-inactive").checked || !saved.active;
    await load();
    edit(state.articles.find((a) => a.id === saved.id) || saved);
  } catch (error) {
    showError($("#article-error"), error);
  }
}

async function remove() {
  const article = state.current;
  if (!article || !confirm(`确定删除「${article.title}」？删除后不能恢复；只想暂时不用请取消“启用”。`)) return;
  try {
    await api(`/api/knowledge/articles/${article.id}`, { method: "DELETE" });
    toast("已删除");
    await load();
    edit(null);
  } catch (error) {
    showError($("#article-error"), error);
  }
}
