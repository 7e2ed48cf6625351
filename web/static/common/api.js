// The one way the pages talk to the API: JSON in, JSON out, and every failure as a Chinese sentence.
// Staff tokens live in sessionStorage (per tab, gone when the tab closes); citizens never have one.

const TOKEN_KEY = "hotline12345.token";
const STAFF_KEY = "hotline12345.staff";

export class ApiError extends Error {
  constructor(status, detail, body = {}) {
    super(detail);
    this.status = status;
    this.detail = detail;
    this.body = body;
    // validation errors list each field; show them all, never the raw English
    this.fieldErrors = Array.isArray(body.errors) ? body.errors : [];
  }
}

const FALLBACK = {
  400: "提交的内容有误，请检查后重试",
  401: "请先登录",
  403: "无权进行此操作",
  404: "请求的内容不存在",
  409: "工单状态已变化，请刷新后重试",
  413: "提交的内容过大",
  429: "操作过于频繁，请稍后再试",
};

function fallbackDetail(status) {
  if (FALLBACK[status]) return FALLBACK[status];
  if (status >= 500) return `服务器暂时出错（${status}），请稍后重试；如持续出现请联系管理员`;
  return `请求失败（${status}）`;
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function currentStaff() {
  try {
    return JSON.parse(sessionStorage.getItem(STAFF_KEY) || "null");
  } catch {
    return null;
  }
}

export function saveSession(login) {
  sessionStorage.setItem(TOKEN_KEY, login.access_token);
  sessionStorage.setItem(STAFF_KEY, JSON.stringify(login.staff));
}

export function clearSession() {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(STAFF_KEY);
}

/** Call the API. Resolves with the parsed JSON (or null for 204); rejects with an ApiError in Chinese. */
export async function api(path, { method = "GET", body, auth = true, signal } = {}) {
  const headers = { Accept: "application/json" };
  const form = body instanceof FormData; // a file upload: the browser writes the multipart header itself
  if (body !== undefined && !form) headers["Content-Type"] = "application/json";
  const bearer = auth ? token() : null;
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined || form ? body : JSON.stringify(body),
      signal,
      credentials: "same-origin",
    });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(0, "无法连接服务器，请检查网络后重试");
  }
  if (response.status === 204) return null;
  let data = null;
  const text = await response.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    const detail = data && typeof data.detail === "string" && data.detail ? data.detail : fallbackDetail(response.status);
    const error = new ApiError(response.status, detail, data || {});
    if (response.status === 401 && auth && bearer) {
      clearSession();
      window.dispatchEvent(new CustomEvent("hotline:signed-out", { detail: "登录已过期，请重新登录" }));
    }
    throw error;
  }
  return data;
}

export const get = (path, options = {}) => api(path, options);
export const post = (path, body = {}, options = {}) => api(path, { ...options, method: "POST", body });

/** A key the API uses to refuse a double submission of the same call (same tab, same form). */
export function newIdempotencyKey() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return "web-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
