"""The writers: one value, two formats; everything escaped, UTF-8, datetimes with the county's offset."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest

from open311.formats import Open311Error, split_format, to_json, to_xml, w3c

pytestmark = pytest.mark.pure


def test_text_is_escaped_and_characters_xml_cannot_carry_are_dropped():
    value = [{"description": "<b>路灯</b> & \"灯杆\" ]]> \x00\x0b end", "lat": 28.2, "metadata": True, "group": None}]
    body = to_xml("services", value)
    assert body.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n<services>')
    service = ET.fromstring(body).find("service")
    assert service.findtext("description") == "<b>路灯</b> & \"灯杆\" ]]>  end"
    assert (service.findtext("lat"), service.findtext("metadata"), service.findtext("group")) == ("28.2", "true", "")
    assert "路灯".encode() in body  # UTF-8, not character references


def test_json_is_the_same_value_in_utf8():
    value = [{"service_name": "噪声扰民", "metadata": False, "lat": None}]
    body = to_json(value)
    assert "噪声扰民".encode() in body and json.loads(body) == value


def test_nested_lists_get_their_item_names():
    body = to_xml("discovery", {"endpoints": [{"formats": ["text/xml", "application/json"]}]})
    root = ET.fromstring(body)
    assert [f.text for f in root.findall("./endpoints/endpoint/formats/format")] == ["text/xml", "application/json"]


def test_w3c_datetimes_carry_the_offset():
    assert w3c(datetime(2026, 11, 24, 1, 2, 3, 456, tzinfo=UTC)) == "2026-11-24T09:02:03+08:00"
    assert w3c(None) is None


@pytest.mark.parametrize(("name", "expected"), [("0201.json", ("0201", "json")), ("2026112400001.XML",
                                                                                     ("2026112400001", "xml"))])
def test_resource_names_carry_their_format(name, expected):
    assert split_format(name) == expected


@pytest.mark.parametrize("name", ["0201", "0201.html", ".json"])
def test_a_resource_name_without_a_format_is_refused(name):
    with pytest.raises(Open311Error) as refused:
        split_format(name)
    assert refused.value.status == 400
