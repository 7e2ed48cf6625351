"""Benchmark (not a timed test): importing a county's history with `hotline12345 import tickets`.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/history_bench python -m web.bench.history --rows 100000

Writes N synthetic history rows as a CSV (texts from the classifier's corpus generator, the demo county's
townships and catalogue, Chinese headers plus an unknown 备注 column), then runs the real command on it as a child
process, twice: the first run imports everything, the second finds every row already imported (the resume path).
For each run it prints the time, rows per second and the child's peak memory (maxrss from `os.wait4`), then checks
the database holds exactly N imported tickets and N import events for this run's numbers. The database is
migrated and, if it has no departments, given the demo county's reference data; nothing is dropped, and each run's
numbers carry a token of their own.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import re
import secrets
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from web.bench.setup import ROOT, migrate_and_seed

CHANNELS = ("12345热线", "电话", "网站留言", "微信", "县长信箱", "12315")
TYPES = ("咨询", "求助", "建议", "投诉", "举报")
RATINGS = ("满意", "满意", "基本满意", "不满意", "")
HEADER = ["工单编号", "受理时间", "来源", "类型", "乡镇/街道", "诉求内容", "分类", "承办单位", "状态", "答复", "满意度",
          "备注"]


def write_rows(path: Path, rows: int, token: str, seed: int = 12345) -> None:
    """One row at a time, straight to the file: the generator, not a list, holds the corpus."""
    from classifier.corpus.generate import generate
    from classifier.corpus.places import TOWNSHIPS
    from classifier.taxonomy import LEAVES

    rng = random.Random(seed)
    townships = list(TOWNSHIPS)
    names = {leaf.code: leaf.name for leaf in LEAVES}
    start = datetime(2023, 1, 1, 8)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i, record in enumerate(generate(rows, seed=seed, unique=False)):
            received = start + timedelta(minutes=rng.randrange(3 * 365 * 24 * 60))
            code = record["label"]
            writer.writerow([f"BH{token}-{i:07d}", received.strftime("%Y-%m-%d %H:%M:%S"), rng.choice(CHANNELS),
                             rng.choice(TYPES), rng.choice(townships), record["text"],
                             code if i % 2 else names[code], "", "已归档", "已按规定办理并答复", rng.choice(RATINGS),
                             "坐席备注"])


def import_once(path: Path, batch_size: int) -> tuple[float, float, str]:
    """Seconds, peak resident MB and the summary line of one `import tickets` child process."""
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "web.cli", "import", "tickets", str(path),
                              "--batch-size", str(batch_size)], cwd=ROOT, env=dict(os.environ),
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    output = child.stdout.read() if child.stdout else ""
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        sys.exit(f"import failed ({child.returncode}):\n{output}")
    summary = next((line for line in output.splitlines() if line.startswith("共读取")), output.strip())
    return seconds, usage.ru_maxrss / 1024, summary  # Linux reports maxrss in KiB


def stored(token: str) -> tuple[int, int]:
    from sqlalchemy import func, select

    from hotline.database import session_scope
    from hotline.models import Ticket, TicketEvent

    prefix = f"import:BH{token}-%"
    with session_scope() as session:
        tickets = session.scalar(select(func.count()).select_from(Ticket).where(Ticket.idempotency_key.like(prefix)))
        events = session.scalar(select(func.count()).select_from(TicketEvent).join(Ticket, Ticket.id ==
                                TicketEvent.ticket_id).where(Ticket.idempotency_key.like(prefix)))
    return tickets, events


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"),
                        help="default: DATABASE_URL; migrated, demo reference data added if it has no departments")
    parser.add_argument("--keep", type=Path, help="write the CSV here and keep it (default: a temporary file)")
    args = parser.parse_args(argv)
    if not args.database_url:
        sys.exit("benchmark: give --database-url or set DATABASE_URL")
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("SECRET_KEY", "benchmark-secret-" + "x" * 40)
    migrate_and_seed()
    token = secrets.token_hex(2).upper()
    path = args.keep or Path(tempfile.mkdtemp(prefix="history-bench-")) / "history.csv"
    started = time.perf_counter()
    write_rows(path, args.rows, token)
    database = re.sub(r"//[^@/]*@", "//", args.database_url)
    print(f"history benchmark: {args.rows} rows, batch {args.batch_size}, {database}, numbers BH{token}-*")
    print(f"  CSV written in {time.perf_counter() - started:.1f} s ({path.stat().st_size / 1e6:.1f} MB): {path}")
    for label in ("first run (import)", "second run (all already imported)"):
        seconds, peak, summary = import_once(path, args.batch_size)
        print(f"  {label}: {seconds:.1f} s, {args.rows / seconds:,.0f} rows/s, peak RSS {peak:.0f} MB")
        print(f"    {summary}")
    tickets, events = stored(token)
    print(f"  stored for this run: {tickets} tickets, {events} import events (expected {args.rows} each)")
    if not args.keep:
        path.unlink()
    if (tickets, events) != (args.rows, args.rows):
        sys.exit("benchmark: the database does not hold exactly one ticket and one event per row")


if __name__ == "__main__":
    main()
