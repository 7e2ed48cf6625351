"""The GeoReport v2 shapes as the specification's own examples write them (open311.github.io, GeoReport_v2,
Service_Discovery, and FixMyStreet's servicerequestupdates), for tests that read answers like a client
written from the spec alone."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

# element names in the order of the spec's examples
SERVICE = ("service_code", "service_name", "description", "metadata", "type", "keywords", "group")
ATTRIBUTE = ("variable", "code", "datatype", "required", "datatype_description", "order", "description", "values")
VALUE = ("key", "name")
CREATED = ("service_request_id", "service_notice", "account_id")
TOKEN = ("service_request_id", "token")
REQUEST = ("service_request_id", "status", "status_notes", "service_name", "service_code", "description",
           "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
           "address", "address_id", "zipcode", "lat", "long", "media_url")
UPDATE = ("update_id", "service_request_id", "status", "updated_datetime", "description", "media_url")
ERROR = ("code", "description")
DISCOVERY = ("changeset", "contact", "key_service", "endpoints")
ENDPOINT = ("specification", "url", "changeset", "type", "formats")

# W3C-DTF with a zone, e.g. 2010-04-14T06:37:38-08:00 or ...Z
W3C = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$")
XML_TYPE = "text/xml; charset=utf-8"
JSON_TYPE = "application/json; charset=utf-8"


def parse_xml(body: bytes) -> ET.Element:
    """The declaration with its encoding comes first, as the spec requires; then the document."""
    first_line = body.split(b"\n", 1)[0]
    assert first_line.lower() == b'<?xml version="1.0" encoding="utf-8"?>', first_line
    return ET.fromstring(body)


def children(element: ET.Element) -> tuple[str, ...]:
    return tuple(child.tag for child in element)


def items(root: ET.Element, wrapper: str, item: str) -> list[ET.Element]:
    """An array in the spec's XML: a wrapper whose children all carry the item name."""
    assert root.tag == wrapper, root.tag
    assert all(child.tag == item for child in root), children(root)
    return list(root)


def flat(element: ET.Element) -> dict[str, str]:
    return {child.tag: (child.text or "") for child in element}


def assert_json_items(value: Any, keys: tuple[str, ...]) -> list[dict[str, Any]]:
    assert isinstance(value, list), value
    for entry in value:
        assert tuple(entry) == keys, tuple(entry)
    return value


def assert_errors_xml(body: bytes, code: int) -> str:
    errors = items(parse_xml(body), "errors", "error")
    assert errors and all(children(e) == ERROR for e in errors)
    assert errors[0].findtext("code") == str(code)
    return errors[0].findtext("description") or ""


def assert_errors_json(value: Any, code: int) -> str:
    errors = assert_json_items(value, ERROR)
    assert errors and errors[0]["code"] == code and isinstance(errors[0]["description"], str)
    return errors[0]["description"]
