"""Benchmark: training the routing model on the history tickets in DATABASE_URL (not a timed test).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/history_bench HOTLINE_VAR_DIR=/tmp/history-bench \\
        python -m web.bench.history_training [--generate 100000] [--promote]

Trains on the history present (web/bench/history.py imports 100,000 synthetic tickets through the import), or
first adds `--generate N` synthetic ones itself with an ORM bulk insert (migrating the database and seeding the
demo county's catalogue if it has none). The guard compares with the current model of the store under
HOTLINE_VAR_DIR (the shipped corpus's, trained first if there is none, as on a county's first day). Prints each stage's time, the example counts, the guard's verdict and
the peak memory (this process and its children: feature fitting runs in two processes from 20,000 examples).
A dry run by default: nothing is stored in the model store unless `--promote`.
"""

from __future__ import annotations

import argparse
import random
import threading
import time
from datetime import timedelta

from sqlalchemy import insert, select

# this script's own phrasing, one county's filing habits: code -> sentences with a {p} place slot
TEMPLATES: dict[str, tuple[str, ...]] = {
    "0101": ("{p}物业不给修电梯，收了钱不办事", "{p}物业费年年涨，小区绿化却没人管", "{p}业委会选举不公开"),
    "0104": ("{p}新房交了一年墙面全是裂缝", "{p}开发商说好的车位变成了绿地", "{p}楼盘延期交房两年了"),
    "0105": ("{p}楼顶有人私自加盖了一层铁皮房", "{p}邻居把院子围起来占了公共通道", "{p}一楼住户扩建占了绿化带"),
    "0106": ("{p}路面坑洼积水，车子没法走", "{p}的路灯晚上全黑", "{p}井盖不见了很危险"),
    "0201": ("{p}停水两天了没人通知", "{p}自来水发黄有异味", "{p}水表走得飞快"),
    "0202": ("{p}老是停电", "{p}电压不稳烧坏了电器", "{p}电线乱拉有火花"),
    "0203": ("{p}燃气开户排不上", "{p}燃气管道安装收费太贵", "{p}天然气突然停供"),
    "0204": ("{p}手机没有信号", "{p}宽带天天断网", "{p}铁塔基站建在楼顶担心辐射"),
    "0301": ("{p}有人烧秸秆烟很大", "{p}工厂晚上偷排废气", "{p}饭店油烟直排到居民窗口"),
    "0302": ("{p}河里漂满死鱼", "{p}养猪场粪水排进水渠", "{p}小河变成黑臭水沟"),
    "0303": ("{p}夜里施工吵得睡不着", "{p}广场舞音响太大", "{p}商铺喇叭整天喊"),
    "0304": ("{p}垃圾好几天没人拉", "{p}公厕脏得进不去", "{p}路边堆满垃圾"),
    "0401": ("{p}摊贩占道卖菜堵了路", "{p}电线杆上贴满小广告", "{p}店家把货摆到人行道上"),
    "0501": ("{p}车子乱停把消防通道堵了", "{p}红绿灯坏了没人修", "{p}大货车超载压坏路面"),
    "0502": ("{p}公交车班次太少要等一个小时", "{p}农村客运班车停运了", "{p}公交司机态度恶劣"),
    "0601": ("孩子在{p}报不上名", "{p}划片不合理", "{p}转学办不下来"),
    "0602": ("{p}学校收资料费", "{p}学校强制订校服", "{p}补课要交钱"),
    "0701": ("在{p}干活的工钱被拖欠", "{p}工厂几个月没发工资", "{p}包工头跑了"),
    "0702": ("{p}退休金没按时发", "{p}养老保险缴费年限算错了", "{p}老人领不到养老金"),
    "0704": ("{p}医保报销比例太低", "{p}异地就医报不了", "{p}门诊慢病卡办不下来"),
    "0801": ("{p}卫生院医生态度差", "{p}医院乱收检查费", "{p}看病排队太久"),
    "0901": ("{p}超市卖过期食品", "{p}餐馆后厨很脏", "{p}小作坊无证做豆腐"),
    "0902": ("{p}买的东西坏了商家不退", "{p}健身卡退不了钱", "{p}店家虚假宣传"),
    "1002": ("{p}承包地被村里收回了", "{p}土地流转款没给", "{p}山林确权有纠纷"),
    "1101": ("{p}低保评得不公平", "{p}困难户申请救助没人理", "{p}特困老人没人照顾"),
    "1201": ("{p}有人聚众赌博", "{p}电动车接连被偷", "{p}有人打架闹事"),
    "1202": ("{p}户口迁不进来", "{p}身份证补办要跑好几趟", "{p}居住证办不了"),
    "1301": ("{p}楼道里给电动车充电", "{p}消防栓没有水", "{p}消防通道被堵死"),
    "1601": ("{p}窗口工作人员推诿", "{p}干部办事吃拿卡要", "{p}打电话找村干部总没人接"),
    "1602": ("{p}办营业执照来回跑", "{p}想咨询社保政策", "{p}政务大厅排队太长"),
}
PLACES = ("城关街道", "城南新村", "河西镇", "青石乡", "金桥社区", "火车站附近", "白沙村", "工业园区", "人民医院旁",
          "滨江路", "桃源小区", "长岭村", "东门菜市场", "北山村", "县一中门口", "老汽车站")
OPENERS = ("", "你好，", "我要反映，", "喂，", "麻烦记一下，", "我是这边的村民，", "我是业主，")
DETAILS = ("", "已经半个月了，", "打了好几次电话，", "老人小孩都受影响，", "大家意见很大，", "上次说处理也没下文，")
ENDINGS = ("", "请尽快处理。", "希望有人来看看。", "给个说法。", "谢谢！", "请回电。")
BATCH = 5000


def generate(count: int, seed: int = 2026) -> int:
    """Add `count` archived, imported history tickets (ORM bulk insert); returns the first number used."""
    from hotline.clock import now
    from hotline.database import session_scope
    from hotline.models import Ticket
    from web.bench.setup import migrate_and_seed

    migrate_and_seed()
    rng = random.Random(seed)
    codes = list(TEMPLATES)
    with session_scope() as session:
        first = session.scalar(select(Ticket.id).order_by(Ticket.id.desc()).limit(1)) or 0
    moment, received = now(), now() - timedelta(days=3 * 365)
    for start in range(0, count, BATCH):
        rows = []
        for i in range(start, min(start + BATCH, count)):
            code = codes[int(rng.paretovariate(1.2)) % len(codes)]  # a few categories carry most calls
            text = (rng.choice(OPENERS) + rng.choice(TEMPLATES[code]).format(p=rng.choice(PLACES)) + "，"
                    + rng.choice(DETAILS) + rng.choice(ENDINGS))
            rows.append({"number": f"GEN{first + i:012d}", "query_code": "000000", "channel": "phone",
                         "content": text, "type": "complaint", "status": "archived",
                         "category_code": code if rng.random() > 0.03 else None,
                         "created_at": received + timedelta(minutes=15 * i), "imported_at": moment})
        with session_scope() as session:
            session.execute(insert(Ticket), rows)
        print(f"[generate] {min(start + BATCH, count)}/{count}", flush=True)
    return first


class PeakMemory:
    """Peak resident memory of this process and of this process plus its children, sampled every 0.2 s: the
    feature workers (joblib) outlive the fit, so the kernel's peak for finished children misses them."""

    def __init__(self) -> None:
        import psutil

        self.me = psutil.Process()
        self.own = self.total = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        import psutil

        while not self._stop.wait(0.2):
            try:
                own = self.me.memory_info().rss
                children = sum(c.memory_info().rss for c in self.me.children(recursive=True))
            except psutil.Error:
                continue
            self.own, self.total = max(self.own, own), max(self.total, own + children)

    def stop(self) -> tuple[float, float]:
        self._stop.set()
        self._thread.join()
        return self.own / 2**20, self.total / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generate", type=int, default=0, metavar="N", help="first add N synthetic history tickets")
    parser.add_argument("--promote", action="store_true", help="store the model and promote it if the guard agrees")
    args = parser.parse_args()
    from classifier.service import ensure_model
    from dispatch import history_training
    from dispatch.routing import get_store
    from web.bench.setup import machine

    print(machine(), flush=True)
    if args.generate:
        started = time.perf_counter()
        generate(args.generate)
        print(f"generated {args.generate} history tickets in {time.perf_counter() - started:.1f} s", flush=True)
    ensure_model(get_store(), progress=None)  # as a county starts: the shipped corpus's model is the current one
    memory = PeakMemory()
    stage_started = {"start": time.perf_counter()}

    def progress(stage: str, counts: dict[str, int]) -> None:
        stage_started.setdefault(stage, time.perf_counter())
        if stage != "reading" or counts["training"] % 50_000 < history_training.READ_BATCH:
            print(f"[{stage}] +{time.perf_counter() - stage_started['start']:.1f} s {counts}", flush=True)

    outcome = history_training.train_history(dry_run=not args.promote, progress=progress)
    total = time.perf_counter() - stage_started["start"]
    read = stage_started["training"] - stage_started["start"]
    own, with_workers = memory.stop()
    print(f"history {outcome.census.history}, training {outcome.training}, slice {outcome.slice}, "
          f"corrections {outcome.corrections}, {len(outcome.census.codes)} codes "
          f"(left out: {outcome.census.too_few or '-'} too few, {outcome.census.not_in_catalogue or '-'} not in the "
          f"catalogue, {outcome.census.unlabelled} unlabelled)")
    print(f"time: {total:.1f} s in all, reading {read:.1f} s, training and judging {total - read:.1f} s")
    print(f"peak memory: {own:.0f} MB this process, {with_workers:.0f} MB with its worker processes")
    print(history_training.verdict(outcome))


if __name__ == "__main__":
    main()
