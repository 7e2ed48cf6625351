"""The API docs load without internet: every script, style and icon of /schema and /schema/swagger is this server's.

Over real HTTP against a uvicorn server (`live_server`), as a browser on a county intranet would fetch them.
"""

from __future__ import annotations

import re

import httpx
import pytest

REFERENCE = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")
ANY_URL = re.compile(r"""https?://[^\s"'<>)]+""")
DOCS = {
    "/schema": {"redoc.standalone.js": "javascript"},
    "/schema/redoc": {"redoc.standalone.js": "javascript"},
    "/schema/swagger": {"swagger-ui-bundle.js": "javascript", "swagger-ui-standalone-preset.js": "javascript",
                        "swagger-ui.css": "text/css"},
}


def _head(html: str) -> str:
    """The page without the inline OpenAPI document (whose texts are ours, not something the page loads)."""
    return html.split("<body", 1)[0]


@pytest.mark.parametrize("path", sorted(DOCS))
def test_the_docs_page_loads_only_from_this_server(live_server, path):
    response = httpx.get(live_server + path, timeout=30)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    head = _head(response.text)
    assert ANY_URL.findall(head) == [], "the page names another server"
    assert "fonts.googleapis" not in response.text and "cdn.jsdelivr" not in response.text
    assert "unpkg.com" not in response.text and "cdn.redoc.ly" not in response.text
    references = REFERENCE.findall(head)
    loaded = {reference.rsplit("/", 1)[-1]: reference for reference in references}
    assert set(DOCS[path]) <= set(loaded), references
    for reference in references:
        assert reference.startswith("/static/apidocs/"), reference  # this server's own path
        asset = httpx.get(live_server + reference, timeout=30)
        assert asset.status_code == 200, reference
        name = reference.rsplit("/", 1)[-1]
        expected = DOCS[path].get(name, "image/png")
        assert expected in asset.headers["content-type"], (reference, asset.headers["content-type"])
        assert len(asset.content) > (100 if name.endswith(".png") else 10_000), reference


def test_the_swagger_script_is_the_real_bundle(live_server):
    script = httpx.get(live_server + "/static/apidocs/swagger-ui/swagger-ui-bundle.js", timeout=30)
    assert "SwaggerUIBundle" in script.text[:2000]
    assert "max-age=86400" in script.headers["cache-control"]


def test_redoc_draws_its_logo_from_this_server(live_server):
    script = httpx.get(live_server + "/static/apidocs/redoc.standalone.js", timeout=30)
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert "cdn.redoc.ly" not in script.text and "/static/apidocs/redoc/logo-mini.svg" in script.text
    logo = httpx.get(live_server + "/static/apidocs/redoc/logo-mini.svg", timeout=30)
    assert logo.status_code == 200 and logo.headers["content-type"].startswith("image/svg")


def test_the_document_itself_is_still_served(live_server):
    document = httpx.get(live_server + "/schema/openapi.json", timeout=30).json()
    assert document["info"]["title"] == "12345 热线与综合指挥中心 API"
    assert "/api/tickets/{number}/dispatch" in document["paths"]
