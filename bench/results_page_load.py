"""A finished results page under wrk, side by side with a bare Django page, in the same run.

Setup (bench/match_latency.py's stack): the PostgreSQL database --database is dropped and
created (default lookalike_cache), migrate, import_gallery demo/gallery, build_index,
collectstatic; no DEBUG, DJANGO_ALLOWED_HOSTS=127.0.0.1, DJANGO_HTTPS=0; Redis database 9
(--redis) holds the cache, the rate limits and the Celery queue. A Celery worker makes one
finished match from a gallery photo uploaded through the API, then stops.

Then, for each mode, gunicorn (--web-workers sync workers, DJANGO_ROOT_URLCONF=bench.bare_page_urls
so that the bare page exists in this run only) serves on 127.0.0.1 and wrk measures, one after
the other, the bare page (/bench/bare/<token>/: one template, two queries) and the results page
(/r/<token>/, as a stranger without cookies): a 5 s warm-up each, then
wrk -t2 -c16 -d20s --latency. Modes: "not kept" (LOOKALIKE_RESULT_PAGE_CACHE_SECONDS=0, every
request renders) and "kept" (600). --rounds repeats the whole measurement.

Run from the repository root:  .venv/bin/python bench/results_page_load.py [--rounds 2]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from match_latency import (  # noqa: E402
    PAGE_PHOTO,
    BenchError,
    Stack,
    progress,
    request,
    run_on_stack,
    upload_and_wait,
)

MODES = [("not kept", "0"), ("kept", "600")]


def wrk(url: str, args: argparse.Namespace, duration: str) -> str:
    command = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{duration}",
        "--latency",
        "--timeout",
        "10s",
        url,
    ]
    return subprocess.run(command, capture_output=True, text=True, check=True, timeout=120).stdout


def parse(output: str) -> dict:
    def milliseconds(label: str) -> float:
        found = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        if not found:
            raise BenchError(f"no {label}% line in wrk's output:\n{output}")
        value, unit = float(found[1]), found[2]
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rate = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": float(rate[1]) if rate else 0.0,
        "p50": milliseconds("50"),
        "p99": milliseconds("99"),
        "non_2xx": int(errors[1]) if errors else 0,
    }


def measure(stack: Stack, args: argparse.Namespace, token: str) -> list[tuple]:
    rows = []
    for mode, seconds in MODES:
        stack.env["LOOKALIKE_RESULT_PAGE_CACHE_SECONDS"] = seconds
        stack.start_web(args.web_workers)
        try:
            pages = [
                ("bare page", f"{stack.base_url}/bench/bare/{token}/"),
                ("results page", f"{stack.base_url}/r/{token}/"),
            ]
            for name, url in pages:
                status, _ = request("GET", url)
                if status != 200:
                    raise BenchError(f"{url} answered {status}")
                wrk(url, args, "5s")
                figures = parse(wrk(url, args, args.duration))
                load = Path("/proc/loadavg").read_text().split()[0]
                rows.append((mode, name, figures, load))
                progress(
                    f"{mode:9} {name:12} {figures['rps']:8.1f} req/s  p50 {figures['p50']:.1f} ms"
                    f"  p99 {figures['p99']:.1f} ms  non-2xx {figures['non_2xx']}  load {load}"
                )
        finally:
            stack.stop_web()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="lookalike_cache", help="dropped and created")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/9")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", default="20s")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)
    args.settle, args.own_database = 3.0, True
    print(f"date: {datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ}; gunicorn {args.web_workers} sync workers")
    return run_on_stack(args, pages_side_by_side)


def pages_side_by_side(stack: Stack, args: argparse.Namespace) -> int:
    stack.env["DJANGO_ALLOWED_HOSTS"] = "127.0.0.1"
    stack.env["DJANGO_ROOT_URLCONF"] = "bench.bare_page_urls"
    stack.setup()
    stack.start_worker()
    stack.start_web(args.web_workers)
    token = upload_and_wait(stack.base_url, PAGE_PHOTO.read_bytes(), PAGE_PHOTO.name).token
    stack.stop_web()
    stack.stop_worker()  # the pages need no worker; keep the cores for the web
    rows = []
    for round_number in range(args.rounds):
        progress(f"round {round_number + 1} of {args.rounds}")
        rows += measure(stack, args, token)
    print("\n| mode | page | requests/s | p50 ms | p99 ms | non-2xx | load after |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for mode, name, f, load in rows:
        print(
            f"| {mode} | {name} | {f['rps']:.0f} | {f['p50']:.1f} | {f['p99']:.1f} | "
            f"{f['non_2xx']} | {load} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
