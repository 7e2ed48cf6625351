"""The county's time-limit policy and the one deadline clock every caller asks.

The policy is data in a versioned table (defaults from Guangdong's rules); a ticket keeps the version it was
dispatched under. `DeadlineClock` owns every piece of deadline arithmetic: due and sign-for times, the return
window, extensions, pauses, the follow-up steps and the words that tell a citizen the limit. Limits given in
hours (urgent, restoration) run on the wall clock; all others run on Chinese working time.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Annotated

import msgspec
from sqlalchemy import extract, func, select
from sqlalchemy.orm import Session

from dispatch.calendar import Coverage, WorkCalendar, coverage
from dispatch.models import CalendarOverride, TimeLimitPolicy
from hotline.vocabulary import EmergencyLine, TicketType, Urgency

WorkingDays = Annotated[float, msgspec.Meta(gt=0, le=60)]
PHONE = re.compile(r"[0-9+\-]{3,20}")
STEPS = ("yellow", "red", "supervise", "escalate")
# The rates a unit's monthly score (月度考核综合得分, command.assessment) may weigh; 退单率 and 重复件率 count as
# (1 - rate), fewer being better.
ASSESSMENT_RATES = ("sign_on_time_rate", "on_time_rate", "response_rate", "resolution_rate", "satisfaction_rate",
                    "return_rate", "duplicate_rate", "co_report_on_time_rate")


class PolicyRules(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """The county's time limits; every field is checked, so a typo cannot stop the clocks."""

    resolve_working_days: dict[str, WorkingDays] = msgspec.field(default_factory=lambda: {
        "consultation": 2, "help": 10, "suggestion": 10, "complaint": 15, "report": 15, "praise": 2})
    resolve_hours_by_urgency: dict[str, Annotated[float, msgspec.Meta(gt=0, le=240)]] = msgspec.field(
        default_factory=lambda: {"urgent": 2, "restoration": 24})
    sign_working_minutes: Annotated[int, msgspec.Meta(ge=10, le=2880)] = 120
    sign_minutes_by_urgency: dict[str, Annotated[int, msgspec.Meta(ge=5, le=1440)]] = msgspec.field(
        default_factory=lambda: {"urgent": 30, "restoration": 30})
    return_window_working_days: Annotated[float, msgspec.Meta(gt=0, le=10)] = 1
    extension_max_working_days: Annotated[int, msgspec.Meta(ge=0, le=60)] = 10
    working_hours: list[tuple[str, str]] = msgspec.field(default_factory=lambda: [("09:00", "12:00"),
                                                                                  ("13:30", "17:30")])
    yellow_ratio: Annotated[float, msgspec.Meta(gt=0, lt=1)] = 0.8
    supervise_after_working_days: Annotated[float, msgspec.Meta(ge=0, le=30)] = 2
    escalate_after_working_days: Annotated[float, msgspec.Meta(ge=0, le=60)] = 5
    max_pauses: Annotated[int, msgspec.Meta(ge=0, le=5)] = 1  # 待补充 requests a handler may make per ticket
    # 督办单: the working days a unit has to answer a 督办 in writing (the sweep's own and a commander's default)
    supervision_reply_working_days: WorkingDays = 3
    # 领导批示: the working days the lead unit has to report back on a leader's instruction
    instruction_reply_working_days: WorkingDays = 2
    leadership_department_code: str | None = None  # the unit that escalations go to (the county's own office)
    # 待补充: how long the citizen has to answer before the ticket goes on without it (DESIGN.md is silent: 5 wd)
    supplement_working_days: WorkingDays = 5
    # 免打扰时段 for citizens' SMS, Asia/Shanghai; None sends at any hour. Tickets of these urgencies (and
    # emergencies) are told at once; every other message waits for the end of the window.
    quiet_hours: tuple[str, str] | None = ("22:00", "07:00")
    quiet_hours_exempt_urgencies: list[str] = msgspec.field(default_factory=lambda: ["urgent"])
    # 重复诉求: the same caller's answered tickets of this many days are compared with each new one
    repeat_window_days: Annotated[int, msgspec.Meta(ge=1, le=730)] = 90
    # the 联动 desk of each emergency line (110/119/120/122) that a 转警 is texted to; none set: nothing is sent
    linkage_phones: dict[str, str] = msgspec.field(default_factory=dict)
    # 办结审核: a reply to a ticket of these types waits for the hotline's review before it closes ([]: none),
    # and the hotline has this long from the reply to approve or return it (dispatch.review)
    reply_review_types: list[str] = msgspec.field(default_factory=lambda: ["complaint"])
    reply_review_working_days: WorkingDays = 1
    # 联办: a co-unit reports its part within this many working days of the dispatch, and never after the lead
    # unit's own due time (dispatch.co_handling)
    co_report_working_days: WorkingDays = 3
    # 回访 (dispatch.callbacks): due this many working days after 办结; after so many failed calls, 回访失败
    callback_working_days: WorkingDays = 1
    callback_max_failed_attempts: Annotated[int, msgspec.Meta(ge=1, le=10)] = 3
    # 差评 review (dispatch.complaints): the commander's review, the unit's 整改 report and its one 申诉
    complaint_review_working_days: WorkingDays = 3
    rectification_working_days: WorkingDays = 5
    appeal_working_days: WorkingDays = 3
    # 月度考核: each rate's weight in a unit's score (docs/assessment.md); a rate left out weighs nothing
    assessment_weights: dict[str, Annotated[float, msgspec.Meta(ge=0, le=100)]] = msgspec.field(
        default_factory=lambda: {"sign_on_time_rate": 15, "on_time_rate": 25, "response_rate": 10,
                                 "resolution_rate": 20, "satisfaction_rate": 25, "return_rate": 5})

    def __post_init__(self) -> None:
        missing = [t.label for t in TicketType if t.value not in self.resolve_working_days]
        if missing:
            raise ValueError(f"缺少以下诉求类型的办理时限：{'、'.join(missing)}")
        try:
            periods = self.working_periods
        except ValueError:
            raise ValueError("工作时间格式应为 HH:MM，例如 09:00") from None
        if not periods or any(a >= b for a, b in periods) or any(
                periods[i][1] > periods[i + 1][0] for i in range(len(periods) - 1)):
            raise ValueError("工作时间段必须按时间先后排列且互不重叠")
        if self.escalate_after_working_days <= self.supervise_after_working_days:
            raise ValueError("升级时限必须晚于督办时限")
        if self.quiet_hours is not None:
            try:
                start, end = self.quiet_window
            except ValueError:
                raise ValueError("免打扰时段格式应为 HH:MM，例如 22:00") from None
            if start == end:
                raise ValueError("免打扰时段的开始和结束不能相同")
        if unknown_lines := sorted(set(self.linkage_phones) - set(EmergencyLine)):
            raise ValueError(f"联动电话中有未知的紧急线路：{'、'.join(unknown_lines)}（应为 110、119、120、122）")
        if bad := [line for line, phone in self.linkage_phones.items() if not PHONE.fullmatch(phone)]:
            raise ValueError(f"{'、'.join(bad)} 的联动电话应为 3 到 20 位数字（可含 - 和 +）")
        if unknown := [u for u in self.quiet_hours_exempt_urgencies if u not in set(Urgency)]:
            raise ValueError(f"免打扰例外中有未知的紧急程度：{'、'.join(unknown)}")
        if unknown := [t for t in self.reply_review_types if t not in set(TicketType)]:
            raise ValueError(f"办结审核中有未知的诉求类型：{'、'.join(unknown)}")
        if unknown := [k for k in self.assessment_weights if k not in ASSESSMENT_RATES]:
            raise ValueError(f"考核权重中有未知的指标：{'、'.join(unknown)}")
        if not any(self.assessment_weights.values()):
            raise ValueError("考核权重不能全部为 0")

    @property
    def quiet_window(self) -> tuple[time, time] | None:
        """(start, end) in the county's time; the window may run past midnight (22:00-07:00)."""
        if self.quiet_hours is None:
            return None
        start, end = self.quiet_hours
        return time.fromisoformat(start), time.fromisoformat(end)

    @property
    def longest_working_days(self) -> float:
        """The furthest a deadline can run on working time: the longest limit plus the longest extension."""
        return max(self.resolve_working_days.values()) + self.extension_max_working_days

    @property
    def working_periods(self) -> tuple[tuple[time, time], ...]:
        return tuple((time.fromisoformat(a), time.fromisoformat(b)) for a, b in self.working_hours)


@dataclass(frozen=True)
class DeadlineClock:
    """One policy version on one calendar: the answer to every 'by when' question."""

    rules: PolicyRules
    calendar: WorkCalendar
    version: int

    @property
    def sources(self) -> list[str]:
        """Which calendar sources the arithmetic so far used (override, chinesecalendar, weekdays): recorded on
        every event that sets a deadline."""
        return sorted(self.calendar.sources_used)

    def on_wall_clock(self, urgency: str) -> bool:
        return urgency in self.rules.resolve_hours_by_urgency

    def working_days_for(self, kind: str, entry_limits: Mapping[str, float] | None = None) -> float | None:
        """The resolve limit in working days: the catalogue entry's own for this type (派单目录的办理时限) if it
        has one, else the policy's."""
        if entry_limits and (days := entry_limits.get(kind)) is not None:
            return days
        return self.rules.resolve_working_days.get(kind)

    def resolve_due(self, start: datetime, kind: str, urgency: str,
                    entry_limits: Mapping[str, float] | None = None) -> datetime:
        """Hour limits (urgent, restoration) come first, for every entry; then working days as above."""
        if (hours := self.rules.resolve_hours_by_urgency.get(urgency)) is not None:
            return start + timedelta(hours=hours)
        if (days := self.working_days_for(kind, entry_limits)) is None:
            raise KeyError(kind)
        return self.calendar.add_working_days(start, days)

    def sign_due(self, start: datetime, urgency: str) -> datetime:
        if (minutes := self.rules.sign_minutes_by_urgency.get(urgency)) is not None:
            return start + timedelta(minutes=minutes)
        return self.calendar.add_working_minutes(start, self.rules.sign_working_minutes)

    def return_window_end(self, dispatched_at: datetime) -> datetime:
        return self.calendar.add_working_days(dispatched_at, self.rules.return_window_working_days)

    def extension_refusal(self, days: int, already_used: bool, due: datetime | None, moment: datetime) -> str | None:
        """Why an extension may not be asked for, or None: one per ticket, within the limit, before the deadline."""
        if already_used:
            return "每张工单只能申请一次延期"
        if days > self.rules.extension_max_working_days:
            return f"延期最多 {self.rules.extension_max_working_days} 个工作日"
        if due is not None and moment > due:
            return "已超过办理期限，不能再申请延期"
        return None

    def extended(self, due: datetime, days: float) -> datetime:
        return self.calendar.add_working_days(due, days)

    def pause_refusal(self, pauses_taken: int) -> str | None:
        """Why the clock may not be paused again, or None. A handler may ask the citizen only so often."""
        if pauses_taken >= self.rules.max_pauses:
            if self.rules.max_pauses == 0:
                return "本县时限政策不允许暂停计时"
            return (f"每张工单最多暂停计时 {self.rules.max_pauses} 次（待群众补充），"
                    "如确需再次补充材料，请联系指挥中心申请延期")
        return None

    def supplement_due(self, paused_at: datetime) -> datetime:
        """By when the citizen is asked to answer a 待补充 request; after it the ticket goes on without it."""
        return self.calendar.add_working_days(paused_at, self.rules.supplement_working_days)

    def paused_time(self, urgency: str, paused_at: datetime, resumed_at: datetime) -> timedelta:
        """How long the pause counts: wall time for hour limits, working time for working-day limits."""
        if resumed_at <= paused_at:
            return timedelta()
        if self.on_wall_clock(urgency):
            return resumed_at - paused_at
        return timedelta(minutes=self.calendar.working_minutes_between(paused_at, resumed_at))

    def after_pause(self, due: datetime, urgency: str, paused_at: datetime, resumed_at: datetime) -> datetime:
        """The deadline moved by the time spent waiting; a pause that counted nothing moves nothing."""
        paused = self.paused_time(urgency, paused_at, resumed_at)
        if paused <= timedelta():
            return due
        if self.on_wall_clock(urgency):
            return due + paused
        return self.calendar.add_working_minutes(due, paused.total_seconds() / 60)

    def steps(self, dispatched_at: datetime, due: datetime, urgency: str) -> dict[str, datetime]:
        """When each follow-up step falls due: yellow at the used share of the limit, red at the deadline,
        督办 and escalation a number of working days after it."""
        ratio = self.rules.yellow_ratio
        if self.on_wall_clock(urgency):
            yellow = dispatched_at + (due - dispatched_at) * ratio
        else:
            used = ratio * self.calendar.working_minutes_between(dispatched_at, due)
            yellow = self.calendar.add_working_minutes(dispatched_at, used)
        return {
            "yellow": min(yellow, due),
            "red": due,
            "supervise": self.calendar.add_working_days(due, self.rules.supervise_after_working_days),
            "escalate": self.calendar.add_working_days(due, self.rules.escalate_after_working_days),
        }

    def review_required(self, kind: str) -> bool:
        """Whether a unit's reply to a ticket of this type waits for 办结审核 before the ticket closes."""
        return kind in self.rules.reply_review_types

    def review_due(self, replied_at: datetime) -> datetime:
        """By when the hotline approves or returns a reply: working days from the reply."""
        return self.calendar.add_working_days(replied_at, self.rules.reply_review_working_days)

    def co_report_due(self, dispatched_at: datetime, due: datetime) -> datetime:
        """By when a co-unit reports its part: working days from the dispatch, at the latest the lead's due time."""
        return min(self.calendar.add_working_days(dispatched_at, self.rules.co_report_working_days), due)

    def respond_by(self, moment: datetime, working_days: float = 1) -> datetime:
        """The date a written answer to a 督办 notice is due."""
        return self.calendar.add_working_days(moment, working_days)

    def limit_text(self, kind: str, urgency: str, entry_limits: Mapping[str, float] | None = None) -> str:
        """The limit as a citizen is told it: «2 小时», «15 个工作日»."""
        if (hours := self.rules.resolve_hours_by_urgency.get(urgency)) is not None:
            return f"{plain_number(hours)} 小时"
        if (days := self.working_days_for(kind, entry_limits)) is not None:
            return f"{plain_number(days)} 个工作日"
        return "规定时限"


def plain_number(value: float) -> int | float:
    """2.0 working days are said as «2»."""
    return int(value) if float(value).is_integer() else value


def rules_of(policy: TimeLimitPolicy) -> PolicyRules:
    """The stored rules, typed; a version stored before a field existed gets that field's default."""
    return msgspec.convert(policy.rules, PolicyRules)


def current_policy(session: Session) -> TimeLimitPolicy:
    version = session.scalar(select(func.max(TimeLimitPolicy.version)))
    if version is None:
        return publish(session, PolicyRules(), created_by=None)
    return session.get(TimeLimitPolicy, version)


def current_rules(session: Session) -> PolicyRules:
    """The rules in force, without the calendar: for a setting that is not a deadline."""
    return rules_of(current_policy(session))


def policy_for(session: Session, version: int | None) -> TimeLimitPolicy:
    if version is not None and (policy := session.get(TimeLimitPolicy, version)) is not None:
        return policy
    return current_policy(session)


def publish(session: Session, rules: PolicyRules, created_by: int | None) -> TimeLimitPolicy:
    """A new version; tickets already dispatched keep the version they were dispatched under."""
    version = (session.scalar(select(func.max(TimeLimitPolicy.version))) or 0) + 1
    policy = TimeLimitPolicy(version=version, rules=msgspec.to_builtins(rules), created_by=created_by)
    session.add(policy)
    session.flush()
    return policy


def _clock(session: Session, policy: TimeLimitPolicy) -> DeadlineClock:
    rules = rules_of(policy)
    overrides = dict(session.execute(select(CalendarOverride.day, CalendarOverride.is_workday)).all())
    return DeadlineClock(rules, WorkCalendar(overrides=overrides, hours=rules.working_periods), policy.version)


def current_clock(session: Session) -> DeadlineClock:
    """The clock of the policy in force now: for a new dispatch or a reopening."""
    return _clock(session, current_policy(session))


def clock_for(session: Session, version: int | None) -> DeadlineClock:
    """The clock of the policy a ticket was dispatched under (the current one if it has none)."""
    return _clock(session, policy_for(session, version))



def calendar_coverage(session: Session, today: date) -> Coverage:
    """Whether every year a deadline computed today can reach has holiday data (dispatch.calendar.coverage)."""
    year = extract("year", CalendarOverride.day)
    counts = {int(y): n for y, n in session.execute(select(year, func.count()).group_by(year))}
    return coverage(today, rules_of(current_policy(session)).longest_working_days, counts)
