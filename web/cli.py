"""`hotline12345` command: migrate, seed, serve, worker, scheduler, `demo` that runs them all at once, and
`createadmin` for a county's first administrator."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

log = logging.getLogger("hotline12345")
ADMIN_PASSWORD_VARIABLE = "HOTLINE_ADMIN_PASSWORD"  # createadmin's password for scripts, instead of the prompt


def refuse_weak_secret_key() -> None:
    """`run` and `serve` on a server database stop here, before any connection, unless SECRET_KEY is sound."""
    from hotline.settings import secret_key_problem

    if problem := secret_key_problem():
        raise SystemExit(problem)


def cmd_migrate(_: argparse.Namespace) -> None:
    from hotline.migrate import upgrade

    upgrade()
    print("数据库已迁移到最新版本")


def cmd_seed(args: argparse.Namespace) -> None:
    from hotline.database import session_scope
    from web.demo.seed import is_seeded, seed_reference, seed_tickets

    with session_scope() as session:
        if is_seeded(session):
            print("演示数据已存在，跳过")
            return
        seed_reference(session)
    with session_scope() as session:
        count = seed_tickets(session, days=args.days, per_day=args.per_day)
    print(f"已生成演示县（清江县）：部门、乡镇、账号，以及 {count} 张工单")


def cmd_model(_: argparse.Namespace) -> None:
    from classifier.service import ensure_model
    from dispatch.routing import get_store

    store = ensure_model(get_store())
    print(f"分类模型就绪：版本 {store.current_version()}")


def cmd_train_history(args: argparse.Namespace) -> None:
    """`model train-history`: train on the county's history here, printing each stage and the guard's verdict."""
    from dispatch import history_training

    def progress(stage: str, counts: dict[str, int]) -> None:
        stages = {"counting": "统计历史工单", "reading": "读取", "training": "训练中", "done": "训练完成"}
        names = {"history": "历史工单", "usable": "可用", "codes": "分类", "training": "训练", "slice": "评估切片",
                 "corrections": "人工纠正"}
        print(f"[{stages.get(stage, stage)}] " + "，".join(f"{names.get(name, name)} {n}"
                                                         for name, n in counts.items()), flush=True)

    try:
        outcome = history_training.train_history(dry_run=args.dry_run, progress=progress)
    except history_training.HistoryRefused as refused:
        raise SystemExit(f"未训练：{refused}") from None
    found = outcome.census
    print(f"历史工单 {found.history} 张：用于训练 {outcome.training} 张、评估切片 {outcome.slice} 张、"
          f"人工纠正 {outcome.corrections} 条，{len(found.codes)} 个分类；用时 {outcome.seconds} 秒")
    if found.unlabelled:
        print(f"未用：{found.unlabelled} 张没有分类")
    if found.too_few:
        print(f"未用（每类少于 {history_training.MIN_PER_CODE} 张）：" +
              "、".join(f"{code} {n} 张" for code, n in found.too_few.items()))
    if found.not_in_catalogue:
        print("未用（不是派单目录中在用的分类）：" + "、".join(f"{code} {n} 张" for code, n in found.not_in_catalogue.items()))
    print(history_training.verdict(outcome))


def cmd_import_county(args: argparse.Namespace) -> None:
    from web.county_workbook import run, write_template

    if args.template:
        write_template(args.template)
        print(f"已生成导入模板 {args.template}（说明见其中的「说明」工作表）")
        return
    if not args.file:
        raise SystemExit("请给出要导入的工作簿：hotline12345 import county FILE.xlsx（或用 --template OUT.xlsx 生成模板）")
    raise SystemExit(run(args.file, dry_run=args.dry_run, passwords_file=args.passwords))


def cmd_import_tickets(args: argparse.Namespace) -> None:
    """A county's earlier tickets, archived, batch by batch (docs/history.md)."""
    from web.history_file import run

    raise SystemExit(run(args.file, dry_run=args.dry_run, strict=args.strict, batch_size=args.batch_size,
                         rejects=args.rejects, encoding=args.encoding))


def cmd_serve(args: argparse.Namespace) -> None:
    refuse_weak_secret_key()
    import uvicorn

    from web.process import UVICORN_OPTIONS

    uvicorn.run("web.app:create_app", factory=True, host=args.host, port=args.port, workers=args.workers,
                log_level="info", access_log=False, http="web.slow_clients:BoundedHttpToolsProtocol",
                ws_per_message_deflate=False, **UVICORN_OPTIONS)


def cmd_worker(args: argparse.Namespace) -> None:
    """One RQ worker that runs its jobs in its own process, with the routing model loaded once.

    RQ's default worker forks a fresh child per job, and each child loaded the model and jieba's dictionary
    again (1.5 s per routing job, against 50 ms warm). Here the jobs run in the worker process itself
    (`SimpleWorker`): the model, jieba and the database pool stay warm, and the store still hot-reloads a newly
    promoted model. A job that kills its process takes the worker with it; the stack (`run`) starts another,
    and the reconciler re-runs whatever that job left undone.
    """
    from rq import SimpleWorker

    from classifier.service import classify
    from dispatch.routing import get_store
    from hotline.jobs import get_queue
    from web.process import prepare
    from web.stack import give_way

    if getattr(args, "training", False):
        return training_worker()
    give_way(prepare().worker_nice)  # tickets created by jobs (Open311 batch, history) are routed too
    classify(get_store(), "路灯坏了")  # load the model and the segmenter before the first job, not during it
    queue = get_queue()
    SimpleWorker([queue], connection=queue.connection).work(with_scheduler=True)


def training_worker() -> None:
    """`worker --training`: the nightly retrain and the admin's history training, on their own queue.

    RQ's forking worker: each fit runs in a child that takes its memory (a 100,000-ticket fit holds gigabytes)
    with it when it ends, and the job timeout kills the child, not the worker. Routing never waits behind it.
    """
    from rq import Worker

    from hotline.jobs import get_training_queue
    from web.process import prepare
    from web.stack import give_way

    give_way(prepare().worker_nice)
    queue = get_training_queue()
    Worker([queue], connection=queue.connection).work(with_scheduler=False)


def cmd_model_prune(args: argparse.Namespace) -> None:
    """`model prune`: delete old model versions (never the current one nor the one before it)."""
    from dispatch.jobs import prune_models

    gone = prune_models(args.keep)
    print(f"已删除 {len(gone)} 个旧版本" + (f"：{', '.join(gone)}" if gone else ""))


def cmd_model_versions(_: argparse.Namespace) -> None:
    """`model versions`: the stored versions, newest first, with their figures."""
    from dispatch.routing import get_store

    for v in get_store().listing():
        print(f"{'*' if v.current else ' '} {v.version}  {v.source or '-':8}  样本 {v.n_samples}  "
              f"macro-F1 {v.macro_f1_holdout:.3f}  把握率 {v.confident_precision:.3f}/{v.confident_coverage:.3f}")


def cmd_model_rollback(args: argparse.Namespace) -> None:
    """`model rollback VERSION --reason …`: make an earlier stored version current (every process follows)."""
    from classifier.store import AlreadyCurrent, UnknownVersion
    from dispatch.routing import get_store

    try:
        previous = get_store().rollback(args.version, actor=f"cli:{os.environ.get('USER', '?')}", reason=args.reason)
    except UnknownVersion:
        raise SystemExit(f"没有版本 {args.version}（用 model versions 查看）") from None
    except AlreadyCurrent:
        raise SystemExit(f"{args.version} 已是当前版本") from None
    print(f"已回滚：当前版本 {args.version}（原为 {previous}）")


def cmd_scheduler(_: argparse.Namespace) -> None:
    from web.process import prepare
    from web.schedule import build_scheduler

    prepare()
    build_scheduler().start()


def cmd_calendar_import(args: argparse.Namespace) -> None:
    """Holidays and make-up working days from a CSV or .ics file into the override table (docs/deadlines.md)."""
    from pathlib import Path

    from dispatch import calendar_import
    from dispatch.policy import calendar_coverage
    from hotline.clock import local, now
    from hotline.database import session_scope

    path = Path(args.file)
    file_format = args.format or ("ics" if path.suffix.lower() in (".ics", ".ical", ".ifb") else None)
    try:
        days = calendar_import.read(path.read_bytes(), encoding=args.encoding, file_format=file_format)
    except OSError as error:
        raise SystemExit(f"无法读取文件 {path}：{error.strerror or error}") from None
    except calendar_import.ImportRefused as refused:
        print(f"导入失败，未写入任何数据（{len(refused.problems)} 处问题）：", file=sys.stderr)
        for problem in refused.problems:
            print(f"  {problem}", file=sys.stderr)
        raise SystemExit(1) from None
    words = {calendar_import.ADDED: "新增", calendar_import.CHANGED: "修改", calendar_import.UNCHANGED: "不变"}
    with session_scope() as session:
        changes = calendar_import.store_and_commit(session, days, dry_run=args.dry_run)
        for change in changes:
            day = change.day
            was = "" if change.was_workday in (None, day.is_workday) else f"（原为{'班' if change.was_workday else '休'}）"
            print(f"{day.day.isoformat()} {day.kind} {day.note or ''}  {words[change.status]}{was}")
        print(calendar_import.summary(changes, args.dry_run))
    with session_scope() as session:
        if message := calendar_coverage(session, local(now()).date()).message:
            print(f"提醒：{message}")


def cmd_run(args: argparse.Namespace) -> None:
    """The production shape: N web processes, M RQ workers and one scheduler over DATABASE_URL and REDIS_URL."""
    from hotline.redis_conn import redis_url
    from web.stack import Stack, environment

    refuse_weak_secret_key()
    cmd_migrate(args)
    cmd_model(args)
    stack = Stack.of(host=args.host, port=args.port, web_workers=args.web_workers, rq_workers=args.rq_workers,
                     training_workers=args.training_workers, env=environment(REDIS_URL=redis_url()))
    print(f"已启动：{args.web_workers} 个 Web 进程、{args.rq_workers} 个任务进程、{args.training_workers} 个训练进程"
          f"和 1 个调度器，"
          f"http://{args.host}:{args.port}（Ctrl-C 或 SIGTERM 停止）", flush=True)
    stack.run()
    print("已停止", flush=True)


def cmd_demo(args: argparse.Namespace) -> None:
    """Everything in one go, with the embedded defaults; Ctrl-C stops it all and leaves no Redis behind."""
    from hotline.redis_conn import redis_url, stop_embedded
    from web.stack import Stack, environment

    os.environ.setdefault("LOG_FORMAT", "text")  # a person reads the demo's log in the terminal
    cmd_migrate(args)
    cmd_model(args)  # before the tickets, so that each seeded ticket is routed as a new call would be
    cmd_seed(args)
    stack = Stack.of(host=args.host, port=args.port, web_workers=1, rq_workers=1,
                     env=environment(REDIS_URL=redis_url(), HOTLINE_DEMO="1"))  # embedded Redis unless REDIS_URL
    print(f"\n清江县 12345 演示已启动： http://{args.host}:{args.port}  （首页列出各页面和演示账号；API 文档 /schema；"
          "按 Ctrl-C 退出）")
    print("演示账号（密码均为 demo12345）：operator1 话务员 · commander 指挥中心 · h_zjj 住建局承办员 · "
          "auditor 监察 · admin 管理员\n", flush=True)
    try:
        stack.run()
    finally:
        stop_embedded()
        print("已停止：Web、任务进程、调度器和内置 Redis 均已退出", flush=True)


def admin_password() -> str:
    """From HOTLINE_ADMIN_PASSWORD when it is set (even empty: a script never waits at a prompt), else asked
    twice without echo."""
    import getpass

    from hotline.accounts import MIN_PASSWORD_CHARS

    if ADMIN_PASSWORD_VARIABLE in os.environ:
        return os.environ[ADMIN_PASSWORD_VARIABLE]
    try:
        first = getpass.getpass(f"管理员密码（至少 {MIN_PASSWORD_CHARS} 个字符）：")
        second = getpass.getpass("再输入一次：")
    except (EOFError, KeyboardInterrupt):
        raise SystemExit(f"拒绝创建管理员：没有输入密码（脚本里请设环境变量 {ADMIN_PASSWORD_VARIABLE}）") from None
    if first != second:
        raise SystemExit("拒绝创建管理员：两次输入的密码不一致")
    return first


def cmd_createadmin(args: argparse.Namespace) -> None:
    """The first administrator (or another one) on a migrated database: no department, password hashed."""
    from sqlalchemy.exc import IntegrityError

    from hotline.accounts import create_staff, new_staff_problem, password_problem
    from hotline.database import session_scope
    from hotline.vocabulary import Role

    cmd_migrate(args)
    username, display_name = args.username.strip(), args.display_name.strip()
    with session_scope() as session:
        problem = new_staff_problem(session, username, display_name)
    if problem:
        raise SystemExit(f"拒绝创建管理员：{problem}")
    password = admin_password()
    if problem := password_problem(password):
        raise SystemExit(f"拒绝创建管理员：{problem}")
    try:
        with session_scope() as session:
            create_staff(session, username, display_name, password, Role.ADMIN, department_id=None)
    except IntegrityError:  # the same name, created meanwhile by someone else
        raise SystemExit(f"拒绝创建管理员：用户名 {username} 已存在，未做任何修改") from None
    print(f"已创建管理员 {username}（{display_name}），可用它登录")


def main(argv: Sequence[str] | None = None) -> None:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["board"]:  # the terminal view of the big screen has its own options
        from command.terminal import main as board

        raise SystemExit(board(arguments[1:]))
    parser = argparse.ArgumentParser(prog="hotline12345", description="12345 热线与综合指挥中心后端")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=cmd_migrate)
    for name, func, help_text in (("seed", cmd_seed, "seed the demo county if the database is empty"),
                                  ("demo", cmd_demo, "migrate, seed and run web + worker + scheduler")):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--days", type=int, default=4)
        p.add_argument("--per-day", type=int, default=30)
        p.set_defaults(func=func)
        if name == "demo":
            p.add_argument("--host", default="127.0.0.1")
            p.add_argument("--port", type=int, default=8000)
    imports = sub.add_parser("import", help="import data from a file").add_subparsers(dest="what", required=True)
    county = imports.add_parser("county", help="units, areas, dispatch catalogue and staff from the county workbook")
    county.add_argument("file", nargs="?", help="the filled-in workbook (.xlsx)")
    county.add_argument("--template", metavar="OUT.xlsx", help="write the empty workbook with instructions instead")
    county.add_argument("--dry-run", action="store_true", help="check and list what would change; write nothing")
    county.add_argument("--passwords", metavar="FILE.csv", help="write new accounts' first passwords to this new "
                        "file (readable by you only) instead of the screen")
    county.set_defaults(func=cmd_import_county)
    tickets = imports.add_parser("tickets", help="a county's earlier tickets (history) from CSV or xlsx, archived")
    tickets.add_argument("file", help="CSV (UTF-8 or GB18030) or .xlsx, headers as in docs/history.md")
    tickets.add_argument("--dry-run", action="store_true", help="check every row and count; write nothing")
    tickets.add_argument("--strict", action="store_true", help="refuse rows whose unit or category is unknown")
    tickets.add_argument("--batch-size", type=int, default=1000, help="rows per transaction (default 1000)")
    tickets.add_argument("--rejects", metavar="OUT.csv", help="where to write the refused rows' problems "
                         "(default: FILE.rejects.csv beside the file; a dry run writes none unless asked)")
    tickets.add_argument("--encoding", help="the CSV's encoding (default: UTF-8 with or without BOM, else GB18030)")
    tickets.set_defaults(func=cmd_import_tickets)
    serve = sub.add_parser("serve", help="run the web app")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=None)
    serve.set_defaults(func=cmd_serve)
    run = sub.add_parser("run", help="production shape: web processes, RQ workers and one scheduler")
    run.add_argument("--host", default="0.0.0.0")
    run.add_argument("--port", type=int, default=8000)
    run.add_argument("--web-workers", type=int, default=2)
    run.add_argument("--rq-workers", type=int, default=2)
    run.add_argument("--training-workers", type=int, default=1,
                     help="workers on the training queue (0 when a training worker runs elsewhere, as in compose)")
    run.set_defaults(func=cmd_run)
    admin = sub.add_parser("createadmin", help="migrate, then create an administrator account (password: prompt, "
                           f"or {ADMIN_PASSWORD_VARIABLE})")
    admin.add_argument("--username", default="admin")
    admin.add_argument("--display-name", default="系统管理员")
    admin.set_defaults(func=cmd_createadmin)
    worker = sub.add_parser("worker", help="run one RQ worker")
    worker.add_argument("--training", action="store_true", help="take training jobs (their own queue) instead")
    worker.set_defaults(func=cmd_worker)
    model = sub.add_parser("model", help="train the routing model from the shipped corpus if none is promoted yet")
    model.set_defaults(func=cmd_model)
    model_actions = model.add_subparsers(dest="model_action")
    history = model_actions.add_parser("train-history", help="train on the county's imported history tickets; "
                                       "promoted only if no worse than the current model on the history's slice")
    history.add_argument("--dry-run", action="store_true", help="train and judge, but store and promote nothing")
    history.set_defaults(func=cmd_train_history)
    model_actions.add_parser("versions", help="list stored model versions with their figures (* = current)"
                             ).set_defaults(func=cmd_model_versions)
    rollback = model_actions.add_parser("rollback", help="make an earlier stored version current")
    rollback.add_argument("version")
    rollback.add_argument("--reason", required=True, help="why (kept in the store's journal)")
    rollback.set_defaults(func=cmd_model_rollback)
    prune = model_actions.add_parser("prune", help="delete old versions, keeping the newest N, the current one "
                                     "and the one before it")
    prune.add_argument("--keep", type=int, default=10)
    prune.set_defaults(func=cmd_model_prune)
    sub.add_parser("scheduler", help="run the periodic-job scheduler").set_defaults(func=cmd_scheduler)
    calendar = sub.add_parser("calendar", help="the holiday calendar").add_subparsers(dest="calendar", required=True)
    importing = calendar.add_parser("import", help="import holidays and make-up working days from a CSV or .ics file")
    importing.add_argument("file", help="CSV (日期,类型,说明; 休/班) or iCalendar .ics")
    importing.add_argument("--dry-run", action="store_true", help="print what would change, write nothing")
    importing.add_argument("--encoding", help="the file's encoding (default: UTF-8 with or without BOM, else GBK)")
    importing.add_argument("--format", choices=("csv", "ics"), help="default: from the file name and content")
    importing.set_defaults(func=cmd_calendar_import)
    sub.add_parser("board", help="print the big screen's live event stream in the terminal (see board --help)")
    args = parser.parse_args(arguments)
    args.func(args)


if __name__ == "__main__":
    main()
