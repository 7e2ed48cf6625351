"""The fictional demo county used in the corpus, the user dictionary and demos.

All names are invented in the style of a Hunan county; any match with a real
place is accidental.
"""

from __future__ import annotations

COUNTY = "清江县"

TOWNSHIPS: dict[str, list[str]] = {
    "城关街道": ["河西社区", "文昌社区", "东门社区", "新华社区", "望江社区"],
    "江南街道": ["南湖社区", "桥头社区", "金盆社区", "枫林社区"],
    "白沙镇": ["白沙社区", "龙潭村", "杨家湾村", "石桥村"],
    "桃源铺镇": ["桃源铺社区", "枫树坪村", "大屋场村", "黄泥坳村", "茶园村"],
    "梅溪镇": ["梅溪社区", "竹山村", "水口村", "高塘村"],
    "石门坳乡": ["石门坳村", "青山村", "刘家冲村"],
    "双江口镇": ["双江口社区", "鸭婆洲村", "新塘村", "柳树湾村"],
    "大坪镇": ["大坪社区", "长冲村", "团山村", "樟树村", "罗家坪村"],
    "龙田镇": ["龙田社区", "松柏村", "马鞍村", "荷叶塘村"],
    "金鸡岭乡": ["金鸡岭村", "白果村", "坳头村"],
    "新市镇": ["新市社区", "周家坪村", "五里牌村", "双塘村"],
    "观音桥镇": ["观音桥社区", "花桥村", "庙湾村", "沙洲村"],
    "黄土铺镇": ["黄土铺社区", "杉木村", "碧溪村", "谭家垅村"],
    "沙田瑶族乡": ["沙田村", "瑶山村", "岩门村"],
}

STREETS: list[str] = [
    "人民路", "解放路", "建设中路", "五一路", "滨江大道", "文昌路", "清江大桥",
    "迎宾大道", "新华北路", "朝阳街", "东门口", "河西老街", "县人民医院",
    "清江一中", "县政务服务中心", "步行街", "汽车站", "火车站广场", "清江公园",
    "沿河风光带", "工业园区", "金盆岭菜市场", "望江花园小区", "锦绣华庭小区",
    "碧桂湾小区", "御景豪庭小区", "阳光新城小区", "书香名邸小区", "县二中",
    "实验小学", "县中医院", "老粮站宿舍", "供销社家属区", "S308省道", "G207国道",
]


def all_places() -> list[str]:
    """Every township, village/community and street name (for dictionaries)."""
    names: list[str] = [COUNTY]
    for town, villages in TOWNSHIPS.items():
        names.append(town)
        names.extend(villages)
    names.extend(STREETS)
    return names
