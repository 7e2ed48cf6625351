"""Each setting has one default, on its field, and one variable, PREFIX_<FIELD>; the board's are documented in
docs/board.md."""

from __future__ import annotations

import re
from dataclasses import fields

import pytest

from hotline.settings import BoardSettings, Open311Settings, read_section
from tests.harness import ROOT

pytestmark = pytest.mark.pure

DOCUMENTED = re.compile(r"^\| `(BOARD_[A-Z_]+)` \| ([0-9.]+) \|", re.MULTILINE)


def test_without_variables_every_field_keeps_its_default():
    assert read_section(BoardSettings, "BOARD_", {}) == BoardSettings()


def test_each_field_is_read_from_its_variable_as_its_type():
    settings = read_section(BoardSettings, "BOARD_", {"BOARD_POLL_SECONDS": "0.25", "BOARD_CLIENT_BACKLOG": "64",
                                    "BOARD_TUNE_GC": "0", "UNRELATED": "1"})
    assert settings == BoardSettings(poll_seconds=0.25, client_backlog=64, tune_gc=False)
    assert type(settings.client_backlog) is int and type(settings.poll_seconds) is float
    assert read_section(BoardSettings, "BOARD_", {"BOARD_TUNE_GC": "1"}).tune_gc is True


def test_the_documented_variables_and_defaults_are_the_settings():
    documented = dict(DOCUMENTED.findall((ROOT / "docs" / "board.md").read_text(encoding="utf-8")))
    defaults = {f"BOARD_{field.name.upper()}": field.default for field in fields(BoardSettings)}
    assert documented.keys() == defaults.keys()
    assert {name: type(defaults[name])(float(value)) for name, value in documented.items()} == defaults


def test_open311_settings_are_read_the_same_way_and_checked():
    settings = read_section(Open311Settings, "OPEN311_", {"OPEN311_BASE_URL": "https://12345.example.gov.cn/",
                                                          "OPEN311_SERVICE_TYPE": " Batch "})
    assert settings.base_url == "https://12345.example.gov.cn" and settings.service_type == "batch"
    with pytest.raises(ValueError, match="OPEN311_SERVICE_TYPE"):
        read_section(Open311Settings, "OPEN311_", {"OPEN311_SERVICE_TYPE": "nightly"})
    with pytest.raises(ValueError, match="OPEN311_KEY_LIMIT_PER_MINUTE"):
        read_section(Open311Settings, "OPEN311_", {"OPEN311_KEY_LIMIT_PER_MINUTE": "sixty"})
