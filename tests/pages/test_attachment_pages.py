"""Photos and recordings on the pages, in Chromium: a citizen on a phone adds a photo after leaving a message and a
recording on a looked-up ticket, an operator attaches a photo to the call just recorded and to a ticket found by
search, a handler attaches evidence of the work done. Each page shows the thumbnail and opens the full photo; a
refused file (a script renamed .jpg) shows why in Chinese and nothing is added; the ninth file is the last.

Expectations are what the person at the screen should see (issue 21, docs/attachments.md), never read off the code.
"""

from __future__ import annotations

import httpx
from playwright.sync_api import expect

from tests import upload_samples as s
from tests.pages.conftest import PHONE

REFUSED = "只能上传照片"  # the start of the API's sentence for a file that is neither a photo nor a recording


def _file(name: str, data: bytes, mime: str = "image/jpeg") -> dict:
    return {"name": name, "mimeType": mime, "buffer": data}


def _thumb_loaded(thumb) -> None:
    """The thumbnail is a real picture the browser decoded, not a broken-image icon."""
    expect(thumb).to_be_visible()
    thumb.evaluate("img => img.decode()")
    assert thumb.evaluate("img => img.naturalWidth") > 0


def _open_and_close(page, thumb, width: int, height: int) -> None:
    """Clicking the thumbnail shows the whole photo, upright, over the page; 关闭 puts the page back."""
    thumb.click()
    viewer = page.locator("dialog.attachment-viewer")
    expect(viewer).to_be_visible()
    full = viewer.locator("img")
    full.evaluate("img => img.decode()")
    assert full.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [width, height]
    viewer.get_by_role("button", name="关闭").click()
    expect(viewer).to_be_hidden()


def _refused(page, scope, chooser: str, count: int) -> None:
    scope.locator(chooser).set_input_files(_file("现场照片.jpg", s.SCRIPT_AS_JPG))
    error = scope.locator(".attach-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("「现场照片.jpg」未上传")
    expect(error).to_contain_text(REFUSED)
    expect(scope.locator(".attachment")).to_have_count(count)


def test_a_citizen_adds_a_photo_after_the_message_and_a_recording_on_the_looked_up_ticket(open_page, staff):
    web = open_page(PHONE)
    page = web.goto("/citizen")
    page.fill("#l-title", "人行道井盖塌了")
    page.fill("#l-content", "城关街道人民路农行门口的人行道井盖塌了一半，晚上看不见很危险")
    page.fill("#l-phone", "13812345678")
    page.click("#send-letter")
    receipt = page.locator("#letter-receipt")
    number = receipt.locator("#receipt-number").text_content()
    code = receipt.locator("#receipt-code").text_content()

    # on a phone: a camera button, a recorder button, and a picker for photos and recordings
    expect(receipt.get_by_text("拍照", exact=True)).to_be_visible()
    expect(receipt.get_by_text("录音", exact=True)).to_be_visible()
    assert receipt.locator("input[name=camera]").get_attribute("capture") == "environment"
    assert receipt.locator("input[name=camera]").get_attribute("accept") == "image/*"
    assert receipt.locator("input[name=attachment]").get_attribute("accept") == "image/*,audio/*"
    expect(receipt.locator(".attachment")).to_have_count(0)

    receipt.locator("input[name=camera]").set_input_files(_file("<img src=x onerror=alert(1)>.jpg", s.phone_photo()))
    thumb = receipt.locator(".attachment img.thumb")
    expect(thumb).to_have_count(1)
    _thumb_loaded(thumb)
    expect(receipt.locator(".attachment")).to_contain_text("img src=x onerror=alert(1).jpg")  # text, not a tag
    assert page.locator("img").count() == 1
    web.shot("attachments-citizen-receipt", full_page=True)
    web.fits(PHONE["width"])
    _open_and_close(page, thumb, 200, 400)  # the phone said portrait: shown upright, as taken
    _refused(page, receipt, "input[name=attachment]", 1)

    page.click("#to-lookup")
    files = page.locator("#public-files")
    expect(files.locator(".attachment img.thumb")).to_have_count(1)
    _thumb_loaded(files.locator(".attachment img.thumb"))
    files.locator("input[name=attachment]").set_input_files(_file("现场录音.wav", s.wav_recording(), "audio/wav"))
    expect(files.locator(".attachment")).to_have_count(2)
    expect(files.locator(".attachment audio")).to_have_count(1)
    expect(files.locator(".attachment[data-kind=audio]")).to_contain_text("现场录音.wav")
    expect(files.get_by_role("link", name="下载录音")).to_be_visible()
    web.shot("attachments-citizen-lookup", full_page=True)
    web.fits(PHONE["width"])

    ticket = staff("commander").get(f"/api/tickets/{number}").json()
    assert [(a["kind"], a["source"]) for a in ticket["attachments"]] == [("image", "citizen"), ("audio", "citizen")]
    assert code  # the code stayed on the page: never in the address
    assert code not in page.url


def test_an_operator_attaches_a_photo_to_the_call_just_recorded_and_to_a_ticket_found(open_page, staff):
    web = open_page()
    page = web.goto("/console")
    web.login("operator1")
    page.fill("#caller_phone", "13912345678")
    page.fill("#content", "滨江路口红绿灯坏了，一直闪黄灯，车辆乱行")
    page.click("#submit-call")
    receipt = page.locator("#receipt")
    expect(receipt.locator("#receipt-number")).to_be_visible()
    number = receipt.locator("#receipt-number").text_content()
    receipt.locator("input[name=attachment]").set_input_files(_file("微信照片.jpg", s.phone_photo()))
    thumb = receipt.locator(".attachment img.thumb")
    expect(thumb).to_have_count(1)
    _thumb_loaded(thumb)
    expect(receipt.locator(".attachment")).to_contain_text("微信照片.jpg")
    _open_and_close(page, thumb, 200, 400)
    _refused(page, receipt, "input[name=attachment]", 1)
    web.shot("attachments-console-receipt", full_page=True)

    # a ticket looked at: found by its number, shown beside the form with its photo, and another one added
    page.fill("#search-number", number)
    page.click("#search-submit")
    page.locator("#search-results tbody tr").first.click()
    peek = page.locator("#peek")
    expect(peek).to_contain_text(number)
    expect(peek.locator(".attachment img.thumb")).to_have_count(1)
    peek.locator("input[name=attachment]").set_input_files(_file("截图.png", s.png()))
    expect(peek.locator(".attachment img.thumb")).to_have_count(2)
    _thumb_loaded(peek.locator(".attachment img.thumb").nth(1))
    expect(peek.locator(".attachment").nth(1)).to_contain_text("截图.jpg")  # an opaque PNG is kept as a JPEG
    web.shot("attachments-console-peek", full_page=True)
    ticket = staff("commander").get(f"/api/tickets/{number}").json()
    assert [(a["name"], a["source"]) for a in ticket["attachments"]] == [("微信照片.jpg", "operator"),
                                                                        ("截图.jpg", "operator")]


def _upload_over_http(base: str, headers: dict, number: str, times: int) -> None:
    for i in range(times):
        response = httpx.post(f"{base}/api/tickets/{number}/attachments", headers=headers, timeout=30,
                              files={"file": (f"来电人照片{i + 1}.png", s.png(), "image/png")})
        assert response.status_code == 201, response.text


def test_a_handler_attaches_evidence_the_photo_stays_after_signing_and_the_ninth_file_is_the_last(
        open_page, staff, live_server):
    operator = staff("operator1")
    number = operator.call("望江花园小区门口的路灯坏了一个多星期")["number"]
    operator.act(number, "dispatch", {"category_code": "0107"})
    _upload_over_http(live_server, operator.headers, number, 7)

    web = open_page()
    page = web.goto(f"/workbench/tickets/{number}")
    web.login("h_cgj")
    files = page.locator("#ticket .attachments")
    expect(files.locator(".attachment img.thumb")).to_have_count(7)
    expect(files.locator(".attachments-title")).to_have_text("照片和录音（7）")

    files.locator("input[name=attachment]").set_input_files(_file("修复后.jpg", s.phone_photo()))
    expect(files.locator(".attachment img.thumb")).to_have_count(8)
    evidence = files.locator(".attachment").nth(7)
    expect(evidence).to_contain_text("修复后.jpg")
    expect(evidence).to_contain_text("承办单位")
    _thumb_loaded(evidence.locator("img.thumb"))
    _open_and_close(page, evidence.locator("img.thumb"), 200, 400)
    _refused(page, files, "input[name=attachment]", 8)

    page.locator("#sign button[type=submit]").click()  # the ticket is drawn again after 签收
    expect(page.locator("#ticket .badge").first).to_have_text("办理中")
    files = page.locator("#ticket .attachments")
    expect(files.locator(".attachment img.thumb")).to_have_count(8)

    # two at once: the ninth is kept, the tenth is refused with the limit
    files.locator("input[name=attachment]").set_input_files([_file("第九张.png", s.png(), "image/png"),
                                                               _file("第十张.png", s.png(), "image/png")])
    expect(files.locator(".attachment")).to_have_count(9)
    error = files.locator(".attach-error")
    expect(error).to_contain_text("「第十张.png」未上传")
    expect(error).to_contain_text("最多上传 9 个附件")
    web.shot("attachments-workbench", full_page=True)
    web.fits(1440)
    ticket = staff("commander").get(f"/api/tickets/{number}").json()
    assert len(ticket["attachments"]) == 9
    assert [a["name"] for a in ticket["attachments"][-2:]] == ["修复后.jpg", "第九张.jpg"]


def test_files_too_large_are_refused_with_the_limit_and_nothing_is_added(open_page, staff, tmp_path):
    operator = staff("operator1")
    receipt = operator.call("城东农贸市场门口的垃圾好几天没人清运")
    web = open_page(PHONE)
    page = web.goto("/citizen#lookup")
    page.fill("#q-number", receipt["number"])
    page.fill("#q-code", receipt["query_code"])
    page.click("#lookup")
    files = page.locator("#public-files")
    expect(files.locator(".attachments-empty")).to_have_text("暂无照片或录音")
    big_photo, huge = tmp_path / "大照片.jpg", tmp_path / "超大.jpg"  # files on disk, as a phone's are
    big_photo.write_bytes(b"\xff\xd8\xff\xe0" + b"\0" * (11 * 1024 * 1024))  # reads as a JPEG, 11 MB
    huge.write_bytes(b"\xff\xd8\xff\xe0" + b"\0" * (31 * 1024 * 1024))  # over any upload: the server stops reading
    files.locator("input[name=attachment]").set_input_files([big_photo, huge])
    error = files.locator(".attach-error")
    expect(error).to_contain_text("「大照片.jpg」未上传：图片不能超过 10 MB", timeout=60000)
    expect(error).to_contain_text("「超大.jpg」未上传：文件过大", timeout=60000)
    expect(files.locator(".attachment")).to_have_count(0)
    assert staff("commander").get(f"/api/tickets/{receipt['number']}").json()["attachments"] == []
