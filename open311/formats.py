"""XML and JSON answers in the GeoReport v2 shapes, and the spec's error array.

One neutral value (dicts, lists, scalars) is written both ways: XML with a wrapper element around each
list and a fixed name for its items, JSON as the same value (the Spark convention the spec uses), so the
two formats can never drift apart.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import datetime
from typing import Any

from litestar import Response

from hotline.settings import TIME_ZONE

XML = "xml"
JSON = "json"
FORMATS = (XML, JSON)
MEDIA_TYPES = {XML: "text/xml", JSON: "application/json; charset=utf-8"}  # Litestar adds the charset to text/*

# a list under this key is written as <key><item/>...</key>
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "service_request_updates": "request_update",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # characters XML 1.0 cannot carry


class Open311Error(Exception):
    """Answered as the spec's error array; the HTTP status is 400, 403, 404 (or 429 for the rate limit)."""

    status_code = 400  # read by Litestar's exception logging: a client's mistake needs no stack trace

    def __init__(self, status: int, description: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.headers = headers or {}


def w3c(moment: datetime | None) -> str | None:
    """W3C-DTF with the county's offset, e.g. 2026-11-24T09:30:00+08:00 (the spec requires a zone)."""
    if moment is None:
        return None
    return moment.astimezone(TIME_ZONE).isoformat(timespec="seconds")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child)
    elif isinstance(value, list):
        item_name = ITEM_NAMES[element.tag]
        for item in value:
            _fill(ET.SubElement(element, item_name), item)
    else:
        element.text = _text(value)


def to_xml(root: str, value: Any) -> bytes:
    """UTF-8 with the XML declaration first, as the spec asks; ElementTree escapes every text node."""
    element = ET.Element(root)
    _fill(element, value)
    ET.indent(element, space="  ")
    body = ET.tostring(element, encoding="unicode", short_empty_elements=True)
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body).encode("utf-8")


def to_json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def render(fmt: str, root: str, value: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """`root` names the XML document element; JSON has no root (an array or an object, as in the spec)."""
    content = to_xml(root, value) if fmt == XML else to_json(value)
    return Response(content=content, status_code=status, media_type=MEDIA_TYPES[fmt], headers=headers)


def error_response(fmt: str, errors: list[tuple[int, str]], status: int,
                   headers: dict[str, str] | None = None) -> Response:
    value = [{"code": code, "description": description} for code, description in errors]
    return render(fmt if fmt in FORMATS else XML, "errors", value, status=status, headers=headers)


def split_format(name: str) -> tuple[str, str]:
    """'0201.json' → ('0201', 'json'); the format is part of every GeoReport resource name."""
    stem, dot, fmt = name.rpartition(".")
    if not dot or fmt.lower() not in FORMATS or not stem:
        raise Open311Error(400, f"无效的请求地址：资源名须以 .xml 或 .json 结尾（收到「{name}」）")
    return stem, fmt.lower()
