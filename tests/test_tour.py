"""docs/tour.sh, the README's curl tour, runs as pasted against a real server with the demo accounts."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

TOUR = Path(__file__).resolve().parents[1] / "docs" / "tour.sh"


@pytest.mark.skipif(shutil.which("curl") is None, reason="the tour is a curl script")
def test_the_tour_files_dispatches_and_looks_up_a_ticket(live_server):
    run = subprocess.run(["bash", str(TOUR), live_server], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    filed = re.search(r"已登记工单：(\d{13})（查询码 (\d+)", run.stdout)
    assert filed, run.stdout
    number, code = filed.groups()
    assert f"已派单：{number} → 县城市管理和综合执法局" in run.stdout
    assert f"市民查询：{number} 状态 待签收" in run.stdout, run.stdout
    # what the script printed is what the citizen's page would get with the same number and code
    seen = httpx.post(f"{live_server}/api/public/lookup", json={"number": number, "query_code": code}).json()
    assert seen["status_label"] == "待签收"


@pytest.mark.skipif(shutil.which("curl") is None, reason="the tour is a curl script")
def test_the_readme_lines_work_pasted(live_server):
    readme = (TOUR.parents[1] / "README.md").read_text(encoding="utf-8")
    block = re.search(r"A short tour with `curl`.*?```bash\n(.*?)```", readme, re.S).group(1)
    assert "localhost:8000" in block and not re.search(r"\d{13}", block)  # no ticket number written in
    run = subprocess.run(["bash", "-euo", "pipefail", "-c", block.replace("localhost:8000", live_server)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert '"status_label":"待签收"' in run.stdout, run.stdout  # the dispatch's answer, then the look-up's
    assert run.stdout.count('"status_label":"待签收"') == 2, run.stdout
