"""Names people write about themselves or others: found after the phrases that introduce them.

A name is only looked for right after an introducing phrase (我叫, 我是, 本人, 联系人：, 举报人, 署名, 市民, 我老公叫,
其父 ...), must start with a known surname (`hotline.surnames`), and, except after the strongest phrases, must end
where a clause ends ("，", a space, 今年, 住在 ...). Surname + 先生/女士/某某 is a name anywhere. A name found once
is masked wherever the text repeats it (a letter signed at the bottom). jieba's person tags were measured on the
test table instead (web/bench/redaction.py): they found fewer of its names and tagged 路, 社区 and 安卓 as people.
"""

from __future__ import annotations

import re

from hotline.surnames import SINGLE, surname_at

_TITLES = ("先生", "女士", "小姐", "某某", "某")
_KIN = ("老公", "老婆", "丈夫", "妻子", "爱人", "儿子", "女儿", "父亲", "母亲", "爸爸", "妈妈", "爸", "妈", "哥哥", "姐姐",
        "弟弟", "妹妹", "孩子", "爷爷", "奶奶", "外公", "外婆", "孙子", "孙女", "女婿", "儿媳", "老伴", "家属", "邻居", "朋友",
        "同事", "房东", "老板", "包工头", "负责人", "经理", "村干部", "老人", "他", "她")
# Kin and counterparts a name follows without 叫 (我老伴唐国栋, 房东何桂香于上月): only where a name is what comes next.
_KIN_NAMED = ("老公", "老婆", "丈夫", "妻子", "爱人", "老伴", "儿子", "女儿", "父亲", "母亲", "爸爸", "妈妈", "邻居", "房东",
              "老板", "包工头", "经理", "医生", "班主任")
_ROLES = ("市民", "居民", "村民", "职工", "员工", "党员", "学生", "家长", "来电人", "来信人", "投诉人", "反映人", "举报人",
          "当事人", "申请人", "联系人", "户主", "患者", "业主", "经办人", "俺是", "鄙人", "小女子")
# After these a name is near certain, so it is masked even when the clause runs on ("我叫吴芳今年六十二了").
STRONG = re.compile(r"(?:我叫|我名叫|我的名字[是叫]|姓名[:：\s]?|签名[:：]|(?:联系|举报|反映|投诉|来电)人[:：]"
                    r"|(?:户名|持卡人)(?:写的是|是|为)?)[:\s]*")
WEAK = re.compile(rf"(?:我是|本人|(?:{'|'.join(_KIN)})叫|[，,]叫|其[父母夫妻子女兄弟姐妹]|{'|'.join(_ROLES)}"
                  rf"|(?:{'|'.join(_KIN_NAMED)})(?!叫))[:：\s]*")
SIGNED = re.compile(r"署名[:：]?[^\n]{0,30}?(?=\S{2,4}[ \t]*(?:\n|$))")
THEIR_OWN = re.compile(r"我是[^，。,\n]{1,12}?的(?=\S)")
SURNAME_ONLY = re.compile(r"(?:[我他她其]|本人)姓(?!名)")
# What ends a name: punctuation, a space, or words that start the next clause.
_ENDS = re.compile(r"$|\d|[\s,，。.、;；:：!！?？()（）\[\]【】<>《》\"“”'‘’…—~-]|今年|住|在|是|的|电话|手机|身份|联系|来电"
                   r"|反映|称|女|男|就|也|都|说|要|想|已|于|和|与|等|同志|啊|呀|吧|呢|嘛|哦|了|这|那|一|今|现|从|，"
                   r"|去年|上月|突然|一直|经常|多次|曾|被|把|给|对|不|没")
_NOT_GIVEN = frozenset("的了是在说我你他她们不有和就也都要这那个么吗呢吧啊哦嗯呀把被给让对从到向往跟与及或还又再才很太最更没别"
                       "去来上下里外前后今年月日号住电话手机身份证叫姓名某市区县镇村路街")


def mask_name_span(name: str) -> str:
    """A name as the staff lists show it: the surname, a star per other character (欧阳振华 → 欧***)."""
    return name[0] + "*" * (len(name) - 1)


def _name_at(text: str, at: int, strong: bool) -> tuple[int, int, str] | None:
    surname = surname_at(text, at)
    if not surname:
        return None
    given_at = at + surname
    for title in _TITLES:
        if text.startswith(title, given_at):
            return at, given_at + len(title), "*" * surname + title
    fits = [n for n in (2, 1) if len(text) >= given_at + n
            and all("\u4e00" <= c <= "\u9fff" and c not in _NOT_GIVEN for c in text[given_at:given_at + n])]
    for n in fits:
        if _ENDS.match(text, given_at + n):
            return at, given_at + n, mask_name_span(text[at:given_at + n])
    if strong and fits:
        return at, given_at + fits[0], mask_name_span(text[at:given_at + fits[0]])
    if (end := segmented_name_end(text, at)) is not None:
        return at, end, mask_name_span(text[at:end])
    return None


# Rare as surnames, so left out of hotline.surnames, yet real ones: taken only where jieba tags the word a name.
_GUARDED = frozenset("白于")
_PLACE_ENDS = frozenset("村镇乡路街巷湾组区县市井桥站厂店场园苑院楼栋")  # 刘家村 alone on a line is a place
_COMMON_WORD = 50  # jieba's dictionary count above which a word is a word (海涛 32, 志强 15; 敬礼 175, 谢谢 1089)


def segmented_name_end(text: str, at: int) -> int | None:
    """Where a name that starts at `at` ends, by jieba's word boundaries, when no punctuation or known word ends it
    (邻居罗大勇天天…, 老板郭建新拖欠…). The first word must be a name or a lone surname (高兴, 马上, 白天 are not),
    and the name is a surname and one or two more characters that end where a word ends."""
    import jieba  # loaded once per process, only when a phrase introduces a name the rules cannot end
    from jieba import posseg

    words = list(posseg.cut(text[at:at + 12]))
    if not words:
        return None
    first = words[0]
    surname = surname_at(text, at) or (1 if text[at] in _GUARDED and first.flag.startswith("nr") else 0)
    # jieba tags 谢谢, 敬礼, 张口 and 王府井 as names too; a name it only guessed is not in its dictionary
    if not surname or (len(first.word) > surname and jieba.dt.FREQ.get(first.word, 0) >= _COMMON_WORD):
        return None
    length = 0
    for word in words:
        fits = all("\u4e00" <= c <= "\u9fff" for c in word.word) and (
            length < surname or not any(c in _NOT_GIVEN for c in word.word))
        if not fits or length + len(word.word) > surname + 2 or (length > surname and len(word.word) > 1):
            break
        length += len(word.word)
    if not surname < length <= surname + 2 or text[at + length - 1] in _PLACE_ENDS:
        return None
    return at + length


# A letter's last lines: a name alone on its line, or after a dash, or before 敬上 (——许文斌 敬上, 孟繁星\n2024.5.6).
_SIGNATURE_LINE = re.compile(r"(?m)^[ \t]*(?:——|—|-{1,2})?[ \t]*(?=\S{2,4}[ \t]*(?:敬上|谨上|拜上|叩首)?[ \t]*$)")
# 我 straight before a name (我于明辉今天…, 我袁大海再说…): only where jieba's boundaries make it one.
_I_AND_NAME = re.compile(r"(?:^|(?<=[\s，,。！!？?]))[我俺](?=[\u4e00-\u9fff])")


def find_names(text: str) -> list[tuple[int, int, str]]:
    """(start, end, mask) of every name in `text`, each repetition of a found name included."""
    found = []
    for pattern in (_SIGNATURE_LINE, _I_AND_NAME):
        for cue in pattern.finditer(text):
            if cue.end() < len(text) and (end := segmented_name_end(text, cue.end())) is not None:
                found.append((cue.end(), end, mask_name_span(text[cue.end():end])))
    for pattern, strong in ((STRONG, True), (WEAK, False), (SIGNED, True), (THEIR_OWN, False)):
        for cue in pattern.finditer(text):
            if (span := _name_at(text, cue.end(), strong)) is not None:
                found.append(span)
    for cue in SURNAME_ONLY.finditer(text):
        if cue.end() < len(text) and text[cue.end()] in SINGLE:
            found.append((cue.end(), cue.end() + 1, "*"))
    found += _titled(text)
    names = {text[s:e] for s, e, m in found if "*" in m[1:] and e - s >= 2}
    for name in names:
        found += [(m.start(), m.end(), mask_name_span(name)) for m in re.finditer(re.escape(name), text)]
    return found


_TITLED = re.compile(r"(?:欧阳|司马|上官|诸葛|皇甫|[\u4e00-\u9fff])(?:先生|女士|小姐|某某)")


def _titled(text: str) -> list[tuple[int, int, str]]:
    """Surname + 先生/女士/小姐/某某 is a name wherever it stands: 来电人杨先生称 → 来电人*先生称."""
    spans = []
    for match in _TITLED.finditer(text):
        surname = surname_at(text, match.start())
        if surname and text[match.start() + surname:match.end()] in _TITLES:
            spans.append((match.start(), match.end(), "*" * surname + text[match.start() + surname:match.end()]))
    return spans


# A name standing alone just before a phone, ID or card number (胡建军 137…, 摊主 孙桂兰 手机：138…): how a caller
# signs a short message. The token must be a whole word between separators and wholly a surname + given name.
_BESIDE = re.compile(r"(?:^|(?<=[\s，,。：:—\-、（(；;]))([\u4e00-\u9fff]{2,4}?)[ \t]*"
                     r"(?:(?:联系|回访)?电话|手机号?|身份证号?码?|证件号码?)?[:：\s]*$")
_NOT_NAMES = frozenset(("本人", "联系", "号码", "方式", "电话", "手机", "微信", "同号", "回访", "来电", "主叫", "卡号", "账号",
                        "证号", "工单", "编号", "户号", "单号"))


def names_beside(text: str, number_starts: list[int]) -> list[tuple[int, int, str]]:
    spans = []
    for start in number_starts:
        window_at = max(0, start - 16)
        match = _BESIDE.search(text, window_at, start)
        if match is None or match.group(1) in _NOT_NAMES:
            continue
        span = _name_at(text, match.start(1), strong=True)
        if span is not None and span[1] == match.end(1):
            spans.append(span)
    return spans
