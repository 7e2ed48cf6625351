// A ticket's timeline for staff (every event, with internal notes) and for citizens (public sentences only).

import { h, when } from "./dom.js";

const ROLE = { operator: "话务员", handler: "承办单位", commander: "指挥中心", admin: "管理员", system: "系统",
  citizen: "群众", auditor: "监察" };
const SATISFACTION = { satisfied: "满意", basically_satisfied: "基本满意", unsatisfied: "不满意" };
const SOLVED = { solved: "已解决", partly_solved: "部分解决", unsolved: "未解决" };

/** The few data fields a person needs to read, in Chinese; the rest stays in the audit log. */
function details(event) {
  const d = event.data || {};
  const lines = [];
  if (d.department && ["dispatch", "redispatch", "force", "reopen"].includes(event.action)) {
    lines.push(`主办：${d.department}`);
    if (Array.isArray(d.co_departments) && d.co_departments.length) lines.push(`协办：${d.co_departments.join("、")}`);
  }
  if (d.due_at && ["dispatch", "redispatch", "approve_extension", "resume", "reopen"].includes(event.action)) {
    lines.push(`办结时限：${when(d.due_at, true)}`);
  }
  if (d.days) lines.push(`延期：${d.days} 个工作日`);
  if (d.reply) lines.push(`答复：${d.reply}`);
  if (d.article_id) lines.push(`引用知识库文章 #${d.article_id}`);
  if (d.message && !event.note) lines.push(d.message);
  if (d.supplement) lines.push(`群众补充：${d.supplement}`);
  if (d.line) lines.push(`转 ${d.line}`);
  if (d.parent_number) lines.push(`并入工单 ${d.parent_number}`);
  if (d.satisfaction) lines.push(`评价：${SATISFACTION[d.satisfaction] || d.satisfaction}，${SOLVED[d.solved] || ""}`);
  if (Array.isArray(d.reasons)) lines.push(`原因：${d.reasons.join("；")}`);
  if (Array.isArray(d.candidates)) lines.push(`疑似重复：${d.candidates.map((c) => c.number).join("、")}`);
  if (event.action === "classify" && Array.isArray(d.top) && d.top.length) {
    lines.push(`建议分类：${d.top[0].name}（${Math.round(d.top[0].probability * 100)}%）`);
  }
  if (d.to && event.action === "correct_category") lines.push(`分类更正为 ${d.to}`);
  if (d.label && event.action === "flag_emergency") lines.push(d.label);
  return lines;
}

export function staffTimeline(events = []) {
  return h("ol", { class: "timeline" }, events.map((event) => h("li", { class: `event event-${event.action}` },
    h("div", { class: "event-head" },
      h("time", { datetime: event.created_at, text: when(event.created_at, true) }),
      h("strong", { text: event.action_label }),
      h("span", { class: "muted", text: [ROLE[event.actor_role] || event.actor_role, event.department]
        .filter(Boolean).join(" · ") })),
    event.note ? h("div", { class: "event-note", text: event.note }) : null,
    details(event).map((line) => h("div", { class: "event-detail", text: line })))));
}

export function publicTimeline(events = []) {
  return h("ol", { class: "timeline public" }, events.map((event) => h("li", { class: "event" },
    h("time", { datetime: event.time, text: when(event.time, true) }),
    h("div", { text: event.text }))));
}
