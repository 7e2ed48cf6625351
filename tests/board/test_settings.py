"""Each board setting has one default, on its field, and one variable, BOARD_<FIELD>, documented in docs/board.md."""

from __future__ import annotations

import re
from dataclasses import fields

from command.settings import BoardSettings, load_board_settings
from tests.board.conftest import ROOT

DOCUMENTED = re.compile(r"^\| `(BOARD_[A-Z_]+)` \| ([0-9.]+) \|", re.MULTILINE)


def test_without_variables_every_field_keeps_its_default():
    assert load_board_settings({}) == BoardSettings()


def test_each_field_is_read_from_its_variable_as_its_type():
    settings = load_board_settings({"BOARD_POLL_SECONDS": "0.25", "BOARD_CLIENT_BACKLOG": "64",
                                    "BOARD_TUNE_GC": "0", "UNRELATED": "1"})
    assert settings == BoardSettings(poll_seconds=0.25, client_backlog=64, tune_gc=False)
    assert type(settings.client_backlog) is int and type(settings.poll_seconds) is float
    assert load_board_settings({"BOARD_TUNE_GC": "1"}).tune_gc is True


def test_the_documented_variables_and_defaults_are_the_settings():
    documented = dict(DOCUMENTED.findall((ROOT / "docs" / "board.md").read_text(encoding="utf-8")))
    defaults = {f"BOARD_{field.name.upper()}": field.default for field in fields(BoardSettings)}
    assert documented.keys() == defaults.keys()
    assert {name: type(defaults[name])(float(value)) for name, value in documented.items()} == defaults
