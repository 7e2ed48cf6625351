"""Redaction on the outside helpers' tables (tests/redaction_cases.py, written first; tests/redaction_heldout.py,
written after the redaction by a helper who had seen neither the code nor the first table): old against new.

`.venv/bin/python -m web.bench.redaction` prints, for the masking on main before issue 18 (the log's and
Open311's mask_phones_in_text, and the board's stronger summarize), for jieba's person tags alone, and for
hotline.redaction: how many PERSONAL secrets were caught (none left in full, no run of more than 7 of its digits)
and how many KEEP must-stay parts were broken. Figures in docs/BENCHMARKS.md.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Callable

from hotline.redaction import redact
from tests import redaction_cases, redaction_heldout, redaction_heldout2
from tests.test_redaction import _surviving_digit_runs

# The masking as it was on main before issue 18, copied here so the comparison outlives it.
_OLD_PHONE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)|(?<!\d)(0\d{2,3})-?\d{3,4}(\d{4})(?!\d)")
_OLD_LONG_DIGITS = re.compile(r"(?<![\dA-Za-z])(\d{3})\d{4,}(\d{2}|\d[Xx])(?![\dA-Za-z])")
_OLD_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@([A-Za-z0-9-]+\.[A-Za-z0-9.-]+)")
_OLD_SELF_NAMED = re.compile(r"(我叫|姓名[:：]?|联系人[:：]?)\s*([\u4e00-\u9fa5]{2,3})")


def old_mask_phones_in_text(text: str) -> str:
    def mask(match: re.Match[str]) -> str:
        if match.group(1):
            return f"{match.group(1)}****{match.group(2)}"
        return f"{match.group(3)}-****{match.group(4)}"

    return _OLD_PHONE.sub(mask, text)


def old_summarize(text: str) -> str:
    """The board's masking, without the shortening (re.sub(r'\\s+', ' ') first, as it did)."""
    text = old_mask_phones_in_text(re.sub(r"\s+", " ", text).strip())
    text = _OLD_LONG_DIGITS.sub(lambda m: m.group(1) + "****" + m.group(2)[-1], text)
    text = _OLD_EMAIL.sub(lambda m: "***@" + m.group(1), text)
    return _OLD_SELF_NAMED.sub(lambda m: m.group(1) + m.group(2)[0] + "*" * (len(m.group(2)) - 1), text)


def jieba_names_only(text: str) -> str:
    """jieba.posseg's person tags (nr) masked, nothing else: what the tagger alone would find."""
    import jieba.posseg

    return "".join("*" * len(word) if flag == "nr" else word for word, flag in jieba.posseg.cut(text))


def _is_name(secret: str) -> bool:
    return not re.search(r"[\d@零〇一二三四五六七八九]", unicodedata.normalize("NFKC", secret))


def _caught(redacted: str, secret: str) -> bool:
    return secret not in redacted and not _surviving_digit_runs(secret, redacted)


def measure(redactor: Callable[[str], str], only_names: bool = False,
            table=redaction_cases) -> tuple[int, int, int, int, float]:
    caught = total = broken = parts = 0
    started = time.perf_counter()
    for text, secrets in table.PERSONAL:
        redacted = redactor(text)
        for secret in secrets:
            if only_names and not _is_name(secret):
                continue
            total += 1
            caught += _caught(redacted, secret)
    for text, must_stay in table.KEEP:
        redacted = redactor(text)
        parts += len(must_stay)
        broken += sum(part not in redacted for part in must_stay)
    texts = len(table.PERSONAL) + len(table.KEEP)
    return caught, total, broken, parts, (time.perf_counter() - started) / texts * 1e6


def main() -> None:
    rows = [("main: auditor's ticket view (content shown as written)", lambda text: text, False),
            ("main: mask_phones_in_text (log, Open311)", old_mask_phones_in_text, False),
            ("main: summarize (board, wall)", old_summarize, False),
            ("jieba.posseg nr alone (names only; µs include loading)", jieba_names_only, True),
            ("hotline.redaction.redact", lambda text: redact(text) or "", False)]
    for title, table in (("the table written first, which the redaction was built against", redaction_cases),
                         ("the held-out table, written by another outside helper after it was built", redaction_heldout),
                         ("the second held-out table, written after the changes the first one prompted",
                          redaction_heldout2)):
        print(f"\n{title}: {len(table.PERSONAL)} PERSONAL texts, {len(table.KEEP)} KEEP texts")
        print(f"{'redactor':58} {'secrets caught':>16} {'KEEP parts broken':>18} {'µs/text':>8}")
        for name, redactor, only_names in rows:
            caught, total, broken, parts, micros = measure(redactor, only_names, table)
            print(f"{name:58} {caught:>4}/{total:<4} {caught / total:6.1%} {broken:>4}/{parts:<4}"
                  f" {broken / parts:6.1%} {micros:8.0f}")
    versions = ("model 20261203T051212123456Z promoted", "模型 20261203-0512", "APP v2024.12.01", "工单2026120300017")
    for name, redactor in (("main: log masker", old_mask_phones_in_text), ("hotline.redaction", redact)):
        changed = [v for v in versions if redactor(v) != v]
        print(f"{name}: {len(changed)} of {len(versions)} version strings and ticket numbers changed {changed}")


if __name__ == "__main__":
    main()
