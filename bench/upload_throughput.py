"""Uploads per second one machine sustains through the real stack, and their cost in CPU time.

bench/match_latency.py's stack (PostgreSQL database --database dropped and created, migrate,
import_gallery demo/gallery, build_index, collectstatic; gunicorn with --web-workers sync
workers; Celery as the Procfile runs it, a prefork pool of --worker-concurrency processes, one
per core unless told; Redis --redis as broker and for the rate limits), then for each count of
--clients in turn: that many visitors (bench/upload_clients.py) upload the 12 MP phone photo of
match_latency.py (or, with --mix F, a random demo/gallery photo for a share F of uploads), follow
it as the browser does until it is done, and upload again. After --warmup seconds the CPU time
of every process of the stack is read (bench/meter.py), again --duration seconds later, then the
visitors finish the upload they are on and stop.

For each count of clients: uploads done per second in the measured window (those whose "done"
was seen in it), their latency from request sent and from 202 received to results ready (the
worker marked the match done: the row's finished_at) and to "done" seen by a poll, the queue
wait (row created -> worker starts), CPU seconds per 1,000 uploads for web, worker, PostgreSQL
and Redis (the load generator apart), and every failure: an upload not answered 202, a match
failed, a page or poll not answered 200, a timeout.

Run from the repository root:
  .venv/bin/python bench/upload_throughput.py --clients 1 2 4 8 [--duration 60] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from match_latency import (  # noqa: E402
    GALLERY,
    PHONE_QUALITY,
    PHONE_SIZE,
    PHONE_SOURCE,
    BenchError,
    Stack,
    environment,
    load_text,
    make_phone_photo,
    progress,
    run_on_stack,
)
from meter import Meter, difference  # noqa: E402
from throughput_report import (  # noqa: E402
    Level,
    add_server_times,
    check_rate_limits,
    cost_table,
    describe_failures,
    latency_table,
    usage_table,
)
from upload_clients import Photo, visit_until  # noqa: E402


def run_level(stack: Stack, meter: Meter, clients: int, args, phone, gallery) -> Level:
    stop = threading.Event()
    uploads = []
    visitors = [
        threading.Thread(
            target=visit_until,
            args=(stop, uploads),
            kwargs=dict(
                base_url=stack.base_url,
                client=number,
                phone=phone,
                gallery=gallery,
                mix=args.mix,
                seed=args.seed,
                pages=not args.no_pages,
                poll_ms=args.poll_ms,
            ),
            daemon=True,
        )
        for number in range(clients)
    ]
    load_before = os.getloadavg()
    for visitor in visitors:
        visitor.start()
    time.sleep(args.warmup)
    before, window_start = meter.read(), time.time()
    time.sleep(args.duration)
    after, window_end = meter.read(), time.time()
    load_after = os.getloadavg()
    stop.set()
    progress(f"{clients} clients: measured; waiting for the uploads under way")
    for visitor in visitors:
        visitor.join()
    return Level(
        clients=clients,
        window_start=window_start,
        window_end=window_end,
        cpu=difference(before, after),
        uploads=list(uploads),
        load_before=load_before,
        load_after=load_after,
    )


def idle_reading(meter: Meter, seconds: float) -> dict[str, float]:
    """CPU each part uses with no uploads at all: the stack's own ticking and others' work."""
    before = meter.read()
    time.sleep(seconds)
    return {key: value / seconds for key, value in difference(before, meter.read()).items()}


def throughput(stack: Stack, args: argparse.Namespace) -> int:
    source = args.faces / PHONE_SOURCE
    if not source.exists():
        raise BenchError(f"{source} not found (use --faces or LOOKALIKE_FACES_DIR)")
    phone = Photo("phone_12mp.jpg", make_phone_photo(source))
    gallery = [Photo(path.name, path.read_bytes()) for path in sorted(GALLERY.glob("*/*.jpg"))]
    stack.setup()
    planned = len(args.clients) * (args.warmup + args.duration + 60)
    limits = check_rate_limits(stack, planned)
    stack.start_worker(args.worker_concurrency)
    stack.start_web(args.web_workers)
    meter = Meter(stack, args.redis)
    try:
        progress(f"idle for {args.idle:g} s")
        idle = idle_reading(meter, args.idle) if args.idle > 0 else {}
        levels = []
        for clients in args.clients:
            progress(f"{clients} clients: {args.warmup:g} s warm-up, {args.duration:g} s measured")
            levels.append(run_level(stack, meter, clients, args, phone, gallery))
    finally:
        meter.close()
    add_server_times(stack, [upload for level in levels for upload in level.uploads])

    env = environment()
    total = sum(len(level.uploads) for level in levels)
    print(f"Upload throughput, {env['date']}, Python {env['python']}, {env['cpus']} CPUs")
    print(
        f"photo: {PHONE_SIZE[0]}x{PHONE_SIZE[1]} JPEG q{PHONE_QUALITY}, "
        f"{len(phone.data) / 1e6:.1f} MB, from {PHONE_SOURCE}"
        + (f"; a demo/gallery photo for {args.mix:.0%} of uploads" if args.mix else "")
    )
    print(
        f"stack: gunicorn {args.web_workers} sync workers, Celery worker "
        f"-c {args.worker_concurrency} prefork, PostgreSQL, Redis {args.redis}"
    )
    polling = f"every {args.poll_ms:g} ms" if args.poll_ms else "as the page does (250 ms, x1.3)"
    print(
        f"visitors: closed loop, poll {polling}, "
        + ("no page views" if args.no_pages else "results page fetched after 202 and when done")
        + f"; {args.warmup:g} s warm-up, {args.duration:g} s measured per count"
    )
    print(
        f"rate limits: {limits['rate']} per address; {limits['counted']} uploads already counted "
        f"for 127.0.0.1; this run sent {total}"
    )
    print()
    print(latency_table(levels))
    print()
    print(cost_table(levels))
    print()
    print(usage_table(levels, idle))
    print()
    for level in levels:
        print(
            f"{level.clients} clients: load average {load_text(level.load_before)} before, "
            f"{load_text(level.load_after)} at the window's end"
        )
    failures = describe_failures(levels)
    print()
    print(failures or "failures: 0")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "environment": env,
                    "arguments": {
                        key: str(value) if isinstance(value, Path) else value
                        for key, value in vars(args).items()
                    },
                    "rate_limits": limits,
                    "idle_cores": idle,
                    "levels": [
                        {**level.summary(), "uploads": [asdict(u) for u in level.uploads]}
                        for level in levels
                    ],
                },
                indent=2,
            )
        )
    return 1 if failures else 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    default_faces = os.environ.get(
        "LOOKALIKE_FACES_DIR", str(Path(__file__).resolve().parents[2] / "shared" / "faces")
    )
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--duration", type=float, default=60, help="measured seconds per count")
    parser.add_argument("--warmup", type=float, default=15, help="seconds before measuring")
    parser.add_argument("--idle", type=float, default=10, help="seconds of idle reading first")
    parser.add_argument(
        "--mix", type=float, default=0.0, help="share of uploads that are demo/gallery photos"
    )
    parser.add_argument("--seed", type=int, default=1, help="for --mix's choices")
    parser.add_argument(
        "--poll-ms", type=float, help="poll at this fixed interval instead of the page's schedule"
    )
    parser.add_argument(
        "--no-pages", action="store_true", help="poll only; no results page before and after"
    )
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument(
        "--worker-concurrency",
        type=int,
        default=os.cpu_count(),
        help="Celery prefork processes (Celery's default, as in production: one per CPU)",
    )
    parser.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    parser.add_argument("--faces", type=Path, default=Path(default_faces), help="photo folder")
    parser.add_argument("--database", default="lookalike_bench", help="dropped and created")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/9", help="broker and cache")
    parser.add_argument(
        "--settle", type=float, default=3.0, help="seconds to wait after the worker says ready"
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder and database")
    args = parser.parse_args(argv)
    if min(args.clients) < 1 or args.duration <= 0 or not 0 <= args.mix <= 1:
        parser.error("--clients at least 1, --duration above 0, --mix between 0 and 1")
    return args


def main(argv: list[str] | None = None) -> int:
    return run_on_stack(parse_args(argv), throughput)


if __name__ == "__main__":
    sys.exit(main())
