"""Discovery, the service list and service definitions, in both formats, walked as the spec's examples."""

from __future__ import annotations

from classifier.taxonomy import GROUPS, LEAVES
from tests.open311 import spec


def test_discovery_xml_has_every_field_of_the_spec(client):
    response = client.get("/open311/discovery.xml")
    assert response.status_code == 200 and response.headers["content-type"] == spec.XML_TYPE
    root = spec.parse_xml(response.content)
    assert root.tag == "discovery" and spec.children(root) == spec.DISCOVERY
    endpoints = spec.items(root.find("endpoints"), "endpoints", "endpoint")
    assert len(endpoints) == 1 and spec.children(endpoints[0]) == spec.ENDPOINT
    endpoint = endpoints[0]
    assert endpoint.findtext("specification") == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint.findtext("url").endswith("/open311/v2")
    assert endpoint.findtext("type") == "production"
    formats = spec.items(endpoint.find("formats"), "formats", "format")
    assert [f.text for f in formats] == ["text/xml", "application/json"]


def test_discovery_json_mirrors_the_xml(client, environ):
    environ(OPEN311_BASE_URL="https://12345.example.gov.cn/")
    response = client.get("/open311/discovery.json")
    assert response.headers["content-type"] == spec.JSON_TYPE
    body = response.json()
    assert tuple(body) == spec.DISCOVERY
    assert [tuple(e) for e in body["endpoints"]] == [spec.ENDPOINT]
    assert body["endpoints"][0]["url"] == "https://12345.example.gov.cn/open311/v2"
    assert body["endpoints"][0]["formats"] == ["text/xml", "application/json"]
    assert body["changeset"] == body["endpoints"][0]["changeset"]


def test_service_list_is_our_category_tree(client):
    body = client.get("/open311/v2/services.json").json()
    services = spec.assert_json_items(body, spec.SERVICE)
    assert [s["service_code"] for s in services] == [leaf.code for leaf in LEAVES]
    streetlight = next(s for s in services if s["service_code"] == "0107")
    assert streetlight == {
        "service_code": "0107", "service_name": "路灯照明", "description": "路灯不亮、路灯损坏、照明设施缺失",
        "metadata": False, "type": "realtime", "keywords": "路灯照明, 路灯不亮, 路灯损坏, 照明设施缺失, 城乡建设",
        "group": "城乡建设",
    }
    assert {s["group"] for s in services} == set(GROUPS.values())
    assert {s["service_code"] for s in services if s["metadata"]} == {"0201", "0202", "0303"}


def test_service_list_xml(client):
    response = client.get("/open311/v2/services.xml")
    services = spec.items(spec.parse_xml(response.content), "services", "service")
    assert len(services) == len(LEAVES)
    assert all(spec.children(s) == spec.SERVICE for s in services)
    water = next(spec.flat(s) for s in services if s.findtext("service_code") == "0201")
    assert water["metadata"] == "true" and water["type"] == "realtime" and water["group"] == "公用事业"


def test_definition_of_a_list_attribute_xml(client):
    response = client.get("/open311/v2/services/0303.xml")
    root = spec.parse_xml(response.content)
    assert root.tag == "service_definition" and spec.children(root) == ("service_code", "attributes")
    assert root.findtext("service_code") == "0303"
    (attribute,) = spec.items(root.find("attributes"), "attributes", "attribute")
    assert spec.children(attribute) == spec.ATTRIBUTE
    assert attribute.findtext("variable") == "true" and attribute.findtext("required") == "true"
    assert attribute.findtext("code") == "time_of_day" and attribute.findtext("datatype") == "singlevaluelist"
    assert attribute.findtext("order") == "1" and attribute.findtext("datatype_description") == ""
    values = spec.items(attribute.find("values"), "values", "value")
    assert [(v.findtext("key"), spec.children(v)) for v in values] == [
        ("day", spec.VALUE), ("night", spec.VALUE), ("all_day", spec.VALUE)]


def test_definition_of_a_number_attribute_json(client):
    body = client.get("/open311/v2/services/0201.json").json()
    assert tuple(body) == ("service_code", "attributes") and body["service_code"] == "0201"
    (attribute,) = body["attributes"]
    assert tuple(attribute) == spec.ATTRIBUTE
    assert attribute["code"] == "affected_households" and attribute["datatype"] == "number"
    assert attribute["required"] is False and attribute["variable"] is True and attribute["order"] == 1
    assert attribute["values"] == []


def test_a_service_without_metadata_has_an_empty_definition(client):
    assert client.get("/open311/v2/services/0107.json").json() == {"service_code": "0107", "attributes": []}


def test_unknown_service_code_is_404_in_both_formats(client):
    response = client.get("/open311/v2/services/001.xml")
    assert response.status_code == 404 and response.headers["content-type"] == spec.XML_TYPE
    assert "001" in spec.assert_errors_xml(response.content, 404)
    response = client.get("/open311/v2/services/001.json")
    assert response.status_code == 404
    spec.assert_errors_json(response.json(), 404)


def test_a_resource_without_a_known_format_is_400_in_xml(client):
    response = client.get("/open311/v2/services/0107.html")
    assert response.status_code == 400 and response.headers["content-type"] == spec.XML_TYPE
    spec.assert_errors_xml(response.content, 400)


def test_an_unknown_resource_is_404_in_the_spec_shape(client):
    response = client.get("/open311/v2/potholes.json")
    assert response.status_code == 404
    spec.assert_errors_json(response.json(), 404)
