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
    """A detected emergency: what kind, which line to transfer to, and the words that matched.

    ``line`` stays the one line callers transfer to (routing, console, board read it as before). ``also`` names
    further lines the operator should bring in (120 where someone is hurt, 119 where someone is trapped in a
    wreck); it is empty for most texts, so a caller that ignores it loses nothing it had before.
    """

    kind: str
    line: str
    label: str
    evidence: list[str]
    also: list[str] = msgspec.field(default_factory=list)

    @property
    def lines(self) -> list[str]:
        """Every line to involve, the primary one first."""
        return [self.line, *self.also]


_VEHICLE = r"(车|货车|卡车|大车|小车|轿车|公交|客车|大巴|摩托|电动车|电瓶车|三轮|面包车|出租车|自行车)"
_NOT_A_THING = r"(?!歪|坏|断|弯|破|塌|变形|倒了?(路灯|杆|墙|树|牌))"  # a lamp post hit by a car is a repair ticket

# kind -> (line, label, patterns). Patterns are searched per clause.
RULES: dict[str, tuple[str, str, list[str]]] = {
    "fire": ("119", "火警", [
        r"(烧|着|燃)了?起来", r"着了火", r"发生火灾", r"(冒火|火很大|火好大|火太大|火越来越大|浓烟滚滚)",
        r"(烟|火)[^，。！？]{0,4}(冒出来|窜出来|蹿出来|往外冒)", r"(呛得|熏得)[^，。！？]{0,4}(出不去|睁不开|喘不)",
        r"(?<![打点不跟])(着|起|失)火(?!似)", r"火(烧|着)起来", r"烧起来了", r"大火", r"火势", r"火苗", r"火光",
        r"(楼|房|屋|家|店|车|山|仓库|厨房|电瓶车|电动车|窗户)[^，。！？]{0,6}(冒(黑|白|浓)?烟|浓烟)",
        r"(冒(黑|白|浓)?烟|浓烟)[^，。！？]{0,6}(楼|房|屋|家|店|窗)", r"烟好大.{0,4}(出不去|呛)",
        r"(变压器|电线|电箱|配电箱|插座)[^，。！？]{0,4}(冒火|起火|爆炸|冒烟|烧)", r"爆炸(?!头)", r"烧着了",
        r"(油锅|锅里|柴火堆|柴堆|草堆|草垛|电瓶车|电动车|车子?|垃圾桶|房子|店|仓库|窗帘|被子)[^，。！？打点]{0,3}着了",
        r"火(窜|蹿)", r"(窜|蹿)火", r"(好多|好大|很多|很大|全是|都是|满屋|一屋子)[^，。！？]{0,2}(黑)?烟",
    ]),
    "gas_leak": ("119", "燃气泄漏", [
        r"(臭鸡蛋味|一股气味)[^，。！？]{0,6}(厨房|灶|管道|楼道|屋)", r"(阀门|气阀)[^，。！？]{0,4}(关不上|拧不上|关不住)",
        r"(煤气|燃气|天然气|液化气)[^，。！？]{0,4}(泄漏|泄露|漏气|漏了|在漏)",
        r"(闻到|好大|很重|浓)[^，。！？]{0,4}(煤气|燃气|天然气)[^，。！？]{0,2}(味|气味)",
        r"(煤气|燃气|天然气|液化气)(味|气味)[^，。！？]{0,4}(很重|好大|好浓|刺鼻)", r"(气罐|钢瓶)[^，。！？]{0,4}漏",
        r"(燃气|煤气|天然气|液化气|气罐|钢瓶|燃气管|气管)[^。！？]{0,12}(漏气|在漏|一直漏|泄漏|泄露)",
        r"(煤气|燃气|天然气|液化气)的?(味|气味|臭味)",
        r"(燃气|煤气|天然气|液化气|气罐|钢瓶)[^。！？]{0,12}(喷气|冒气|往外冒|往外喷|挖断|管子裂|管道裂|断了)",
        r"(燃气灶|煤气灶)[^，。！？]{0,4}(还开着|开着没关|没关)",
    ]),
    "disaster": ("119", "灾情", [
        r"(地震|龙卷风|落石|滚石)(了|来了)", r"(屋|房子|家|村子?|车|人)[^，。！？]{0,2}被淹", r"(被冲走|被水围)", r"(水|洪水)[^，。！？]{0,4}(漫进|冲进|灌进)",
        r"(房子|墙|楼)[^，。！？]{0,4}裂开了", r"堰塞",
        r"(决堤|溃坝|垮坝|溃堤|堤坝垮|大坝垮|堤垮了|坝垮了)", r"(山体滑坡|泥石流|塌方|滑坡)",
        r"(房子|房屋|楼|墙|屋顶|棚子|桥)[^，。！？]{0,4}(塌了|倒塌|垮了|要塌|倒了|塌下来)"
        r"(?![^，。！？]{0,4}(没修|没人修|没人管|一直|好久|很久|几天|半年))",
        r"(洪水|大水|河水)[^，。！？]{0,8}(进屋|淹|冲|漫|围)",
        r"水[^，。！？]{0,4}(淹到|漫到|进了)[^，。！？]{0,4}(屋|家|房|二楼|一楼)", r"水[^，。！？]{0,2}(漫上来|涨上来)了",
        r"(山洪|内涝)[^，。！？]{0,6}(来了|暴发|爆发|被困)", r"(屋里|家里|屋子|房子)[^，。！？]{0,2}进水",
        r"(地下通道|通道|隧道|涵洞|桥洞|地下车库)[^，。！？]{0,2}淹了", r"人在车顶",
        r"(泥巴|泥土|泥浆|石头|山上)[^，。！？]{0,6}(往下冲|冲下来|滚下来|砸下来)", r"路被(埋|冲断|冲垮)",
        r"(路面|地面|马路)[^，。！？]{0,4}(突然)?(塌|陷)",
    ]),
    "traffic": ("122", "交通事故", [
        r"(出车祸了|车祸了|车翻了|车子翻了|肇事逃逸|撞了人|撞人了|车撞了人|把人撞了)",
        _VEHICLE + r"[^，。！？]{0,6}(掉进|掉下|翻到|冲进|冲出|冲下|开进)[^，。！？]{0,4}(沟|河|桥|路边|田|塘|水)",
        r"(撞|压|碾|轧)[^，。！？]{0,4}(司机|开车的)[^，。！？]{0,4}(跑了|逃了|开走了)",
        _VEHICLE + r"[^，。！？]{0,8}(相撞|撞了|撞上|撞到|撞在|撞倒|追尾|剐了|刮了|翻了|侧翻|连环撞|撞护栏)",
        r"(两车相撞|撞车了|追尾了|连环撞|翻车了)",
        r"被[^，。！？]{0,4}" + _VEHICLE + r"[^，。！？]{0,3}(撞|刮|压|碾|轧)" + _NOT_A_THING,
        _VEHICLE + r"[^，。！？]{0,4}把[^，。！？]{0,10}(撞|压|碾|轧|刮)" + _NOT_A_THING,
        r"(刚|这里|前面|门口|路口|这边)[^，。！？]{0,6}(出|发生)了?(车祸|交通事故)",
        r"(车祸|交通事故)[^。！？]{0,10}(受伤|流血|倒地|不动|昏|躺)",
        r"(高速|快速路|高架|国道|省道)[^。！？]{0,10}逆行", r"逆行[^。！？]{0,10}(冲过来|过来了|开过来)",
        r"(正在|现在|有辆车?在)[^，。！？]{0,6}逆行",
        r"(喝醉|喝多|喝了酒|醉醺醺|一身酒气)[^。！？]{0,12}(开车|开走|驾车|开着车|要开)", r"(正在|现在)[^，。！？]{0,4}(酒驾|醉驾)",
        r"(停|堵|横|趴|卡)在[^，。！？]{0,4}(中间车道|行车道|路中间|马路中间|车道中间|路口中间|车道上)",
        r"(车道|路中间|马路中间|高速)[^，。！？]{0,10}(掉了|散落|一大块|铁板|轮胎|货物)",
        r"(高速|高架)[^，。！？]{0,6}(车坏了|抛锚|爆胎|车子坏了)",
    ]),
    "trapped": ("119", "被困", [
        r"困住了", r"(爬不出来|下不来了|救不出来|打不开门[^，。！？]{0,4}(出不去|出不来))",
        r"(掉进|掉到|掉下)[^，。！？]{0,4}(坑|窨井|下水道|沟)里?", r"(关|锁)在[^，。！？]{0,6}里[^，。！？]{0,4}(出不去|出不来)",
        r"(被困|困在)(?!难)", r"(压在|埋在|砸在)[^，。！？]{0,6}(下面|底下|下边|下头|里面|里头)",
        r"被[^，。！？]{0,6}(压住|压着|埋了|埋住|卡住|夹住)", r"压着[^，。！？]{0,2}(人|个人|两个人|一个人|几个人)",
        r"电梯[^，。！？]{0,10}(困|卡住|往下掉|掉了|坠|停住|关在)", r"(卡在|夹在)[^，。！？]{0,10}(出不来|拔不出|动不了)",
        r"(卡在|夹在)[^，。！？]{0,10}(里|中间|缝)[^。！？]{0,6}(出不来|拔不出|动不了)",
        r"(锁|关)在?[^，。！？]{0,2}车里", r"反锁在[^，。！？]{0,4}(屋|房|家)", r"(拔不出来|出不来了)",
    ]),
    "danger": ("110", "人身危险", [
        r"(想不开|寻死|不想活了|要跳下去|跳下去了)", r"(在水里|水里)[^，。！？]{0,4}(扑腾|挣扎|喊救命)",
        r"(找不到|找不着)[^，。！？]{0,4}(孩子|小孩|老人|女儿|儿子)",
        r"(要|想|准备|站在)[^，。！？]{0,6}(跳楼|跳河|跳桥|轻生|自杀)", r"(跳楼|跳河|割腕|喝农药|安眠药)",
        r"(落水|溺水|掉进(了)?(河|水塘|水库|江|塘|井)|被水冲走)", r"掉(到|进)?了?(河|水塘|水库|江|塘|井|湖)里",
        r"(小孩|孩子|女儿|儿子|老人|老母亲|父亲|母亲)[^，。！？]{0,8}(不见了|被抱走|走丢|失踪)", r"(绑架|劫持|人质)",
        r"(楼顶|天台|顶楼|窗台|阳台)[^，。！？]{0,4}边", r"(好像|说要|说想|扬言)要?(往下)?跳(?!起来|舞|绳|槽|高)", r"栏杆外",
        r"劝不下来",
    ]),
    "crime": ("110", "警情", [
        r"(闯进|撞门|踹门|砸门|翻墙进)", r"(要杀|杀人了|威胁要|勒索|非礼|猥亵|强奸|拐走|被绑)",
        r"(被打伤|被打了|打伤了|把我打)", r"(正在|现在|在)[^，。！？]{0,6}(让我转账|逼我转账|骗我转账)",
        r"(正在|在)[^，。！？]{0,6}(打人|砍人|抢|偷|撬|砸|打架|行凶|翻东西)", r"(正在|现在)[^，。！？]{0,4}打",
        r"在打(老婆|老公|孩子|小孩|人|我|妈|爸)", r"(进了贼|进贼|有贼|小偷)", r"(持刀|拿刀|拿着刀|动刀|砍人|捅人|开枪)",
        r"(抢劫|抢包|入室|撬门|撬锁)", r"(打起来了|打架了|往死里打|把人打|被人打|快打死)", r"(家暴|打老婆|打孩子)[^，。！？]{0,6}(正在|现在|快来)",
        r"(救命|快来人|快报警)(?![^。！？]{0,14}(办|卡|证|材料|手续|工资|窗口|部门|审批))",
        r"抢(了|走)[^，。！？]{0,4}(我|他|她|人)?的?(包|手机|钱|东西|项链)", r"(跟着我|跟踪我|尾随我|在跟踪)",
    ]),
    "medical": ("120", "急救", [
        r"(倒地|倒在地上|晕过去|没意识|没有意识|没反应了|心梗|心脏骤停|癫痫|发病了|犯病了|中暑|难产)",
        r"(血止不住|止不住血|骨折|骨头断|腿断了|烫伤|烧伤|被蛇咬)", r"(吃错药|喝了(农药|敌敌畏|百草枯))",
        r"(脸色发白|脸色发青|嘴唇发紫|浑身发抖)[^，。！？]{0,6}(说不出|叫不|站不|倒)",
        r"(晕倒|昏倒|昏迷|不省人事|没有呼吸|没呼吸|没了心跳|休克|抽搐|口吐白沫)",
        r"(呼吸困难|喘不上气|大出血|血流不止|流血不止|流了好多血|在流血|叫不醒|昏过去|倒地不动|不动了)",
        r"(人|学生|孩子|我|全家|几个|老人)[^，。！？]{0,6}中毒", r"(上吐下泻|在吐|(?<!要)吐血)", r"(心脏病|脑溢血|中风)[^，。！？]{0,4}(发作|犯了|倒了|倒地)",
        r"(中毒|食物中毒)[^，。！？]{0,6}(送医|倒|吐|昏|好几个|人)", r"(车祸|撞了人|被车撞|翻车)[^。！？]{0,10}(受伤|流血|倒地|不动|昏)",
        r"(摔倒|摔伤)[^，。！？]{0,6}(起不来|不动|流血|昏)", r"(触电|被电打)",
        r"(误吃|误服|误食|吞了)", r"(羊水破|要生了|快生了)", r"(噎住|卡住喉咙|憋紫|脸发紫|嘴唇发紫)",
        r"(胸口|心口)[^，。！？]{0,4}(疼|痛)", r"(出不上气|喘不过气|上不来气)",
        r"(嘴歪|口角歪|说话不利索|手抬不起来|半边[^，。！？]{0,2}(不能动|动不了|麻了))", r"叫不答应",
    ]),
}

# Someone is hurt: the ambulance comes too, whatever the primary line. Negated forms (没人受伤) are removed first.
HURT = re.compile(
    r"受伤|伤了|摔伤|撞伤|烧伤|流血|出血|满头是血|头破|血|腿断|骨头|骨折|躺在|躺地|倒地|不动了|动不了|起不来|"
    r"昏|飞出去|没气|没反应|叫不醒|叫不答应|压在|压着|压了|被烧着|孕妇|老人|老太太|(卡|夹)在[^，。！？]{0,3}(驾驶室|车里|车内)"
)
_UNHURT = re.compile(r"没(有)?(人)?(受伤|伤着|伤到|事)|没伤|都没事|人没事")

# A clause holding one of these is about risk, history or procedure, not a present emergency.
_PAST_OR_RISK = (
    r"隐患|担心|担忧|怕|万一|如果|假如|防止|预防|以防|以前|去年|前年|上次|上回|那次|上一次|上周|上星期|上个月|曾经|"
    r"之前|当年|以后|前天|前几天|经常|老是|总是|每年|说不定|已经处理|处理了|的那户|的事|宣传|演练|培训|容易|"
    r"补偿|赔偿|理赔|索赔|处理结果|已经扑灭|灭了|没事了|报销|保险|政策|防汛准备|排查|检查|整改|知识|讲座|电视|新闻|"
    r"小说|电影|游戏|话费|账单|燃气费|报警器|安检|年检|演习|消防通道|堵塞|隐藏|大火锅|火锅|火车|火腿|烟囱|烟花|"
    r"香烟|烟酒|抽烟|吸烟|油烟|气得|气死"
)
_PROCEDURE = r"可能|了解一下|应该怎么办|会不会|咨询|怎么办理|是否|有没有|去哪|找哪|哪个部门|找谁|投诉|举报|要不要"
NOT_NOW = re.compile(_PAST_OR_RISK + "|" + _PROCEDURE)
# A gas leak is not dismissed for doubt or a plea for advice (煤气漏了应该怎么办, 可能是煤气漏了): only history,
# risk talk and a plain request for information excuse it, so routing never dispatches a leak by itself.
GAS_NOT_NOW = re.compile(_PAST_OR_RISK + r"|了解一下|咨询|怎么办理")
_CLAUSE = re.compile(r"[，,。！!？?；;\n]+")
_COMPILED = {k: (line, label, [re.compile(p) for p in pats]) for k, (line, label, pats) in RULES.items()}
PRIORITY = ("fire", "gas_leak", "disaster", "traffic", "trapped", "danger", "crime", "medical")


def _hits(kind: str, joined: str) -> list[str]:
    return list(dict.fromkeys(m.group(0) for p in _COMPILED[kind][2] for m in [p.search(joined)] if m))


def detect(text: str) -> Emergency | None:
    """Return the emergency in ``text`` or None.

    The first kind in PRIORITY order wins the primary line; the lines of the other kinds that match, and 120
    where someone is hurt, go into ``also`` so the operator sees every service the call needs.
    """
    parts = [c for c in _CLAUSE.split(text) if c]
    now = "，".join(c for c in parts if not NOT_NOW.search(c))
    gas_now = "，".join(c for c in parts if not GAS_NOT_NOW.search(c))
    found = {kind: hits for kind in PRIORITY if (hits := _hits(kind, gas_now if kind == "gas_leak" else now))}
    if not found:
        return None
    kind = next(iter(found))
    line, label, _ = _COMPILED[kind]
    also = [_COMPILED[k][0] for k in found if k != kind]
    if HURT.search(_UNHURT.sub("", now)):
        also.append("120")
    also = [x for x in dict.fromkeys(also) if x != line]
    return Emergency(kind, line, label, found[kind], also)
