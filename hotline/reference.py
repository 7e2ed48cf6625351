"""County reference data: units (承办单位), townships and villages (行政区划) and staff accounts (人员).

Plain typed rows in, keyed by what a county office knows them by: a unit by its code, a village by its name
under its township, an account by its username. `check_*` return every problem of a batch at once (by row
position and field), so a caller can refuse the whole batch before writing anything; `upsert_*` create what
is new and update what differs, and never delete: a unit or account missing from a batch stays as it is.
The county workbook import (`web/county_workbook.py`) uses them; an admin API can too.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
import zlib
from collections.abc import Callable, Collection, Mapping, Sequence

import msgspec
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from hotline.models import Area, Department, Staff
from hotline.vocabulary import Role

# what a county office calls a unit's kind -> Department.kind
UNIT_KINDS: dict[str, str] = {"县政府办": "office", "县直部门": "bureau", "乡镇政府": "township",
                              "街道办事处": "township", "企事业单位": "enterprise"}
USERNAME = re.compile(r"[A-Za-z0-9_.\-]{2,32}")
PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"  # no 0/O, 1/l/I to misread
PHONE = re.compile(r"\+?\d{7,19}")  # what a phone is once spaces, dashes and brackets are taken out
PHONE_PROBLEM = "电话号码应为 7 到 19 位数字，例如 13800138000 或 0730-8123456"


class UnitRow(msgspec.Struct, frozen=True):
    code: str
    name: str
    kind: str  # a value of UNIT_KINDS
    duty_phone: str | None = None
    parent_code: str | None = None  # 上级单位: where this unit's escalations are reported
    township: str | None = None  # the township a township government serves


class AreaRow(msgspec.Struct, frozen=True):
    township: str
    village: str | None = None  # None: the row is the township itself


class StaffRow(msgspec.Struct, frozen=True):
    username: str
    display_name: str
    role: Role
    unit_code: str | None = None  # a handler's unit; other roles work county-wide and keep none
    phone: str | None = None  # 手机, as `normal_phone` leaves it



class Problem(msgspec.Struct, frozen=True):
    index: int  # position of the row in the batch given
    field: str  # the row's field
    message: str


class Changes(msgspec.Struct):
    created: list[str] = msgspec.field(default_factory=list)  # keys, as the county writes them
    updated: list[str] = msgspec.field(default_factory=list)
    unchanged: int = 0
    revoked: list[int] = msgspec.field(default_factory=list)  # accounts whose tokens the change revokes (staff ids)

    def count(self, key: str, existed: bool, changed: bool) -> None:
        if not existed:
            self.created.append(key)
        elif changed:
            self.updated.append(key)
        else:
            self.unchanged += 1


def normal_phone(value: str | None) -> str | None:
    """A phone as typed (spaces, dashes, brackets, full-width digits) → its digits; check it with PHONE."""
    if value is None:
        return None
    return re.sub(r"[\s\-()]", "", unicodedata.normalize("NFKC", value)) or None


def write_lock(session: Session) -> None:
    """Serialise the writers of reference data for the rest of the transaction, so that a check and the write it
    allows are one step (two admins creating the same code: one wins, the other is told). PostgreSQL: an advisory
    transaction lock; SQLite: the database's one write lock, taken now by an update that changes nothing."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": REFERENCE_LOCK})
    else:
        session.execute(text("UPDATE department SET id = id WHERE 1 = 0"))


REFERENCE_LOCK = zlib.crc32(b"hotline:reference")

# What refers to a unit or an area, for refusing to deactivate or remove it: each returns descriptions (in
# Chinese). dispatch registers its catalogue here (hotline cannot import it).
UnitUsers = Callable[[Session, Department], list[str]]
AreaUsers = Callable[[Session, Area], list[str]]
UNIT_USERS: list[UnitUsers] = []
AREA_USERS: list[AreaUsers] = []


def _too_long(value: str | None, limit: int) -> bool:
    return value is not None and len(value) > limit


def township_names(session: Session) -> set[str]:
    return set(session.scalars(select(Area.name).where(Area.kind == "township", Area.parent_id.is_(None))))


def unit_codes(session: Session) -> set[str]:
    return set(session.scalars(select(Department.code)))


# -- units ----------------------------------------------------------------------------------------------------------

def check_units(session: Session, rows: Sequence[UnitRow], *, townships: Collection[str] = (),
                declared: Collection[str] = ()) -> list[Problem]:
    """`townships`: those the same batch creates; `declared`: further unit codes the batch holds in rows refused
    for another reason, so that a reference to one of them is not reported a second time."""
    problems: list[Problem] = []
    existing = list(session.scalars(select(Department)))
    code_of = {d.id: d.code for d in existing}
    name_of = {d.code: d.name for d in existing}
    parent_of = {d.code: code_of.get(d.parent_id) for d in existing}
    first: dict[str, int] = {}
    for index, row in enumerate(rows):
        if row.code in first:
            problems.append(Problem(index, "code", f"单位编码「{row.code}」在本表中重复出现"))
            continue
        first[row.code] = index
        name_of[row.code] = row.name
        parent_of[row.code] = row.parent_code
    holders: dict[str, list[str]] = {}
    for code, name in name_of.items():
        holders.setdefault(name, []).append(code)
    known_codes = set(name_of) | set(declared)
    known_townships = township_names(session) | set(townships)
    for index, row in enumerate(rows):
        if first[row.code] != index:
            continue
        if not row.code or _too_long(row.code, 32):
            problems.append(Problem(index, "code", "单位编码不能为空，最长 32 个字符"))
        if not row.name or _too_long(row.name, 64):
            problems.append(Problem(index, "name", "单位名称不能为空，最长 64 个字"))
        elif others := [c for c in holders[row.name] if c != row.code]:
            problems.append(Problem(index, "name", f"单位名称「{row.name}」已被单位「{others[0]}」使用"))
        if row.kind not in UNIT_KINDS.values():
            problems.append(Problem(index, "kind", f"未知的单位类型「{row.kind}」"))
        if _too_long(row.duty_phone, 20):
            problems.append(Problem(index, "duty_phone", "值班电话最长 20 位"))
        if row.township is not None:
            if row.kind != "township":
                problems.append(Problem(index, "township", "只有乡镇政府、街道办事处填写所属乡镇（街道）"))
            elif row.township not in known_townships:
                problems.append(Problem(index, "township", f"乡镇（街道）「{row.township}」不在行政区划中"))
        if row.parent_code is not None:
            if row.parent_code == row.code:
                problems.append(Problem(index, "parent_code", "上级单位不能是本单位"))
            elif row.parent_code not in known_codes:
                problems.append(Problem(index, "parent_code",
                                        f"上级单位编码「{row.parent_code}」不存在（本表和系统中都没有）"))
            elif loop := _loop(row.code, parent_of):
                problems.append(Problem(index, "parent_code", f"上级单位形成循环：{' → '.join(loop)}"))
    return problems


def _loop(code: str, parent_of: Mapping[str, str | None]) -> list[str] | None:
    """The chain back to `code` if following the parents from it returns there."""
    chain, current = [code], parent_of.get(code)
    while current is not None and current not in chain:
        chain.append(current)
        current = parent_of.get(current)
    return [*chain, code] if current == code else None


def upsert_units(session: Session, rows: Sequence[UnitRow]) -> Changes:
    """Create or update each unit by its code, parents last (a parent may be a unit of the same batch)."""
    existing = {d.code: d for d in session.scalars(select(Department).where(
        Department.code.in_([r.code for r in rows])))}
    created: set[str] = set()
    changed: set[str] = set()
    for row in rows:
        values = {"name": row.name, "kind": row.kind, "duty_phone": row.duty_phone, "township": row.township}
        if (unit := existing.get(row.code)) is None:
            session.add(Department(code=row.code, **values))
            created.add(row.code)
        elif assign(unit, values):
            changed.add(row.code)
    session.flush()
    units = {d.code: d for d in session.scalars(select(Department))}
    changes = Changes()
    for row in rows:
        if assign(units[row.code], {"parent_id": units[row.parent_code].id if row.parent_code else None}):
            changed.add(row.code)
        changes.count(row.code, existed=row.code not in created, changed=row.code in changed)
    return changes


def assign(obj: object, values: Mapping[str, object]) -> bool:
    """Set the attributes whose values differ; True if any did (an update to count)."""
    moved = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            moved = True
    return moved


# -- townships and villages ---------------------------------------------------------------------------------------

def area_kind(name: str) -> str:
    return "community" if name.endswith("社区") else "village"


def check_areas(session: Session, rows: Sequence[AreaRow]) -> list[Problem]:
    """A village needs its township: a township row of the same batch, or one already known."""
    problems: list[Problem] = []
    townships = township_names(session) | {r.township for r in rows if r.village is None}
    seen: set[tuple[str, str | None]] = set()
    for index, row in enumerate(rows):
        field = "township" if row.village is None else "village"
        if (row.township, row.village) in seen:
            where = row.township if row.village is None else f"{row.township}/{row.village}"
            problems.append(Problem(index, field, f"「{where}」在本表中重复出现"))
            continue
        seen.add((row.township, row.village))
        if not row.township or _too_long(row.township, 32):
            problems.append(Problem(index, "township", "乡镇（街道）名称不能为空，最长 32 个字"))
        elif row.village is not None and row.township not in townships:
            problems.append(Problem(index, "township", f"乡镇（街道）「{row.township}」不存在：请在本表先写一行只填"
                                                       "该乡镇（街道）、村（社区）留空的记录"))
        if _too_long(row.village, 32):
            problems.append(Problem(index, "village", "村（社区）名称最长 32 个字"))
    return problems


def upsert_areas(session: Session, rows: Sequence[AreaRow]) -> Changes:
    """Townships first, then each village under its township; an area has nothing to update but its kind."""
    changes = Changes()
    townships = {a.name: a for a in session.scalars(select(Area).where(Area.kind == "township",
                                                                       Area.parent_id.is_(None)))}
    for row in rows:
        if row.village is None:
            existed = row.township in townships
            if not existed:
                townships[row.township] = Area(name=row.township, kind="township")
                session.add(townships[row.township])
            changes.count(row.township, existed=existed, changed=False)
    session.flush()
    villages = {(a.parent_id, a.name): a for a in session.scalars(select(Area).where(Area.parent_id.is_not(None)))}
    for row in rows:
        if row.village is None:
            continue
        parent = townships[row.township]
        village = villages.get((parent.id, row.village))
        if village is None:
            session.add(Area(name=row.village, kind=area_kind(row.village), parent_id=parent.id))
        changes.count(f"{row.township}/{row.village}", existed=village is not None,
                      changed=village is not None and assign(village, {"kind": area_kind(row.village)}))
    session.flush()
    return changes


# -- staff accounts -----------------------------------------------------------------------------------------------

def check_staff(session: Session, rows: Sequence[StaffRow], *, units: Collection[str] = ()) -> list[Problem]:
    """`units`: the unit codes the same batch creates (or holds in rows refused for another reason)."""
    problems: list[Problem] = []
    known_units = unit_codes(session) | set(units)
    seen: set[str] = set()
    for index, row in enumerate(rows):
        if row.username in seen:
            problems.append(Problem(index, "username", f"用户名「{row.username}」在本表中重复出现"))
            continue
        seen.add(row.username)
        if not USERNAME.fullmatch(row.username):
            problems.append(Problem(index, "username", "用户名应为 2 到 32 位字母、数字、下划线、点或连字符"))
        if not row.display_name or _too_long(row.display_name, 32):
            problems.append(Problem(index, "display_name", "姓名不能为空，最长 32 个字"))
        if row.unit_code is not None and row.unit_code not in known_units:
            problems.append(Problem(index, "unit_code", f"单位编码「{row.unit_code}」不存在（承办单位表和系统中都没有）"))
        elif row.role == Role.HANDLER and row.unit_code is None:
            problems.append(Problem(index, "unit_code", "承办人员必须填写所在单位的单位编码"))
        if row.phone is not None and not PHONE.fullmatch(row.phone):
            problems.append(Problem(index, "phone", PHONE_PROBLEM))
    return problems


def new_usernames(session: Session, rows: Sequence[StaffRow]) -> list[str]:
    """The usernames of the batch that have no account yet: they will need a first password."""
    known = set(session.scalars(select(Staff.username).where(Staff.username.in_([r.username for r in rows]))))
    return [r.username for r in rows if r.username not in known]


def first_password(length: int = 12) -> str:
    """A random one-time password for a new account, easy to read out (no 0/O or 1/l/I)."""
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(length))


def upsert_staff(session: Session, rows: Sequence[StaffRow], password_hashes: Mapping[str, str]) -> Changes:
    """Create or update each account by its username. A new account gets the hash given for it (hash before
    the transaction: argon2 is slow and must not hold a write lock); an existing one keeps its password."""
    units = dict(session.execute(select(Department.code, Department.id)).all())
    existing = {s.username: s for s in session.scalars(select(Staff).where(
        Staff.username.in_([r.username for r in rows])))}
    changes = Changes()
    for row in rows:
        values = {"display_name": row.display_name, "role": row.role.value, "phone": row.phone,
                  "department_id": units[row.unit_code] if row.role == Role.HANDLER else None}
        account = existing.get(row.username)
        if account is None:
            session.add(Staff(username=row.username, password_hash=password_hashes[row.username], **values))
        elif (account.role, account.department_id) != (values["role"], values["department_id"]):
            account.token_version += 1  # a new role or unit: its tokens go (the caller announces it after commit)
            changes.revoked.append(account.id)
        changes.count(row.username, existed=account is not None,
                      changed=account is not None and assign(account, values))
    session.flush()
    return changes
