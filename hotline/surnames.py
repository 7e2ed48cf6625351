"""Chinese surnames, for telling a name after "我叫", "联系人：" or "市民" from an ordinary word there.

The common single surnames (about 99 % of people) and the compound ones still in use. Characters that are rare
as surnames but common right after those phrases (一, 在, 是, 和, 都, 来, 天, 大, 多, 长, 第, 业, 农 ...) are left out on
purpose: "我是天心区居民" and "本人长期在外" are not names.
"""

from __future__ import annotations

COMPOUND = frozenset((
    "欧阳", "司马", "上官", "诸葛", "皇甫", "东方", "慕容", "令狐", "司徒", "夏侯", "尉迟", "公孙", "长孙", "宇文",
    "轩辕", "端木", "独孤", "南宫", "西门", "百里", "呼延", "澹台", "闻人", "申屠", "万俟", "钟离", "公冶", "太史",
))

SINGLE = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜"
    "崔钟谭陆汪范金石廖贾夏韦付傅方邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施"
    "文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗"
    "谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费"
    "卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡"
    "鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支"
    "卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危"
    "玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由"
) - frozenset("一在是天大多长第业农和都但由相来初门平时原位那於战干信展")


def surname_at(text: str, at: int) -> int:
    """The length of the surname starting at `at` (2 for a compound one), or 0."""
    if text[at:at + 2] in COMPOUND:
        return 2
    return 1 if at < len(text) and text[at] in SINGLE else 0
