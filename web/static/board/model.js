/* What an event does to the board: the same rules as the server's snapshot, applied on the screen. */

export const OPEN = new Set(["received", "pending_dispatch", "pending_sign", "returned", "in_progress",
  "extension_pending", "waiting_citizen"]);
export const STATUS_LABELS = {
  received: "已受理", pending_dispatch: "待派单", pending_sign: "待签收", returned: "已退单待审核",
  in_progress: "办理中", extension_pending: "延期审核中", waiting_citizen: "待补充材料", closed: "已办结",
  rated: "已回访", archived: "已归档", merged: "已并单", transferred: "已转警情/急救",
};
export const SUPERVISION = new Set(["urge", "supervise", "escalate"]);
const LATEST_MAX = 15;
const TZ = "Asia/Shanghai";
const partsFormat = new Intl.DateTimeFormat("en-CA", { timeZone: TZ, year: "numeric", month: "2-digit",
  day: "2-digit", hour: "2-digit", hour12: false });

export function local(iso) {
  const parts = Object.fromEntries(partsFormat.formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  return { day: `${parts.year}-${parts.month}-${parts.day}`, hour: Number(parts.hour) % 24 };
}

function bump(counts, key, by) {
  const entry = counts.find((c) => c.key === key);
  if (entry) entry.count = Math.max(0, entry.count + by);
}

export function apply(board, event) {
  const when = local(event.at);
  if (event.action === "receive") {
    if (when.day === board.day) {
      board.intake_today += 1;
      bump(board.intake_by_channel, event.channel, 1);
      board.intake_by_hour[when.hour] += 1;
    }
    const row = board.heat.townships.indexOf(event.township);
    const column = board.heat.types.findIndex((t) => t.key === event.ticket_type);
    if (row >= 0 && when.day.slice(0, 7) === board.day.slice(0, 7)) {
      if (column >= 0) board.heat.month[row][column] += 1;
      if (when.day === board.day) board.heat.today[row] += 1;
    }
    board.latest.unshift({ ticket: event.ticket, at: event.at, channel_label: event.channel_label,
      type: event.ticket_type, type_label: event.ticket_type_label, urgency: event.urgency, township: event.township,
      status: event.to_status, status_label: event.status_label, summary: event.summary || "", fresh: true });
    board.latest.sort((a, b) => new Date(b.at) - new Date(a.at));  // newest filed first, whatever came in late
    board.latest.length = Math.min(board.latest.length, LATEST_MAX);
  }
  if (event.from_status && OPEN.has(event.from_status)) bump(board.open_by_status, event.from_status, -1);
  if (event.to_status && OPEN.has(event.to_status)) bump(board.open_by_status, event.to_status, 1);
  board.open_total = board.open_by_status.reduce((sum, c) => sum + c.count, 0);
  for (const item of board.latest) {
    if (item.ticket === event.ticket && event.to_status) {
      item.status = event.to_status;
      item.status_label = STATUS_LABELS[event.to_status] || event.status_label;
    }
  }
  if (event.action === "yellow_card" || event.action === "red_card") {
    board.cards = board.cards.filter((c) => c.ticket !== event.ticket);
    board.cards.push({ ticket: event.ticket, card: event.action === "red_card" ? "red" : "yellow", due_at: event.due_at,
      department: event.department, category_name: event.category_name, township: event.township,
      escalation: event.escalation || 0, status_label: event.status_label });
    board.cards.sort((a, b) => (a.card === b.card ? String(a.due_at).localeCompare(String(b.due_at))
      : a.card === "red" ? -1 : 1));
  }
  if (event.to_status && !OPEN.has(event.to_status)) board.cards = board.cards.filter((c) => c.ticket !== event.ticket);
  if (SUPERVISION.has(event.action)) {
    board.supervision.unshift({ event_id: event.id, ticket: event.ticket, action: event.action,
      action_label: event.action_label, at: event.at, department: event.department, escalation: event.escalation });
    board.supervision.length = Math.min(board.supervision.length, 10);
    for (const card of board.cards) if (card.ticket === event.ticket) card.escalation = event.escalation;
  }
}
