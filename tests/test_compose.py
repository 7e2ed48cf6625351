"""docs/deploy/compose.yaml: the training worker runs in a service of its own (`trainer`), the main service starts
none, and the trainer shares the main service's database, Redis and model volume. The commands are put through the
real CLI, so a renamed option fails here rather than on the county's server."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from web import cli

pytestmark = pytest.mark.pure

COMPOSE = Path(__file__).resolve().parents[1] / "docs" / "deploy" / "compose.yaml"


@pytest.fixture(scope="module")
def services() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))["services"]


def _run_cli(command: list[str], monkeypatch: pytest.MonkeyPatch, name: str) -> object:
    """What `hotline12345 …` hands to the command function `name`, without running it."""
    assert command[0] == "hotline12345"
    seen = []
    monkeypatch.setattr(cli, name, lambda *args: seen.append(args))
    cli.main(command[1:])
    assert len(seen) == 1
    return seen[0]


def test_the_trainer_runs_the_training_worker(services, monkeypatch):
    assert {"postgres", "redis", "hotline", "trainer"} <= services.keys()
    trainer = services["trainer"]
    assert trainer["command"] == ["hotline12345", "worker", "--training"]
    assert _run_cli(trainer["command"], monkeypatch, "training_worker") == ()  # not the routing worker


def test_the_main_service_starts_no_training_worker(services, monkeypatch):
    (args,) = _run_cli(services["hotline"]["command"], monkeypatch, "cmd_run")
    assert args.training_workers == 0
    assert args.rq_workers >= 1 and args.web_workers >= 1 and (args.host, args.port) == ("0.0.0.0", 8000)


def test_the_trainer_shares_the_database_redis_and_model_store(services):
    hotline, trainer = services["hotline"], services["trainer"]
    for name in ("DATABASE_URL", "REDIS_URL", "TZ"):
        assert trainer["environment"][name] == hotline["environment"][name]
    assert trainer["environment"]["TZ"] == "Asia/Shanghai"
    # a version the trainer promotes is read by the web processes and routing workers from the same volume
    assert "models:/app/var" in trainer["volumes"] and "models:/app/var" in hotline["volumes"]
    assert trainer["build"] == hotline["build"]


def test_the_trainer_serves_nothing_and_signs_nothing(services):
    trainer = services["trainer"]
    assert "ports" not in trainer
    assert "SECRET_KEY" not in trainer["environment"]  # workers are not checked; the one key to replace is hotline's
    assert trainer["healthcheck"] == {"disable": True}  # the image's check asks for the web port
