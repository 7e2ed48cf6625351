"""The one redaction of free text for every reader that must not see personal data.

The auditor's ticket view, the board and wall devices, keyless Open311 reads, import reports and the log all
call `redact`. It finds, in what citizens and clerks really write:
- phones: mobiles with any separators (dash, space, dot, 、), +86 / 0086 / (+86), full-width digits and Chinese
  numerals; landlines with an area code, bracketed or not; a bare 7-8 digit number right after 电话/座机;
- ID card numbers (18 and old 15 digits, also spaced), bank cards (16-19 digits, Luhn or after 卡号/账号), e-mails
  (also with ＠), QQ numbers after "QQ";
- names (`hotline.name_finder`), and the ticket's own caller name and phone when given.

Numbers are found as digit groups split by separators, and the longest run of groups that forms a phone, ID or
card is masked, so "电话13912345678 3次" and "0851-85561234-802" still mask. A group touching an ASCII letter is
part of a code (a model version 20261203T051212Z, v2024.12.01, KFR-35GW) and is left alone. Masks keep a prefix
and suffix the staff can match on the phone (139****5678, 0737-****1234, 430****4), never more than 4 digits in a row.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from hotline.name_finder import find_names, mask_name_span, names_beside

_NUMERALS = str.maketrans("零〇一二三四五六七八九幺", "001234567891")
_SEP = r"[ \t\u00a0.\-、·–—]{1,3}"
_RUN = re.compile(rf"(?:\(\+?\d{{2,4}}\)(?:{_SEP})?|\+)?\d+(?:{_SEP}\d+)*(?:[Xx](?![A-Za-z]))?")
_GROUP = re.compile(r"\d+[Xx]?")
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@([A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+)")
_LETTER_WORDS = frozenset({"tel", "tele", "phone", "mobile", "mob", "cell", "qq", "wx", "vx", "no", "id"})
_PHONE_CUE = re.compile(r"(?:电话|座机|固话|宅电|传真|tel|phone)(?:号码|号)?[是为:：\s]{0,3}$", re.IGNORECASE)
_QQ_CUE = re.compile(r"(?:qq|QQ|扣扣)(?:号码|号)?[是为:：\s]{0,3}$")
_CARD_CUE = re.compile(r"(?:卡|账号|帐号|账户|帐户)")


def _fold(text: str) -> str:
    """Full-width forms to ASCII one character at a time, so that every offset stays the original's."""
    out = []
    for char in text:
        folded = unicodedata.normalize("NFKC", char) if ord(char) > 0x7F else char
        out.append(folded if len(folded) == 1 else char)
    return "".join(out)


def _valid_date(month: str, day: str) -> bool:
    return 1 <= int(month) <= 12 and 1 <= int(day) <= 31


def _is_id(digits: str) -> bool:
    if len(digits) == 18 and digits[:17].isdigit() and digits[0] in "12345678" and digits[6:8] in ("18", "19", "20"):
        return _valid_date(digits[10:12], digits[12:14])
    if len(digits) == 15 and digits.isdigit() and digits[0] in "12345678":
        return _valid_date(digits[8:10], digits[10:12])
    return False


def _luhn(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _mobile(digits: str) -> str | None:
    for prefix in ("0086", "86", ""):
        rest = digits[len(prefix):]
        if digits.startswith(prefix) and len(rest) == 11 and rest.isdigit() and rest[0] == "1" and rest[1] in "3456789":
            return rest
    return None


def _mask_digits(digits: str, before: str) -> str | None:
    """The mask for a run of digits, or None when it is no personal number."""
    if _is_id(digits):
        return f"{digits[:3]}****{digits[-1]}"
    if 16 <= len(digits) <= 19 and digits.isdigit() and digits[0] in "3456" and (
            _luhn(digits) or _CARD_CUE.search(before[-12:])):
        return f"{digits[:4]}****{digits[-4:]}"
    if (mobile := _mobile(digits)) is not None:
        return f"{mobile[:3]}****{mobile[-4:]}"
    if digits.isdigit() and len(digits) in (11, 12) and digits[0] == "0" and digits[1] != "0":
        area = 3 if digits[1] in "12" else 4
        if digits[area] != "0":
            return f"{digits[:area]}-****{digits[-4:]}"
    if digits.isdigit() and len(digits) in (7, 8) and digits[0] != "0" and _PHONE_CUE.search(before):
        return f"****{digits[-4:]}"
    if digits.isdigit() and 5 <= len(digits) <= 11 and _QQ_CUE.search(before):
        return f"{digits[:2]}****"
    return None


def _touches_letter(text: str, start: int, end: int) -> bool:
    """A number glued to ASCII letters is part of a code (a version, a model, a plate), unless the word is 'tel'."""
    if end < len(text) and text[end].isascii() and text[end].isalpha():
        return True
    if start > 0 and text[start - 1].isascii() and text[start - 1].isalpha():
        word = re.search(r"[A-Za-z]+$", text[max(0, start - 8):start])
        return word is None or word.group().lower() not in _LETTER_WORDS
    return False


def _number_spans(folded: str) -> list[tuple[int, int, str]]:
    spans = []
    for run in _RUN.finditer(folded):
        groups = [(run.start() + g.start(), run.start() + g.end(), g.group()) for g in _GROUP.finditer(run.group())]
        i = 0
        while i < len(groups):
            for j in range(len(groups), i, -1):
                start, end = groups[i][0], groups[j - 1][1]
                if _touches_letter(folded, start, end):
                    continue
                mask = _mask_digits("".join(g[2] for g in groups[i:j]).upper(), folded[max(0, start - 16):start])
                if mask is not None:
                    if i == 0:
                        start = run.start()  # with its (+86) or + prefix
                        prefix = re.search(r"(?:\+?(?:0086|86)|\(\+?86\))[ \-]{0,2}$", folded[max(0, start - 8):start])
                        if prefix and mask[:1] == "1":
                            start -= len(prefix.group())
                    spans.append((start, end, mask))
                    i = j
                    break
            else:
                i += 1
    return spans


def _known_spans(text: str, folded: str, names: Iterable[str], phones: Iterable[str]) -> list[tuple[int, int, str]]:
    """The ticket's own caller, wherever the text repeats them (a landline also by its local number)."""
    spans = []
    for name in names:
        if name and len(name) >= 2:
            spans += [(m.start(), m.end(), mask_name_span(name)) for m in re.finditer(re.escape(name), text)]
    for phone in phones:
        digits = re.sub(r"\D", "", phone or "")
        for needle in {digits, digits[-8:] if digits.startswith("0") and len(digits) >= 11 else digits}:
            if len(needle) >= 7:
                spans += [(m.start(), m.end(), f"****{needle[-4:]}")
                          for m in re.finditer(rf"(?<!\d){re.escape(needle)}(?!\d)", folded)]
    return spans


def _apply(text: str, spans: list[tuple[int, int, str]]) -> str:
    out, at = [], 0
    for start, end, mask in sorted(spans, key=lambda s: (s[0], -s[1])):
        if start < at:  # inside a span already masked
            continue
        out += [text[at:start], mask]
        at = end
    out.append(text[at:])
    return "".join(out)


def redact(text: str | None, *, names: Iterable[str | None] = (), phones: Iterable[str | None] = ()) -> str | None:
    """`text` with every personal detail masked; `names` and `phones` are the ticket's own caller's, if known."""
    if not text:
        return text
    folded = _fold(text)
    spans = [(m.start(), m.end(), "***@" + m.group(1)) for m in _EMAIL.finditer(folded)]
    without_mail = _apply(folded, [(s, e, " " * (e - s)) for s, e, _ in spans])
    numbers = _number_spans(without_mail.translate(_NUMERALS))
    spans += numbers + names_beside(folded, [start for start, _, _ in numbers])
    spans += _known_spans(text, folded, [n for n in names if n], [p for p in phones if p])
    spans += find_names(folded)
    return _apply(text, spans)


def stated_names(text: str | None) -> list[str]:
    """The names a text introduces (我叫欧阳建国): a ticket's reply and notes that repeat them bare are masked too."""
    if not text:
        return []
    folded = _fold(text)
    return sorted({folded[s:e] for s, e, mask in find_names(folded) if e - s >= 2 and "*" in mask[1:]})


def redact_data(value: object, **known: Iterable[str | None]) -> object:
    """Every string inside an event's data (replies, messages, comments) redacted; numbers and flags kept."""
    if isinstance(value, str):
        return redact(value, **known)
    if isinstance(value, list):
        return [redact_data(item, **known) for item in value]
    if isinstance(value, dict):
        return {key: redact_data(item, **known) for key, item in value.items()}
    return value
