"""The notification outbox: rows written in the ticket's transaction, sent by jobs after the commit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from hotline import jobs
from hotline.models import Notification, Ticket

TEMPLATES: dict[str, str] = {
    "receipt": "您的诉求已受理，工单号 {number}，查询码 {code}。请凭工单号和查询码查询办理进度。",
    "dispatched": "您反映的问题（工单 {number}）已转交{department}办理，预计 {due} 前答复。",
    "reply_ready": "您的工单 {number} 已办结，答复内容可凭工单号和查询码查看。",
    "rating_invite": "请对工单 {number} 的办理结果评价（满意/基本满意/不满意），您的评价是我们改进工作的依据。",
    "waiting": "工单 {number} 需要您补充：{asked}。请于 {by} 前凭工单号和查询码在线补充，逾期将按现有情况继续办理。",
    "wait_timeout": "工单 {number} 在 {by} 前未收到您的补充，已按现有情况继续办理，预计 {due} 前答复。",
    "extended": "工单 {number} 经批准延期办理，预计 {due} 前答复。",
    "reopened": "根据您的评价，工单 {number} 已重新交{department}办理，预计 {due} 前答复。",
    "transferred": "您反映的紧急情况（工单 {number}）已转{line}处置。情况危急请直接拨打 {dial}。",
    "handed_back": "您反映的问题（工单 {number}）经{line}核实不属于其处置范围，已转回12345热线，我们将尽快转交相关单位办理。",
    "merged": "您的工单 {number} 已与相同诉求合并，由工单 {survivor} 统一办理，请凭工单号 {survivor} 和查询码 {code} 查询进度。",
    "merged_reply": "与您诉求相同的工单 {survivor} 已办结，答复内容可凭工单号 {survivor} 和查询码 {code} 查看。",
    "staff_dispatch": "【新工单】{number} 已派至贵单位，请于 {sign_deadline} 前签收。",
    "staff_co_dispatch": "【协办工单】{number} 由{lead}主办，贵单位协办，请于 {due} 前在工作台提交协办意见。",
    "staff_co_report": "【协办反馈】工单 {number}：{department}已提交协办意见，请汇总后答复。",
    "staff_yellow": "【黄牌预警】工单 {number} 即将超期，办理期限 {due}，请抓紧办理。",
    "staff_red": "【红牌·催办】工单 {number} 已超过办理期限 {due}，请立即办理并答复。",
    "staff_supervise": "【督办】工单 {number} 已超期 {days} 个工作日，县综合指挥中心督办，请于 {respond_by} 前书面回复。",
    "staff_linkage": "【12345转警】工单 {number}：{content}。地点：{address}。来电人 {caller}。请联动处置；非警务事项请退回12345。",
    "staff_reply_returned": "【审核退回】工单 {number} 的答复经热线审核退回：{reason}。请于 {due} 前重新答复。",
    "staff_escalate": "【升级】工单 {number} 已超期 {days} 个工作日，已报{to}协调督办。",
    "staff_reply_reminder": "【催复】督办单{document}（工单 {number}）要求 {respond_by} 前书面回复，至今未回复，请立即回复。",
    "staff_hotspot": "【热点预警】{place}「{name}」{days}天内 {size} 件、{callers} 位群众反映，请在指挥调度台研判。",
    "staff_instruction": "【领导批示】工单 {number}：{leader}批示「{text}」，请于 {reply_by} 前报告落实情况。",
}


_INSERT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}  # both say ON CONFLICT DO NOTHING


@dataclass(frozen=True, slots=True)
class Message:
    template: str
    dedupe_key: str
    phone: str
    values: dict[str, Any]
    ticket_id: int | None = None
    department_id: int | None = None

    def row(self) -> dict[str, Any]:
        return {"ticket_id": self.ticket_id, "audience": "staff" if self.template.startswith("staff_") else "citizen",
                "phone": self.phone, "department_id": self.department_id, "template": self.template,
                "text": TEMPLATES[self.template].format(**self.values), "dedupe_key": self.dedupe_key}


def queue(
    session: Session,
    template: str,
    *,
    dedupe_key: str,
    ticket: Ticket | None = None,
    phone: str | None = None,
    department_id: int | None = None,
    **values: Any,
) -> int | None:
    """Write one message to the outbox, once: a dedupe key already used makes no second row.

    Returns the new row's id, or None when there is no phone to text or the message was queued before.
    """
    if phone is None:
        return None
    message = Message(template, dedupe_key, phone, values, ticket.id if ticket else None, department_id)
    return queue_all(session, [message]).get(dedupe_key)


def queue_all(session: Session, messages: list[Message]) -> dict[str, int]:
    """Write messages to the outbox in one statement; returns the new rows' ids by dedupe key.

    `INSERT … ON CONFLICT (dedupe_key) DO NOTHING`: a repeat is no error, so nothing needs a savepoint around it
    (two round trips for every message, on intake's path and in every routing job), and a key already used is
    simply not among the ids returned.
    """
    if not messages:
        return {}
    table = Notification.__table__
    insert = _INSERT[session.get_bind().dialect.name]
    rows = session.execute(  # rows as parameters, not in the statement: it compiles once, not per batch size
        insert(table).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(table.c.dedupe_key, table.c.id),
        [message.row() for message in messages])
    new = {dedupe_key: notification_id for dedupe_key, notification_id in rows}
    for notification_id in new.values():
        jobs.after_commit_each(session, jobs.send_notifications, notification_id)  # fast path; a sweep catches misses
    return new
