"""Benchmark: from a call being recorded to its ticket being dispatched, at 10 and at 100 calls per second.

    python -m web.bench.end_to_end                     # bench database, Redis db 9, port 8730, 30 s per rate
    python -m web.bench.end_to_end --rates 10 100 --seconds 30 --rq-workers 2 --path call

Each call is recorded by the operator (POST /api/tickets) and handed to the dispatch queue at once (POST
/api/tickets/{number}/submit), on an open-loop schedule; `--path letter` instead sends citizen letters (POST
/api/public/letters), which enter the dispatch queue by themselves. The routing job on the RQ workers classifies
each ticket and dispatches it through the catalogue when the model is sure. After each rate the run waits until
every ticket of that rate is dispatched or sent to a person (or --drain seconds pass), then reads the answer from
the log itself: dispatch event time minus receive event time (ticket_event.created_at), median/p95/p99, plus the
tickets still waiting and the deepest the RQ queue got. Texts are confident corpus texts with a unique tag (see
web.bench.setup.confident_texts), each with a random township and a caller phone, so that the SMS receipts and
the duplicate search cost what they cost in production.
"""

from __future__ import annotations

import argparse
import random
import sys
import threading
import time
from collections import Counter

from web.bench import load, observe, setup


def _units(path: str, headers: dict[str, str], bodies: list[dict[str, str]], numbers: list[str]) -> load.Unit:
    import msgspec

    async def call(connection: load.Connection, index: int) -> int:
        status, answer = await connection.request("POST", "/api/tickets/", bodies[index], headers)
        if status != 201:
            return status
        number = msgspec.json.decode(answer)["number"]
        status, _ = await connection.request("POST", f"/api/tickets/{number}/submit", None, headers)
        if status == 200:  # a refused hand-off (409) leaves the call with its operator: not routed, not counted
            numbers.append(number)
        return status

    async def letter(connection: load.Connection, index: int) -> int:
        body = {"title": "来信", "content": bodies[index]["content"], "phone": bodies[index]["caller_phone"],
                "township": bodies[index]["township"]}
        status, answer = await connection.request("POST", "/api/public/letters", body)
        if status == 201:
            numbers.append(msgspec.json.decode(answer)["number"])
        return status

    return call if path == "call" else letter


def _bodies(count: int, seed: int) -> list[dict[str, str]]:
    rng = random.Random(seed)
    texts = setup.confident_texts(600)
    places = setup.townships()
    return [{"content": f"{rng.choice(texts)}（登记号{setup.tag(rng, 150)}）", "caller_phone": setup.phone(rng),
             "township": rng.choice(places), "type": "complaint"} for _ in range(count)]


class QueueWatch(threading.Thread):
    """The deepest the RQ queue got, sampled every 0.2 s."""

    def __init__(self, redis_url: str) -> None:
        super().__init__(daemon=True)
        import redis

        from hotline.settings import get_settings

        self.client = redis.Redis.from_url(redis_url)
        self.key = f"rq:queue:{get_settings().queue_name}"
        self.deepest = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.2):
            self.deepest = max(self.deepest, self.client.llen(self.key))


def reasons(numbers: list[str]) -> Counter[str]:
    """Why routing left tickets to a person (the `manual_review` event's reasons)."""
    from sqlalchemy import select

    from hotline.database import session_scope
    from hotline.models import Ticket, TicketEvent

    found: Counter[str] = Counter()
    with session_scope() as session:
        for chunk in range(0, len(numbers), 5000):
            for data in session.scalars(select(TicketEvent.data).join(Ticket, Ticket.id == TicketEvent.ticket_id)
                                        .where(Ticket.number.in_(numbers[chunk:chunk + 5000]),
                                               TicketEvent.action == "manual_review")):
                found.update((data or {}).get("reasons", []))
    return found


def outcomes(numbers: list[str]) -> tuple[Counter[str], list[float], list[float]]:
    """Per ticket: dispatched, sent to a person, or still waiting; receive→dispatch and submit→dispatch (ms)."""
    from sqlalchemy import select

    from hotline.database import session_scope
    from hotline.models import Ticket, TicketEvent

    first: dict[tuple[int, str], object] = {}
    states: Counter[str] = Counter()
    with session_scope() as session:
        for chunk in range(0, len(numbers), 5000):
            rows = session.execute(
                select(Ticket.id, Ticket.status, Ticket.manual_review)
                .where(Ticket.number.in_(numbers[chunk:chunk + 5000]))).all()
            ids = [row.id for row in rows]
            for row in rows:
                states["dispatched" if row.status == "pending_sign" else
                       "to a person" if row.manual_review else f"waiting ({row.status})"] += 1
            for ticket_id, action, created in session.execute(
                    select(TicketEvent.ticket_id, TicketEvent.action, TicketEvent.created_at)
                    .where(TicketEvent.ticket_id.in_(ids),
                           TicketEvent.action.in_(("receive", "submit", "dispatch"))).order_by(TicketEvent.id)):
                first.setdefault((ticket_id, action), created)
    total, after_submit = [], []
    for (ticket_id, action), dispatched in first.items():
        if action != "dispatch":
            continue
        total.append((dispatched - first[(ticket_id, "receive")]).total_seconds() * 1000)
        if (submitted := first.get((ticket_id, "submit"))) is not None:
            after_submit.append((dispatched - submitted).total_seconds() * 1000)
    return states, total, after_submit


def wait_for_routing(numbers: list[str], drain: float) -> float:
    """Seconds until no ticket of this rate waits for the routing job any more (or `drain` ran out)."""
    started = time.monotonic()
    while time.monotonic() - started < drain:
        states, _, _ = outcomes(numbers)
        if not any(state.startswith("waiting") for state in states):
            break
        time.sleep(1.0)
    return time.monotonic() - started


def _ms(values: list[float], p: float) -> str:
    return f"{load.percentile(values, p):8.0f} ms" if values else "       - ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m web.bench.end_to_end", description=__doc__.split("\n")[0])
    setup.add_arguments(parser, port=8730)
    parser.add_argument("--rates", type=float, nargs="+", default=[10.0, 100.0], help="calls per second")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long calls come in at each rate")
    parser.add_argument("--drain", type=float, default=300.0, help="longest wait for routing after each rate")
    parser.add_argument("--path", choices=("call", "letter"), default="call")
    args = parser.parse_args(argv)
    print(setup.machine(), flush=True)
    env = setup.prepare(args)
    bodies = _bodies(int(sum(args.rates) * args.seconds) + 1, seed=5)
    summary = []
    with setup.Service(args, env) as service:
        headers = service.login()
        offset = 0
        for rate in args.rates:
            count = int(rate * args.seconds)
            numbers: list[str] = []
            unit = _units(args.path, headers, bodies[offset:offset + count], numbers)
            offset += count
            watch = QueueWatch(env["REDIS_URL"])
            watch.start()
            with observe.Observer(args.database_url, service.group) as seen:
                sent = load.run(load.open_loop("127.0.0.1", args.port, unit, rate=rate, seconds=args.seconds))
                drained = wait_for_routing(numbers, args.drain)
            watch.stop.set()
            states, total, after_submit = outcomes(numbers)
            print(sent.line(f"{args.path}s at {rate:.0f}/s (HTTP, per call)"), flush=True)
            print(f"  routed {dict(states)}; last one {drained:.1f} s after the calls stopped; "
                  f"deepest RQ queue {watch.deepest}", flush=True)
            if why := reasons(numbers):
                print(f"  left to a person because: {dict(why)}", flush=True)
            print(f"  receive -> dispatch  median {_ms(total, 50)}  p95 {_ms(total, 95)}  p99 {_ms(total, 99)}  "
                  f"max {_ms(total, 100)}  (n={len(total)})", flush=True)
            if after_submit:
                print(f"  submit  -> dispatch  median {_ms(after_submit, 50)}  p95 {_ms(after_submit, 95)}  "
                      f"p99 {_ms(after_submit, 99)}", flush=True)
            print(seen.summary(), flush=True)
            summary.append((rate, load.percentile(total, 50), load.percentile(total, 99), states))
    if len(summary) > 1:
        (r0, m0, p0, _), (r1, m1, p1, _) = summary[0], summary[-1]
        print(f"ratio {r1:.0f}/s to {r0:.0f}/s: median {m1 / m0:.2f}x, p99 {p1 / p0:.2f}x")
    print(f"figures: {setup.dumps({f'{r:.0f}/s': {'median_ms': m, 'p99_ms': p, 'states': dict(s)} for r, m, p, s in summary})}")
    print(setup.machine())
    return 0


if __name__ == "__main__":
    sys.exit(main())
