"""GeoReport services from our category tree, and the few service definitions that need extra attributes.

A service_code is a leaf code of classifier.taxonomy (stable by rule); its group is the group's name and its
keywords come from the leaf's description. Only categories where a handler really needs a fact the citizen
knows and rarely writes down get a definition; the list is kept small on purpose.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from classifier.taxonomy import LEAVES, Leaf, leaf
from hotline.vocabulary import TicketType
from open311.formats import Open311Error

CHANGESET = "2026-11-24 12:00"  # bump when services or definitions change: clients refresh their caches


@dataclass(frozen=True)
class Attribute:
    code: str
    datatype: str  # string, number, datetime, text, singlevaluelist, multivaluelist
    required: bool
    order: int
    description: str
    label: str  # how the value is written into the ticket for the handler
    datatype_description: str | None = None
    values: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # (key, name)


_HOUSEHOLDS = Attribute(
    code="affected_households", datatype="number", required=False, order=1,
    description="大约有多少户受影响？（停水、停电时请填写，便于判断是否按抢修处理）",
    datatype_description="整数，例如 30", label="受影响户数")

DEFINITIONS: dict[str, tuple[Attribute, ...]] = {
    "0201": (_HOUSEHOLDS,),  # 供水
    "0202": (_HOUSEHOLDS,),  # 供电
    "0303": (Attribute(  # 噪声扰民: night-time noise is judged by stricter rules
        code="time_of_day", datatype="singlevaluelist", required=True, order=1,
        description="噪声主要出现在什么时段？", label="噪声时段",
        values=(("day", "白天（6:00–22:00）"), ("night", "夜间（22:00–次日6:00）"), ("all_day", "全天"))),),
}

# a GeoReport request reads as a request for help, except where the category says otherwise
_TYPES = {"1603": TicketType.PRAISE, "1602": TicketType.CONSULTATION}


def ticket_type(code: str) -> TicketType:
    return _TYPES.get(code, TicketType.HELP)


def keywords(item: Leaf) -> str:
    words = [w for w in re.split(r"[、，,\s]+", item.description) if w]
    return ", ".join(dict.fromkeys([item.name, *words, item.group]))


def service(item: Leaf, service_type: str) -> dict[str, Any]:
    return {
        "service_code": item.code,
        "service_name": item.name,
        "description": item.description,
        "metadata": item.code in DEFINITIONS,
        "type": service_type,
        "keywords": keywords(item),
        "group": item.group,
    }


def service_list(service_type: str) -> list[dict[str, Any]]:
    return [service(item, service_type) for item in LEAVES]


def find(code: str | None) -> Leaf:
    if not code:
        raise Open311Error(400, "缺少 service_code")
    try:
        return leaf(code)
    except KeyError:
        raise Open311Error(404, f"service_code「{code}」不存在，请先查询服务列表") from None


def definition(code: str) -> dict[str, Any]:
    """Every service has a definition; one without extra fields has an empty attribute list."""
    item = find(code)
    return {
        "service_code": item.code,
        "attributes": [
            {
                "variable": True,
                "code": a.code,
                "datatype": a.datatype,
                "required": a.required,
                "datatype_description": a.datatype_description,
                "order": a.order,
                "description": a.description,
                "values": [{"key": k, "name": n} for k, n in a.values],
            }
            for a in DEFINITIONS.get(item.code, ())
        ],
    }


def _number(attribute: Attribute, raw: str) -> str:
    try:
        value = float(raw)
    except ValueError:
        raise Open311Error(400, f"attribute[{attribute.code}] 应为数字（收到「{raw}」）") from None
    if not math.isfinite(value) or value < 0:
        raise Open311Error(400, f"attribute[{attribute.code}] 应为不小于 0 的数字") from None
    return str(int(value)) if value.is_integer() else str(value)


def _checked(attribute: Attribute, values: list[str]) -> str | list[str]:
    keys = {k for k, _ in attribute.values}
    if attribute.datatype in ("singlevaluelist", "multivaluelist"):
        unknown = [v for v in values if v not in keys]
        if unknown or (attribute.datatype == "singlevaluelist" and len(values) > 1):
            allowed = "、".join(sorted(keys))
            raise Open311Error(400, f"attribute[{attribute.code}] 的取值须为 {allowed} 之一（收到「{'、'.join(values)}」）")
        return values if attribute.datatype == "multivaluelist" else values[0]
    if attribute.datatype == "number":
        return _number(attribute, values[-1])
    return values[-1][:500]


def check_attributes(code: str, given: dict[str, list[str]]) -> dict[str, Any]:
    """Required ones present, values of the right kind; attributes we do not define are ignored, as
    clients such as FixMyStreet send their own bookkeeping there."""
    checked: dict[str, Any] = {}
    for attribute in DEFINITIONS.get(code, ()):
        values = [v.strip() for v in given.get(attribute.code, []) if v.strip()]
        if not values:
            if attribute.required:
                raise Open311Error(400, f"缺少必填属性 attribute[{attribute.code}]：{attribute.description}")
            continue
        checked[attribute.code] = _checked(attribute, values)
    return checked


def describe_attributes(code: str, checked: dict[str, Any]) -> list[str]:
    """The attribute values as lines a handler reads, e.g. 【噪声时段】夜间（22:00–次日6:00）."""
    lines = []
    for attribute in DEFINITIONS.get(code, ()):
        if attribute.code not in checked:
            continue
        names = dict(attribute.values)
        value = checked[attribute.code]
        shown = "、".join(names.get(v, v) for v in value) if isinstance(value, list) else names.get(value, value)
        lines.append(f"【{attribute.label}】{shown}")
    return lines
