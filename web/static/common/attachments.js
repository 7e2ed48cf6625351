// Photos and recordings with a ticket: thumbnails, players and a viewer wherever a ticket is shown, and one upload
// control for every page. Links are the API's signed ones (no token or query code in them); a file's name is the
// sender's text, so it only ever goes in as textContent.

import { api } from "./api.js";
import { h, replace, when } from "./dom.js";
import { errorBox } from "./notice.js";

const SOURCE = { citizen: "群众", operator: "话务员", handler: "承办单位", commander: "指挥中心", open311: "移动应用",
  grid: "网格员" };
const CLOSED_TO_FILES = new Set(["merged", "archived"]); // the API refuses files there (409); offer no button

// the module brings its own look, so a page that shows a ticket needs no change of its HTML
if (!document.querySelector("link[data-attachments]")) {
  document.head.append(h("link", { rel: "stylesheet", href: "/static/common/attachments.css", dataset: { attachments: "" } }));
}

/** Staff upload: multipart with the file in `file`; resolves with the attachment or rejects with an ApiError. */
export function staffUpload(number) {
  return (file) => {
    const body = new FormData();
    body.append("file", file, file.name);
    return api(`/api/tickets/${encodeURIComponent(number)}/attachments`, { method: "POST", body });
  };
}

/** A citizen's upload, with the number and query code the page holds in memory only. */
export function citizenUpload(number, code) {
  return (file) => {
    const body = new FormData();
    body.append("number", number);
    body.append("query_code", code);
    body.append("file", file, file.name);
    return api("/api/public/attachments", { method: "POST", body, auth: false });
  };
}

export const acceptsFiles = (t) => !CLOSED_TO_FILES.has(t.status);

// An action's answer carries no attachments (only the single-ticket view does): the list last shown for the
// number is kept, so redrawing a ticket after 签收 or a reply does not make its photos vanish.
const shown = new Map();

/** The ticket's attachments as far as the page knows them, or null when it has never been told. */
export function attachmentsOf(t) {
  return Array.isArray(t.attachments) ? t.attachments : shown.get(t.number) || null;
}

function size(bytes) {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

function caption(a, number) {
  const bits = [SOURCE[a.source] || a.source, when(a.created_at), size(a.size)];
  if (number && a.ticket_number !== number) bits.unshift(`并入的工单 ${a.ticket_number}`);
  return h("div", { class: "attachment-meta" },
    h("span", { class: "attachment-name", text: a.name }),
    h("span", { class: "muted", text: bits.join(" · ") }));
}

let viewer = null;

/** The full photo over the page, with its name and links to open or download it; Esc or 关闭 closes it. */
function view(a) {
  if (!viewer) {
    viewer = h("dialog", { class: "attachment-viewer", "aria-labelledby": "attachment-viewer-title" });
    document.body.append(viewer);
  }
  replace(viewer,
    h("div", { class: "viewer-head" },
      h("strong", { id: "attachment-viewer-title", text: a.name }),
      h("a", { href: a.url, target: "_blank", rel: "noopener", text: "新窗口打开" }),
      h("a", { href: `${a.url}?download=true`, text: "下载" }),
      h("button", { type: "button", class: "viewer-close", text: "关闭", onclick: () => viewer.close() })),
    h("img", { class: "viewer-image", src: a.url, alt: a.name }));
  viewer.showModal();
}

function item(a, number) {
  if (a.purged || !a.url) {
    return h("li", { class: "attachment purged", dataset: { kind: a.kind } }, caption(a, number),
      h("div", { class: "muted", text: "文件已超过保存期限，已删除" }));
  }
  if (a.kind === "image") {
    return h("li", { class: "attachment", dataset: { kind: "image" } },
      h("a", { class: "thumb-link", href: a.url, target: "_blank", rel: "noopener", title: `查看 ${a.name}`,
        onclick: (event) => {
          if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
          event.preventDefault();
          view(a);
        } },
      h("img", { class: "thumb", src: a.thumb_url || a.url, alt: a.name })),
      caption(a, number));
  }
  return h("li", { class: "attachment", dataset: { kind: a.kind } },
    h("audio", { controls: true, preload: "none", src: a.url }),
    caption(a, number),
    h("a", { href: `${a.url}?download=true`, class: "small", text: "下载录音" }));
}

/**
 * The ticket's attachments, and an upload control when `upload(file)` is given (it returns the API promise).
 * `capture` adds 拍照 / 录音 buttons that open the phone's camera and recorder directly.
 */
export function attachmentsPanel({ ticket, upload = null, capture = false, title = "附件" }) {
  const items = [...(attachmentsOf(ticket) || [])];
  shown.set(ticket.number, items);
  const list = h("ul", { class: "attachments-list" });
  const heading = h("h3", { class: "attachments-title" });
  const problem = errorBox("attach-error");
  const status = h("div", { class: "attach-status muted small", role: "status", "aria-live": "polite" });
  const draw = () => {
    heading.textContent = items.length ? `${title}（${items.length}）` : title;
    replace(list, items.length ? items.map((a) => item(a, ticket.number))
      : h("li", { class: "empty attachments-empty", text: "暂无照片或录音" }));
  };
  draw();
  const section = h("section", { class: "attachments", "aria-label": title }, heading, list);
  if (upload && acceptsFiles(ticket)) {
    section.append(uploadControls({ upload, capture, problem, status, added: (a) => {
      items.push(a);
      draw();
    } }), status, problem);
  }
  return section;
}

function picker(text, attrs, send) {
  const input = h("input", { type: "file", class: "visually-hidden", ...attrs });
  input.addEventListener("change", () => {
    const files = Array.from(input.files || []);
    input.value = ""; // choosing the same file again still sends it
    if (files.length) send(files);
  });
  return h("label", { class: "attach-button" }, h("span", { text }), input);
}

function uploadControls({ upload, capture, problem, status, added }) {
  const box = h("div", { class: "attach-upload" });
  const send = async (files) => {
    problem.hidden = true;
    replace(problem);
    const failed = [];
    box.classList.add("busy");
    for (const [index, file] of files.entries()) {
      status.textContent = `正在上传 ${index + 1}/${files.length}：${file.name}`;
      try {
        added(await upload(file));
      } catch (error) {
        failed.push([file.name, error.detail || error.message || "上传失败，请稍后重试"]);
      }
    }
    box.classList.remove("busy");
    const done = files.length - failed.length;
    status.textContent = done ? `已上传 ${done} 个文件` : "";
    if (failed.length) {
      replace(problem, failed.map(([name, detail]) => h("div", {},
        h("strong", { text: `「${name}」未上传：` }), h("span", { text: detail }))));
      problem.hidden = false;
    }
  };
  if (capture) {
    box.append(
      picker("拍照", { accept: "image/*", capture: "environment", name: "camera" }, send),
      picker("录音", { accept: "audio/*", capture: "user", name: "recorder" }, send));
  }
  box.append(picker(capture ? "从相册或文件选择" : "添加照片或录音",
    { accept: "image/*,audio/*", multiple: true, name: "attachment" }, send));
  box.append(h("span", { class: "muted small attach-hint",
    text: "可上传照片（JPG、PNG、WebP 等）或录音（MP3、M4A、AMR、WAV 等）；不符合要求的文件会说明原因。" }));
  return box;
}
