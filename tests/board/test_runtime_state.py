"""The board's runtime is found on the app it runs for, from startup to shutdown, not in a module global."""

from __future__ import annotations

from litestar.testing import TestClient

from command import runtime


def test_each_app_holds_its_own_runtime_while_it_runs():
    from web.app import create_app

    first, second = create_app(), create_app()
    assert runtime.of(first) is None
    with TestClient(first), TestClient(second):
        board = runtime.of(first)
        assert board is not None and board is first.state[runtime.STATE_KEY]
        assert runtime.of(second) is not None and runtime.of(second) is not board
    assert runtime.of(first) is None and runtime.of(second) is None
