"""清江县, the fictional demo county: its departments, dispatch catalogue and staff accounts."""

from __future__ import annotations

from classifier.corpus.places import TOWNSHIPS

FALLBACK = "xzfb"  # 兜底: the county government office takes what nobody else does

BUREAUS: list[tuple[str, str, str]] = [
    ("xzfb", "县人民政府办公室", "office"),
    ("zjj", "县住房和城乡建设局", "bureau"),
    ("zrzyj", "县自然资源局", "bureau"),
    ("sthj", "市生态环境局清江分局", "bureau"),
    ("scjg", "县市场监督管理局", "bureau"),
    ("rsj", "县人力资源和社会保障局", "bureau"),
    ("jtys", "县交通运输局", "bureau"),
    ("jyj", "县教育局", "bureau"),
    ("wjj", "县卫生健康局", "bureau"),
    ("cgj", "县城市管理和综合执法局", "bureau"),
    ("slj", "县水利局", "bureau"),
    ("nync", "县农业农村局", "bureau"),
    ("mzj", "县民政局", "bureau"),
    ("ybj", "县医疗保障局", "bureau"),
    ("gaj", "县公安局", "bureau"),
    ("jjdd", "县公安局交通警察大队", "bureau"),
    ("xfjy", "县消防救援大队", "bureau"),
    ("lyj", "县林业局", "bureau"),
    ("yjj", "县应急管理局", "bureau"),
    ("wlgt", "县文化旅游广电体育局", "bureau"),
    ("fgj", "县发展和改革局", "bureau"),
    ("gxj", "县工业和信息化局", "bureau"),
    ("jrb", "县金融工作服务中心", "bureau"),
    ("zwfw", "县政务服务中心", "bureau"),
    ("jwjw", "县纪委监委", "bureau"),
    ("cl", "县残疾人联合会", "bureau"),
    ("tyjr", "县退役军人事务局", "bureau"),
    ("sfj", "县司法局", "bureau"),
    ("bdc", "县不动产登记中心", "bureau"),
    ("zsb", "县房屋征收与补偿办公室", "bureau"),
    ("jkzx", "县疾病预防控制中心", "bureau"),
    ("gjj", "住房公积金清江管理部", "bureau"),
    ("gdgs", "国网清江县供电公司", "enterprise"),
    ("zls", "清江县自来水公司", "enterprise"),
    ("rqgs", "清江县燃气公司", "enterprise"),
    ("gjgs", "清江县公共交通公司", "enterprise"),
]

# category leaf code -> (lead department code, co-handling department codes)
CATALOGUE: dict[str, tuple[str, tuple[str, ...]]] = {
    "0101": ("zjj", ()), "0102": ("zsb", ("zjj",)), "0103": ("bdc", ("zrzyj",)), "0104": ("zjj", ("scjg",)),
    "0105": ("cgj", ("zrzyj",)), "0106": ("jtys", ()), "0107": ("cgj", ()),
    "0108": ("cgj", ("zjj",)), "0109": ("zjj", ()), "0110": ("zjj", ()), "0111": ("zjj", ()), "0112": ("gjj", ()),
    "0201": ("zls", ("slj",)), "0202": ("gdgs", ()), "0203": ("rqgs", ()), "0204": ("gxj", ()), "0205": ("zjj", ()),
    "0301": ("sthj", ()), "0302": ("sthj", ("slj",)), "0303": ("cgj", ("gaj",)), "0304": ("cgj", ()), "0305": ("sthj", ("cgj",)),
    "0401": ("cgj", ()), "0402": ("cgj", ()),
    "0501": ("jjdd", ()), "0502": ("jtys", ("gjgs",)), "0503": ("jtys", ()),
    "0504": ("jjdd", ("jtys",)), "0505": ("jtys", ("jjdd",)), "0506": ("jtys", ()),
    "0601": ("jyj", ()), "0602": ("jyj", ()), "0603": ("jyj", ()), "0604": ("jyj", ("scjg",)),
    "0701": ("rsj", ()), "0702": ("rsj", ()), "0703": ("rsj", ("gjj",)), "0704": ("ybj", ()), "0705": ("rsj", ()), "0706": ("rsj", ()),
    "0801": ("wjj", ()), "0802": ("wjj", ("jkzx",)), "0803": ("wjj", ()), "0804": ("wjj", ("scjg",)),
    "0901": ("scjg", ()), "0902": ("scjg", ()), "0903": ("scjg", ("fgj",)), "0904": ("scjg", ()),
    "0905": ("scjg", ()), "0906": ("jtys", ("scjg",)), "0907": ("scjg", ("zjj",)),
    "1001": ("zrzyj", ()), "1002": ("nync", ()), "1003": ("nync", ()), "1004": ("lyj", ()), "1005": ("slj", ()),
    "1101": ("mzj", ()), "1102": ("mzj", ()), "1103": ("mzj", ()), "1104": ("cl", ()), "1105": ("tyjr", ()),
    "1201": ("gaj", ()), "1202": ("gaj", ()),
    "1301": ("xfjy", ()), "1302": ("yjj", ()),
    "1401": ("wlgt", ()), "1402": ("wlgt", ()), "1501": ("jrb", ("gaj",)), "1502": ("jrb", ()),
    "1601": ("jwjw", ()), "1602": ("zwfw", ()), "1603": ("xzfb", ()), "1701": ("sfj", ()),
}

# Village matters in rural townships go to the township government first.
TOWNSHIP_FIRST = ("1002", "1101", "0304")


def township_code(index: int) -> str:
    return f"town{index:02d}"


def townships() -> list[tuple[str, str]]:
    """(department code, township name) for every township government."""
    return [(township_code(i), name) for i, name in enumerate(TOWNSHIPS, start=1)]


def is_rural(township: str) -> bool:
    return not township.endswith("街道")


DEMO_PASSWORD = "demo12345"
STAFF: list[tuple[str, str, str, str | None]] = [
    # username, display name, role, department code
    ("operator1", "李话务", "operator", None),
    ("operator2", "周话务", "operator", None),
    ("commander", "陈指挥", "commander", None),
    ("admin", "赵管理", "admin", None),
    ("auditor", "孙监察", "auditor", None),
    ("leader", "王县长", "leader", None),
    ("grid1", "刘网格", "grid_worker", None),  # 网格员 of GRID_CELLS' first cell
]
# 网格 (code, name, township, village, the demo accounts working it)
GRID_CELLS: list[tuple[str, str, str, str | None, tuple[str, ...]]] = [
    ("CG-WJ-01", "望江社区第一网格", "城关街道", "望江社区", ("grid1",)),
    ("CG-WJ-02", "望江社区第二网格", "城关街道", "望江社区", ()),
]
