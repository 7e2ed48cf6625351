"""Cleaning of free text people type: keep Chinese, full-width forms and emoji; drop invisible junk.

Bidirectional controls go too (embeddings and overrides U+202A-U+202E, isolates U+2066-U+2069, the marks
U+200E/U+200F): Chinese and the digits and Latin letters people mix into it never need them, and an override (欧阳,
U+202E, 国建) puts a different name on screen and hides what a text really says.
"""

from __future__ import annotations

import re
import unicodedata

_INVISIBLE = re.compile(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b-\u200f\u2028\u2029\u202a-\u202e"
                        r"\u2066-\u2069\ufeff]")


def clean(value: str) -> str:
    """NFC-normalise, drop control, zero-width and bidi characters, trim ASCII and full-width spaces."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFC", value))
    return text.strip(" \t\r\n\u3000")


def required(value: str, label: str) -> str:
    text = clean(value)
    if not text:
        raise ValueError(f"{label}不能为空，请填写具体内容")
    return text


def optional(value: str | None) -> str | None:
    if value is None:
        return None
    return clean(value) or None
