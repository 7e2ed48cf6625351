"""Secrets out of log lines: query codes, passwords, sign-in tokens, API keys and board passes.

Whoever reads the log must not be able to open a citizen's ticket or act as a member of staff. The call sites log
no secret (an SMS line says 「查询码 ********」; the SMS itself keeps the code), and every record is also scrubbed
as it is made (`hotline.privacy.install_log_masking`, in the same pass as the personal data), because a line that
quotes a URL (uvicorn's access log: `?api_key=`, `?pass=`), a header or a body would otherwise carry one in clear.
"""

from __future__ import annotations

import re

HIDDEN = "********"
_QUERY_CODE = re.compile(r"(查询码\s*[:：]?\s*)\d+")
_RULES: list[tuple[re.Pattern[str], str]] = [
    (_QUERY_CODE, rf"\g<1>{HIDDEN}"),
    (re.compile(r"(?i)(\bbearer\s+)[\w.~+/=-]+"), rf"\g<1>{HIDDEN}"),
    (re.compile(r"\beyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*"), HIDDEN),  # a JWT wherever it stands
    (re.compile(r"(?i)([?&;](?:api_key|pass|token|access_token|password|query_code)=)[^&\s\"'#]+"), rf"\g<1>{HIDDEN}"),
    (re.compile(r"""(?ix)(["']?\b(?:password|passwd|query_code|access_token|token|api_key|secret|pass)\b["']?
                          \s*[:=]\s*["']?)[^"'&\s,;}]+"""), rf"\g<1>{HIDDEN}"),
]


def scrub(text: str) -> str:
    """The text with every secret it quotes replaced by a placeholder; all else unchanged."""
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text


def sms_for_log(text: str) -> str:
    """An SMS as the log may show it: the query code blanked, the rest as sent."""
    return _QUERY_CODE.sub(rf"\g<1>{HIDDEN}", text)
