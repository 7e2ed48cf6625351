"""Attachments through the API: who may add and see which file, what is served and how, nothing half-written.

Expectations are written from the issue (21) and docs/attachments.md, not from the code: a citizen sees the files
of their own ticket, staff as for the ticket, another unit's ticket looks unknown, a file is served with its
checked type and never as a page, a refused upload leaves no row, no event and no bytes.
"""

from __future__ import annotations

import io
from datetime import timedelta
from urllib.parse import unquote

import jwt
from PIL import Image
from sqlalchemy import func, select, update

from hotline.attachments import file_store, purge_expired, sweep_orphans
from hotline.clock import now
from hotline.database import session_scope
from hotline.models import Ticket, TicketAttachment, TicketEvent
from tests import upload_samples as s
from tests.fixtures import CALL


def _call(operator, **extra) -> dict:
    return operator.post("/api/tickets", json=CALL | extra).json()


def _upload(api, number: str, data: bytes, name: str = "现场照片.jpg", content_type: str = "image/jpeg"):
    return api.client.post(f"/api/tickets/{number}/attachments", headers=api.headers,
                           files={"file": (name, data, content_type)})


def _citizen_upload(client, receipt: dict, data: bytes, name: str = "井盖.jpg", code: str | None = None):
    return client.post("/api/public/attachments", files={"file": (name, data, "image/jpeg")},
                       data={"number": receipt["number"], "query_code": code or receipt["query_code"]})


def _stored() -> tuple[int, int, int]:
    """(attachment rows, attach events, files in the store)."""
    with session_scope() as session:
        rows = session.scalar(select(func.count()).select_from(TicketAttachment))
        events = session.scalar(select(func.count()).select_from(TicketEvent).where(TicketEvent.action == "attach"))
    return rows, events, len(list(file_store().listing()))


def test_an_operators_photo_is_kept_without_its_gps_and_served_as_an_image_never_as_a_page(operator, client):
    receipt = _call(operator)
    response = _upload(operator, receipt["number"], s.phone_photo(), "IMG_0815.jpg")
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["kind"], body["content_type"], body["name"], body["source"]) == \
        ("image", "image/jpeg", "IMG_0815.jpg", "operator")
    assert (body["width"], body["height"]) == (200, 400)
    ticket = operator.get(f"/api/tickets/{receipt['number']}").json()
    assert [a["id"] for a in ticket["attachments"]] == [body["id"]]
    assert ticket["events"][-1]["action"] == "attach"

    served = client.get(ticket["attachments"][0]["url"])  # a signed link: no token, no query code needed
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/jpeg"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in served.headers["content-security-policy"]
    assert "default-src 'none'" in served.headers["content-security-policy"]
    assert unquote(served.headers["content-disposition"]) == "inline; filename*=UTF-8''IMG_0815.jpg"
    img = Image.open(io.BytesIO(served.content))
    assert dict(img.getexif()) == {} and img.size == (200, 400)
    thumb = client.get(ticket["attachments"][0]["thumb_url"])
    assert thumb.headers["content-type"] == "image/jpeg"
    assert max(Image.open(io.BytesIO(thumb.content)).size) <= 320
    download = client.get(ticket["attachments"][0]["url"] + "?download=true")
    assert download.headers["content-disposition"].startswith("attachment;")


def test_hostile_uploads_are_refused_in_chinese_and_leave_nothing_behind(operator):
    number = _call(operator)["number"]
    before = _stored()
    for data, name, kind in [(s.SCRIPT_AS_JPG, "photo.jpg", "image/jpeg"),
                             (s.SVG_WITH_SCRIPT, "map.svg", "image/svg+xml"),
                             (s.HTML_AS_PNG, "x.png", "image/png"),
                             (s.png_bomb(), "bomb.png", "image/png"),
                             (b"", "empty.jpg", "image/jpeg")]:
        response = _upload(operator, number, data, name, kind)
        assert response.status_code in (400, 413, 415), (name, response.text)
        assert any(word in response.json()["detail"] for word in ("只能上传", "尺寸过大", "空的")), response.text
    assert _stored() == before


def test_a_50_mb_upload_is_refused_before_it_is_read_and_says_the_limits(operator):
    number = _call(operator)["number"]
    before = _stored()
    response = _upload(operator, number, b"\xff\xd8\xff\xe0" + b"\0" * (50 * 1024 * 1024), "big.jpg")
    assert response.status_code == 413
    assert response.json()["detail"] == "文件过大：图片不能超过 10 MB，录音不能超过 20 MB"
    assert _stored() == before


def test_a_form_without_a_file_says_which_field(operator):
    number = _call(operator)["number"]
    response = operator.client.post(f"/api/tickets/{number}/attachments", headers=operator.headers,
                                    data={"note": "忘了选文件"})
    assert response.status_code == 400
    assert response.json()["detail"] == "请选择要上传的文件（表单字段 file）"


def test_another_units_handler_meets_an_unknown_ticket_and_the_lead_unit_adds_its_evidence(operator, login):
    number = _call(operator)["number"]
    operator.act(number, "dispatch", {"category_code": "0107"})  # 路灯照明 -> 城管局 (h_cgj)
    other = login("h_jyj")  # 教育局
    assert _upload(other, number, s.phone_photo()).status_code == 404
    assert other.get(f"/api/tickets/{number}/attachments").status_code == 404
    lead = login("h_cgj")
    added = _upload(lead, number, s.phone_photo(), "修复后.jpg")
    assert added.status_code == 201 and added.json()["source"] == "handler"
    assert [a["name"] for a in operator.get(f"/api/tickets/{number}/attachments").json()] == ["修复后.jpg"]


def test_people_without_a_ticket_role_may_read_but_not_add(operator, login):
    number = _call(operator)["number"]
    _upload(operator, number, s.phone_photo())
    auditor = login("auditor")
    assert _upload(auditor, number, s.phone_photo()).status_code == 403
    assert len(auditor.get(f"/api/tickets/{number}/attachments").json()) == 1


def test_a_citizen_adds_to_their_own_ticket_and_sees_its_files_on_lookup(operator, client):
    receipt = _call(operator)
    assert _citizen_upload(client, receipt, s.phone_photo()).status_code == 201
    assert _citizen_upload(client, receipt, s.wav_recording(), "录音.wav").status_code == 201
    wrong = _citizen_upload(client, receipt, s.phone_photo(), code="00000000")
    assert wrong.status_code == 404 and wrong.json()["detail"] == "未找到该工单，请核对工单号和查询码"
    looked = client.post("/api/public/lookup", json={"number": receipt["number"],
                                                     "query_code": receipt["query_code"]}).json()
    assert [(a["kind"], a["source"]) for a in looked["attachments"]] == [("image", "citizen"), ("audio", "citizen")]
    assert "您上传的附件已收到" in [item["text"] for item in looked["timeline"]]
    audio = client.get(looked["attachments"][1]["url"])
    assert audio.headers["content-type"] == "audio/x-wav" and audio.content == s.wav_recording()
    missing = client.post("/api/public/attachments", files={"file": ("a.jpg", s.phone_photo(), "image/jpeg")},
                          data={"number": receipt["number"]})
    assert missing.status_code == 400 and missing.json()["detail"] == "请填写工单号和查询码"


def test_a_forged_an_expired_or_a_retargeted_link_serves_nothing(operator, client):
    number = _call(operator)["number"]
    body = _upload(operator, number, s.phone_photo()).json()
    token = body["url"].rsplit("/", 1)[1]
    claims = jwt.decode(token, options={"verify_signature": False})
    forged = jwt.encode(claims | {"a": body["id"] + 1}, "not-the-secret-but-long-enough-for-hs256-0000", algorithm="HS256")
    expired = jwt.encode(claims | {"exp": now() - timedelta(minutes=1)},
                         "test-secret-key-that-is-long-enough-for-hs256", algorithm="HS256")
    for bad in (forged, expired, token[:-3] + "abc", "not-a-token"):
        response = client.get(f"/api/public/files/{bad}")
        assert response.status_code == 404
        assert response.json()["detail"] == "链接无效或已过期，请刷新页面后重试"


def test_at_most_nine_files_a_ticket(operator):
    number = _call(operator)["number"]
    photo = s.png()
    assert all(_upload(operator, number, photo, f"{i}.png").status_code == 201 for i in range(9))
    tenth = _upload(operator, number, photo, "10.png")
    assert tenth.status_code == 409 and tenth.json()["detail"] == "每张工单最多上传 9 个附件，已达上限"


def test_a_merged_tickets_files_are_listed_with_the_survivor_under_their_own_number(operator):
    parent = _call(operator)["number"]
    duplicate = _call(operator, caller_phone="13900139000")["number"]
    _upload(operator, duplicate, s.phone_photo(), "重复来电的照片.jpg")
    operator.act(duplicate, "merge", {"parent_number": parent, "note": "同一路灯"})
    listed = operator.get(f"/api/tickets/{parent}").json()["attachments"]
    assert [(a["ticket_number"], a["name"]) for a in listed] == [(duplicate, "重复来电的照片.jpg")]
    refused = _upload(operator, duplicate, s.phone_photo())
    assert refused.status_code == 409 and "已并单" in refused.json()["detail"]


def test_retention_purges_the_bytes_of_long_archived_tickets_and_keeps_the_record(operator, client):
    old, recent = _call(operator)["number"], _call(operator, caller_phone="13900139001")["number"]
    for number in (old, recent):
        _upload(operator, number, s.phone_photo())
    with session_scope() as session:
        session.execute(update(Ticket).where(Ticket.number.in_((old, recent))).values(status="archived"))
        for number, age in ((old, timedelta(days=365 * 5 + 30)), (recent, timedelta(days=365 * 5 - 30))):
            ticket_id = session.scalar(select(Ticket.id).where(Ticket.number == number))
            session.add(TicketEvent(ticket_id=ticket_id, action="archive", actor_role="system",
                                    created_at=now() - age, data={}))
        session.commit()
    before = len(list(file_store().listing()))
    with session_scope() as session:
        assert purge_expired(session, years=5) == 1
        assert purge_expired(session, years=0) == 0  # 0 keeps everything
    assert len(list(file_store().listing())) == before - 2  # the photo and its thumbnail
    gone = operator.get(f"/api/tickets/{old}").json()["attachments"][0]
    assert (gone["purged"], gone["url"], gone["thumb_url"]) == (True, None, None)
    kept = operator.get(f"/api/tickets/{recent}").json()["attachments"][0]
    assert kept["purged"] is False and client.get(kept["url"]).status_code == 200
    assert _upload(operator, old, s.phone_photo()).status_code == 409  # archived: nothing more is added


def test_bytes_no_row_names_are_swept_after_the_grace_hour(operator):
    number = _call(operator)["number"]
    _upload(operator, number, s.phone_photo())
    store = file_store()
    store.put("t/999999/crashed-before-commit.jpg", b"\xff\xd8", "image/jpeg")
    with session_scope() as session:
        assert sweep_orphans(session) == 0  # too fresh: its commit may still be on its way
        assert sweep_orphans(session, moment=now() + timedelta(hours=2)) == 1
    keys = {key for key, _ in store.listing()}
    assert "t/999999/crashed-before-commit.jpg" not in keys and len(keys) >= 2


def test_a_store_failure_half_way_leaves_no_row_no_event_and_no_bytes(operator, monkeypatch):
    from hotline import attachments

    number = _call(operator)["number"]
    before = _stored()
    failing = s.FailingSecondWrite(file_store())
    monkeypatch.setattr(attachments, "file_store", lambda: failing)
    response = _upload(operator, number, s.phone_photo())
    assert response.status_code == 500
    assert _stored() == before
    assert operator.get(f"/api/tickets/{number}").json()["events"][-1]["action"] != "attach"
