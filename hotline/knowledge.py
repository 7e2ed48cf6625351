"""The knowledge base behind the operator console: articles an operator reads to a caller (直接答复).

Articles carry the answer, the department whose policy it is, keywords and a valid-until date. Operators and
commanders search them (Chinese full-text, `hotline.knowledge_search`); admins write them. An answer given on
the spot cites the article id in its ticket event, so a retired article must stay readable in history: that is
why admins usually set `active` false rather than delete.
"""

from __future__ import annotations

import threading
from datetime import date, datetime
from typing import Annotated

import msgspec
from litestar import Controller, Request, delete, get, patch, post
from litestar.exceptions import NotFoundException, ValidationException
from litestar.params import Parameter
from sqlalchemy import Boolean, Date, ForeignKey, String, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from hotline import text
from hotline.clock import local, now
from hotline.dependencies import roles
from hotline.knowledge_search import Document, KnowledgeIndex
from hotline.models import Base, Department
from hotline.schemas import MAX_ROW_ID, DepartmentRef, RowId
from hotline.views import department_names
from hotline.vocabulary import Role

SEARCHERS = (Role.OPERATOR, Role.COMMANDER, Role.ADMIN)
STAFF = (Role.OPERATOR, Role.HANDLER, Role.COMMANDER, Role.ADMIN, Role.AUDITOR)


class KnowledgeArticle(Base):
    """One answer the hotline gives on the spot, with the department whose rule it states."""

    __tablename__ = "knowledge_article"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    answer: Mapped[str] = mapped_column(Text)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    keywords: Mapped[str] = mapped_column(String(200), default="")
    valid_until: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now)


# ---------------------------------------------------------------- Structs

Title = Annotated[str, msgspec.Meta(max_length=100)]
Answer = Annotated[str, msgspec.Meta(max_length=4000)]
Keywords = Annotated[str, msgspec.Meta(max_length=200)]
ArticleId = Annotated[int, Parameter(ge=1, le=MAX_ROW_ID)]


class ArticleCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    title: Title
    answer: Answer
    department_id: RowId | None = None
    keywords: Keywords = ""
    valid_until: date | None = None
    active: bool = True

    def __post_init__(self) -> None:
        self.title = text.required(self.title, "标题")
        self.answer = text.required(self.answer, "答复口径")
        self.keywords = text.clean(self.keywords)


class ArticleUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Only the fields sent change; `null` clears the department or the valid-until date."""

    title: Title | msgspec.UnsetType = msgspec.UNSET
    answer: Answer | msgspec.UnsetType = msgspec.UNSET
    department_id: RowId | msgspec.UnsetType | None = msgspec.UNSET
    keywords: Keywords | msgspec.UnsetType = msgspec.UNSET
    valid_until: date | msgspec.UnsetType | None = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET

    def __post_init__(self) -> None:
        if isinstance(self.title, str):
            self.title = text.required(self.title, "标题")
        if isinstance(self.answer, str):
            self.answer = text.required(self.answer, "答复口径")
        if isinstance(self.keywords, str):
            self.keywords = text.clean(self.keywords)


class ArticleBase(msgspec.Struct):
    """What an operator reads of an article, in the list and in a search hit alike."""

    id: int
    title: str
    answer: str
    department: DepartmentRef | None
    keywords: str
    valid_until: date | None


class ArticleRead(ArticleBase):
    active: bool
    expired: bool
    created_at: datetime
    updated_at: datetime


class KnowledgeHit(ArticleBase):
    score: float
    matched: list[str]


class CategoryRead(msgspec.Struct):
    code: str
    name: str
    group: str
    description: str


# ---------------------------------------------------------------- service

def today() -> date:
    """Validity is by the county's calendar day, not UTC's."""
    return local(now()).date()


def _ref(department_id: int | None, names: dict[int, str]) -> DepartmentRef | None:
    return DepartmentRef(id=department_id, name=names[department_id]) if department_id in names else None


def article_read(article: KnowledgeArticle, names: dict[int, str]) -> ArticleRead:
    return ArticleRead(id=article.id, title=article.title, answer=article.answer,
                       department=_ref(article.department_id, names), keywords=article.keywords,
                       valid_until=article.valid_until, active=article.active,
                       expired=article.valid_until is not None and article.valid_until < today(),
                       created_at=article.created_at, updated_at=article.updated_at)


class _IndexCache:
    """One index per process, rebuilt when any article was added, changed or removed (checked per search).

    The check is one aggregate query, so several web processes stay in step without any messaging.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple[object, ...] | None = None
        self._index = KnowledgeIndex([])

    def get(self, session: Session) -> KnowledgeIndex:
        key = tuple(session.execute(select(func.count(KnowledgeArticle.id), func.max(KnowledgeArticle.id),
                                           func.max(KnowledgeArticle.updated_at))).one())
        if key != self._key:
            with self._lock:
                if key != self._key:
                    rows = session.scalars(select(KnowledgeArticle).where(KnowledgeArticle.active))
                    self._index = KnowledgeIndex(
                        Document(id=a.id, title=a.title, answer=a.answer, keywords=a.keywords,
                                 department_id=a.department_id, valid_until=a.valid_until) for a in rows)
                    self._key = key
        return self._index


INDEX = _IndexCache()


def search(session: Session, query: str, *, limit: int = 8, department_id: int | None = None) -> list[KnowledgeHit]:
    """Active, current articles ranked for the query."""
    index = INDEX.get(session)
    names = department_names(session)
    hits = []
    for hit in index.search(query, today=today(), limit=limit, department_id=department_id):
        doc = index.documents[hit.id]
        hits.append(KnowledgeHit(id=doc.id, title=doc.title, answer=doc.answer,
                                 department=_ref(doc.department_id, names), keywords=doc.keywords,
                                 valid_until=doc.valid_until, score=hit.score, matched=hit.matched))
    return hits


def _check_department(session: Session, department_id: int | None) -> None:
    if department_id is not None and session.get(Department, department_id) is None:
        raise ValidationException(f"部门编号 {department_id} 不存在",
                                  extra=[{"key": "department_id", "message": f"部门编号 {department_id} 不存在"}])


def _load(session: Session, article_id: int, *, include_inactive: bool) -> KnowledgeArticle:
    article = session.get(KnowledgeArticle, article_id)
    if article is None or not (article.active or include_inactive):
        raise NotFoundException(f"知识库文章 {article_id} 不存在")
    return article


def create(session: Session, data: ArticleCreate) -> KnowledgeArticle:
    _check_department(session, data.department_id)
    article = KnowledgeArticle(title=data.title, answer=data.answer, department_id=data.department_id,
                               keywords=data.keywords, valid_until=data.valid_until, active=data.active)
    session.add(article)
    session.flush()
    return article


def update(session: Session, article: KnowledgeArticle, data: ArticleUpdate) -> KnowledgeArticle:
    changes = {name: value for name in data.__struct_fields__
               if (value := getattr(data, name)) is not msgspec.UNSET}
    if "department_id" in changes:
        _check_department(session, changes["department_id"])
    for name, value in changes.items():
        setattr(article, name, value)
    article.updated_at = now()
    session.flush()
    return article


# ---------------------------------------------------------------- HTTP

class KnowledgeController(Controller):
    path = "/api/knowledge"
    tags = ["knowledge"]

    @get("/search", guards=[roles(*SEARCHERS)], sync_to_thread=True)
    def search_articles(
        self,
        db_session: Session,
        q: Annotated[str, Parameter(max_length=200, description="检索词")] = "",
        limit: Annotated[int, Parameter(ge=1, le=20)] = 8,
        department_id: Annotated[int, Parameter(ge=1, le=MAX_ROW_ID)] | None = None,
    ) -> list[KnowledgeHit]:
        """While the caller talks: current articles for the words typed, best first."""
        query = text.clean(q)
        if not query:
            raise ValidationException("请输入检索词")
        return search(db_session, query, limit=limit, department_id=department_id)

    @get("/articles", guards=[roles(*SEARCHERS)], sync_to_thread=True)
    def list_articles(self, db_session: Session, request: Request, include_inactive: bool = False,
                      department_id: Annotated[int, Parameter(ge=1, le=MAX_ROW_ID)] | None = None,
                      ) -> list[ArticleRead]:
        """Every article by title; only an admin sees retired ones."""
        query = select(KnowledgeArticle).order_by(KnowledgeArticle.title, KnowledgeArticle.id)
        if not (include_inactive and request.user.role == Role.ADMIN):
            query = query.where(KnowledgeArticle.active)
        if department_id is not None:
            query = query.where(KnowledgeArticle.department_id == department_id)
        names = department_names(db_session)
        return [article_read(a, names) for a in db_session.scalars(query)]

    @get("/articles/{article_id:int}", guards=[roles(*SEARCHERS)], sync_to_thread=True)
    def show_article(self, article_id: ArticleId, db_session: Session, request: Request) -> ArticleRead:
        article = _load(db_session, article_id, include_inactive=request.user.role == Role.ADMIN)
        return article_read(article, department_names(db_session))

    @post("/articles", guards=[roles(Role.ADMIN)], sync_to_thread=True)
    def create_article(self, data: ArticleCreate, db_session: Session) -> ArticleRead:
        article = create(db_session, data)
        db_session.commit()
        return article_read(article, department_names(db_session))

    @patch("/articles/{article_id:int}", guards=[roles(Role.ADMIN)], sync_to_thread=True)
    def update_article(self, article_id: ArticleId, data: ArticleUpdate, db_session: Session) -> ArticleRead:
        article = update(db_session, _load(db_session, article_id, include_inactive=True), data)
        db_session.commit()
        return article_read(article, department_names(db_session))

    @delete("/articles/{article_id:int}", guards=[roles(Role.ADMIN)], sync_to_thread=True)
    def delete_article(self, article_id: ArticleId, db_session: Session) -> None:
        """Delete for good (a mistaken article); tickets that cited it keep their reply text."""
        db_session.delete(_load(db_session, article_id, include_inactive=True))
        db_session.commit()


class CategoryController(Controller):
    path = "/api/reference/categories"
    tags = ["reference"]

    @get("/", guards=[roles(*STAFF)], sync_to_thread=False, cache=300)
    def categories(self) -> list[CategoryRead]:
        """The leaves of the dispatch category tree, for the pages' category pickers."""
        from classifier.taxonomy import LEAVES

        return [CategoryRead(code=leaf.code, name=leaf.name, group=leaf.group, description=leaf.description)
                for leaf in LEAVES]


ROUTES = [KnowledgeController, CategoryController]
