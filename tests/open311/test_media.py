"""Open311 `media`: an app uploads the photo itself as a multipart `media` part; it is checked like every upload
(type from the bytes, limits, no EXIF), kept with the ticket in the same transaction, and GET requests answers a
link to it as `media_url`. A refused file files nothing. Written from the issue (21), the GeoReport spec (media_url
"a URL to media associated with the request, for example an image") and docs/open311.md, not from the code.
"""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import func, select

from hotline import attachments
from hotline.attachments import file_store
from hotline.database import session_scope
from hotline.models import Ticket, TicketAttachment
from open311.models import Open311Request
from tests import upload_samples as s
from tests.fixtures import CALL
from tests.open311 import spec
from tests.open311.conftest import file_request, form


def _post(client, api_key: str, data: bytes, name: str = "IMG_2041.jpg", fmt: str = "json", **fields):
    """A multipart POST as an app sends one: the spec's fields as text parts, the photo in `media`."""
    return client.post(f"/open311/v2/requests.{fmt}", data=form(api_key, **fields),
                       files={"media": (name, data, "image/jpeg")})


def _counts() -> tuple[int, int, int, int]:
    """(tickets, open311 requests, attachment rows, files in the store)."""
    with session_scope() as session:
        counted = tuple(session.scalar(select(func.count()).select_from(t)) for t in (Ticket, Open311Request,
                                                                                        TicketAttachment))
    return (*counted, len(list(file_store().listing())))


def _request(client, number: str, fmt: str = "json"):
    response = client.get(f"/open311/v2/requests/{number}.{fmt}")
    assert response.status_code == 200, response.text
    return response


def test_a_photo_uploaded_as_media_is_kept_without_its_gps_and_answered_as_media_url(client, api_key, operator):
    response = _post(client, api_key, s.phone_photo())
    assert response.status_code == 200, response.text
    (created,) = spec.assert_json_items(response.json(), spec.CREATED)
    number = created["service_request_id"]
    assert number and "派单" in created["service_notice"]

    # staff see the photo with the ticket, sent by the app
    ticket = operator.get(f"/api/tickets/{number}").json()
    (photo,) = ticket["attachments"]
    assert (photo["kind"], photo["source"], photo["name"]) == ("image", "open311", "IMG_2041.jpg")

    (item,) = spec.assert_json_items(_request(client, number).json(), spec.REQUEST)
    url = item["media_url"]
    assert url and url.startswith("/api/public/files/")
    served = client.get(url)  # anyone holding the link, no key and no sign-in
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    image = Image.open(io.BytesIO(served.content))
    assert dict(image.getexif()) == {}  # no camera, no GPS position of the citizen
    assert image.size == (200, 400)  # turned upright as the phone meant it

    (xml_item,) = spec.items(spec.parse_xml(_request(client, number, "xml").content), "service_requests", "request")
    assert spec.children(xml_item) == spec.REQUEST
    assert client.get(xml_item.findtext("media_url")).status_code == 200
    listed = [r for r in client.get("/open311/v2/requests.json").json() if r["service_request_id"] == number]
    assert listed and client.get(listed[0]["media_url"]).status_code == 200


def test_media_url_is_absolute_when_the_public_root_is_set(client, api_key, environ):
    environ(OPEN311_BASE_URL="https://12345.example.gov.cn/")
    number = _post(client, api_key, s.png()).json()[0]["service_request_id"]
    url = _request(client, number).json()[0]["media_url"]
    assert url.startswith("https://12345.example.gov.cn/api/public/files/")
    # an opaque PNG is kept as a JPEG (docs/attachments.md), so the link serves one
    assert client.get(url.removeprefix("https://12345.example.gov.cn")).headers["content-type"] == "image/jpeg"


def test_a_refused_file_files_nothing_and_says_why_in_the_spec_error_shape(client, api_key):
    before = _counts()
    for data, name in [(s.SCRIPT_AS_JPG, "photo.jpg"), (s.SVG_WITH_SCRIPT, "map.svg"), (s.HTML_AS_PNG, "x.png"),
                       (s.ZIP_FILE, "a.jpg"), (s.truncated_jpeg(), "broken.jpg")]:
        response = _post(client, api_key, data, name)
        assert response.status_code == 415, (name, response.text)
        description = spec.assert_errors_json(response.json(), 415)
        assert description.startswith("media:") and ("只能上传照片" in description or "图片已损坏" in description)
    xml = _post(client, api_key, s.SCRIPT_AS_JPG, fmt="xml")
    assert xml.status_code == 415 and xml.headers["content-type"] == spec.XML_TYPE
    assert "只能上传照片" in spec.assert_errors_xml(xml.content, 415)
    bomb = _post(client, api_key, s.png_bomb(), "big.png")
    assert bomb.status_code == 413 and "图片尺寸过大" in spec.assert_errors_json(bomb.json(), 413)
    empty = _post(client, api_key, b"", "empty.jpg")
    assert empty.status_code == 400 and "文件是空的" in spec.assert_errors_json(empty.json(), 400)
    assert _counts() == before


def test_a_photo_over_the_size_limit_files_nothing(client, api_key, environ):
    environ(ATTACHMENT_IMAGE_MB="1")
    noisy = Image.effect_noise((1200, 1200), 120).convert("RGB")
    out = io.BytesIO()
    noisy.save(out, "PNG")
    assert len(out.getvalue()) > 1024 * 1024
    before = _counts()
    response = _post(client, api_key, out.getvalue(), "noise.png")
    assert response.status_code == 413
    assert "图片不能超过 1 MB" in spec.assert_errors_json(response.json(), 413)
    assert _counts() == before


def test_the_rest_of_the_form_is_checked_before_the_file_and_still_files_nothing(client, api_key):
    before = _counts()
    response = _post(client, api_key, s.phone_photo(), service_code="9999")
    assert response.status_code == 404 and "9999" in spec.assert_errors_json(response.json(), 404)
    response = _post(client, "o311_wrong", s.phone_photo())
    assert response.status_code == 403
    response = _post(client, api_key, s.phone_photo(), lat=None, long=None, address_string=None)
    assert response.status_code == 400 and "位置" in spec.assert_errors_json(response.json(), 400)
    assert _counts() == before


def test_media_must_be_one_file(client, api_key):
    before = _counts()
    body = form(api_key) | {"media": "https://img.example.org/p/1.jpg"}
    response = client.post("/open311/v2/requests.json", data=body, files={"other": ("a.jpg", s.png(), "image/png")})
    assert response.status_code == 400
    assert "media" in spec.assert_errors_json(response.json(), 400)
    text_media = client.post("/open311/v2/requests.json", data=body,
                             files={"description": (None, "路灯坏了")})  # multipart, media as a text part
    assert text_media.status_code == 400 and "media_url" in spec.assert_errors_json(text_media.json(), 400)
    two = client.post("/open311/v2/requests.json", data=form(api_key),
                      files=[("media", ("a.png", s.png(), "image/png")), ("media", ("b.png", s.png(), "image/png"))])
    assert two.status_code == 400 and "一个文件" in spec.assert_errors_json(two.json(), 400)
    assert _counts() == before


def test_a_recording_is_kept_but_media_url_stays_the_apps_own_link(client, api_key, operator):
    response = client.post("/open311/v2/requests.json", data=form(api_key, media_url="https://img.example.org/p/9.jpg"),
                           files={"media": ("现场.wav", s.wav_recording(), "audio/wav")})
    assert response.status_code == 200, response.text
    number = response.json()[0]["service_request_id"]
    (kept,) = operator.get(f"/api/tickets/{number}").json()["attachments"]
    assert kept["kind"] == "audio"
    # the spec's media_url is an image; a recording is not one, so the app's own link is answered as sent
    assert _request(client, number).json()[0]["media_url"] == "https://img.example.org/p/9.jpg"


def test_a_plain_media_url_still_comes_back_as_sent_and_multipart_without_a_file_works(client, api_key):
    number = file_request(client, api_key, media_url="https://img.example.org/p/1.jpg")
    assert _request(client, number).json()[0]["media_url"] == "https://img.example.org/p/1.jpg"
    before = _counts()
    body = form(api_key, media_url="https://img.example.org/p/2.jpg", description=None)
    response = client.post("/open311/v2/requests.json", data=body, files={"description": (None, "井盖丢了，晚上很危险")})
    assert response.status_code == 200, response.text
    number = response.json()[0]["service_request_id"]
    item = _request(client, number).json()[0]
    assert item["media_url"] == "https://img.example.org/p/2.jpg"
    # the description, then the link, as for a urlencoded POST (docs/open311.md)
    assert item["description"] == "井盖丢了，晚上很危险\n【图片】https://img.example.org/p/2.jpg"
    assert _counts()[2:] == before[2:]  # no attachment, no file


def test_files_added_later_by_the_citizen_or_a_department_are_never_public(client, api_key, operator):
    number = file_request(client, api_key)
    upload = client.post(f"/api/tickets/{number}/attachments", headers=operator.headers,
                         files={"file": ("现场.jpg", s.phone_photo(), "image/jpeg")})
    assert upload.status_code == 201, upload.text
    assert _request(client, number).json()[0]["media_url"] is None
    call = operator.post("/api/tickets", json=CALL).json()
    upload = client.post(f"/api/tickets/{call['number']}/attachments", headers=operator.headers,
                         files={"file": ("现场.jpg", s.phone_photo(), "image/jpeg")})
    assert upload.status_code == 201
    assert _request(client, call["number"]).json()[0]["media_url"] is None


def test_in_batch_mode_a_request_with_a_file_is_filed_at_once_and_its_token_names_the_ticket(client, api_key,
                                                                                            environ):
    environ(OPEN311_SERVICE_TYPE="batch")
    response = _post(client, api_key, s.phone_photo())
    assert response.status_code == 200, response.text
    (created,) = response.json()
    token = created["token"]
    assert token and "service_request_id" not in created
    (named,) = spec.assert_json_items(client.get(f"/open311/v2/tokens/{token}.json").json(), spec.TOKEN)
    number = named["service_request_id"]
    assert number and _request(client, number).json()[0]["media_url"].startswith("/api/public/files/")


def test_a_store_failure_leaves_no_ticket_no_request_and_no_bytes(client, api_key, monkeypatch):
    before = _counts()
    failing = s.FailingSecondWrite(file_store())
    monkeypatch.setattr(attachments, "file_store", lambda: failing)
    response = _post(client, api_key, s.phone_photo())
    assert response.status_code == 400
    assert "未提交" in spec.assert_errors_json(response.json(), 400)
    assert _counts() == before
