"""The knowledge base: Chinese search (synonyms, partial words, expiry), admin-only writing, Chinese errors, and
the on-the-spot answer that cites an article."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import delete, func, select

from hotline.database import session_scope
from hotline.knowledge import KnowledgeArticle
from hotline.knowledge_search import Document, KnowledgeIndex, query_terms
from tests.fixtures import CALL, department_id
from web.demo.knowledge import ARTICLES, seed_knowledge

TODAY = date(2026, 11, 24)

# (query, expected article) — the queries a caller's words turn into; written with the articles, so a tuning set.
TUNED = [
    ("社保卡丢了怎么办", "社保卡丢失挂失与补办"), ("社会保障卡补办", "社保卡丢失挂失与补办"), ("社保", "社保卡丢失挂失与补办"),
    ("公积金怎么取出来", "住房公积金提取（购房、租房、退休）"), ("租房提取", "住房公积金提取（购房、租房、退休）"),
    ("房本丢了", "不动产权证书遗失补办"), ("过户要带什么材料", "不动产登记（首次登记、转移登记）所需材料"),
    ("不动产登记材料", "不动产登记（首次登记、转移登记）所需材料"), ("孩子上小学怎么报名", "新生入学报名（小学、初中）"),
    ("一年级报名", "新生入学报名（小学、初中）"), ("外地看病能报销吗", "医保异地就医备案"), ("异地", "医保异地就医备案"),
    ("医疗保险异地备案", "医保异地就医备案"), ("低保户申请条件", "最低生活保障（低保）申请条件"),
    ("最低生活保障", "最低生活保障（低保）申请条件"), ("煤气开户", "管道燃气开户报装"), ("天然气怎么开通", "管道燃气开户报装"),
    ("新房通气", "管道燃气开户报装"), ("小区没水了什么时候来水", "计划停水信息查询"), ("停水", "计划停水信息查询"),
    ("家里没电了", "停电报修与计划停电查询"), ("跳闸", "停电报修与计划停电查询"), ("领失业金", "失业保险金申领"),
    ("退休金怎么领", "城乡居民养老保险待遇领取"), ("包工头不给工钱", "农民工工资拖欠投诉"),
    ("身份证丢了", "居民身份证办理与补领"), ("驾照到期换证", "机动车驾驶证换证与补证"),
    ("开店办执照", "营业执照办理（个体工商户）"), ("残疾证怎么办", "残疾人证办理"), ("打预防针", "儿童预防接种"),
    ("领结婚证", "结婚登记办理"), ("垃圾没人收", "生活垃圾清运时间与投诉"), ("路灯坏了", "路灯不亮报修"),
    ("末班车几点", "公交线路与班次查询"), ("电梯维修基金", "商品房专项维修资金使用"),
    ("政务中心周六上班吗", "政务服务中心办公时间"), ("燃气费欠费", "燃气费缴纳与欠费停气"), ("慢性病", "门诊慢特病申请"),
    ("五保户", "特困人员供养申请"), ("迁户口", "户口迁移与落户"), ("转学", "义务教育阶段转学办理"),
    ("出生证明丢了", "出生医学证明办理"), ("医保缴费", "城乡居民医保缴费"), ("水是黄的", "水压低、水质浑浊处理"),
    ("电费怎么交", "电费缴纳与电价咨询"), ("公积金贷款额度", "住房公积金贷款申请条件"), ("过期食品", "食品安全投诉举报"),
    ("公积", "住房公积金提取（购房、租房、退休）"),
]
# Written afterwards, as callers might say it, and measured before any further tuning.
UNSEEN = [
    ("我的社保卡找不到了，要去哪里补", "社保卡丢失挂失与补办"), ("想把住房公积金取出来付房租", "住房公积金提取（购房、租房、退休）"),
    ("买的二手房怎么办产权证", "不动产登记（首次登记、转移登记）所需材料"), ("小孩明年读初一要准备什么", "新生入学报名（小学、初中）"),
    ("在广州住院医保能不能直接结算", "医保异地就医备案"), ("家里困难能不能吃低保", "最低生活保障（低保）申请条件"),
    ("新买的房子要装天然气", "管道燃气开户报装"), ("今天整栋楼都停电了", "停电报修与计划停电查询"),
    ("自来水停了好久", "计划停水信息查询"), ("老板欠了三个月工资", "农民工工资拖欠投诉"),
    ("身份证过期了要换", "居民身份证办理与补领"), ("老人满六十岁能领多少养老金", "城乡居民养老保险待遇领取"),
    ("饭店吃出虫子", "食品安全投诉举报"), ("楼下垃圾桶满了臭死了", "生活垃圾清运时间与投诉"),
    ("电梯坏了维修钱谁出", "商品房专项维修资金使用"), ("孩子要转到县城读书", "义务教育阶段转学办理"),
    ("房东不让开燃气户", "管道燃气开户报装"), ("户口想迁到县城", "户口迁移与落户"), ("糖尿病门诊能报销吗", "门诊慢特病申请"),
    ("家里着火了生活困难", "临时救助申请"),
]


@pytest.fixture(scope="module")
def index() -> tuple[KnowledgeIndex, dict[int, str]]:
    documents = [Document(id=i, title=title, answer=answer, keywords=keywords, valid_until=valid)
                 for i, (title, _, keywords, valid, answer) in enumerate(ARTICLES)]
    return KnowledgeIndex(documents), {d.id: d.title for d in documents}


@pytest.fixture
def scratch():
    """Articles a test writes are removed afterwards, so the demo set stays as it was."""
    with session_scope() as session:
        before = session.scalar(select(func.max(KnowledgeArticle.id))) or 0
    yield
    with session_scope() as session:
        session.execute(delete(KnowledgeArticle).where(KnowledgeArticle.id > before))


def _ranks(index, titles, cases) -> list[int | None]:
    ranks = []
    for query, expected in cases:
        found = [titles[hit.id] for hit in index[0].search(query, today=TODAY, limit=5)]
        ranks.append(found.index(expected) + 1 if expected in found else None)
    return ranks


def test_search_quality_on_tuned_and_unseen_queries(index):
    tuned = _ranks(index, index[1], TUNED)
    unseen = _ranks(index, index[1], UNSEEN)
    top = lambda ranks, k: sum(1 for r in ranks if r is not None and r <= k) / len(ranks)  # noqa: E731
    assert top(tuned, 1) >= 0.95 and top(tuned, 3) == 1.0, tuned
    assert top(unseen, 1) >= 0.85 and top(unseen, 3) >= 0.9, unseen


@pytest.mark.parametrize(("query", "expected"), [
    ("社会保障卡丢了", "社保卡丢失挂失与补办"),  # synonym: 社会保障卡 → 社保卡
    ("房本丢了怎么补", "不动产权证书遗失补办"),  # 房本 → 不动产权证
    ("外地看病怎么报销", "医保异地就医备案"),  # 外地看病 → 异地就医
    ("煤气开户", "管道燃气开户报装"),  # 煤气 → 燃气
    ("小区没水了", "计划停水信息查询"),  # 没水 → 停水
    ("异地", "医保异地就医备案"),  # part of 异地就医
    ("公积", "住房公积金"),  # part of 公积金
])
def test_chinese_queries_through_the_api(operator, query, expected):
    response = operator.get("/api/knowledge/search", params={"q": query})
    assert response.status_code == 200, response.text
    titles = [hit["title"] for hit in response.json()]
    assert titles and expected in titles[0], (query, titles)


@pytest.mark.parametrize("query", ["不动", "补办", "投诉"])
def test_a_fragment_or_a_request_word_alone_offers_nothing(operator, query):
    """不动 is only a piece of 不动产, and 补办 / 投诉 fit any matter: neither says what the caller asks about, so
    the console shows no article rather than a guess (issue 19)."""
    response = operator.get("/api/knowledge/search", params={"q": query})
    assert response.status_code == 200 and response.json() == [], response.text


def test_query_terms_mix_words_bigrams_and_synonyms():
    terms = query_terms("房本丢了")
    assert terms["房"] == terms["本"] == 0.2  # jieba splits 房本 into lone characters, which say little
    assert terms["~房本"] == 0.35  # so the query's own bigram carries it
    assert terms["不动产"] == terms["补办"] == 0.8  # synonyms of 房本 and 丢了


def test_hits_explain_themselves_and_filter_by_department(operator):
    hit = operator.get("/api/knowledge/search", params={"q": "社保卡丢了"}).json()[0]
    assert hit["title"] == "社保卡丢失挂失与补办"
    assert "社保卡" in hit["matched"] and hit["department"]["name"] == "县人力资源和社会保障局"
    assert all(len(word) > 1 for word in hit["matched"])
    only = operator.get("/api/knowledge/search", params={"q": "房产证补办",
                                                          "department_id": department_id("bdc")}).json()
    assert only and {h["department"]["name"] for h in only} == {"县不动产登记中心"}


def test_expired_and_retired_articles_never_show(login, operator, scratch):
    admin = login("admin")
    yesterday = (TODAY - timedelta(days=1)).isoformat()
    created = admin.post("/api/knowledge/articles", json={
        "title": "渡口轮渡时刻表", "answer": "清江渡口轮渡每天7:00至18:00每半小时一班。", "keywords": "轮渡 渡船",
        "valid_until": yesterday, "department_id": department_id("jtys")})
    assert created.status_code == 201, created.text
    article = created.json()
    assert article["expired"] is True
    search = lambda: [h["id"] for h in operator.get("/api/knowledge/search", params={"q": "轮渡几点"}).json()]  # noqa: E731
    assert article["id"] not in search()
    assert admin.client.patch(f"/api/knowledge/articles/{article['id']}", json={"valid_until": None},
                              headers=admin.headers).status_code == 200
    assert search()[:1] == [article["id"]]  # the index follows the edit at once
    assert admin.client.patch(f"/api/knowledge/articles/{article['id']}", json={"active": False},
                              headers=admin.headers).json()["active"] is False
    assert article["id"] not in search()
    assert operator.get(f"/api/knowledge/articles/{article['id']}").status_code == 404  # retired: only admins see it
    assert admin.get(f"/api/knowledge/articles/{article['id']}").status_code == 200


def test_admin_writes_and_deletes_while_others_only_read(login, operator, client, scratch):
    admin = login("admin")
    body = {"title": "犬只登记办理", "answer": "携带犬只免疫证明到城关派出所办理犬只登记。", "keywords": "养狗 犬证"}
    refused = operator.post("/api/knowledge/articles", json=body)
    assert refused.status_code == 403 and refused.json()["detail"] == "无权访问：仅限管理员"
    handler = login("h_cgj").get("/api/knowledge/search", params={"q": "社保"})
    assert handler.status_code == 403
    anonymous = client.get("/api/knowledge/search", params={"q": "社保"})
    assert anonymous.status_code == 401 and anonymous.json()["detail"] == "请先登录"
    created = admin.post("/api/knowledge/articles", json=body).json()
    assert created["department"] is None and created["valid_until"] is None and created["active"] is True
    changed = admin.client.patch(f"/api/knowledge/articles/{created['id']}", headers=admin.headers,
                                 json={"department_id": department_id("gaj"), "keywords": "养狗 犬证 狗证"}).json()
    assert changed["department"]["name"] == "县公安局" and changed["title"] == body["title"]
    assert operator.get("/api/knowledge/search", params={"q": "办狗证"}).json()[0]["id"] == created["id"]
    listed = [a["id"] for a in operator.get("/api/knowledge/articles").json()]
    assert created["id"] in listed and len(listed) >= 30
    assert admin.client.delete(f"/api/knowledge/articles/{created['id']}", headers=admin.headers).status_code == 204
    gone = admin.get(f"/api/knowledge/articles/{created['id']}")
    assert gone.status_code == 404 and gone.json()["detail"] == f"知识库文章 {created['id']} 不存在"


def test_bad_input_is_refused_in_chinese(login, operator, scratch):
    admin = login("admin")
    empty = admin.post("/api/knowledge/articles", json={"title": "  ", "answer": "内容"})
    assert empty.status_code == 400 and "标题不能为空" in empty.json()["detail"]
    unknown = admin.post("/api/knowledge/articles", json={"title": "标题", "answer": "内容", "department_id": 99999})
    assert unknown.status_code == 400 and unknown.json()["detail"] == "部门编号 99999 不存在"
    assert unknown.json()["errors"][0]["field"] == "department_id"
    extra = admin.post("/api/knowledge/articles", json={"title": "标题", "answer": "内容", "owner": "x"})
    assert extra.status_code == 400 and "不认识的字段" in extra.json()["detail"]
    for params in ({"q": "\u3000"}, {}):
        blank = operator.get("/api/knowledge/search", params=params)
        assert blank.status_code == 400 and blank.json()["detail"] == "请输入检索词"


def test_answer_on_the_spot_cites_the_article(operator, client):
    hit = operator.get("/api/knowledge/search", params={"q": "燃气开户"}).json()[0]
    receipt = operator.post("/api/tickets", json={**CALL, "content": "新房子想开通天然气，要带什么", "type": "consultation"})
    number = receipt.json()["number"]
    answered = operator.act(number, "answer", {"reply": hit["answer"], "article_id": hit["id"]})
    assert answered.status_code == 200 and answered.json()["status"] == "closed"
    event = next(e for e in answered.json()["events"] if e["action"] == "answer")
    assert event["data"]["article_id"] == hit["id"] and event["data"]["reply"] == hit["answer"]
    public = client.post("/api/public/lookup", json={"number": number, "query_code": receipt.json()["query_code"]})
    assert public.json()["reply"] == hit["answer"]


def test_answer_citing_a_missing_or_retired_article_is_refused(login, operator, scratch):
    admin = login("admin")
    retired = admin.post("/api/knowledge/articles", json={"title": "旧口径", "answer": "已废止", "active": False}).json()
    number = operator.post("/api/tickets", json={**CALL, "type": "consultation"}).json()["number"]
    for article_id in (999999, retired["id"]):
        refused = operator.act(number, "answer", {"reply": "按旧口径答复", "article_id": article_id})
        assert refused.status_code == 400 and refused.json()["detail"] == f"知识库条目 {article_id} 不存在或已停用"
    ticket = operator.get(f"/api/tickets/{number}").json()
    assert ticket["status"] == "received" and len(ticket["events"]) == 1  # nothing half-written


def test_categories_for_the_pickers(operator, client):
    categories = operator.get("/api/reference/categories").json()
    assert len(categories) == 73 and categories[0] == {
        "code": "0101", "name": "物业管理", "group": "城乡建设", "description": categories[0]["description"]}
    assert client.get("/api/reference/categories").status_code == 401


def test_seed_is_idempotent_and_complete():
    """The demo county's reference seed already brought the articles."""
    with session_scope() as session:
        assert seed_knowledge(session) == 0
        rows = session.scalars(select(KnowledgeArticle)).all()
    assert len(rows) >= 30
    with_department = {title for title, code, *_ in ARTICLES if code}
    assert all(r.department_id for r in rows if r.title in with_department)


def test_answer_citing_an_expired_article_is_refused(login, operator, scratch):
    """Expiry is by the county's (Asia/Shanghai) calendar day: in force all of its last day, refused the day after."""
    from hotline.knowledge import today

    admin = login("admin")
    expired = admin.post("/api/knowledge/articles", json={
        "title": "2025年国庆假期安排", "answer": "10月1日至8日暂停窗口服务",
        "valid_until": (today() - timedelta(days=1)).isoformat()}).json()
    last_day = admin.post("/api/knowledge/articles", json={
        "title": "今日截止的缴费安排", "answer": "今天是最后一天", "valid_until": today().isoformat()}).json()
    number = operator.post("/api/tickets", json={**CALL, "type": "consultation"}).json()["number"]
    refused = operator.act(number, "answer", {"reply": expired["answer"], "article_id": expired["id"]})
    assert refused.status_code == 400
    assert refused.json()["detail"] == (f"知识库条目 {expired['id']}「2025年国庆假期安排」已于 "
                                        f"{(today() - timedelta(days=1)).isoformat()} 过期，不能引用答复，请改用现行口径")
    assert operator.get(f"/api/tickets/{number}").json()["status"] == "received"
    offered = [h["id"] for h in operator.get("/api/knowledge/search", params={"q": "国庆假期安排"}).json()]
    assert expired["id"] not in offered  # nor does the search offer it
    answered = operator.act(number, "answer", {"reply": last_day["answer"], "article_id": last_day["id"]})
    assert answered.status_code in (200, 201), answered.text
