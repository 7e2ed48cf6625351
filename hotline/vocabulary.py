"""The domain's closed vocabularies, each value with the Chinese label people see."""

from __future__ import annotations

from enum import StrEnum


class Labelled(StrEnum):
    @property
    def label(self) -> str:
        return LABELS[self]


class Status(Labelled):
    RECEIVED = "received"
    PENDING_DISPATCH = "pending_dispatch"
    PENDING_SIGN = "pending_sign"
    RETURNED = "returned"
    IN_PROGRESS = "in_progress"
    EXTENSION_PENDING = "extension_pending"
    WAITING_CITIZEN = "waiting_citizen"
    PENDING_REVIEW = "pending_review"  # 办结审核: the unit has replied, the hotline checks the reply first
    CLOSED = "closed"
    RATED = "rated"
    ARCHIVED = "archived"
    MERGED = "merged"
    TRANSFERRED = "transferred"


class Action(Labelled):
    """Every step a ticket can take; the state machine (hotline.workflow) says who may take it, from where."""

    RECEIVE = "receive"
    SUBMIT = "submit"
    ANSWER = "answer"
    TRANSFER = "transfer"
    HAND_BACK = "hand_back"  # the emergency line returns a matter that is not theirs (非警务)
    DISPATCH = "dispatch"
    RETURN = "return"
    REDISPATCH = "redispatch"
    FORCE = "force"
    SIGN = "sign"
    REQUEST_EXTENSION = "request_extension"
    APPROVE_EXTENSION = "approve_extension"
    REFUSE_EXTENSION = "refuse_extension"
    WAIT_CITIZEN = "wait_citizen"
    RESUME = "resume"
    REPLY = "reply"
    APPROVE_REPLY = "approve_reply"
    RETURN_REPLY = "return_reply"
    RATE = "rate"
    REOPEN = "reopen"
    ARCHIVE = "archive"
    MERGE = "merge"
    NOTE = "note"
    CO_REPORT = "co_report"  # 联办: a co-unit (协办单位) reports its part to the lead unit (dispatch.co_handling)
    ATTACH = "attach"  # a photo or recording kept with the ticket (hotline.attachments)
    YELLOW_CARD = "yellow_card"
    RED_CARD = "red_card"
    URGE = "urge"
    SUPERVISE = "supervise"
    ESCALATE = "escalate"
    SUPERVISION_RESPONSE = "supervision_response"
    INSTRUCT = "instruct"
    INSTRUCTION_REPLY = "instruction_reply"
    CLASSIFY = "classify"
    FLAG_EMERGENCY = "flag_emergency"
    PROPOSE_MERGE = "propose_merge"
    FLAG_REPEAT = "flag_repeat"  # the caller came back about a problem answered before (dispatch.repeats)
    MANUAL_REVIEW = "manual_review"
    CORRECT_CATEGORY = "correct_category"
    # 回访 and 差评 review (dispatch.callbacks, dispatch.complaints): events that leave the status as it is
    CALLBACK_ATTEMPT = "callback_attempt"
    CALLBACK_FAILED = "callback_failed"
    COMPLAINT_OPENED = "complaint_opened"
    COMPLAINT_REVIEW = "complaint_review"
    RECTIFICATION = "rectification"
    APPEAL = "appeal"
    APPEAL_DECISION = "appeal_decision"
    IMPORT = "import"  # a ticket brought in from the county's earlier system (hotline.history), archived at once
    GRID_CHECK = "grid_check"  # 网格员核查: on the spot after 办结; 未通过 sends it back to the unit (dispatch.grid_check)


class Channel(Labelled):
    CALL_12345 = "call_12345"
    CALL_12315 = "call_12315"
    CALL_12369 = "call_12369"
    CALL_12333 = "call_12333"
    CALL_12329 = "call_12329"
    MAILBOX = "mailbox"
    WEB = "web"
    APP = "app"
    CITY_MANAGEMENT = "city_management"
    GRID = "grid"  # 网格上报: a grid worker's report from the street (hotline.grid_reports)
    FROM_110 = "from_110"
    FROM_119 = "from_119"
    FROM_120 = "from_120"
    FROM_122 = "from_122"


class TicketType(Labelled):
    CONSULTATION = "consultation"
    HELP = "help"
    SUGGESTION = "suggestion"
    COMPLAINT = "complaint"
    REPORT = "report"
    PRAISE = "praise"


class Urgency(Labelled):
    NORMAL = "normal"
    URGENT = "urgent"
    RESTORATION = "restoration"


class Role(Labelled):
    OPERATOR = "operator"
    HANDLER = "handler"
    COMMANDER = "commander"
    ADMIN = "admin"
    AUDITOR = "auditor"
    LEADER = "leader"  # 县领导: reads the county, gives 领导批示, takes no workflow step
    GRID = "grid_worker"  # 网格员: reports from and checks in one grid cell (hotline.grid_cells), sees only its tickets


class Satisfaction(Labelled):
    SATISFIED = "satisfied"
    BASICALLY = "basically_satisfied"
    UNSATISFIED = "unsatisfied"


class Solved(Labelled):
    SOLVED = "solved"
    PARTLY = "partly_solved"
    UNSOLVED = "unsolved"


class EmergencyLine(Labelled):
    POLICE = "110"
    FIRE = "119"
    AMBULANCE = "120"
    TRAFFIC = "122"


LABELS: dict[StrEnum, str] = {
    Status.RECEIVED: "已受理",
    Status.PENDING_DISPATCH: "待派单",
    Status.PENDING_SIGN: "待签收",
    Status.RETURNED: "已退单待审核",
    Status.IN_PROGRESS: "办理中",
    Status.EXTENSION_PENDING: "延期审核中",
    Status.WAITING_CITIZEN: "待补充材料",
    Status.PENDING_REVIEW: "办结待审核",
    Status.CLOSED: "已办结",
    Status.RATED: "已回访",
    Status.ARCHIVED: "已归档",
    Status.MERGED: "已并单",
    Status.TRANSFERRED: "已转警情/急救",
    Action.RECEIVE: "受理",
    Action.SUBMIT: "提交派单",
    Action.ANSWER: "直接答复",
    Action.TRANSFER: "转警情/急救",
    Action.HAND_BACK: "联动退回",
    Action.DISPATCH: "派单",
    Action.RETURN: "退单",
    Action.REDISPATCH: "改派",
    Action.FORCE: "强制派单",
    Action.SIGN: "签收",
    Action.REQUEST_EXTENSION: "申请延期",
    Action.APPROVE_EXTENSION: "同意延期",
    Action.REFUSE_EXTENSION: "不同意延期",
    Action.WAIT_CITIZEN: "待群众补充",
    Action.RESUME: "恢复办理",
    Action.REPLY: "答复办结",
    Action.APPROVE_REPLY: "审核通过",
    Action.RETURN_REPLY: "审核退回",
    Action.RATE: "评价回访",
    Action.REOPEN: "重办",
    Action.ARCHIVE: "归档",
    Action.MERGE: "并单",
    Action.NOTE: "备注",
    Action.CO_REPORT: "协办反馈",
    Action.ATTACH: "上传附件",
    Action.YELLOW_CARD: "黄牌预警",
    Action.RED_CARD: "红牌超期",
    Action.URGE: "催办",
    Action.SUPERVISE: "督办",
    Action.ESCALATE: "升级至县领导",
    Action.SUPERVISION_RESPONSE: "督办回复",
    Action.INSTRUCT: "领导批示",
    Action.INSTRUCTION_REPLY: "批示落实回复",
    Action.CLASSIFY: "智能分类",
    Action.FLAG_EMERGENCY: "紧急警情提示",
    Action.PROPOSE_MERGE: "疑似重复件",
    Action.FLAG_REPEAT: "重复诉求",
    Action.MANUAL_REVIEW: "转人工分拨",
    Action.CORRECT_CATEGORY: "更正分类",
    Action.IMPORT: "历史工单导入",
    Action.GRID_CHECK: "网格员核查",
    Action.CALLBACK_ATTEMPT: "回访记录",
    Action.CALLBACK_FAILED: "回访失败",
    Action.COMPLAINT_OPENED: "差评待核查",
    Action.COMPLAINT_REVIEW: "差评核查",
    Action.RECTIFICATION: "整改反馈",
    Action.APPEAL: "差评申诉",
    Action.APPEAL_DECISION: "申诉裁定",
    Channel.CALL_12345: "12345热线",
    Channel.CALL_12315: "12315消费者投诉",
    Channel.CALL_12369: "12369环保举报",
    Channel.CALL_12333: "12333人社咨询",
    Channel.CALL_12329: "12329住房公积金",
    Channel.MAILBOX: "县长信箱",
    Channel.WEB: "网站留言",
    Channel.APP: "移动应用",
    Channel.CITY_MANAGEMENT: "数字城管",
    Channel.GRID: "网格上报",
    Channel.FROM_110: "110转来",
    Channel.FROM_119: "119转来",
    Channel.FROM_120: "120转来",
    Channel.FROM_122: "122转来",
    TicketType.CONSULTATION: "咨询",
    TicketType.HELP: "求助",
    TicketType.SUGGESTION: "建议",
    TicketType.COMPLAINT: "投诉",
    TicketType.REPORT: "举报",
    TicketType.PRAISE: "表扬",
    Urgency.NORMAL: "一般",
    Urgency.URGENT: "紧急",
    Urgency.RESTORATION: "抢修恢复",
    Role.OPERATOR: "话务员",
    Role.HANDLER: "承办人员",
    Role.COMMANDER: "指挥中心",
    Role.ADMIN: "管理员",
    Role.AUDITOR: "监察审计",
    Role.LEADER: "县领导",
    Role.GRID: "网格员",
    Satisfaction.SATISFIED: "满意",
    Satisfaction.BASICALLY: "基本满意",
    Satisfaction.UNSATISFIED: "不满意",
    Solved.SOLVED: "已解决",
    Solved.PARTLY: "部分解决",
    Solved.UNSOLVED: "未解决",
    EmergencyLine.POLICE: "110",
    EmergencyLine.FIRE: "119",
    EmergencyLine.AMBULANCE: "120",
    EmergencyLine.TRAFFIC: "122",
}

CITIZEN_CHANNELS = frozenset({Channel.MAILBOX, Channel.WEB, Channel.APP})
