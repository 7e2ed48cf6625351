"""Schemathesis against the app's own OpenAPI, over real HTTP: every operation, as every role.

Each generated case is sent as an anonymous caller and as each staff role; a case whose path names a ticket is
sent again with a real ticket's number (one per department and state), and a citizen body again with a real
number and query code, so the authorised paths run, not only the 401s and 404s. Afterwards a stateful run
chains operations through the links schemathesis infers. No answer may be a 5xx, and every answer must match
the status, content type, headers and body the schema documents for it. The number of requests sent is
printed at the end of the module and written to test-artifacts/schemathesis.json.
"""

from __future__ import annotations

import json
import time
import zlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import hypothesis
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
)

from hotline.redis_conn import get_redis
from tests.fixtures import clear_tickets, reference_tables_restored
from tests.hostile.conftest import FUZZ_SUMMARY, HANDLER_A, STAFF_USERS, World, build_world

MAX_EXAMPLES = 8  # fuzzed per operation; each is sent once per role (and again at a real ticket)
STATEFUL_SCENARIOS = 40
ROLES = ("anonymous", *STAFF_USERS)
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance,
          response_headers_conformance]
THROTTLED = ("/api/public/lookup", "/api/public/rating", "/api/public/supplement")
ARTIFACT = Path(__file__).resolve().parents[2] / "test-artifacts" / "schemathesis.json"

SENT: Counter[str] = Counter()


def _load_schema() -> schemathesis.BaseSchema:
    """The document the app serves at /schema/openapi.json (a test checks the two are the same)."""
    from web.app import create_app

    return schemathesis.openapi.from_dict(create_app().openapi_schema.to_schema())


schema = _load_schema()


@pytest.fixture(scope="module", autouse=True)
def report_count() -> Iterator[None]:
    started = time.monotonic()
    yield
    total = sum(SENT.values())
    summary = {"requests": total, "by_phase": dict(SENT), "seconds": round(time.monotonic() - started, 1),
               "max_examples_per_operation": MAX_EXAMPLES, "stateful_scenarios": STATEFUL_SCENARIOS,
               "roles": list(ROLES)}
    ARTIFACT.parent.mkdir(exist_ok=True)
    ARTIFACT.write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
    FUZZ_SUMMARY.update(summary)


def test_the_fuzzed_schema_is_the_served_one(live_server):
    served = requests.get(f"{live_server}/schema/openapi.json", timeout=10).json()
    assert served == json.loads(json.dumps(schema.raw_schema))


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


def _unthrottle(path: str) -> None:
    """The look-up throttle has its own test; here every code check must reach the code."""
    if path in THROTTLED:
        redis = get_redis()
        for key in redis.scan_iter("hotline:ratelimit*"):
            redis.delete(key)


def send(case, world: World, http: requests.Session, role: str, phase: str) -> None:
    _unthrottle(case.formatted_path)
    response = case.call(base_url=world.base, session=http, headers=world.tokens[role], timeout=30)
    SENT[phase] += 1
    case.validate_response(response, checks=CHECKS, headers=world.tokens[role])


def variants(case, world: World) -> Iterator[str]:
    """The case as generated, then pointed at real tickets and real citizens' codes."""
    path_parameters, body = case.path_parameters, case.body
    yield "generated"
    real = world.numbers()
    pick = real[zlib.crc32((repr(path_parameters) + repr(body)).encode()) % len(real)]
    if "number" in (case.path_parameters or {}):
        case.path_parameters = {**case.path_parameters, "number": pick}
        yield "real ticket"
    if isinstance(case.body, dict) and "query_code" in case.body:
        citizen = next(c for c in world.tickets.values() if c.number == pick)
        case.body = {**case.body, "number": citizen.number, "query_code": citizen.query_code}
        yield "real citizen"
    if isinstance(case.body, dict) and "parent_number" in case.body:
        case.body = {**case.body, "parent_number": real[0]}
        yield "real parent"
    case.path_parameters, case.body = path_parameters, body


@pytest.fixture
def clean_state() -> None:
    """Overrides the suite's per-test wipe: the fuzzing world below lives for the whole module."""


@pytest.fixture(scope="module")
def lifted_throttles() -> Iterator[None]:
    """One fuzzer on one address is not an attack: the per-address and per-phone limits (tested on their own in
    test_intake_abuse and test_login_throttle) would answer 429 at a varying point and leave the stateful
    bundles empty on one run and not the next (hypothesis: FlakyStrategyDefinition)."""
    from hotline.settings import get_settings

    with pytest.MonkeyPatch.context() as patch:
        for name in ("LETTERS_PER_ADDRESS", "LETTERS_PER_PHONE", "RECEIPTS_PER_PHONE",
                     "LOGIN_FAILURES_PER_ACCOUNT", "LOGIN_FAILURES_PER_ADDRESS"):
            patch.setenv(f"THROTTLE_{name}", "1000000000/minute")
        get_settings.cache_clear()
        yield
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def fuzz_world(live_server, tokens, lifted_throttles) -> Iterator[World]:
    """Built once; the fuzzing moves its tickets on as it goes. Every table it may touch is put back after."""
    with reference_tables_restored():
        clear_tickets()
        get_redis().flushdb()
        built = build_world(live_server, tokens)
        yield built
        built.http.close()


def roles_for(case) -> tuple[str, ...]:
    """Generated (fuzzing) cases go out as every role; the coverage phase's many boundary cases as one role
    each, in turn, which keeps the run bounded while every role still meets every operation."""
    if _phase(case) != "coverage":
        return ROLES
    return (ROLES[zlib.crc32(repr((case.method, case.path_parameters, case.query, case.body)).encode())
                  % len(ROLES)],)


def _phase(case) -> str:
    phase = getattr(getattr(case, "meta", None), "phase", None)
    name = getattr(phase, "name", None)
    return str(getattr(name, "value", name) or "generated")


@schema.parametrize()
@hypothesis.settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                     phases=[Phase.explicit, Phase.generate, Phase.shrink],
                     suppress_health_check=list(HealthCheck))
def test_every_operation_as_every_role(case, fuzz_world, http):
    for role in roles_for(case):
        for _ in variants(case, fuzz_world):
            send(case, fuzz_world, http, role, _phase(case))


def role_for_step(case) -> str:
    """Each step of a workflow as the role that may take it, so the chain goes past the guards."""
    path = case.path
    if path.startswith(("/api/knowledge", "/api/admin", "/api/board")):
        return "admin"
    if path.startswith(("/api/supervision/", "/api/inbox")) or path.endswith(
            ("/sign", "/return", "/extension", "/wait", "/resume", "/reply")):
        return HANDLER_A
    if path.endswith(("/dispatch", "/submit", "/answer", "/transfer", "/callback", "/category")):
        return "operator1"
    return "commander"


# Chains never take the steps that change who may call at all: deactivating, reactivating, re-roling or resetting
# the password of an account (the fuzzer's own tokens among them) and deactivating units. One such step revokes a
# token mid-run, so the next scenario meets another world, draws other links and hypothesis stops with
# FlakyStrategyDefinition (CI, after the hostile modules before this one). Every one of them is still fuzzed above,
# as every role, and has its own tests (test_admin_api, test_admin_revocation).
STATEFUL_SCHEMA = schema.exclude(path_regex=r"^/api/admin/(staff|units)/")


def test_stateful_workflows(fuzz_world, http):
    """Chains along the links schemathesis infers (a created article read, patched, deleted; a notice
    answered; a device or key revoked; a department from a ticket used as a filter).

    A failed check is written down and the chain goes on; the test fails at the end with every failure's
    request. Why not let hypothesis see it: it would replay the failing chain to shrink it, against a world the
    chain has already moved on (tickets closed, articles deleted), draw other links, and report only
    FlakyStrategyDefinition, hiding the failure itself (CI, 2026-12-03).
    """
    world = fuzz_world
    failures: list[str] = []

    class Workflow(STATEFUL_SCHEMA.as_state_machine()):
        def get_call_kwargs(self, case):
            return {"base_url": world.base, "session": http, "headers": world.tokens[role_for_step(case)],
                    "timeout": 30}

        def before_call(self, case):
            _unthrottle(case.formatted_path)

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            SENT["stateful"] += 1
            try:
                case.validate_response(response, checks=CHECKS, headers=kwargs.get("headers"))
            except (AssertionError, BaseExceptionGroup) as failure:
                failures.append(f"{case.method} {case.formatted_path} as {role_for_step(case)} "
                                f"-> {response.status_code}: {failure}")

    Workflow.run(settings=hypothesis.settings(max_examples=STATEFUL_SCENARIOS, stateful_step_count=6,
                                              deadline=None, derandomize=True, database=None,
                                              suppress_health_check=list(HealthCheck)))
    assert not failures, f"{len(failures)} stateful answers failed their checks:\n" + "\n\n".join(failures[:10])
