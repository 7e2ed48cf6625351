"""The 模型 tab on /admin in Chromium: an admin sees the stored routing-model versions with their figures (trained_at
in Beijing time), rolls back to the older one with a reason and sees it become current on the page and in the API,
meets a stale page's refusal in Chinese, and prunes old versions."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import msgspec
import pytest
from playwright.sync_api import expect

from dispatch.routing import get_store

NEWER = "99991231T000000000000Z"
REASON = "新版本把煤气泄漏判成土地承包"


@pytest.fixture
def two_versions() -> Iterator[tuple[str, str]]:
    """The suite's model stored again as a newer version with figures of our choosing, and promoted."""
    store = get_store()
    before = store.current_version()
    model, meta = store.current(), store.current_meta()
    store.add(model, msgspec.structs.replace(
        meta, version=NEWER, trained_at="2026-12-02T17:30:00+00:00", source="history", n_samples=4321,
        macro_f1_holdout=0.8764, threshold=0.6234, temperature=1.25, confident_precision=0.9512,
        confident_coverage=0.7342))
    store.promote(NEWER, holdout=[], force=True)
    yield before, NEWER
    store.pointer.write_text(before, encoding="utf-8")
    shutil.rmtree(store.path_of(NEWER), ignore_errors=True)


@pytest.fixture
def old_versions(two_versions) -> Iterator[list[str]]:
    """Twelve copies of the model under names older than any real one (year 2000), for pruning to find."""
    store = get_store()
    names = [f"20000101T0000000000{i:02d}Z" for i in range(12)]
    meta = store.current_meta()
    for name in names:
        shutil.copytree(store.path_of(two_versions[0]), store.path_of(name))
        (store.path_of(name) / "meta.json").write_bytes(msgspec.json.encode(msgspec.structs.replace(
            meta, version=name, trained_at="2000-01-01T00:00:00+00:00")))
    yield names
    for name in names:
        shutil.rmtree(store.path_of(name), ignore_errors=True)


def _current(admin) -> str:
    versions = admin.get("/api/admin/model/versions").json()
    return next(v["version"] for v in versions if v["current"])


def test_an_admin_reads_the_versions_and_rolls_back(open_page, staff, two_versions):
    before, newer = two_versions
    admin = staff("admin")
    web = open_page()
    page = web.goto("/admin#models")
    web.login("admin")

    row = page.locator(f"#models tr[data-version='{newer}']")
    expect(row).to_contain_text("2026/12/03 01:30")  # 17:30 UTC is 01:30 the next day in Asia/Shanghai
    for shown in ("本县历史工单", "4,321", "0.876", "0.62", "1.25", "95.1%", "73.4%", "当前版本"):
        expect(row).to_contain_text(shown)
    expect(row.locator("button[name=rollback]")).to_have_count(0)  # the current one has nothing to roll back to
    old = page.locator(f"#models tr[data-version='{before}']")
    expect(old).to_contain_text("内置语料")  # the suite's model, trained on the shipped corpus
    expect(old.locator(".state")).to_have_text("—")
    expect(page.locator("#model-current")).to_contain_text(f"当前使用：{newer}（2026/12/03 01:30 训练，本县历史工单）")

    old.locator("button[name=rollback]").click()
    form = page.locator("#rollback-form")
    expect(form).to_be_visible()
    expect(form).to_contain_text(f"把路由模型从 {newer} 换回 {before}。")
    expect(page.locator("#rollback-reason")).to_be_focused()
    page.click("button[name=confirm-rollback]")  # no reason: refused in Chinese, nothing changed
    expect(page.locator("#rollback-error")).to_have_text("请填写回滚原因")
    assert _current(admin) == newer
    page.fill("#rollback-reason", REASON)
    web.shot("admin-model-rollback-confirm")
    page.click("button[name=confirm-rollback]")

    expect(page.locator("#model-result")).to_have_text(
        f"已回滚到版本 {before}（原当前版本 {newer}），一秒内所有进程改用此版本。")
    expect(form).to_be_hidden()
    expect(old.locator(".state")).to_have_text("当前版本")
    expect(old.locator(".journal")).to_contain_text(f"回滚启用：{REASON}")
    expect(row.locator(".state")).to_have_text("—")
    expect(row.locator("button[name=rollback]")).to_be_visible()
    expect(page.locator("#model-current")).to_contain_text(f"当前使用：{before}")
    web.shot("admin-model-rolled-back", full_page=True)
    assert _current(admin) == before and get_store().current_version() == before
    entry = get_store().journal()[-1]
    assert (entry["action"], entry["version"], entry["previous"], entry["reason"]) == ("rollback", before, newer, REASON)

    # another admin moved it back meanwhile: this page's button is stale, and the refusal says why
    assert admin.post(f"/api/admin/model/versions/{newer}/rollback", {"reason": "另一位管理员改回"}).status_code == 200
    row.locator("button[name=rollback]").click()
    page.fill("#rollback-reason", "再回滚一次")
    page.click("button[name=confirm-rollback]")
    expect(page.locator("#rollback-error")).to_have_text(f"模型版本 {newer} 已是当前版本")
    expect(row.locator(".state")).to_have_text("当前版本")  # the list was read again
    web.shot("admin-model-stale")
    assert _current(admin) == newer


def test_an_admin_prunes_old_versions(open_page, staff, two_versions, old_versions):
    before, newer = two_versions
    # the documented rule (docs/admin.md): the newest 10 stay, and the current one and the one before it
    names = sorted(get_store().versions())
    kept = set(names[-10:]) | {newer, before}
    expected = [name for name in names if name not in kept]
    assert set(old_versions[:4]) <= set(expected)  # at least the four oldest of ours go

    web = open_page()
    page = web.goto("/admin#models")
    web.login("admin")
    expect(page.locator(f"#models tr[data-version='{old_versions[0]}']")).to_be_visible()
    page.click("button[name=prune]")  # the confirmation is accepted
    expect(page.locator("#model-result")).to_have_text(f"已删除 {len(expected)} 个旧版本：{'、'.join(expected)}。")
    for name in expected:
        expect(page.locator(f"#models tr[data-version='{name}']")).to_have_count(0)
    for name in (before, newer, old_versions[-1]):
        expect(page.locator(f"#models tr[data-version='{name}']")).to_have_count(1)
    web.shot("admin-model-pruned", full_page=True)
    listed = {v["version"] for v in staff("admin").get("/api/admin/model/versions").json()}
    assert not listed & set(expected) and {before, newer, old_versions[-1]} <= listed

    page.click("button[name=prune]")
    expect(page.locator("#model-result")).to_have_text("没有需要清理的旧版本（保留最新 10 个版本、当前版本和它之前的版本）。")
