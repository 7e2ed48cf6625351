"""A few hundred earlier tickets of 云溪县 (fictional), as its old system exports them: one CSV row per ticket.

Written by hand: for each of the county's catalogue categories, a handful of ways people actually put the
problem (a caller's words as an operator typed them, a web message, a letter), combined with the county's places
and a few details, so that no two rows are the same and none is a template of the shipped corpus. The category
column holds the catalogue *name*, the unit column the unit's name, as a county's export has them.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import datetime, timedelta

PLACES = {  # township: places people name in it
    "云溪街道": ["东门社区", "西门社区", "滨江社区", "人民路", "解放街", "滨江花园小区", "县一中附近"],
    "桃源街道": ["桃源社区", "新华社区", "新华路", "桃源小区", "农贸市场旁边", "桃源二期"],
    "青石镇": ["青石社区", "龙潭村", "石桥村", "镇中学后面", "青石老街"],
    "白沙镇": ["白沙村", "河口村", "白沙街上", "河口大桥边"],
    "梅岭乡": ["梅岭村", "竹坪村", "乡政府对面"],
    "双溪镇": ["双溪社区", "石门村", "双溪街"],
}
DETAILS = ["已经好几天了", "反映过两次都没人管", "老人小孩都受影响", "请尽快处理", "希望相关部门重视",
           "晚上尤其严重", "附近住户都有意见", "麻烦派人来看一下", "拖了快一个月了", "今天又是这样"]

# category name -> (unit name, ways people say it; {p} is a place, {d} a detail)
SAYINGS: dict[str, tuple[str, list[str]]] = {
    "物业管理": ("云溪县住房和城乡建设局", [
        "{p}的物业公司收了物业费什么都不管，楼道灯坏了半年没人修，{d}",
        "来电人反映{p}物业擅自涨物业费，业主不同意，物业就停了电梯卡，{d}",
        "{p}小区物业把绿化带改成停车位收费，业主委员会多次交涉无果",
        "反映{p}物业服务差，垃圾堆在楼道口没人清，保安晚上不在岗，{d}",
        "我们{p}的物业合同到期了物业公司赖着不走，还不交接维修资金账目",
    ]),
    "房屋征收拆迁": ("云溪县住房和城乡建设局", [
        "{p}棚改征收的安置房说好去年交房到现在还没交，过渡费也停发了，{d}",
        "来电人称其在{p}的房屋被列入征收范围，补偿标准一直没公示，{d}",
        "{p}拆迁评估价格太低，和周边商品房差一大截，要求重新评估",
        "反映{p}征收时少算了房屋面积，附属设施也没有补偿，{d}",
    ]),
    "路灯照明": ("云溪县城市管理和综合执法局", [
        "{p}一整排路灯晚上都不亮，走夜路黑漆漆的，{d}",
        "来电人反映{p}路口的路灯白天亮着晚上反而熄了，{d}",
        "{p}路灯杆被车撞歪了，电线露在外面，路过的人很害怕",
        "{p}新修的路到现在没装路灯，晚上下班骑车看不清路，{d}",
    ]),
    "供水": ("云溪县自来水有限公司", [
        "{p}停水了也没提前通知，家里一点水都没有，{d}",
        "来电人反映{p}自来水发黄有沉淀，烧开后壶底一层水垢，{d}",
        "{p}水压太低，住五楼以上的白天基本接不到水，{d}",
        "{p}路边自来水管爆了，水一直往外冒，路面都淹了",
        "{p}水费账单突然翻了几倍，怀疑水表坏了，要求自来水公司来校表",
        "咨询{p}新房子怎么申请安装自来水，要带哪些材料",
    ]),
    "供电": ("国网云溪县供电公司", [
        "{p}这个月已经停了三次电，冰箱里的东西都坏了，{d}",
        "来电人反映{p}电压不稳，灯一闪一闪的，电器都烧坏了一台，{d}",
        "{p}变压器嗡嗡响还冒火花，住户担心出事，请供电公司来看看",
        "{p}电线杆歪了，线垂得很低，货车过的时候差点挂到",
        "咨询{p}家里要装充电桩怎么申请增容，电费怎么算",
    ]),
    "环境卫生": ("云溪县城市管理和综合执法局", [
        "{p}垃圾桶满了好几天没人清运，臭气熏天，{d}",
        "来电人反映{p}有人在河边乱倒建筑垃圾，{d}",
        "{p}公共厕所脏得进不去人，也没人打扫，{d}",
        "{p}的垃圾中转站离居民楼太近，夏天苍蝇蚊子特别多",
        "{p}路边堆了一大堆生活垃圾，下雨后污水流到路上",
    ]),
    "交通秩序": ("云溪县公安局交通管理大队", [
        "{p}学校门口上下学时间车辆乱停，堵得走不动，{d}",
        "来电人反映{p}路口红绿灯坏了，车辆抢行很危险，{d}",
        "{p}每天晚上有人飙车炸街，噪音很大，{d}",
        "{p}人行道上停满了车，行人只能走机动车道",
        "{p}大货车白天在城区乱窜，超载还不按道行驶",
    ]),
    "食品安全": ("云溪县市场监督管理局", [
        "在{p}一家饭店吃饭后全家拉肚子，怀疑食材不新鲜，{d}",
        "来电人反映{p}超市卖过期的牛奶和面包，{d}",
        "{p}有个小作坊在家里做豆腐，卫生条件很差，没有任何证照",
        "{p}学校旁边的小卖部卖三无辣条给小学生",
        "在{p}菜市场买的猪肉注过水，回家一放全是血水",
    ]),
    "农村土地承包": ("云溪县农业农村局", [
        "{p}村里重新分地没有通知我们家，承包地被划给了别人，{d}",
        "来电人反映{p}土地流转合同到期了，对方还占着不还，流转费也没给",
        "{p}的承包经营权证上面积和实际不符，要求更正，{d}",
        "{p}村干部把集体的地私下租出去了，村民不知情",
    ]),
    "低保和救助": ("云溪县民政局", [
        "{p}的困难户申请低保两次都没批下来，家里就靠老人一点养老金，{d}",
        "来电人反映{p}有人开着车还吃低保，真正困难的却评不上",
        "{p}孤寡老人冬天没有取暖，房子漏雨，请民政帮帮忙",
        "咨询{p}残疾人两项补贴怎么申请，需要什么材料",
        "{p}低保金这几个月没到账，问了社区说不清楚，{d}",
    ]),
}
CHANNELS = ["12345热线", "12345热线", "12345热线", "网上留言", "县长信箱", "微信公众号"]
KINDS = {"咨询": "咨询", "投诉": "投诉", "求助": "求助", "建议": "建议"}
HEADERS = ["工单编号", "受理时间", "来源渠道", "诉求类型", "所属乡镇", "诉求内容", "承办单位", "诉求分类",
           "办理状态", "答复内容", "满意度"]


def rows(per_category: int = 30, seed: int = 2025) -> list[list[str]]:
    """`per_category` tickets of each category, from 2025; the same rows for the same seed."""
    chance = random.Random(seed)
    start = datetime(2025, 1, 2, 8, 30)
    out: list[list[str]] = []
    seen: set[str] = set()
    for category, (unit, sayings) in SAYINGS.items():
        made = 0
        while made < per_category:
            township = chance.choice(sorted(PLACES))
            text = chance.choice(sayings).format(p=chance.choice(PLACES[township]), d=chance.choice(DETAILS))
            if text in seen:
                continue
            seen.add(text)
            made += 1
            received = start + timedelta(days=chance.randrange(330), minutes=chance.randrange(600))
            kind = "咨询" if text.startswith("咨询") else chance.choice(["投诉", "投诉", "求助", "建议"])
            out.append([f"YX{received:%Y%m%d}{len(out) + 1:04d}", received.strftime("%Y-%m-%d %H:%M"),
                        chance.choice(CHANNELS), kind, township, text, unit, category, "已办结",
                        "已转相关单位核实处理，并电话回复来电人。", chance.choice(["满意", "基本满意", "不满意", ""])])
    return out


def csv_text(per_category: int = 30) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    writer.writerows(rows(per_category))
    return buffer.getvalue()
