"""Benchmark: CPU per intake by process kind, for comparing two versions of the code on the same machine.

    python -m web.bench.cpu_per_intake                    # the stack of the code in the current directory

The intake benchmark's peak moves with the machine's mood (twice as fast one afternoon as that evening); the CPU
each kind of process spends per ticket moves much less. To compare a change with the code before it, alternate:

    git worktree add /tmp/before <commit>
    for i in 1 2; do (cd /tmp/before && python -m web.bench.cpu_per_intake); python -m web.bench.cpu_per_intake; done

Each run starts `hotline12345 run` (2 web processes, 2 RQ workers) over a re-created database, then: `/health` in a
closed loop (32 connections), intake in a closed loop (8 connections), and optionally an open loop at `--rate`.
"""

from __future__ import annotations

import argparse
import os
import sys

from web.bench import load, observe, setup
from web.bench.intake import intake_bodies


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m web.bench.cpu_per_intake", description=__doc__.split("\n")[0])
    setup.add_arguments(parser, port=8790)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rate", type=float, help="also an open loop at this many calls per second")
    args = parser.parse_args(argv)
    env = setup.prepare(args)
    bodies = intake_bodies(20000)
    with setup.Service(args, env) as service:
        headers = service.login()
        host, port = "127.0.0.1", args.port

        async def record(connection: load.Connection, index: int) -> int:
            return (await connection.request("POST", "/api/tickets/", bodies[index % len(bodies)], headers))[0]

        async def health(connection: load.Connection, _: int) -> int:
            return (await connection.request("GET", "/health"))[0]

        load.run(load.closed_loop(host, port, record, connections=8, seconds=3))  # warm-up
        setup.drain_queue(env["REDIS_URL"], 60)
        bare = load.run(load.closed_loop(host, port, health, connections=32, seconds=args.seconds / 2))
        with observe.Observer(args.database_url, service.group) as seen:
            peak = load.run(load.closed_loop(host, port, record, connections=args.connections, seconds=args.seconds))
        per_intake = ", ".join(f"{kind} {ticks / observe.TICK / peak.count * 1000:.2f}"
                               for kind, ticks in seen.cpu.most_common(4))
        print(f"code in {os.getcwd()}: {setup.machine()}")
        print(f"intake {peak.rate:.1f}/s, /health {bare.rate:.0f}/s, ratio {peak.rate / bare.rate:.4f}; "
              f"p50 {peak.pct(50):.0f} ms, p99 {peak.pct(99):.0f} ms, non-2xx {peak.non_2xx}")
        print(f"CPU ms per intake: {per_intake}", flush=True)
        if args.rate:
            setup.drain_queue(env["REDIS_URL"], 120)
            half = load.run(load.open_loop(host, port, record, rate=args.rate, seconds=args.seconds))
            print(half.line(f"open loop {args.rate:.0f}/s"), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
