// Staff sign-in inside a page: a small form, then the page starts. The token stays in this tab only.

import { api, clearSession, currentStaff, saveSession, token } from "./api.js";
import { $, h, replace } from "./dom.js";
import { errorBox, showError } from "./notice.js";

const ROLE_NAMES = { operator: "话务员", handler: "承办人员", commander: "指挥中心", admin: "管理员", auditor: "监察审计",
  leader: "县领导", grid_worker: "网格员" };
// the word before a person's name in the header: 承办员 张某, not the department glued to a role
const ROLE_WORDS = { operator: "话务员", handler: "承办员", commander: "指挥员", admin: "管理员", auditor: "监察员",
  leader: "县领导", grid_worker: "网格员" };

/** 县城市管理和综合执法局 · 承办员 张某: the unit, then the role word and the person, each apart. */
export function staffLabel(staff) {
  const who = `${ROLE_WORDS[staff.role] || ROLE_NAMES[staff.role] || staff.role} ${staff.display_name}`;
  return staff.department ? `${staff.department.name} · ${who}` : who;
}

/**
 * Run `start(staff)` once someone with one of `roles` is signed in. The login form takes the <main> until then.
 * A 401 later (expired token) brings the form back with the reason.
 */
export function requireStaff({ roles, title, start }) {
  const main = $("main");
  const userBox = $("#user");
  let started = false;

  function signedIn(staff) {
    main.hidden = false;
    if (userBox) {
      replace(userBox,
        h("span", { class: "who", id: "who", text: staffLabel(staff) }),
        h("button", { type: "button", class: "link", id: "logout", text: "退出", onclick: logout }));
    }
    if (!started) {
      started = true;
      start(staff);
    }
  }

  function logout() {
    clearSession();
    location.reload();
  }

  function showLogin(message) {
    const username = h("input", { name: "username", autocomplete: "username", required: true, autofocus: true });
    const password = h("input", { name: "password", type: "password", autocomplete: "current-password",
      required: true });
    const problem = errorBox();
    const form = h("form", { class: "login", "aria-label": "登录" },
      h("h2", { text: `${title} · 登录` }),
      h("label", { text: "用户名" }, username),
      h("label", { text: "密码" }, password),
      problem,
      h("button", { type: "submit", class: "primary", name: "login", text: "登录" }));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      showError(problem, null);
      try {
        const login = await api("/api/auth/login", {
          method: "POST", auth: false, body: { username: username.value.trim(), password: password.value },
        });
        if (!roles.includes(login.staff.role)) {
          const allowed = roles.map((r) => ROLE_NAMES[r]).join("、");
          showError(problem, { detail: `此页面仅限${allowed}使用，当前账号是${ROLE_NAMES[login.staff.role]}` });
          return;
        }
        saveSession(login);
        overlay.remove();
        signedIn(login.staff);
      } catch (error) {
        showError(problem, error);
      }
    });
    if (message) showError(problem, { detail: message });
    const overlay = h("div", { class: "login-overlay" }, form);
    main.hidden = true;
    document.body.append(overlay);
    username.focus();
  }

  window.addEventListener("hotline:signed-out", (event) => {
    if (!$(".login-overlay")) showLogin(event.detail);
  });

  const staff = currentStaff();
  // after the page's module has run to its end: a page calling this at its top may start with consts declared
  // below the call (a reload while signed in used to hit them before their initialisation)
  if (token() && staff && roles.includes(staff.role)) queueMicrotask(() => signedIn(staff));
  else showLogin();
}
