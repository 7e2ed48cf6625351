"""`hotline12345 import tickets`: a county's earlier tickets, as its own exports write them, into the demo county.

Every expectation is written out by hand from docs/history.md: which column goes where, which row is refused
and with what words, what a second run does. The files are typed the way 12345 offices export them: Chinese
headers with a stray 备注 column, a BOM, GB18030, full-width digits, an emoji, times in three styles.
"""

from __future__ import annotations

import csv
import hashlib
import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from hotline.database import session_scope
from hotline.models import Department, Ticket, TicketEvent
from hotline.settings import TIME_ZONE
from web.history_file import run

ROOT = Path(__file__).resolve().parents[1]
HEADER = ["工单编号", "受理时间", "来源", "类型", "乡镇/街道", "诉求内容", "承办单位", "分类", "状态", "答复", "满意度",
          "备注"]
ROWS = [
    ["QJ2023-0001", "2023-05-06 14:30", "12345热线", "投诉", "城关街道望江社区", "望江花园门口路灯坏了一个月",
     "县城市管理和综合执法局", "0107", "已办结", "已更换灯泡", "满意", "坐席A"],
    ["QJ2023-0002", "2023年5月7日 9时05分", "网站", "咨询", "白沙镇", "想问低保怎么申请", None, "低保和救助",
     "已归档", "请到镇民政办办理", "基本满意", None],
    ["QJ2023-0003", "2023/5/8 16:00:00", "微信", "求助", None, "家里停水两天了", "清江县自来水公司", None, "已办结",
     None, "不满意", None],
]


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=TIME_ZONE)


def write_csv(path: Path, rows: list[list], header: list[str] = HEADER, encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list], header: list[str] = HEADER) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "历史工单"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def unit_code(department_id: int | None) -> str | None:
    if department_id is None:
        return None
    with session_scope() as session:
        return session.get(Department, department_id).code


def imported() -> dict[str, dict]:
    """Every ticket in the database, by number, with the fields the import sets, and its events."""
    with session_scope() as session:
        result = {}
        for t in session.scalars(select(Ticket).order_by(Ticket.id)):
            events = session.execute(select(TicketEvent.action, TicketEvent.from_status, TicketEvent.to_status,
                                            TicketEvent.actor_role, TicketEvent.data)
                                     .where(TicketEvent.ticket_id == t.id)).all()
            result[t.number] = {
                "status": t.status, "imported": t.imported_at is not None, "category": t.category_code,
                "lead": t.lead_department_id, "created_at": t.created_at, "channel": t.channel, "type": t.type,
                "township": t.township, "village": t.village, "content": t.content, "reply": t.reply,
                "satisfaction": t.satisfaction, "due_at": t.due_at, "next_attention_at": t.next_attention_at,
                "sign_deadline": t.sign_deadline, "key": t.idempotency_key, "query_code": t.query_code,
                "events": [tuple(e) for e in events],
            }
        return result


def counts() -> tuple[int, int]:
    with session_scope() as session:
        return (session.scalar(select(func.count()).select_from(Ticket)),
                session.scalar(select(func.count()).select_from(TicketEvent)))


def test_a_csv_history_becomes_archived_tickets_with_one_import_event(tmp_path, capsys):
    path = write_csv(tmp_path / "history.csv", ROWS)
    assert run(str(path)) == 0
    out = capsys.readouterr().out
    assert "未识别的列（已忽略）：备注" in out
    assert "导入 3 张，此前已导入（跳过）0 张，有问题未导入 0 行" in out
    assert not (tmp_path / "history.rejects.csv").exists()  # nothing refused: no empty report left behind
    tickets = imported()
    assert set(tickets) == {"QJ2023-0001", "QJ2023-0002", "QJ2023-0003"}
    first, second, third = (tickets[n] for n in ("QJ2023-0001", "QJ2023-0002", "QJ2023-0003"))
    assert (first["status"], first["imported"], first["category"], unit_code(first["lead"])) == (
        "archived", True, "0107", "cgj")
    assert first["created_at"] == at(2023, 5, 6, 14, 30)
    assert (first["channel"], first["type"], first["township"], first["village"]) == (
        "call_12345", "complaint", "城关街道", "望江社区")
    assert (first["reply"], first["satisfaction"]) == ("已更换灯泡", "satisfied")
    assert first["key"] == "import:QJ2023-0001" and len(first["query_code"]) == 8
    assert (first["due_at"], first["next_attention_at"], first["sign_deadline"]) == (None, None, None)
    assert first["events"] == [("import", None, "archived", "system", {
        "original_number": "QJ2023-0001", "original_status": "已办结", "original_unit": "县城市管理和综合执法局",
        "original_category": "0107", "original_township": "城关街道望江社区"})]
    # the category by its name; the lead from the catalogue's entry for 白沙镇, which goes to the township first
    assert (second["category"], unit_code(second["lead"]), second["township"]) == ("1101", "town03", "白沙镇")
    assert (second["created_at"], second["channel"], second["type"], second["satisfaction"]) == (
        at(2023, 5, 7, 9, 5), "web", "consultation", "basically_satisfied")
    # no category column value: the water company leads exactly one catalogue entry, 0201 供水
    assert (third["category"], unit_code(third["lead"]), third["channel"], third["type"]) == (
        "0201", "zls", "app", "help")


def test_an_xlsx_history_with_typed_cells(tmp_path, capsys):
    rows = [[20230001, datetime(2023, 6, 1, 8, 15), "县长信箱", "建议", "江南街道", "建议在南湖公园多装几盏灯",
             "cgj", "路灯照明", "已办结", None, None, None],
            ["QJ-X-2", datetime(2023, 6, 2), None, None, None, "供电公司抄表不准", "国网清江县供电公司", None,
             None, None, "满意", None]]
    assert run(str(write_xlsx(tmp_path / "history.xlsx", rows))) == 0
    tickets = imported()
    assert set(tickets) == {"20230001", "QJ-X-2"}  # a number Excel stored as a number is read as its digits
    one, two = tickets["20230001"], tickets["QJ-X-2"]
    assert (one["created_at"], one["channel"], one["type"], one["category"], unit_code(one["lead"])) == (
        at(2023, 6, 1, 8, 15), "mailbox", "suggestion", "0107", "cgj")
    # empty channel and type: 12345热线 and 求助; the power company leads only 0202 供电
    assert (two["created_at"], two["channel"], two["type"], two["category"], unit_code(two["lead"])) == (
        at(2023, 6, 2), "call_12345", "help", "0202", "gdgs")


def test_gb18030_bom_full_width_digits_and_emoji(tmp_path):
    rows = [["ＱＪ２０２３－００５", "２０２３－０７－０１　１０：２０", "电话", "投诉", "城关街道", "路灯坏了😡晚上看不见𠀀",
             "cgj", None, None, None, None, None]]
    gb = write_csv(tmp_path / "gb.csv", rows, encoding="gb18030")
    assert "工单编号".encode("gb18030") in gb.read_bytes()  # really GB18030, not UTF-8
    assert run(str(gb)) == 0
    bom = write_csv(tmp_path / "bom.csv", [["QJ2023-006", "2023-07-02", None, None, None, "水压太低", "zls", None,
                                            None, None, None, None]], encoding="utf-8-sig")
    assert bom.read_bytes().startswith(b"\xef\xbb\xbf")
    assert run(str(bom)) == 0
    tickets = imported()
    assert set(tickets) == {"QJ2023-005", "QJ2023-006"}
    assert tickets["QJ2023-005"]["content"] == "路灯坏了😡晚上看不见𠀀"
    assert tickets["QJ2023-005"]["created_at"] == at(2023, 7, 1, 10, 20)
    assert tickets["QJ2023-006"]["category"] == "0201"


def test_bad_rows_are_reported_by_row_and_column_and_the_rest_imported(tmp_path, capsys):
    long_number = "N" * 58
    rows = [
        ["QJ-1", "2023-01-01 10:00", None, None, None, "正常的一行", None, None, None, None, None, None],  # row 2
        ["QJ-2", "2023-01-01", None, None, None, "   ", None, None, None, None, None, None],
        ["QJ-3", "去年春天", None, None, None, "时间写错了", None, None, None, None, None, None],  # row 4
        ["QJ-1", "2023-01-02", None, None, None, "编号重复", None, None, None, None, None, None],
        ["QJ-5", "2023-01-03", "飞鸽传书", "闲聊", None, "渠道和类型都不认识", None, None, None, None, "还行", None],
        [None, "2023-01-04", None, None, None, "没有编号", None, None, None, None, None, None],  # row 7
        [long_number, "2023-01-05", None, None, None, "编号太长", None, None, None, None, None, None],
        ["QJ-9", "2023-01-06", None, None, None, "长" * 4001, None, None, None, None, None, None],  # row 9
        ["QJ-10", "2099-01-01", None, None, None, "受理时间在将来", None, None, None, None, None, None],
        ["QJ-11", "2023-01-07", None, None, None, "长" * 4000, None, None, None, None, None, None],  # row 11: fits
        ["QJ-12", "13912345678", None, None, None, "电话填进了受理时间", None, None, None, None, None, None],
    ]
    path = write_csv(tmp_path / "bad.csv", rows)
    assert run(str(path)) == 1
    out = capsys.readouterr().out
    assert "共读取 11 行：导入 2 张，此前已导入（跳过）0 张，有问题未导入 9 行" in out
    assert "13912345678" not in out
    with (tmp_path / "bad.rejects.csv").open(encoding="utf-8-sig") as handle:
        report = list(csv.reader(handle))
    assert report == [
        ["行", "工单编号", "列", "问题"],
        ["3", "QJ-2", "诉求内容", "诉求内容不能为空"],
        ["4", "QJ-3", "受理时间", "无法识别的受理时间「去年春天」，应如 2023-05-06 14:30 或 2023年5月6日"],
        ["5", "QJ-1", "工单编号", "工单编号与本文件第 2 行重复"],
        ["6", "QJ-5", "来源", "未知的来源渠道「飞鸽传书」，应为：12345热线、12315消费者投诉、12369环保举报、12333人社咨询、"
                            "12329住房公积金、县长信箱、网站留言、移动应用、数字城管、网格上报、110转来、119转来、120转来、122转来"
                            "（或电话、网站、微信、信箱等）"],
        ["6", "QJ-5", "类型", "未知的诉求类型「闲聊」，应为：咨询、求助、建议、投诉、举报、表扬"],
        ["6", "QJ-5", "满意度", "未知的满意度「还行」，应为：满意、基本满意、不满意（或留空）"],
        ["7", "", "工单编号", "工单编号不能为空（重新导入时靠它识别已导入的工单）"],
        ["8", "", "工单编号", "工单编号最长 57 个字符"],
        ["9", "QJ-9", "诉求内容", "诉求内容有 4001 个字，超过 4000 个字的上限，请分拆或删减后重新导入"],
        ["10", "QJ-10", "受理时间", "受理时间晚于现在，请核对"],
        ["12", "QJ-12", "受理时间", "无法识别的受理时间「139****5678」，应如 2023-05-06 14:30 或 2023年5月6日"],
    ]
    assert set(imported()) == {"QJ-1", "QJ-11"}
    assert len(imported()["QJ-11"]["content"]) == 4000


def test_a_dry_run_writes_nothing(tmp_path, capsys):
    path = write_csv(tmp_path / "history.csv", [*ROWS, ["QJ-bad", "不是时间", None, None, None, "x", None, None,
                                                        None, None, None, None]])
    before = counts()
    assert run(str(path), dry_run=True) == 1
    out = capsys.readouterr().out
    assert "试运行（--dry-run）：不写入任何数据" in out
    assert "可导入 3 张" in out and "有问题未导入 1 行" in out and "无法识别的受理时间「不是时间」" in out
    assert counts() == before
    assert not (tmp_path / "history.rejects.csv").exists()


def test_unknown_unit_or_category_is_kept_without_a_category_or_refused_when_strict(tmp_path, capsys):
    rows = [["QJ-U1", "2023-02-01", None, None, None, "问题一", "县老干部局", None, None, None, None, None],
            ["QJ-U2", "2023-02-02", None, None, None, "问题二", "cgj", "9999", None, None, None, None],
            ["QJ-U3", "2023-02-03", None, None, None, "问题三", "县住房和城乡建设局", None, None, None, None, None]]
    path = write_csv(tmp_path / "units.csv", rows)
    assert run(str(path), strict=True, rejects=str(tmp_path / "strict.csv")) == 1
    with (tmp_path / "strict.csv").open(encoding="utf-8-sig") as handle:
        assert list(csv.reader(handle))[1:] == [
            ["2", "QJ-U1", "承办单位", "承办单位「县老干部局」不在本县承办单位中（按单位编码或全称）"],
            ["3", "QJ-U2", "分类", "分类「9999」不在本县派单目录中（按分类编码或名称）"]]
    assert set(imported()) == {"QJ-U3"}  # 住建局 leads 0101 and 0104: which one cannot be told, so no category
    assert imported()["QJ-U3"]["category"] is None
    capsys.readouterr()
    assert run(str(path)) == 0  # not strict: kept, without a category (never used for training)
    assert "导入 2 张，此前已导入（跳过）1 张" in capsys.readouterr().out
    tickets = imported()
    assert (tickets["QJ-U1"]["category"], tickets["QJ-U1"]["lead"]) == (None, None)
    assert tickets["QJ-U1"]["events"][0][4]["unresolved"] == ["unit", "category"]
    assert (tickets["QJ-U2"]["category"], unit_code(tickets["QJ-U2"]["lead"])) == (None, "cgj")


def test_numbers_that_do_not_fit_or_look_like_ours_get_a_fixed_stand_in(tmp_path, capsys, operator):
    live = operator.post("/api/tickets", json={"content": "今天的新来电", "type": "complaint"}).json()["number"]
    rows = [["2023010500012", "2023-01-05", None, None, None, "与本系统编号同形", None, None, None, None, None, None],
            ["12345-QINGJIANG-2023-000001", "2023-01-05", None, None, None, "编号超过 20 位", None, None, None, None,
             None, None],
            [live, "2023-01-05", None, None, None, "与今天的工单同号", None, None, None, None, None, None]]
    path = write_csv(tmp_path / "numbers.csv", rows)
    assert run(str(path)) == 0  # the live number looks like ours too: it is stored as H + number, no clash
    assert run(str(path)) == 0  # the same stand-ins a second time: all three skipped
    assert "导入 0 张，此前已导入（跳过）3 张" in capsys.readouterr().out
    tickets = imported()
    # docs/history.md: H + the first 15 hex digits of the original's SHA-1, upper case
    long_one = "H" + hashlib.sha1(b"12345-QINGJIANG-2023-000001").hexdigest()[:15].upper()
    assert set(tickets) == {live, "H2023010500012", "H" + live, long_one}
    assert tickets[long_one]["key"] == "import:12345-QINGJIANG-2023-000001"
    assert tickets[long_one]["events"][0][4]["original_number"] == "12345-QINGJIANG-2023-000001"
    clash = write_csv(tmp_path / "clash.csv", [["H" + live, "2023-01-06", None, None, None, "已被占用的编号", None,
                                                None, None, None, None, None]])
    assert run(str(clash)) == 1
    assert f"编号 H{live} 已被系统中另一张工单使用，未导入" in capsys.readouterr().out


def test_a_batch_that_fails_leaves_earlier_batches_and_a_rerun_completes_without_duplicates(tmp_path, capsys):
    rows = [[f"QJ-R{i:04d}", f"2023-03-{1 + i % 28:02d} 10:00", None, None, None, f"第{i}件历史诉求", "zls", None,
             None, None, None, None] for i in range(250)]
    path = write_csv(tmp_path / "resume.csv", rows)

    def interrupted(summary):
        if summary.batches == 2:
            raise KeyboardInterrupt  # what Ctrl-C between two batches does

    with pytest.raises(KeyboardInterrupt):
        run(str(path), batch_size=100, after_batch=interrupted)
    assert counts() == (200, 200)  # two whole batches, each one transaction
    capsys.readouterr()
    assert run(str(path), batch_size=100) == 0
    assert "导入 50 张，此前已导入（跳过）200 张" in capsys.readouterr().out
    assert counts() == (250, 250)
    assert run(str(path), batch_size=64) == 0  # batch boundaries of their own: still nothing new
    assert counts() == (250, 250)


def _cli(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "web.cli", "import", "tickets", *args], cwd=ROOT,
                            env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def test_an_import_killed_mid_way_resumes_without_duplicates(tmp_path):
    total = 6000
    rows = [[f"QJ-K{i:05d}", "2023-04-01 09:00", None, None, None, f"第{i}件", "gdgs", None, None, None, None, None]
            for i in range(total)]
    path = write_csv(tmp_path / "kill.csv", rows)
    process = _cli(str(path), "--batch-size", "50")
    deadline = time.monotonic() + 120
    while counts()[0] == 0 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    os.killpg(process.pid, signal.SIGKILL)  # no clean-up of any kind: the power goes
    process.wait(10)
    partial = counts()
    assert 0 < partial[0] < total and partial[0] % 50 == 0 and partial[0] == partial[1]
    finished = _cli(str(path), "--batch-size", "500")
    out, err = finished.communicate(timeout=300)
    assert finished.returncode == 0, out + err
    assert f"导入 {total - partial[0]} 张，此前已导入（跳过）{partial[0]} 张" in out
    assert counts() == (total, total)
    with session_scope() as session:
        assert session.scalar(select(func.count(func.distinct(Ticket.idempotency_key)))) == total


def test_the_file_as_a_whole_is_refused_when_it_cannot_be_read(tmp_path, capsys):
    missing = write_csv(tmp_path / "no-content.csv", [["QJ-1", "2023-01-01"]], header=["工单编号", "受理时间"])
    assert run(str(missing)) == 1
    assert "未导入任何工单：第 1 行缺少必需的列：诉求内容" in capsys.readouterr().out
    other = tmp_path / "history.json"
    other.write_text("[]")
    assert run(str(other)) == 1
    assert "只能导入 .csv 或 .xlsx 文件" in capsys.readouterr().out
    assert run(str(missing), batch_size=0) == 1
    assert "--batch-size 至少为 1" in capsys.readouterr().out
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    assert run(str(broken)) == 1
    assert "无法读取工作簿" in capsys.readouterr().out
    assert counts() == (0, 0)


def test_english_aliases_and_a_tab_separated_export(tmp_path):
    path = tmp_path / "export.txt"
    path.write_text("number\treceived_at\tcontent\tcategory\n"
                    "EN-1\t2023-08-01 12:00\t垃圾没人收\t0304\n", encoding="utf-8")
    assert run(str(path)) == 0
    assert imported()["EN-1"]["category"] == "0304"


def test_the_benchmark_runs_at_toy_size(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["HOTLINE_VAR_DIR"] = str(tmp_path / "var")
    answer = subprocess.run([sys.executable, "-m", "web.bench.history", "--rows", "300", "--batch-size", "100",
                             "--database-url", f"sqlite:///{tmp_path / 'bench.db'}"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    assert answer.returncode == 0, answer.stdout + answer.stderr
    assert "共读取 300 行：导入 300 张，此前已导入（跳过）0 张" in answer.stdout
    assert "共读取 300 行：导入 0 张，此前已导入（跳过）300 张" in answer.stdout
    assert "stored for this run: 300 tickets, 300 import events" in answer.stdout
