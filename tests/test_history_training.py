"""Training the routing model on a county's history: `model train-history`, the guard on the history's own
slice, the suggestion at intake, and the nightly retrain.

The history is a few hundred tickets of the demo county written for these tests (not from classifier/corpus):
each category has its own hand-written sentences with slots, and this county files street lights under 道路桥梁
(0106, its transport bureau keeps them), where the shipped corpus has a category of their own (0107 路灯照明).
"""

from __future__ import annotations

import random
import subprocess
import sys
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from rq import SimpleWorker
from sqlalchemy import select, update

from classifier import similarity
from dispatch import history_training, jobs
from dispatch.models import RoutingCorrection
from dispatch.routing import get_store
from hotline.database import session_scope
from hotline.jobs import get_queue, get_training_queue
from hotline.models import Department, Ticket
from tests.fixtures import CALL
from tests.harness import ROOT

SHANGHAI = ZoneInfo("Asia/Shanghai")

PLACES = ["城关街道建设路", "城南新村", "河西镇老街", "青石乡中心小学附近", "金桥社区三栋", "火车站广场东侧",
          "白沙村二组", "工业园区北门", "人民医院后面", "滨江路口", "桃源小区", "长岭村村部旁边"]
OPENERS = ["", "你好，", "我想反映一下，", "喂，是12345吗，", "麻烦登记一下，", "我是附近的居民，"]
ENDINGS = ["", "希望尽快处理。", "请相关部门来看看。", "已经反映过好几次了。", "麻烦给个答复。", "谢谢。"]

TEMPLATES: dict[str, list[str]] = {
    "0106": ["{p}的路面塌了一个大坑，下雨天积水看不见，好几辆电动车摔倒了",
             "{p}那段水泥路坑坑洼洼，货车一过尘土飞扬，车子底盘都刮坏了",
             "{p}的井盖被人偷了，一个黑洞敞在路中间，小孩放学要经过",
             "{p}的路灯一整排都不亮，晚上走路全靠手机照明",
             "{p}有几根路灯杆歪了，灯也坏了半个月没人修",
             "{p}的小桥栏杆断了一截，桥面也裂了缝"],
    "0201": ["{p}从早上开始就没有自来水，也没看到停水通知",
             "{p}的水龙头放出来是黄的，还有股铁锈味，不敢给孩子喝",
             "{p}楼上水压太低，五楼以上基本打不上水",
             "{p}的供水管爆了，水一直往路上冒，浪费得很",
             "我家{p}这个月水费突然多了三倍，水表是不是有问题"],
    "0202": ["{p}一天停了三次电，冰箱里的东西都坏了",
             "{p}的电压忽高忽低，家里灯一闪一闪的，空调都开不起来",
             "{p}电线杆上的线垂得很低，刮风的时候火花直冒",
             "{p}停电快十个小时了，打供电所电话一直没人接",
             "{p}的变压器嗡嗡响，夏天一到用电高峰就跳闸"],
    "0303": ["{p}的工地半夜还在打桩，吵得整栋楼睡不着觉",
             "{p}每天晚上广场舞音响开得特别大，到十点多还不停",
             "{p}那家超市门口的喇叭从早喊到晚，循环播放促销",
             "{p}的KTV凌晨两三点还在唱，窗户关上都挡不住",
             "{p}有个加工厂机器轰隆隆响，周末也不停"],
    "0304": ["{p}的垃圾桶满了好几天没人清运，臭味很大",
             "{p}的公共厕所又脏又臭，水龙头也坏了",
             "{p}路边堆了一大堆建筑垃圾和生活垃圾，苍蝇蚊子到处飞",
             "{p}有人往河边倒垃圾，已经堆成一座小山了",
             "{p}的垃圾中转站污水横流，周围居民意见很大"],
    "0601": ["孩子户口在{p}，报名上一年级却说没有学位",
             "{p}划片的学校离家太远，能不能调到附近的学校读书",
             "我们是外来务工人员，住在{p}，孩子入学要准备哪些材料",
             "孩子想从外地转学回{p}的学校，学校说学籍转不了",
             "{p}的幼儿园报名名额太少，排了一晚上的队也没报上"],
    "0701": ["我在{p}的工地干了半年，包工头拖着工钱不给，十几个人都没拿到",
             "{p}那家厂子三个月没发工资了，老板电话打不通",
             "过年前在{p}做装修的工钱还欠着八千块，一直推说下个月给",
             "{p}的饭店老板跑路了，服务员的工资一分没结",
             "我们在{p}修路的农民工被欠薪，找项目部也没人管"],
    "1201": ["{p}有人聚在出租屋里赌博，每天晚上进进出出很多人",
             "{p}这几天接连有电动车被偷，监控也看不清",
             "{p}有一伙人经常在路口拦人要钱，大家都不敢走那边",
             "我妈在{p}接到电话被骗了两万块，说是要交什么保证金",
             "{p}的烧烤摊有人喝醉了打架，砸了好几张桌子"],
}
TOO_FEW = {"0902": ["在{p}的商店买的电饭煲用了三天就坏了，商家不给退", "{p}的健身房关门了，办的年卡退不了钱"]}
OLD_SYSTEM_CODE = "Z901"  # a code of the county's earlier system that its catalogue does not have
OLD_SYSTEM = ["{p}的居民想咨询一下今年的政策", "{p}这边的事情想问问归哪个部门管", "{p}的问题想了解办理进度"]
UNLABELLED = ["{p}的情况上次已经说过了", "{p}那边的事请帮忙转一下", "{p}的老问题还是没解决"]

PER_CODE = 40
TOO_FEW_COUNT = 6
OLD_SYSTEM_COUNT = 25
UNLABELLED_COUNT = 12
KEPT_CODES = sorted(TEMPLATES)


def _texts(templates: list[str], count: int, rng: random.Random) -> list[str]:
    out: set[str] = set()
    while len(out) < count:
        out.add(rng.choice(OPENERS) + rng.choice(templates).format(p=rng.choice(PLACES)) + "，" + rng.choice(ENDINGS))
    return sorted(out)


def history_rows(seed: int = 17) -> list[tuple[str | None, str]]:
    """(category code or None, content) for every history ticket, in a fixed order."""
    rng = random.Random(seed)
    rows: list[tuple[str | None, str]] = []
    for code, templates in TEMPLATES.items():
        rows += [(code, text) for text in _texts(templates, PER_CODE, rng)]
    rows += [("0902", text) for text in _texts(TOO_FEW["0902"], TOO_FEW_COUNT, rng)]
    rows += [(OLD_SYSTEM_CODE, text) for text in _texts(OLD_SYSTEM, OLD_SYSTEM_COUNT, rng)]
    rows += [(None, text) for text in _texts(UNLABELLED, UNLABELLED_COUNT, rng)]
    rng.shuffle(rows)
    return rows


def insert_history(rows: list[tuple[str | None, str]], start: int = 0) -> list[str]:
    """Archived, imported tickets, as the history import leaves them; returns their numbers."""
    received = datetime(2024, 3, 1, 9, 0, tzinfo=SHANGHAI)
    tickets = [Ticket(number=f"LS2024{start + i:07d}", query_code="000000", channel="phone", content=content,
                      type="complaint", category_code=code, status="archived",
                      created_at=received + timedelta(hours=7 * (start + i)), imported_at=datetime(2026, 12, 1, 8, 0, tzinfo=SHANGHAI))
               for i, (code, content) in enumerate(rows)]
    with session_scope() as session:
        session.add_all(tickets)
    return [t.number for t in tickets]


# -- the new call, and what the county's catalogue says about it ------------------------------------------------

NEW_CALL = "我们村口新装的那几盏照明灯到了夜里一直是黑的，骑摩托车回来看不清坑，能不能派人来修一下"
COUNTY_UNIT_FOR_LIGHTS = "县交通运输局"  # the demo catalogue's lead unit for 0106


@pytest.fixture
def current_model():
    """The suite's model (trained from the corpus) is current again after the test."""
    store = get_store()
    before = store.current_version()
    yield store
    store.pointer.write_text(before, encoding="utf-8")
    get_store.cache_clear()


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "web.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def test_the_new_call_is_worded_unlike_every_history_ticket():
    query = similarity.ngram_vector(NEW_CALL)
    closest = max(similarity.cosine(query, similarity.ngram_vector(text)) for _, text in history_rows())
    assert closest < 0.3


def test_train_history_learns_the_countys_codes_and_the_suggestion_names_its_unit(current_model, operator):
    insert_history(history_rows())
    corpus_version = current_model.current_version()
    before = operator.post("/api/classifier/suggest", json={"text": NEW_CALL}).json()["suggestion"]
    assert before["top"][0]["code"] == "0107"  # the shipped corpus has a category for street lights

    done = cli("model", "train-history")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "[统计历史工单] 历史工单 363，可用 320，分类 8" in out
    assert "未用：12 张没有分类" in out
    assert "未用（每类少于 20 张）：0902 6 张" in out
    assert "未用（不是派单目录中在用的分类）：Z901 25 张" in out
    assert "新模型不差于当前模型，已采用" in out
    assert f"当前模型 {corpus_version}：宏平均 F1 " in out and "准确率" in out

    meta = current_model.current_meta()
    assert meta.source == "history" and meta.version != corpus_version
    assert sorted(current_model.current().classes) == KEPT_CODES

    after = operator.post("/api/classifier/suggest", json={"text": NEW_CALL}).json()["suggestion"]
    assert after["top"][0]["code"] == "0106"
    assert after["department"] == COUNTY_UNIT_FOR_LIGHTS
    assert {c["code"] for c in after["top"]} <= set(KEPT_CODES)

    number = operator.post("/api/tickets", json={**CALL, "content": NEW_CALL}).json()["number"]
    queue = get_queue()
    SimpleWorker([queue], connection=queue.connection).work(burst=True)  # the routing job of the new call
    with session_scope() as session:
        ticket = session.scalar(select(Ticket).where(Ticket.number == number))
        assert ticket.suggested_category == "0106"
        assert ticket.lead_department is None or ticket.lead_department.name == COUNTY_UNIT_FOR_LIGHTS


def test_a_dry_run_gives_the_verdict_and_stores_nothing(current_model):
    insert_history(history_rows())
    versions, current = current_model.versions(), current_model.current_version()
    done = cli("model", "train-history", "--dry-run")
    assert done.returncode == 0, done.stderr
    assert "将被采用（试运行，未保存）" in done.stdout
    assert current_model.versions() == versions and current_model.current_version() == current


def test_no_history_or_too_little_is_refused_and_nothing_is_written(current_model):
    versions = current_model.versions()
    done = cli("model", "train-history")
    assert done.returncode == 1
    assert "未训练：没有历史工单：请先用 hotline12345 import tickets 导入本县的历史工单" in done.stderr
    insert_history(history_rows()[:150])
    done = cli("model", "train-history")
    assert done.returncode == 1
    assert "未训练：历史工单太少，无法训练：可用的有 " in done.stderr and "需要至少 200 张、2 个分类" in done.stderr
    assert current_model.versions() == versions


def test_a_candidate_worse_on_the_history_slice_is_refused_and_the_current_model_stays(current_model):
    numbers = insert_history(history_rows())
    first = history_training.train_history()
    assert first.promoted and first.slice >= 10 and first.training + first.slice == 320
    promoted = current_model.current_version()
    # the training side relabelled at random; the slice keeps the county's true labels
    training_side = [n for n in numbers if not history_training.in_slice(n)]
    rng = random.Random(3)
    with session_scope() as session:
        for number in training_side:
            session.execute(update(Ticket).where(Ticket.number == number, Ticket.category_code.in_(KEPT_CODES))
                            .values(category_code=rng.choice(KEPT_CODES)))
    second = history_training.train_history()
    assert not second.promoted
    assert second.current == promoted and second.slice == first.slice
    assert second.candidate_f1 < second.current_f1
    assert current_model.current_version() == promoted


def test_the_slice_is_one_ticket_in_ten_and_the_same_in_another_process():
    numbers = [f"LS2024{i:07d}" for i in range(5000)]
    here = [n for n in numbers if history_training.in_slice(n)]
    assert 400 <= len(here) <= 600
    code = ("from dispatch.history_training import in_slice; "
            f"print(','.join(n for n in {numbers!r} if in_slice(n)))")
    there = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                           env={"PYTHONHASHSEED": "123", "PATH": "/usr/bin:/bin"})
    assert there.stdout.strip().split(",") == here


def test_the_nightly_retrain_trains_on_history_once_there_is_some(current_model):
    insert_history(history_rows()[:60])
    corpus_version = current_model.current_version()
    skipped = jobs.retrain_model()
    assert "历史工单太少" in skipped["skipped"]
    assert current_model.current_version() == corpus_version  # not retrained on the corpus either
    insert_history(history_rows()[60:], start=60)
    versions = current_model.versions()
    queued = jobs.start_history_training()  # an admin's training, not yet taken by a worker
    assert jobs.retrain_model() == {"skipped": "history training running"}
    assert current_model.versions() == versions
    queued.cancel()
    get_queue().connection.delete(jobs.HISTORY_JOB_KEY)
    done = jobs.retrain_model()
    assert done["source"] == "history" and done["promoted"]
    assert current_model.current_meta().source == "history"
    assert get_queue().connection.get(jobs.HISTORY_JOB_KEY) is None  # the night let the key go


def test_history_training_reads_unit_names_from_the_catalogue():
    with session_scope() as session:
        name = session.scalar(select(Department.name).where(Department.code == "jtys"))
    assert name == COUNTY_UNIT_FOR_LIGHTS


# -- the admin API: an RQ job on a real worker -------------------------------------------------------------------

def _work() -> None:
    queue = get_training_queue()  # training has its queue of its own
    SimpleWorker([queue], connection=queue.connection).work(burst=True)


def test_the_admin_starts_training_as_a_job_and_follows_it_to_the_verdict(current_model, login):
    admin = login("admin")
    insert_history(history_rows())
    with session_scope() as session:  # people's corrections of live tickets: only those to a kept code count
        session.add_all([RoutingCorrection(text="小区里的水管冻裂了，家家户户都没水用", predicted="0101", corrected="0201"),
                         RoutingCorrection(text="路灯坏了", predicted="0106", corrected="0107")])
    started = admin.post("/api/admin/model/train-history")
    assert started.status_code == 202, started.text
    job = started.json()
    assert job["status"] == "queued" and job["result"] is None

    again = admin.post("/api/admin/model/train-history")
    assert again.status_code == 409
    assert again.json()["detail"] == f"已有一个历史训练任务在进行（任务 {job['id']}），请等它结束后再试"
    assert admin.get(f"/api/admin/model/jobs/{job['id']}").json()["status"] == "queued"

    _work()
    followed = admin.get(f"/api/admin/model/jobs/{job['id']}").json()
    assert followed["status"] == "finished" and followed["stage"] == "done" and followed["error"] is None
    counts = followed["counts"]
    assert counts["training"] + counts["slice"] == 320 and counts["corrections"] == 1
    result = followed["result"]
    assert result["promoted"] and not result["dry_run"] and result["current_f1"] < result["candidate_f1"]
    assert result["census"]["too_few"] == {"0902": 6} and result["census"]["not_in_catalogue"] == {"Z901": 25}
    assert current_model.current_version() == result["candidate"]

    dry = admin.post("/api/admin/model/train-history?dry_run=true")  # the one before has ended: a new one starts
    assert dry.status_code == 202 and dry.json()["id"] != job["id"]


def test_training_refused_by_the_api_when_there_is_no_or_too_little_history(current_model, login):
    admin = login("admin")
    versions = current_model.versions()
    none = admin.post("/api/admin/model/train-history")
    assert none.status_code == 400
    assert none.json()["detail"].startswith("没有历史工单：请先用 hotline12345 import tickets 导入本县的历史工单")
    insert_history(history_rows()[:150])
    little = admin.post("/api/admin/model/train-history")
    assert little.status_code == 400 and little.json()["detail"].startswith("历史工单太少，无法训练")
    assert get_queue().count == 0 and current_model.versions() == versions


def test_only_an_admin_trains_and_only_training_jobs_are_shown(login, operator):
    assert operator.post("/api/admin/model/train-history").status_code == 403
    admin = login("admin")
    missing = admin.get("/api/admin/model/jobs/no-such-job")
    assert missing.status_code == 404 and missing.json()["detail"] == "训练任务 no-such-job 不存在或已过期"
    operator.post("/api/tickets", json=CALL)  # queues a routing job, which is not a training job
    [other, *_] = get_queue().job_ids
    assert admin.get(f"/api/admin/model/jobs/{other}").status_code == 404
    too_long = admin.get("/api/admin/model/jobs/" + "x" * 81)
    assert too_long.status_code == 404 and too_long.json()["detail"] == f"训练任务 {'x' * 80}… 不存在或已过期"
