"""The API docs (Redoc at /schema, Swagger UI at /schema/swagger) with their scripts served from this server.

Litestar's render plugins load Swagger UI and Redoc from public CDNs and Redoc's fonts from Google by default; a
county intranet reaches none of them and the docs pages stay blank. The files come from the `openapi-ui-bundles`
package (a PyPI dependency, like plotly for the board) and are served under /static/apidocs/.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from litestar import Response, get
from litestar.datastructures import CacheControlHeader
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, RedocRenderPlugin, SwaggerRenderPlugin, YamlRenderPlugin
from litestar.static_files import create_static_files_router
from openapi_ui_bundles import redoc, swagger_ui

SWAGGER = "/static/apidocs/swagger-ui"
REDOC = "/static/apidocs/redoc"
REDOC_SCRIPT = "/static/apidocs/redoc.standalone.js"
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"  # drawn unconditionally in Redoc's sidebar
FAVICON = f"<link rel='icon' type='image/png' href='{SWAGGER}/favicon-32x32.png'>"  # not the CDN's badge


def openapi_config() -> OpenAPIConfig:
    """Redoc at /schema and /schema/redoc, Swagger UI at /schema/swagger, the document as JSON and YAML."""
    return OpenAPIConfig(
        title="12345 热线与综合指挥中心 API", version="0.1.0", path="/schema",
        render_plugins=[
            RedocRenderPlugin(path=["/", "/redoc"], js_url=REDOC_SCRIPT, google_fonts=False,
                              favicon=FAVICON),
            SwaggerRenderPlugin(path="/swagger", js_url=f"{SWAGGER}/swagger-ui-bundle.js",
                                css_url=f"{SWAGGER}/swagger-ui.css",
                                standalone_preset_js_url=f"{SWAGGER}/swagger-ui-standalone-preset.js",
                                favicon=FAVICON),
            JsonRenderPlugin(),
            YamlRenderPlugin(),
        ],
    )


@lru_cache(maxsize=1)
def _redoc_script() -> bytes:
    """Redoc's bundle with its sidebar logo pointed at the copy the package ships beside it."""
    script = (redoc.static_path / "redoc.standalone.js").read_bytes()
    return script.replace(REDOC_LOGO.encode(), f"{REDOC}/logo-mini.svg".encode())


@get(REDOC_SCRIPT, opt={"public": True}, include_in_schema=False, sync_to_thread=False)
def redoc_script() -> Response[bytes]:
    return Response(_redoc_script(), media_type="text/javascript; charset=utf-8",
                    headers={"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"})


def _files(path: str, directory: Any, name: str) -> Any:
    return create_static_files_router(path=path, directories=[directory], opt={"public": True},
                                      include_in_schema=False, name=name,
                                      cache_control=CacheControlHeader(max_age=86400, public=True))


ROUTES: list[Any] = [
    redoc_script,
    _files(SWAGGER, swagger_ui.static_path, "apidocs-swagger-ui"),
    _files(REDOC, redoc.static_path, "apidocs-redoc"),
]
