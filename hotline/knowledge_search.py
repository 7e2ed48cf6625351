"""Chinese full-text search over knowledge-base articles: jieba words, character bigrams, synonyms, BM25F.

Pure functions and one small index class, with no database: `hotline.knowledge` loads the articles and keeps
one index per process, rebuilt only when the articles change. Why this shape:

- jieba (with the classifier's user dictionary) finds the words an operator types (社保卡, 公积金, 异地就医);
  its search mode also yields the shorter words inside long ones (公积金 → 公积, 积金), so a partial word still
  meets its article.
- CJK character bigrams, at a low weight, catch the partial words and typos jieba splits differently.
- A small synonym table maps what callers say (房本, 没水, 煤气, 外地看病) to the words the articles use.
- BM25 over weighted fields (title > keywords > answer) ranks; with tens to a few thousand short articles a
  scan of the in-memory postings is well under a millisecond per query.
- An article is offered only on evidence: the query must name one of its subject words (a word of its title or
  keywords, directly or through a synonym), and that word must not be a generic request word (投诉, 申请, 报名,
  丢了 …) that fits any matter. Without this BM25 always ranks something, and the console offered 特困人员供养
  for 「人民路又有人摆摊占道了」. Place and person names are masked first (`hotline.knowledge_places`).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from classifier.segment import STOPWORDS, jieba_instance
from hotline.knowledge_places import mask_places

# What callers say ↔ what articles say. Each group is one meaning; a query naming any member also looks for
# the others. Keep groups narrow: a synonym that is too broad drowns the right article.
SYNONYMS: tuple[frozenset[str], ...] = tuple(frozenset(group) for group in (
    {"社保卡", "社会保障卡", "社保卡片", "医保卡", "身份证明卡"},
    {"医保", "医疗保险"},
    {"异地就医", "外地看病", "外地就医", "异地看病", "外地住院", "异地住院"},
    {"公积金", "住房公积金"},
    {"提取", "取出", "取钱", "提现", "支取", "拿出来", "取出来"},
    {"补办", "补领", "重办", "丢了", "丢失", "遗失", "弄丢", "挂失"},
    {"不动产", "房产证", "房本", "不动产权证", "产权证", "房屋产权"},
    {"过户", "转移登记", "变更登记", "名下", "改名字", "更名"},
    {"低保", "最低生活保障", "低保户"},
    {"特困", "五保", "特困供养"},
    {"停水", "断水", "没水", "没有水", "不来水", "停止供水", "水停了"},
    {"停电", "断电", "没电", "没有电", "跳闸", "供电中断", "黑灯瞎火"},
    {"燃气", "天然气", "煤气", "管道气"},
    {"开户", "开通", "通气", "报装", "安装"},
    {"入学", "上学", "招生", "读书"},
    {"新生", "一年级", "小一", "初一", "幼升小", "小升初"},
    {"户口", "户籍", "落户", "迁户口"},
    {"身份证", "居民身份证", "身分证"},
    {"驾驶证", "驾照"},
    {"养老金", "退休金", "养老保险金"},
    {"失业金", "失业保险金", "失业补助", "裁员", "被辞退", "下岗"},
    {"工资", "薪水", "工钱", "欠薪", "拖欠工资"},
    {"欠薪", "一分钱没给", "不给钱", "没给钱", "不发工资", "讨薪"},
    {"电费", "电价"},
    {"水费", "水价"},
    {"燃气费", "气费", "煤气费"},
    {"营业执照", "执照", "工商登记"},
    {"残疾证", "残疾人证"},
    {"出生医学证明", "出生证", "出生证明"},
    {"疫苗", "打针", "接种", "预防针"},
    {"路灯", "灯不亮", "照明"},
    {"垃圾", "垃圾清运", "垃圾桶"},
    {"噪音", "噪声", "吵"},
    {"公交", "公交车", "班车", "路车"},
    {"居住证", "暂住证"},
    {"结婚登记", "领结婚证", "结婚证"},
    {"营商", "办企业", "开公司"},
    {"维修资金", "维修基金", "专项维修资金"},
    {"浑浊", "浑水", "黄水", "发黄", "黄的"},
    {"水压低", "水小", "出水小", "水压小", "水流小", "水很小"},
    {"转学", "转校"},
    {"饭店", "餐馆", "饭馆", "餐厅", "小吃店"},
    {"租房", "租赁", "公租房", "廉租房"},
    {"停气", "没气", "断气", "没有气"},
    {"门诊慢特病", "慢特病", "慢性病", "特殊病", "慢病"},
    {"变质", "馊了", "发霉", "拉肚子", "食物中毒", "吃坏"},
))
# Question words add nothing to a search; dropping them keeps short queries sharp.
QUERY_STOPWORDS = frozenset({"怎么办", "怎样", "如何", "哪些", "哪里", "什么", "需要", "可以", "请问", "问一下", "想问",
                             "咨询", "一下", "能不能", "能否", "是否", "多少", "多久", "时候", "时间", "办法", "吗", "呢",
                             "啊", "了", "的", "我", "我们", "我家", "你好", "您好", "谢谢", "带"})
# Words that say what the caller wants done, not what about: they rank, but never alone justify an article
# (投诉 fits a barbecue stall as well as unpaid wages; 丢了 a parcel as well as a social-security card).
GENERIC = frozenset({"投诉", "举报", "申请", "办理", "办", "查询", "咨询", "报修", "材料", "时间", "处理", "领取", "申领",
                     "使用", "条件", "信息", "安排", "所需", "办证", "换证", "补证", "缴纳", "缴费", "登记", "报名",
                     "补办", "补领", "重办", "丢了", "丢失", "遗失", "弄丢", "挂失", "补卡", "换卡", "满了", "没人收",
                     "不亮", "到期", "开通", "安装", "开户", "报装", "注册", "领证",
                     # who and when, not what
                     "老人", "儿童", "人员", "外地", "周末"})
FIELD_WEIGHTS = {"title": 3.0, "keywords": 2.5, "answer": 1.0}
WORD, BIGRAM, SYNONYM, SYNONYM_BIGRAM = 1.0, 0.35, 0.8, 0.25
SINGLE = 0.2  # a lone character (不, 动, 房) says little; its bigrams carry the meaning
K1, B = 1.2, 0.75
MIN_SHARE = 0.3  # a hit scoring under this share of the best one is noise, not an answer

_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_KEEP = re.compile(r"[\u4e00-\u9fffa-z0-9]")
_SPLIT_KEYWORDS = re.compile(r"[\s,，、;；/|]+")


def normalize(text: str) -> str:
    """Full-width to half-width, lower case: 'ＡＢＣ１２' and 'abc12' are one token."""
    return unicodedata.normalize("NFKC", text).lower()


def words(text: str) -> list[str]:
    """jieba search-mode words (long words and the shorter words inside them), minus punctuation/stopwords."""
    return [w for w in jieba_instance().cut_for_search(normalize(text), HMM=False)
            if _KEEP.search(w) and w.strip() and w not in STOPWORDS]


def whole_words(text: str) -> set[str]:
    """jieba's precise-mode words: the words the text is made of, not the shorter words found inside them."""
    return {w for w in jieba_instance().cut(normalize(text), HMM=False) if len(w) > 1 and _KEEP.search(w)}


def bigrams(text: str) -> list[str]:
    """Every pair of adjacent Chinese characters, marked so they never collide with a two-character word."""
    return [f"~{run[i:i + 2]}" for run in _CJK_RUN.findall(normalize(text)) for i in range(len(run) - 1)]


def keyword_list(keywords: str) -> list[str]:
    return [k for k in _SPLIT_KEYWORDS.split(normalize(keywords)) if k]


def index_terms(text: str) -> list[str]:
    return words(text) + bigrams(text)


def query_terms(query: str) -> dict[str, float]:
    """Weighted terms for a query: its words, its bigrams, and its synonyms' words and bigrams."""
    return parse_query(query)[0]


def parse_query(query: str) -> tuple[dict[str, float], set[str], str]:
    """The query's weighted terms, its whole words (with every synonym it names and theirs) and its masked text,
    in one pass.

    Places and names are masked first. A piece of evidence must be a whole word on one side (see `_evidence`).
    """
    text = mask_places(normalize(query))
    weights: dict[str, float] = {}

    def add(terms: Iterable[str], weight: float) -> None:
        for term in terms:
            if term not in QUERY_STOPWORDS:
                lone = len(term) == 1 and _CJK_RUN.match(term) is not None
                weights[term] = max(weights.get(term, 0.0), min(weight, SINGLE) if lone else weight)

    own_words = words(text)
    add(own_words, WORD)
    add(bigrams(text), BIGRAM)
    wholes = whole_words(text)
    for group in _groups_named(text, own_words):
        for member in group:
            wholes |= {member} | whole_words(member)
            if member in text:
                add([member], WORD)  # named in the text even where jieba split it (停气 → 停, 气)
            else:
                add(words(member), SYNONYM)
                add(bigrams(member), SYNONYM_BIGRAM)
    return weights, wholes, text


def _groups_named(text: str, own_words: list[str]) -> list[frozenset[str]]:
    """Synonym groups the query names; the longest name wins, so 燃气费 does not also mean 燃气 (gas supply)."""
    named = {member for group in SYNONYMS for member in group if member in text or member in own_words}
    longest = {m for m in named if not any(m != other and m in other for other in named)}
    return [group for group in SYNONYMS if group & longest]


@dataclass(frozen=True)
class Document:
    """What the index needs of an article; the database row stays in `hotline.knowledge`."""

    id: int
    title: str
    answer: str
    keywords: str = ""
    department_id: int | None = None
    valid_until: date | None = None


@dataclass(frozen=True)
class Hit:
    id: int
    score: float
    matched: list[str]  # the query's words found in the article, for the operator to see why


@dataclass
class _Posting:
    tf: dict[int, float] = field(default_factory=dict)  # document id → weighted term frequency


class KnowledgeIndex:
    """BM25F over title, keywords and answer. Build once per change of the articles; search often."""

    def __init__(self, documents: Iterable[Document]) -> None:
        self.documents = {doc.id: doc for doc in documents}
        self.postings: dict[str, _Posting] = defaultdict(_Posting)
        self.lengths: dict[int, float] = {}
        self.subjects: dict[int, frozenset[str]] = {}  # the words that say what an article is about
        self.whole_subjects: dict[int, frozenset[str]] = {}  # of them, the whole words (not 动车 of 机动车)
        self.keyword_phrases: dict[int, frozenset[str]] = {}  # an admin's keywords, as written (狗证)
        for doc in self.documents.values():
            fields = {"title": index_terms(doc.title), "answer": index_terms(doc.answer),
                      "keywords": [t for k in keyword_list(doc.keywords) for t in [k, *index_terms(k)]]}
            self.subjects[doc.id] = frozenset(
                t for t in fields["title"] + fields["keywords"]
                if not t.startswith("~") and len(t) > 1 and t not in GENERIC and t not in QUERY_STOPWORDS)
            self.whole_subjects[doc.id] = frozenset(
                whole_words(doc.title) | {w for k in keyword_list(doc.keywords) for w in {k} | whole_words(k)})
            self.keyword_phrases[doc.id] = frozenset(
                k for k in keyword_list(doc.keywords) if len(k) > 1 and k not in GENERIC and k not in QUERY_STOPWORDS)
            weighted: Counter[str] = Counter()
            for name, terms in fields.items():
                for term in terms:
                    weighted[term] += FIELD_WEIGHTS[name]
            for term, tf in weighted.items():
                self.postings[term].tf[doc.id] = tf
            self.lengths[doc.id] = sum(FIELD_WEIGHTS[name] * len(terms) for name, terms in fields.items())
        self.average_length = (sum(self.lengths.values()) / len(self.lengths)) if self.lengths else 1.0

    def _idf(self, term: str) -> float:
        df = len(self.postings[term].tf) if term in self.postings else 0
        n = len(self.documents)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def search(self, query: str, *, today: date, limit: int = 10, department_id: int | None = None) -> list[Hit]:
        """Ranked current articles for the query; expired ones (valid_until before today) never show."""
        terms, wholes, text = parse_query(query)
        scores: dict[int, float] = defaultdict(float)
        matched: dict[int, list[str]] = defaultdict(list)
        for term, weight in terms.items():
            posting = self.postings.get(term)
            if posting is None:
                continue
            idf = self._idf(term)
            for doc_id, tf in posting.tf.items():
                norm = K1 * (1 - B + B * self.lengths[doc_id] / self.average_length)
                scores[doc_id] += weight * idf * tf * (K1 + 1) / (tf + norm)
                if weight >= SYNONYM and not term.startswith("~"):
                    matched[doc_id].append(term)
        current = [
            (doc_id, score) for doc_id, score in scores.items()
            if self._evidence(doc_id, matched[doc_id], wholes, text)
            and self._current(self.documents[doc_id], today)
            and (department_id is None or self.documents[doc_id].department_id == department_id)
        ]
        current.sort(key=lambda item: (-item[1], item[0]))
        if not current:
            return []
        floor = current[0][1] * MIN_SHARE
        return [Hit(doc_id, round(score, 3), _shown(matched[doc_id])) for doc_id, score in current[:limit]
                if score >= floor]

    def _evidence(self, doc_id: int, matched: list[str], wholes: set[str], text: str) -> bool:
        """A subject word of the article, whole in the query or in the article: 电动车 meets 机动车 only in 动车,
        a word neither says, so a stolen e-bike is not a driving-licence question. A keyword the article's
        author wrote, found as written in the query, is evidence too, however jieba cuts the query (办狗证 → 办/狗/证
        still names 狗证)."""
        return (any(k in text for k in self.keyword_phrases[doc_id])
                or any(t in self.subjects[doc_id] and (t in wholes or t in self.whole_subjects[doc_id])
                       for t in matched))

    @staticmethod
    def _current(doc: Document, today: date) -> bool:
        return doc.valid_until is None or doc.valid_until >= today


def _shown(terms: list[str]) -> list[str]:
    """Matched words worth showing: no single characters, and none inside a longer matched word."""
    unique = sorted({t for t in terms if len(t) > 1}, key=len, reverse=True)
    return [t for i, t in enumerate(unique) if not any(t in longer for longer in unique[:i])]
