// 网格员 (mobile): report an event from the cell with photos and the phone's position, follow the cell's events,
// and check on the spot (核查) that a closed one is really fixed. Every text goes in as text, never as HTML.

import { ApiError, get, newIdempotencyKey, post, token } from "../common/api.js";
import { requireStaff } from "../common/auth.js";
import { $, h, options, replace, statusBadge, when } from "../common/dom.js";
import { errorBox, showError, toast } from "../common/notice.js";

const TYPES = [["help", "求助"], ["complaint", "投诉"], ["suggestion", "建议"], ["report", "举报"], ["consultation", "咨询"]];
const MAX_PHOTOS = 9;

let position = null; // {latitude, longitude, accuracy} from the phone, or null
let reportKey = newIdempotencyKey();
let tickets = [];

/** A photo through the attachment API: multipart, field `file`, the same errors in Chinese as api(). */
async function uploadPhoto(number, file) {
  const form = new FormData();
  form.append("file", file, file.name || "现场照片.jpg");
  let response;
  try {
    response = await fetch(`/api/tickets/${encodeURIComponent(number)}/attachments`, {
      method: "POST", body: form, credentials: "same-origin",
      headers: { Accept: "application/json", Authorization: `Bearer ${token()}` },
    });
  } catch {
    throw new ApiError(0, "无法连接服务器，请检查网络后重试");
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new ApiError(response.status, (data && data.detail) || `照片上传失败（${response.status}）`, data || {});
  }
  return data;
}

async function uploadAll(number, files, box) {
  const failed = [];
  for (const file of files) {
    try {
      await uploadPhoto(number, file);
    } catch (error) {
      failed.push(`${file.name}：${error.detail}`);
    }
  }
  if (failed.length) showError(box, { detail: `部分照片未能上传：${failed.join("；")}` });
  return files.length - failed.length;
}

function showPosition() {
  const shown = $("#r-position");
  if (!position) {
    shown.textContent = "尚未定位";
    return;
  }
  shown.textContent = `北纬 ${position.latitude.toFixed(5)}，东经 ${position.longitude.toFixed(5)}` +
    (position.accuracy ? `（误差约 ${Math.round(position.accuracy)} 米）` : "");
}

function locate() {
  const shown = $("#r-position");
  if (!navigator.geolocation) {
    shown.textContent = "此设备不支持定位，请在“具体位置”中写明地点";
    return Promise.resolve(null);
  }
  shown.textContent = "正在定位…";
  return new Promise((resolve) => {
    navigator.geolocation.getCurrentPosition((found) => {
      position = { latitude: found.coords.latitude, longitude: found.coords.longitude, accuracy: found.coords.accuracy };
      showPosition();
      resolve(position);
    }, () => {
      shown.textContent = "未能定位（请允许使用位置信息），也可只写明具体位置";
      resolve(null);
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  });
}

function selectTab(name) {
  for (const [tab, view] of [["#tab-report", "#report-view"], ["#tab-list", "#list-view"]]) {
    const on = tab === `#tab-${name}`;
    $(tab).setAttribute("aria-selected", String(on));
    $(view).hidden = !on;
  }
  $("#detail").hidden = true;
  if (name === "list") loadTickets();
}

async function sendReport(event) {
  event.preventDefault();
  const box = $("#report-error");
  showError(box, null);
  const content = $("#r-content").value.trim();
  const files = Array.from($("#r-photos").files || []);
  if (!content) {
    showError(box, { detail: "事件描述不能为空，请填写具体内容" });
    $("#r-content").focus();
    return;
  }
  if (files.length > MAX_PHOTOS) {
    showError(box, { detail: `一次最多上传 ${MAX_PHOTOS} 张照片` });
    return;
  }
  const body = { content, type: $("#r-type").value, idempotency_key: reportKey };
  const address = $("#r-address").value.trim();
  if (address) body.address = address;
  if (position) Object.assign(body, { latitude: position.latitude, longitude: position.longitude });
  const button = $("#r-send");
  button.disabled = true;
  try {
    const ticket = await post("/api/grid/reports", body);
    const sent = files.length ? await uploadAll(ticket.number, files, box) : 0;
    reportKey = newIdempotencyKey();
    $("#report-form").reset();
    replace($("#receipt"), h("div", { text: "已上报，工单号" }), h("div", { class: "big", text: ticket.number }),
      h("div", { class: "muted", text: sent ? `已附 ${sent} 张照片` : "未附照片" }));
    $("#receipt").hidden = false;
    toast(`已上报：${ticket.number}`);
  } catch (error) {
    showError(box, error);
  } finally {
    button.disabled = false;
  }
}

async function loadTickets() {
  const error = $("#page-error");
  try {
    tickets = await get("/api/grid/tickets");
    showError(error, null);
  } catch (problem) {
    showError(error, problem);
    return;
  }
  drawList();
}

function drawList() {
  const onlyCheck = $("#only-check").checked;
  const shown = tickets.filter((t) => !onlyCheck || t.can_check);
  replace($("#tickets"), shown.map((t) => h("li", { class: "ticket", dataset: { number: t.number } },
    h("button", { type: "button", class: "open", onclick: () => openTicket(t.number) },
      h("span", { class: "row" }, h("strong", { text: t.number }), statusBadge(t.status, t.status_label),
        t.can_check ? h("span", { class: "badge to-check", text: "待核查" }) : null),
      h("span", { class: "content", text: t.content }),
      h("span", { class: "muted", text: `${when(t.created_at)} · ${t.address || t.village || t.township || ""}` })))));
  $("#tickets-empty").hidden = shown.length > 0;
}

function photos(list) {
  if (!list.length) return h("p", { class: "muted", text: "暂无照片" });
  return h("div", { class: "photos" }, list.map((a) => a.thumb_url
    ? h("a", { href: a.url, target: "_blank", rel: "noopener" }, h("img", { src: a.thumb_url, alt: a.name }))
    : h("span", { class: "muted", text: `${a.name}（已按保存期限删除）` })));
}

function checkForm(ticket) {
  const comment = h("textarea", { id: "c-comment", rows: 3, maxlength: 1000,
    placeholder: "未通过时必填：现场还有什么问题" });
  const box = errorBox();
  async function send(passed) {
    showError(box, null);
    const body = { passed };
    const words = comment.value.trim();
    if (words) body.comment = words;
    if (!passed && !words) {
      showError(box, { detail: "核查未通过时请填写核查意见（现场还有什么问题）" });
      comment.focus();
      return;
    }
    if (position) Object.assign(body, { latitude: position.latitude, longitude: position.longitude });
    try {
      const checked = await post(`/api/grid/tickets/${encodeURIComponent(ticket.number)}/check`, body);
      toast(passed ? "核查通过，已记录" : "核查未通过，已退回承办单位重新办理");
      drawTicket(checked);
    } catch (error) {
      showError(box, error);
    }
  }
  return h("section", { class: "check", "aria-labelledby": "check-title" },
    h("h3", { id: "check-title", text: "现场核查" }),
    h("p", { class: "muted", text: "到现场看过后：问题确已解决点“核查通过”；没有解决点“核查未通过”并写明情况，工单将退回承办单位重新办理。" }),
    h("label", { for: "c-comment", text: "核查意见" }), comment, box,
    h("div", { class: "actions" },
      h("button", { type: "button", class: "primary", id: "c-pass", text: "核查通过", onclick: () => send(true) }),
      h("button", { type: "button", class: "danger", id: "c-fail", text: "核查未通过", onclick: () => send(false) })));
}

function morePhotos(ticket) {
  if (["merged", "archived"].includes(ticket.status)) return null;
  const input = h("input", { type: "file", id: "d-photos", accept: "image/*", capture: "environment", multiple: true });
  const box = errorBox();
  const button = h("button", { type: "button", id: "d-upload", text: "上传照片", onclick: async () => {
    showError(box, null);
    const files = Array.from(input.files || []);
    if (!files.length) {
      showError(box, { detail: "请先选择照片" });
      return;
    }
    if (await uploadAll(ticket.number, files, box)) toast("照片已上传");
    openTicket(ticket.number);
  } });
  return h("div", { class: "more-photos" }, h("label", { for: "d-photos", text: "追加现场照片" }), input, button, box);
}

function drawTicket(t) {
  $("#detail-title").textContent = `事件 ${t.number}`;
  const place = [t.township, t.village, t.address].filter(Boolean).join(" · ");
  const located = t.latitude != null ? `北纬 ${t.latitude.toFixed(5)}，东经 ${t.longitude.toFixed(5)}` : "未定位";
  const last = t.last_check;
  replace($("#detail-body"),
    h("p", {}, statusBadge(t.status, t.status_label), " ", h("span", { class: "muted", text: t.type_label })),
    h("p", { class: "content", text: t.content }),
    h("dl", { class: "facts" },
      h("dt", { text: "地点" }), h("dd", { text: place || "—" }),
      h("dt", { text: "定位" }), h("dd", { text: located }),
      h("dt", { text: "上报时间" }), h("dd", { text: when(t.created_at, true) }),
      h("dt", { text: "承办单位" }), h("dd", { text: t.department || "待派单" }),
      t.reply ? [h("dt", { text: "办理答复" }), h("dd", { class: "reply", text: t.reply })] : null,
      last ? [h("dt", { text: "最近核查" }), h("dd", { class: "last-check",
        text: `${last.passed ? "通过" : "未通过"}${last.comment ? `：${last.comment}` : ""}（${when(last.at)}）` })] : null),
    h("h3", { text: "现场照片" }), photos(t.attachments || []), morePhotos(t),
    t.can_check ? checkForm(t) : null,
    h("h3", { text: "办理进程" }),
    h("ol", { class: "timeline" }, (t.timeline || []).map((step) => h("li", { class: "event" },
      h("div", { class: "event-head" }, h("time", { text: when(step.time) })),
      h("div", { class: "event-detail", text: step.text })))));
  $("#list-view").hidden = true;
  $("#report-view").hidden = true;
  $("#detail").hidden = false;
}

async function openTicket(number) {
  try {
    drawTicket(await get(`/api/grid/tickets/${encodeURIComponent(number)}`));
  } catch (error) {
    showError($("#page-error"), error);
  }
}

async function start() {
  options($("#r-type"), TYPES);
  $("#tab-report").addEventListener("click", () => selectTab("report"));
  $("#tab-list").addEventListener("click", () => selectTab("list"));
  $("#r-locate").addEventListener("click", locate);
  $("#report-form").addEventListener("submit", sendReport);
  $("#only-check").addEventListener("change", drawList);
  $("#refresh").addEventListener("click", loadTickets);
  $("#detail-close").addEventListener("click", () => selectTab("list"));
  try {
    const cell = await get("/api/grid/me");
    $("#cell").textContent = `我的网格：${cell.name}（${[cell.township, cell.village].filter(Boolean).join(" · ")}）`;
  } catch (error) {
    showError($("#page-error"), error);
    $("#report-form").hidden = true;
    return;
  }
  locate();
}

requireStaff({ roles: ["grid_worker"], title: "网格员", start });
