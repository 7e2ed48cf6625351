"""Emergency detection: texts that must go to 119/110/120 at once, not to dispatch.

Rules, not the statistical model: the cost of a miss is a life, so recall comes
first, every decision must be explainable to the operator, and it must work
before any model is trained. A clause that only *worries* about danger
(隐患, 担心, 万一, 去年...) does not count: that is a hazard ticket for dispatch.
"""

from __future__ import annotations

import re

import msgspec


class Emergency(msgspec.Struct, frozen=True):
    """A detected emergency: what kind, which line to transfer to, and the words that matched."""

    kind: str
    line: str
    label: str
    evidence: list[str]


# kind -> (line, label, patterns). Patterns are searched per clause.
RULES: dict[str, tuple[str, str, list[str]]] = {
    "fire": ("119", "火警", [
        r"(着|起|失)火", r"火(烧|着)起来", r"烧起来了", r"大火", r"火势", r"火苗", r"火光",
        r"(楼|房|屋|家|店|车|山|仓库|厨房|电瓶车|电动车|窗户)[^，。！？]{0,6}(冒(黑|白|浓)?烟|浓烟)",
        r"(冒(黑|白|浓)?烟|浓烟)[^，。！？]{0,6}(楼|房|屋|家|店|窗)", r"烟好大.{0,4}(出不去|呛)",
        r"(变压器|电线|电箱|配电箱|插座)[^，。！？]{0,4}(冒火|起火|爆炸|冒烟|烧)", r"爆炸(?!头)", r"烧着了",
    ]),
    "gas_leak": ("119", "燃气泄漏", [
        r"(煤气|燃气|天然气|液化气)[^，。！？]{0,4}(泄漏|泄露|漏气|漏了|在漏)",
        r"(闻到|好大|很重|浓)[^，。！？]{0,4}(煤气|燃气|天然气)[^，。！？]{0,2}(味|气味)",
        r"(煤气|燃气|天然气|液化气)(味|气味)[^，。！？]{0,4}(很重|好大|好浓|刺鼻)", r"(气罐|钢瓶)[^，。！？]{0,4}漏",
        r"(燃气|煤气|天然气|液化气|气罐|钢瓶|燃气管|气管)[^。！？]{0,12}(漏气|在漏|一直漏|泄漏|泄露)",
    ]),
    "danger": ("110", "人身危险", [
        r"(要|想|准备|站在)[^，。！？]{0,6}(跳楼|跳河|跳桥|轻生|自杀)", r"(跳楼|跳河|割腕|喝农药|安眠药)",
        r"(落水|溺水|掉进(了)?(河|水塘|水库|江|塘|井)|被水冲走)", r"(被困|困在)[^，。！？]{0,8}(出不来|山上|水里|电梯|楼上|屋里)",
        r"(小孩|孩子|女儿|儿子|老人|老母亲|父亲|母亲)[^，。！？]{0,8}(不见了|被抱走|走丢|失踪)", r"(绑架|劫持|人质)",
    ]),
    "crime": ("110", "警情", [
        r"(正在|在)[^，。！？]{0,6}(打人|砍人|抢|偷|撬|砸|打架|行凶|翻东西)", r"(正在|现在)[^，。！？]{0,4}打",
        r"在打(老婆|老公|孩子|小孩|人|我|妈|爸)", r"(进了贼|进贼|有贼|小偷)", r"(持刀|拿刀|拿着刀|动刀|砍人|捅人|开枪)",
        r"(抢劫|抢包|入室|撬门|撬锁)", r"(打起来了|打架了|往死里打|把人打|被人打|快打死)", r"(家暴|打老婆|打孩子)[^，。！？]{0,6}(正在|现在|快来)",
        r"(救命|快来人|快报警)",
    ]),
    "medical": ("120", "急救", [
        r"(晕倒|昏倒|昏迷|不省人事|没有呼吸|没呼吸|没了心跳|休克|抽搐|口吐白沫)",
        r"(呼吸困难|喘不上气|大出血|血流不止|流血不止|流了好多血|在流血|叫不醒|昏过去|倒地不动|不动了)",
        r"(人|学生|孩子|我|全家|几个|老人)[^，。！？]{0,6}中毒", r"(上吐下泻|在吐|吐血)", r"(心脏病|脑溢血|中风)[^，。！？]{0,4}(发作|犯了|倒了|倒地)",
        r"(中毒|食物中毒)[^，。！？]{0,6}(送医|倒|吐|昏|好几个|人)", r"(车祸|撞了人|被车撞|翻车)[^。！？]{0,10}(受伤|流血|倒地|不动|昏)",
        r"(摔倒|摔伤)[^，。！？]{0,6}(起不来|不动|流血|昏)", r"(触电|被电打)",
    ]),
    "disaster": ("119", "灾情", [
        r"(决堤|溃坝|垮坝|溃堤|堤坝垮|大坝垮|堤垮了|坝垮了)", r"(山体滑坡|泥石流|塌方|滑坡)",
        r"(房子|房屋|楼|墙)[^，。！？]{0,4}(塌了|倒塌|垮了|要塌)", r"(洪水|大水)[^，。！？]{0,8}(进屋|淹|冲|漫|围)",
        r"水[^，。！？]{0,4}(淹到|漫到|进了)[^，。！？]{0,4}(屋|家|房|二楼|一楼)", r"(山洪|内涝)[^，。！？]{0,6}(来了|暴发|爆发|被困)",
    ]),
}

# A clause holding one of these is about risk, history or procedure, not a present emergency.
NOT_NOW = re.compile(
    r"隐患|担心|担忧|怕|万一|如果|假如|防止|预防|以防|以前|去年|前年|上次|上周|上星期|上个月|曾经|之前|当年|以后|"
    r"可能|了解一下|应该怎么办|已经处理|处理了|的那户|的事|"
    r"宣传|演练|培训|会不会|容易|咨询|怎么办理|补偿|赔偿|理赔|索赔|处理结果|已经扑灭|灭了|没事了|"
    r"报销|保险|政策|是否|有没有|防汛准备|排查|检查|整改|知识|讲座|电视|新闻|小说|电影|游戏|话费|账单|燃气费|"
    r"报警器|安检|年检|演习|消防通道|堵塞|隐藏|大火锅|火锅|火车|火腿|烟囱|烟花|香烟|烟酒|抽烟|吸烟|油烟"
)
_CLAUSE = re.compile(r"[，,。！!？?；;\n]+")
_COMPILED = {k: (line, label, [re.compile(p) for p in pats]) for k, (line, label, pats) in RULES.items()}
PRIORITY = ("fire", "gas_leak", "disaster", "danger", "crime", "medical")


def detect(text: str) -> Emergency | None:
    """Return the emergency in ``text`` or None; the first kind in PRIORITY order wins."""
    clauses = [c for c in _CLAUSE.split(text) if c and not NOT_NOW.search(c)]
    if not clauses:
        return None
    for kind in PRIORITY:
        line, label, pats = _COMPILED[kind]
        joined = "，".join(clauses)
        hits = [m.group(0) for p in pats for m in [p.search(joined)] if m]
        if hits:
            return Emergency(kind, line, label, list(dict.fromkeys(hits)))
    return None
