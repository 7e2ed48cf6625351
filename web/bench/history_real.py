"""The go-live path on real citizen messages: a county of seven units whose history is a labelled message file.

Builds a county workbook (seven units, one catalogue entry each), turns a CSV of real messages with coarse labels
(`id,title,body,label`, the 2020 Teddy Cup problem C set kept in `../shared/data`, which is not ours to ship) into
the county's history export, and runs the real commands on an empty SQLite database of its own:
`migrate`, `model` (the shipped corpus's model, the one a county starts with), `import county`, `import tickets`,
`model train-history`. The last one prints the guard's verdict on the fixed tenth of that history.

    .venv/bin/python -m web.bench.history_real ../shared/data/teddycup2020c_dev.csv --out /tmp/history-real

Nothing it writes belongs in the repository: the output directory holds the messages and a model trained on them.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
from pathlib import Path

from openpyxl import Workbook

# coarse label -> (catalogue code, its name, the unit that leads it); any leaf of the label's group would do
COUNTY = {
    "城乡建设": ("0106", "道路桥梁", "0101", "住房和城乡建设局"),
    "环境保护": ("0301", "大气污染", "0102", "生态环境分局"),
    "交通运输": ("0501", "交通秩序", "0103", "交通运输局"),
    "教育文体": ("0601", "招生入学", "0104", "教育体育局"),
    "劳动和社会保障": ("0701", "拖欠工资", "0105", "人力资源和社会保障局"),
    "商贸旅游": ("0902", "消费维权", "0106", "市场监督管理局"),
    "卫生计生": ("0801", "医疗服务", "0107", "卫生健康局"),
}


def write_county(path: Path) -> None:
    book = Workbook()
    book.remove(book.active)
    sheets = {
        "承办单位": (["单位编码", "单位名称", "类型"], [[unit, f"评测县{name}", "县直部门"]
                                                 for _, _, unit, name in COUNTY.values()]),
        "行政区划": (["乡镇（街道）", "村（社区）"], [["城关镇", None]]),
        "派单目录": (["分类编码", "分类名称", "主办单位编码"], [[code, name, unit]
                                                     for code, name, unit, _ in COUNTY.values()]),
        "人员": (["用户名", "姓名", "角色", "单位编码"], [["eval_op", "评测话务员", "话务员", None]]),
    }
    for title, (headers, rows) in sheets.items():
        sheet = book.create_sheet(title)
        sheet.append(headers)
        for row in rows:
            sheet.append(row)
    book.save(path)


def write_history(messages: Path, path: Path) -> int:
    """One history row per labelled message; the received times are made up (the file has none)."""
    count = 0
    with messages.open(encoding="utf-8") as source, path.open("w", encoding="utf-8-sig", newline="") as target:
        writer = csv.writer(target)
        writer.writerow(["工单编号", "受理时间", "标题", "诉求内容", "分类"])
        for row in csv.DictReader(source):
            if row["label"] not in COUNTY:
                continue
            writer.writerow([row["id"], f"2019-{1 + count % 12:02d}-{1 + count % 28:02d} 10:00", row["title"][:100],
                             (row["body"] or row["title"])[:4000], COUNTY[row["label"]][0]])
            count += 1
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("messages", type=Path, help="CSV with id,title,body,label")
    parser.add_argument("--out", type=Path, default=Path("/tmp/history-real"))
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    database = args.out / "county.db"
    database.unlink(missing_ok=True)
    write_county(args.out / "county.xlsx")
    print(f"{write_history(args.messages, args.out / 'history.csv')} labelled messages as history", flush=True)
    env = {**os.environ, "HOTLINE_VAR_DIR": str(args.out / "var"), "DATABASE_URL": f"sqlite:///{database}"}
    env.pop("REDIS_URL", None)
    for command in (["migrate"], ["model"], ["import", "county", str(args.out / "county.xlsx")],
                    ["import", "tickets", str(args.out / "history.csv")], ["model", "train-history"]):
        print(f"$ hotline12345 {' '.join(command)}", flush=True)
        done = subprocess.run([sys.executable, "-m", "web.cli", *command], env=env, text=True, capture_output=True)
        print((done.stdout + done.stderr).rstrip(), flush=True)
        if done.returncode != 0:
            return done.returncode
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
