"""Build the jieba user dictionary (data/userdict.txt).

Why: jieba's default dictionary splits our department names, hotline terms and
the demo county's place names into pieces, which scatters their weight across
features. ``python -m classifier.userdict`` rewrites the file.
"""

from __future__ import annotations

from pathlib import Path

from classifier.corpus.places import all_places

USERDICT = Path(__file__).parent / "data" / "userdict.txt"

DEPARTMENTS = [
    "住建局", "自然资源局", "生态环境局", "城管局", "城管执法局", "交通运输局", "交警大队", "教育局",
    "人社局", "医保局", "卫健局", "疾控中心", "市场监管局", "农业农村局", "林业局", "水利局",
    "民政局", "残联", "公安局", "派出所", "消防大队", "应急管理局", "文旅局", "金融办", "纪委",
    "政务服务中心", "征收办", "不动产登记中心", "供电所", "供电公司", "自来水公司", "燃气公司",
    "劳动监察大队", "社保局", "税务局", "乡政府", "镇政府", "村委会", "居委会", "业委会", "网格员",
]
TERMS = [
    "12345", "县长信箱", "物业费", "维修基金", "业主大会", "安置房", "过渡费", "强拆", "房产证",
    "不动产权证", "烂尾楼", "违章建筑", "违建", "井盖", "路灯", "水压", "水费", "电费", "电压",
    "跳闸", "管道燃气", "天然气", "宽带", "信号", "扬尘", "油烟", "黑臭水体", "偷排", "夜间施工",
    "广场舞", "垃圾桶", "垃圾站", "公厕", "占道经营", "流动摊贩", "小广告", "行道树", "绿化带",
    "红绿灯", "斑马线", "乱停乱放", "班车", "公交车", "网约车", "出租车", "拒载", "绕路", "黑车",
    "学位", "划片", "学籍", "资料费", "补课费", "校服费", "营养餐", "体罚", "校车", "培训机构",
    "欠薪", "农民工", "包工头", "养老金", "养老保险", "社保卡", "公积金", "失业保险金", "医保",
    "异地就医", "门诊慢特病", "劳动合同", "工伤", "加班费", "卫生院", "误诊", "疫苗", "狂犬疫苗",
    "消杀", "预付卡", "退货退款", "明码标价", "缺斤少两", "假冒伪劣", "宅基地", "基本农田",
    "土地流转", "确权", "承包地", "种粮补贴", "地力保护补贴", "病虫害", "滥砍滥伐", "林权证",
    "公益林", "山塘", "水库", "河堤", "低保", "五保户", "临时救助", "高龄补贴", "敬老院",
    "养老院", "婚姻登记", "乱埋乱葬", "殡仪馆", "残疾证", "无障碍", "盲道", "赌博", "电瓶车",
    "诈骗", "户口", "身份证", "居住证", "消防通道", "飞线充电", "灭火器", "消防栓", "非法采砂",
    "烟花爆竹", "危化品", "安全帽", "景区", "导游", "旅行社", "农家乐", "图书馆", "健身器材",
    "网吧", "非法集资", "高息理财", "暴力催收", "吃拿卡要", "推诿扯皮", "不作为", "营业执照",
    "一网通办", "点赞", "着火", "煤气泄漏", "溺水", "山体滑坡", "塌方", "报警",
]


def build_userdict(path: Path = USERDICT) -> Path:
    """Write one ``word freq`` line per term; high freq keeps them whole."""
    words = dict.fromkeys([*all_places(), *DEPARTMENTS, *TERMS])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{w} 2000\n" for w in words if " " not in w), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(build_userdict())
