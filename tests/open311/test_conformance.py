"""Conformance over real HTTP: a GeoReport v2 client written from the specification alone, against the
running server. It finds the endpoint through discovery, reads XML by the spec's element names and array
wrappers, reads JSON by the Spark convention the spec uses, and checks both carry the same answer."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest
from rq import SimpleWorker

from hotline.jobs import get_queue
from tests.fixtures import CALL
from tests.open311 import spec

# the spec's arrays: wrapper element → item element
ARRAYS = {"services": "service", "service_requests": "request", "attributes": "attribute", "values": "value",
          "errors": "error", "endpoints": "endpoint", "formats": "format",
          "service_request_updates": "request_update"}
GEOREPORT_V2 = "http://wiki.open311.org/GeoReport_v2"


def from_xml(element: ET.Element) -> Any:
    """XML → the Spark-convention value: wrappers become arrays, leaves become text."""
    if element.tag in ARRAYS:
        assert all(child.tag == ARRAYS[element.tag] for child in element), [c.tag for c in element]
        return [from_xml(child) for child in element]
    if len(element):
        return {child.tag: from_xml(child) for child in element}
    return element.text or ""


def as_text(value: Any) -> Any:
    """JSON scalars as XML would carry them, to compare the two formats."""
    if isinstance(value, dict):
        return {key: as_text(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_text(item) for item in value]
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class SpecClient:
    """Only what the spec says: discovery, then /resource.format, form-encoded POSTs, errors as arrays."""

    def __init__(self, discovery_url: str) -> None:
        self.http = httpx.Client(timeout=30)
        document = self._xml(self.http.get(discovery_url), 200)
        assert document.tag == "discovery"
        discovery = from_xml(document)
        (endpoint,) = [e for e in discovery["endpoints"] if e["specification"] == GEOREPORT_V2]
        assert {"text/xml", "application/json"} <= set(endpoint["formats"])
        assert discovery == as_text(self.http.get(discovery_url.replace(".xml", ".json")).json())
        self.url = urljoin(discovery_url, endpoint["url"])  # relative unless OPEN311_BASE_URL is set

    @staticmethod
    def _xml(response: httpx.Response, status: int) -> ET.Element:
        assert response.status_code == status, response.text
        assert response.headers["content-type"] == spec.XML_TYPE
        return spec.parse_xml(response.content)

    @staticmethod
    def _json(response: httpx.Response, status: int) -> Any:
        assert response.status_code == status, response.text
        assert response.headers["content-type"] == spec.JSON_TYPE
        return response.json()

    def both(self, method: str, resource: str, status: int = 200, **kwargs: Any) -> tuple[ET.Element, Any]:
        """The XML root and the JSON value of one resource; for GETs they must say the same thing."""
        root = self._xml(self.http.request(method, f"{self.url}/{resource}.xml", **kwargs), status)
        value = self._json(self.http.request(method, f"{self.url}/{resource}.json", **kwargs), status)
        if method == "GET":
            assert from_xml(root) == as_text(value)
        return root, value


@pytest.fixture
def georeport(live_server) -> SpecClient:
    return SpecClient(f"{live_server}/open311/discovery.xml")


@pytest.fixture
def live_key(live_server) -> str:
    with httpx.Client(base_url=live_server) as http:
        token = http.post("/api/auth/login", json={"username": "admin", "password": "demo12345"}).json()
        response = http.post("/api/admin/open311/keys", json={"name": "conformance"},
                             headers={"Authorization": f"Bearer {token['access_token']}"})
        assert response.status_code == 201
        return response.json()["api_key"]


def _report(key: str, **fields: str) -> dict[str, str]:
    return {"api_key": key, "service_code": "0303", "address_string": "城关街道人民路12号",
            "description": "夜里十一点还在施工，电钻声很吵", "phone": "13912345678",
            "attribute[time_of_day]": "night", **fields}


def test_a_spec_only_client_walks_every_method(georeport, live_key, live_server):
    root, services = georeport.both("GET", "services")
    assert root.tag == "services" and all(tuple(s) == spec.SERVICE for s in services)
    with_metadata = [s for s in services if s["metadata"] is True]
    assert with_metadata and all(s["type"] == "realtime" for s in services)

    noise = next(s for s in with_metadata if s["service_code"] == "0303")
    root, definition = georeport.both("GET", f"services/{noise['service_code']}")
    assert root.tag == "service_definition" and tuple(definition) == ("service_code", "attributes")
    (attribute,) = definition["attributes"]
    assert tuple(attribute) == spec.ATTRIBUTE and attribute["required"] is True
    night = next(v["key"] for v in attribute["values"] if "夜间" in v["name"])

    root, created_xml = georeport.both("POST", "requests", data=_report(live_key))
    (created,) = from_xml(root)
    assert tuple(created) == spec.CREATED and created["account_id"] == ""
    (created_json,) = created_xml
    assert tuple(created_json) == spec.CREATED and created_json["account_id"] is None
    numbers = [created["service_request_id"], created_json["service_request_id"]]
    assert night == "night"

    root, listed = georeport.both("GET", "requests", params={"service_request_id": ",".join(numbers)})
    assert root.tag == "service_requests"
    assert [r["service_request_id"] for r in listed] == numbers
    for request in listed:
        assert tuple(request) == spec.REQUEST and request["status"] in ("open", "closed")
        assert spec.W3C.match(request["requested_datetime"]) and spec.W3C.match(request["updated_datetime"])
        assert request["service_code"] == "0303" and "【噪声时段】" in request["description"]

    root, one = georeport.both("GET", f"requests/{numbers[0]}")
    assert root.tag == "service_requests" and len(one) == 1 and one[0]["service_request_id"] == numbers[0]

    root, updates = georeport.both("GET", "servicerequestupdates")
    assert root.tag == "service_request_updates" and updates
    assert all(tuple(u) == spec.UPDATE and spec.W3C.match(u["updated_datetime"]) for u in updates)
    assert {u["service_request_id"] for u in updates} >= set(numbers)

    georeport.both("GET", "requests", params={"start_date": "2010-05-24T00:00:00Z",
                                              "end_date": "2010-06-24T00:00:00Z", "status": "open"})


def test_a_spec_only_client_reads_every_error_as_an_array(georeport, live_key):
    cases = [
        ("POST", "requests", 403, {"data": _report("")}),
        ("POST", "requests", 403, {"data": _report("xyz")}),
        ("POST", "requests", 404, {"data": _report(live_key, service_code="001")}),
        ("POST", "requests", 400, {"data": _report(live_key, address_string="")}),
        ("POST", "requests", 400, {"data": {k: v for k, v in _report(live_key).items() if "attribute" not in k}}),
        ("GET", "services/001", 404, {}),
        ("GET", "requests/2000010199999", 404, {}),
        ("GET", "tokens/12345", 404, {}),
        ("GET", "requests", 400, {"params": {"start_date": "2010-01-01T00:00:00Z", "end_date": "2011-01-01T00:00:00Z"}}),
        ("GET", "requests", 400, {"params": {"status": "fixed"}}),
    ]
    for method, resource, status, kwargs in cases:
        root, value = georeport.both(method, resource, status, **kwargs)
        errors = from_xml(root)
        assert root.tag == "errors" and [tuple(e) for e in errors] == [spec.ERROR]
        assert errors[0]["code"] == str(status) and errors[0]["description"]
        assert [tuple(e) for e in value] == [spec.ERROR] and value[0]["code"] == status


def test_a_spec_only_client_follows_a_batch_token(georeport, live_key, environ):
    environ(OPEN311_SERVICE_TYPE="batch")
    _, services = georeport.both("GET", "services")
    assert {s["type"] for s in services} == {"batch"}
    root, _ = georeport.both("POST", "requests", data=_report(live_key))
    ((created),) = from_xml(root)
    assert tuple(created) == ("token", "service_notice", "account_id")
    root, pending = georeport.both("GET", f"tokens/{created['token']}")
    assert root.tag == "service_requests" and tuple(pending[0]) == spec.TOKEN
    assert pending[0]["service_request_id"] is None
    queue = get_queue()
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    _, resolved = georeport.both("GET", f"tokens/{created['token']}")
    number = resolved[0]["service_request_id"]
    _, (request,) = georeport.both("GET", f"requests/{number}")
    assert request["service_code"] == "0303"


def test_calls_are_listed_without_their_callers(georeport, live_server):
    with httpx.Client(base_url=live_server) as http:
        token = http.post("/api/auth/login", json={"username": "operator1", "password": "demo12345"}).json()
        receipt = http.post("/api/tickets", json=CALL, headers={"Authorization": f"Bearer {token['access_token']}"})
        assert receipt.status_code == 201, (token, receipt.text)
        number = receipt.json()["number"]
    _, (request,) = georeport.both("GET", f"requests/{number}")
    raw = georeport.http.get(f"{georeport.url}/requests/{number}.xml").text
    for secret in (CALL["caller_name"], CALL["caller_phone"], receipt.json()["query_code"], CALL["address"]):
        assert secret not in raw and secret not in str(request)
