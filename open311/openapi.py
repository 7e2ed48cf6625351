"""What the OpenAPI document says about the GeoReport endpoints: their real media types and error shape.

The handlers build their answers by hand (XML or JSON, by the resource name's extension), so Litestar would
document every one as JSON with Litestar's own error body. Each handler names the formats it can answer in;
the operation then documents a 200 in those media types and the spec's error array for 400, 403, 404 and 429.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, Operation, Schema
from litestar.openapi.spec.enums import OpenAPIType

from open311.formats import JSON, XML

ERROR_STATUSES = {"400": "请求有误", "403": "API key 无效或无权操作", "404": "没有这个资源", "429": "调用过于频繁"}
_XML = Schema(type=OpenAPIType.STRING, description="GeoReport v2 XML 文档")
_ERRORS_JSON = Schema(type=OpenAPIType.ARRAY, items=Schema(
    type=OpenAPIType.OBJECT, required=["code", "description"],
    properties={"code": Schema(type=OpenAPIType.INTEGER), "description": Schema(type=OpenAPIType.STRING)}))
_ANY_JSON = Schema(type=[OpenAPIType.OBJECT, OpenAPIType.ARRAY])


def _content(formats: tuple[str, ...], json_schema: Schema) -> dict[str, OpenAPIMediaType]:
    media = {XML: ("text/xml", _XML), JSON: ("application/json", json_schema)}
    return {media[fmt][0]: OpenAPIMediaType(schema=media[fmt][1]) for fmt in formats}


def operation_class(*formats: str) -> type[Operation]:
    """An Operation whose responses are the GeoReport ones, in `formats` (xml, json or both)."""

    @dataclass
    class GeoReportOperation(Operation):
        def __post_init__(self) -> None:
            responses: dict[str, Any] = {"200": OpenAPIResponse(description="GeoReport v2 文档",
                                                                content=_content(formats, _ANY_JSON))}
            for status, description in ERROR_STATUSES.items():
                responses[status] = OpenAPIResponse(description=f"{description}（GeoReport 错误数组）",
                                                    content=_content(formats, _ERRORS_JSON))
            self.responses = responses

    return GeoReportOperation
