"""Time the public matching flow through the real stack: gunicorn, PostgreSQL, Redis and Celery.

Default mode, upload -> results ready: a 12 MP phone photo with one face (built at run time from
extras/very_large_4600px_clooney.jpg: 3:4 crop, 3024x4032, JPEG quality 90) is POSTed --runs
times to /api/v1/matches/, one upload at a time. For each run: request sent -> 202, then 202 ->
the first GET of the match's API url that says "done" (polled every 50 ms on a fixed schedule).
The match row's created_at, started_at and finished_at (written by the web and worker processes
on the same clock) split the total further: upload handling, queue, processing, poll delay.
Results ready (finished_at) is also reported from the request sent and from the 202. The
first run is the worker's first task and is reported on its own, outside the medians. Finally
the engine stages are timed in this process on the same photo (--no-stages to skip).

--serve-only: the same setup, then one upload of a gallery photo, waited for until done; the
Celery worker is stopped and gunicorn keeps serving the results page until SIGTERM/SIGINT or
--serve-seconds. The page's URL is written to --ready-file. bench/page_load.sh runs wrk on it.

Setup, everything in a scratch folder that is removed at the end (--keep to leave it):
  - PostgreSQL database --database (default lookalike_bench) on 127.0.0.1:5432 as postgres,
    dropped and created at the start, dropped at the end;
  - LOOKALIKE_VAR_DIR (media, static files, index cache) in the scratch folder; no DEBUG, plain
    HTTP (DJANGO_HTTPS=0), every upload rate limit at 1000000/hour (LOOKALIKE_UPLOAD_RATE...);
  - migrate, import_gallery demo/gallery, build_index, collectstatic --noinput;
  - a Celery worker, -c 1 --pool prefork, consuming a queue of its own (CELERY_QUEUE) on Redis
    DB 9 (--redis), which also holds the rate limits' counts;
  - gunicorn lookalike_site.wsgi on a free port of 127.0.0.1, --web-workers sync workers.

Run from the repository root:
  .venv/bin/python bench/match_latency.py [--runs 20] [--json FILE]
Photos are read from --faces, $LOOKALIKE_FACES_DIR, or ../shared/faces beside the repository.
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import math
import os
import platform
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import asdict, dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path

from PIL import Image, ImageOps

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = REPO / ".venv" / "bin"
PHONE_SOURCE = "extras/very_large_4600px_clooney.jpg"
PHONE_SIZE = (3024, 4032)
PHONE_QUALITY = 90
PAGE_PHOTO = REPO / "demo" / "gallery" / "Barack_Obama" / "1.jpg"
GALLERY = REPO / "demo" / "gallery"
UPLOAD_PATH = "/api/v1/matches/"
POLL_SECONDS = 0.05
RUN_TIMEOUT = 180.0  # a match is failed by the app after LOOKALIKE_MATCH_TIME_LIMIT (120 s)
SETUP_TIMEOUT = 900.0
# Every upload comes from 127.0.0.1, and the throttles' counts outlive a run by an hour (they are
# kept in --redis): far above what runs one after another can send, at a few uploads a second.
UPLOAD_RATE_LIMIT = "1000000/hour"
# Settings the caller's environment must not leak into the benchmark's processes.
SCRUBBED_PREFIXES = ("DJANGO_", "LOOKALIKE_", "CELERY_", "AWS_")
SCRUBBED = {"DATABASE_URL", "REDIS_URL"}


class BenchError(Exception):
    pass


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- HTTP ---------------------------------------------------------------------------------------


def request(
    method: str, url: str, body: bytes | None = None, headers: dict | None = None, timeout=60.0
) -> tuple[int, bytes]:
    """One request on a fresh connection (gunicorn's sync workers close after each answer)."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def multipart(field: str, filename: str, data: bytes) -> tuple[bytes, str]:
    boundary = f"bench{secrets.token_hex(12)}"
    head = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    ).encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode(), (
        f"multipart/form-data; boundary={boundary}"
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- the stack ----------------------------------------------------------------------------------


def _terminate(process: subprocess.Popen | None, grace: float = 20.0) -> None:
    """SIGTERM, then SIGKILL after `grace` seconds; each process leads its own process group."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)
    try:  # children left behind by a master that died (its group id is its own pid)
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


class Stack:
    """The scratch folder, database, Celery worker and gunicorn of one benchmark run."""

    def __init__(self, args: argparse.Namespace):
        if "bench" not in args.database and not getattr(args, "own_database", False):
            raise BenchError("the database is dropped and created: its name must contain 'bench'")
        self.args = args
        self.scratch = Path(tempfile.mkdtemp(prefix="lookalike-bench-"))
        self.var_dir = self.scratch / "var"
        self.logs = self.scratch / "logs"
        self.logs.mkdir()
        self.queue = f"bench-{os.getpid()}-{secrets.token_hex(4)}"
        self.pg = urllib.parse.urlsplit(args.postgres)
        self.env = self._environment()
        self.worker: subprocess.Popen | None = None
        self.web: subprocess.Popen | None = None
        self.base_url = ""
        self.database_created = False

    def _environment(self) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in SCRUBBED and not key.startswith(SCRUBBED_PREFIXES)
        }
        database_url = f"{self.args.postgres.rstrip('/')}/{self.args.database}"
        env.update(
            DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
            DATABASE_URL=database_url,
            CELERY_BROKER_URL=self.args.redis,
            CELERY_QUEUE=self.queue,
            REDIS_URL=self.args.redis,
            LOOKALIKE_VAR_DIR=str(self.var_dir),
            DJANGO_MEDIA_ROOT=str(self.var_dir / "media"),
            # Plain HTTP on loopback: no redirect to HTTPS where settings have that switch.
            DJANGO_HTTPS="0",
            # One client address uploads every photo: no upload throttle may refuse it.
            LOOKALIKE_UPLOAD_RATE=UPLOAD_RATE_LIMIT,
            LOOKALIKE_ACCOUNT_UPLOAD_RATE=UPLOAD_RATE_LIMIT,
            LOOKALIKE_API_ANONYMOUS_UPLOAD_RATE=UPLOAD_RATE_LIMIT,
            DJANGO_LOG_LEVEL="WARNING",
            PYTHONUNBUFFERED="1",
        )
        return env

    # database

    def _admin_connection(self):
        import psycopg2

        connection = psycopg2.connect(
            host=self.pg.hostname,
            port=self.pg.port or 5432,
            user=self.pg.username or "postgres",
            password=self.pg.password,
            dbname="postgres",
        )
        connection.autocommit = True
        return connection

    def _drop_database(self) -> None:
        from psycopg2 import sql

        connection = self._admin_connection()
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                        sql.Identifier(self.args.database)
                    )
                )
        finally:
            connection.close()

    def _create_database(self) -> None:
        from psycopg2 import sql

        self._drop_database()
        connection = self._admin_connection()
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.args.database))
                )
        finally:
            connection.close()
        self.database_created = True

    def query(self, statement: str, params: tuple = ()) -> list[tuple]:
        import psycopg2

        connection = psycopg2.connect(
            host=self.pg.hostname,
            port=self.pg.port or 5432,
            user=self.pg.username or "postgres",
            password=self.pg.password,
            dbname=self.args.database,
        )
        try:
            with connection.cursor() as cursor:
                cursor.execute(statement, params)
                return cursor.fetchall()
        finally:
            connection.close()

    # setup

    def manage(self, *arguments: str) -> str:
        log = self.logs / "setup.log"
        started = time.perf_counter()
        with log.open("a") as handle:
            handle.write(f"$ manage.py {' '.join(arguments)}\n")
            handle.flush()
            result = subprocess.run(
                [str(VENV_BIN / "python"), "manage.py", *arguments],
                cwd=REPO,
                env=self.env,
                stdout=subprocess.PIPE,
                stderr=handle,
                text=True,
                timeout=SETUP_TIMEOUT,
            )
            handle.write(result.stdout)
        if result.returncode:
            raise BenchError(f"manage.py {arguments[0]} failed:\n{_tail(log)}")
        shown = " ".join(arguments) if arguments[0] != "shell" else "shell (queue name)"
        progress(f"manage.py {shown}: {time.perf_counter() - started:.1f} s")
        return result.stdout

    def setup(self) -> None:
        progress(f"scratch folder {self.scratch}; database {self.args.database}")
        self._create_database()
        self.manage("migrate", "--noinput")
        imported = self.manage("import_gallery", str(GALLERY)).strip().splitlines()
        progress(f"  {imported[-1] if imported else ''}")
        built = self.manage("build_index").strip().splitlines()
        progress(f"  {built[-1] if built else ''}")
        self.manage("collectstatic", "--noinput")
        # The queue the app sends match_run to: CELERY_QUEUE where settings read it, otherwise
        # Celery's default queue (Redis DB --redis is then the only thing keeping runs apart).
        answer = self.manage(
            "shell",
            "-c",
            "from django.conf import settings; "
            "print('queue=' + (getattr(settings, 'CELERY_TASK_DEFAULT_QUEUE', None) or 'celery'))",
        )
        self.queue = [line for line in answer.splitlines() if line.startswith("queue=")][-1][6:]
        progress(f"  tasks go to queue {self.queue!r} on {self.args.redis}")

    def start_worker(self, concurrency: int = 1) -> None:
        log = self.logs / "worker.log"
        command = [
            str(VENV_BIN / "celery"),
            "-A",
            "lookalike_site",
            "worker",
            "-c",
            str(concurrency),
            "--pool",
            "prefork",
            "-Q",
            self.queue,
            "-n",
            f"{self.queue}@%h",
            "-l",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
        with log.open("ab") as handle:
            self.worker = subprocess.Popen(
                command,
                cwd=REPO,
                env=self.env,
                stdout=handle,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 120
        while " ready." not in log.read_text(errors="replace"):
            if self.worker.poll() is not None or time.monotonic() > deadline:
                raise BenchError(f"the Celery worker did not start:\n{_tail(log)}")
            time.sleep(0.2)
        # Its pool processes load the face models at worker_process_init; give them time to
        # finish so that the first run measures a cold task, not the worker's start.
        time.sleep(self.args.settle)
        progress(
            f"Celery worker ready (pid {self.worker.pid}, -c {concurrency}, queue {self.queue})"
        )

    def stop_worker(self) -> None:
        _terminate(self.worker)
        self.worker = None

    def start_web(self, workers: int) -> None:
        port = free_port()
        log = self.logs / "web.log"
        command = [
            str(VENV_BIN / "gunicorn"),
            "lookalike_site.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--timeout",
            "120",
            "--error-logfile",
            str(log),
            "--no-control-socket",
        ]
        self.web = subprocess.Popen(
            command,
            cwd=REPO,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.base_url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        answer = "no answer"
        while True:
            try:
                status, body = request("GET", f"{self.base_url}/", timeout=10)
                if status == 200:
                    break
                answer = f"{status}: {body[:300]!r}"
            except OSError as exc:
                answer = str(exc)
            if self.web.poll() is not None or time.monotonic() > deadline:
                raise BenchError(f"gunicorn did not start ({answer}):\n{_tail(log)}")
            time.sleep(0.2)
        # Every worker answers a few cheap requests first (imports, first database connection).
        for _ in range(4 * workers):
            for path in ("/", "/api/v1/actors/"):
                status, _ = request("GET", self.base_url + path)
                if status != 200:
                    raise BenchError(f"GET {path} answered {status}")
        progress(f"gunicorn ready on {self.base_url} ({workers} sync workers, pid {self.web.pid})")

    def stop_web(self) -> None:
        _terminate(self.web)
        self.web = None

    def close(self) -> None:
        self.stop_web()
        self.stop_worker()
        self._forget_queue()
        if self.args.keep:
            progress(f"kept {self.scratch} and database {self.args.database}")
            return
        if self.database_created:
            try:
                self._drop_database()
            except Exception as exc:  # noqa: BLE001 - cleanup goes on
                progress(f"could not drop {self.args.database}: {exc}")
        shutil.rmtree(self.scratch, ignore_errors=True)

    def _forget_queue(self) -> None:
        # Only the keys of this run's own queue; nothing else in the Redis database is touched.
        if not self.queue.startswith("bench-"):
            return
        try:
            import redis

            client = redis.Redis.from_url(self.args.redis)
            client.delete(
                self.queue,
                f"_kombu.binding.{self.queue}",
                f"_kombu.binding_permanent.{self.queue}",
            )
            client.close()
        except Exception as exc:  # noqa: BLE001 - cleanup goes on
            progress(f"could not remove the queue's Redis keys: {exc}")

    def show_logs(self) -> None:
        for name in ("worker.log", "web.log"):
            text = _tail(self.logs / name)
            if text:
                print(f"--- {name} (last lines)\n{text}", file=sys.stderr)


# --- one upload ---------------------------------------------------------------------------------


@dataclass
class Run:
    token: str
    sent: float  # epoch seconds, this process
    accepted: float  # 202 received
    seen_done: float  # the poll that first said "done" returned
    polls: int
    created: float = math.nan  # match row created (web process)
    started: float = math.nan  # claimed by the worker
    finished: float = math.nan  # marked done by the worker
    faces_found: int = 0
    attempts: int = 0

    def parts(self) -> dict[str, float]:
        return {
            "upload (sent -> 202)": self.accepted - self.sent,
            "202 -> done seen": self.seen_done - self.accepted,
            "total (sent -> done seen)": self.seen_done - self.sent,
            "sent -> ready (worker done)": self.finished - self.sent,
            "202 -> ready (worker done)": self.finished - self.accepted,
            "  sent -> row created": self.created - self.sent,
            "  row created -> worker starts": self.started - self.created,
            "  worker: starts -> done": self.finished - self.started,
            "  done -> seen by a poll": self.seen_done - self.finished,
        }


def upload_and_wait(base_url: str, photo: bytes, filename: str) -> Run:
    body, content_type = multipart("image", filename, photo)
    headers = {"Content-Type": content_type, "Content-Length": str(len(body))}
    sent = time.time()
    status, payload = request("POST", base_url + UPLOAD_PATH, body, headers)
    accepted = time.time()
    if status != 202:
        raise BenchError(f"upload answered {status}: {payload[:500]!r}")
    answer = json.loads(payload)
    parts = urllib.parse.urlsplit(answer["url"])
    url = base_url + parts.path
    polls = 0
    next_poll = accepted
    while True:
        status, payload = request("GET", url)
        seen = time.time()
        polls += 1
        if status != 200:
            raise BenchError(f"GET {url} answered {status}: {payload[:500]!r}")
        match = json.loads(payload)
        if match["status"] == "done":
            return Run(answer["token"], sent, accepted, seen, polls)
        if match["status"] == "failed":
            raise BenchError(f"match {answer['token']} failed: {match['error']}")
        if seen - accepted > RUN_TIMEOUT:
            raise BenchError(f"match {answer['token']} not done after {RUN_TIMEOUT:.0f} s")
        next_poll += POLL_SECONDS
        delay = next_poll - time.time()
        if delay > 0:
            time.sleep(delay)
        else:  # a poll took longer than the interval: poll again at once
            next_poll = time.time()


def request_times(url: str, count: int = 20) -> float:
    """Median seconds of one GET, one request at a time."""
    durations = []
    for _ in range(count):
        started = time.perf_counter()
        status, _ = request("GET", url)
        durations.append(time.perf_counter() - started)
        if status != 200:
            raise BenchError(f"GET {url} answered {status}")
    return statistics.median(durations)


def add_server_times(stack: Stack, runs: list[Run]) -> None:
    rows = stack.query(
        "SELECT token, created_at, started_at, finished_at, faces_found, attempts "
        "FROM matching_match WHERE token = ANY(%s)",
        ([run.token for run in runs],),
    )
    by_token = {row[0]: row[1:] for row in rows}
    for run in runs:
        created, started, finished, faces_found, attempts = by_token[run.token]
        run.created = created.timestamp()
        run.started = started.timestamp()
        run.finished = finished.timestamp()
        run.faces_found, run.attempts = faces_found, attempts


# --- inputs -------------------------------------------------------------------------------------


def make_phone_photo(source: Path) -> bytes:
    """Crop the source to 3:4 portrait (centred), resize to 3024x4032, JPEG q90."""
    with Image.open(source) as original:
        image = ImageOps.exif_transpose(original).convert("RGB")
    width, height = image.size
    if width * 4 > height * 3:
        new_width = height * 3 // 4
        left = (width - new_width) // 2
        box = (left, 0, left + new_width, height)
    else:
        new_height = width * 4 // 3
        top = (height - new_height) // 2
        box = (0, top, width, top + new_height)
    image = image.crop(box).resize(PHONE_SIZE, Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=PHONE_QUALITY)
    return buffer.getvalue()


# --- engine stages, in this process -------------------------------------------------------------


def engine_stages(phone: bytes, index_dir: Path | None, repeat: int) -> dict[str, float]:
    """Median seconds of each step the web and worker processes take, timed in this process."""
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from face_engine import faces as engine
    from face_engine.crops import face_crop, jpeg_bytes
    from face_engine.images import load_image, to_jpeg
    from face_engine.index import FaceIndex
    from matching.share_card import card_lines, share_card

    engine.warm_up()
    index = FaceIndex.load(index_dir) if index_dir else None
    samples: dict[str, list[float]] = {}

    def timed(name: str, function, *arguments, **keywords):
        started = time.perf_counter()
        result = function(*arguments, **keywords)
        samples.setdefault(name, []).append(time.perf_counter() - started)
        return result

    for _ in range(repeat + 1):  # the first round warms up and is dropped
        # web process, match_create: decode to at most the stored size, keep an EXIF-free JPEG copy
        image = timed("web: decode 12 MP to the stored size", load_image, phone, working_size=2000)
        stored = timed("web: re-encode the stored copy", to_jpeg, image)
        # worker, _process: find_faces on the stored copy, search, crops and the share card
        loaded = timed("worker: decode stored copy to 1024 px", load_image, stored)
        boxes = timed("worker: HOG detection", engine.detect_boxes, loaded)
        if len(boxes) != 1:
            raise BenchError(f"the phone photo should have one face, found {len(boxes)}")
        encodings = timed("worker: face encoding", engine.encode_boxes, loaded, boxes)
        if index is not None:
            timed("worker: index search (top 3)", index.search, encodings[0], top=3)
        box = engine.to_original(loaded, boxes[0])

        def crop_and_card(box=box, stored=stored):
            picture = Image.open(io.BytesIO(stored)).convert("RGB")
            crop = face_crop(picture, box)
            jpeg_bytes(crop)
            lines = card_lines(
                actor_name="Actor Name", similarity=50.0, weak=False, with_face=False
            )
            share_card(lines=lines, actor_face=crop, visitor_face=None)

        timed("worker: face crop + share card", crop_and_card)
    return {name: statistics.median(values[1:]) for name, values in samples.items()}


# --- report -------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """Linear interpolation between the closest ranks (numpy's default)."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = (len(ordered) - 1) * share
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def ms(seconds: float) -> str:
    return "-" if math.isnan(seconds) else f"{seconds * 1000:,.0f}"


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(row[i])) for row in [headers, *rows]) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        cells = [str(row[0]).ljust(widths[0])]
        cells += [str(cell).rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
        return "  ".join(cells).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *map(line, rows)])


def summarise(runs: list[Run]) -> tuple[str, dict]:
    cold, warm = runs[0], runs[1:]
    summary = {}
    rows = []
    for name in cold.parts():
        values = [run.parts()[name] for run in warm]
        figures = {
            "cold_first_run": cold.parts()[name],
            "median": statistics.median(values) if values else math.nan,
            "p95": percentile(values, 0.95) if values else math.nan,
            "min": min(values) if values else math.nan,
            "max": max(values) if values else math.nan,
        }
        summary[name.strip()] = figures
        rows.append(
            [name] + [ms(figures[key]) for key in ("median", "p95", "min", "max", "cold_first_run")]
        )
    polls = [run.polls for run in warm] or [cold.polls]
    both_ways = [
        f"{start} -> results ready (worker done): median "
        f"{ms(summary[f'{key} -> ready (worker done)']['median'])} ms, "
        f"p95 {ms(summary[f'{key} -> ready (worker done)']['p95'])} ms"
        for start, key in (("request sent", "sent"), ("upload accepted (202)", "202"))
    ]
    text = "\n".join(
        [
            f"ms; median, p95, min and max of runs 2-{len(runs)} ({len(warm)} runs), "
            "the first run separately",
            "",
            table(["", "median", "p95", "min", "max", "first run"], rows),
            "",
            *both_ways,
            "",
            f"polls per run (every {POLL_SECONDS * 1000:.0f} ms from the 202): median "
            f"{statistics.median(polls):g}, max {max(polls)}; faces found "
            f"{sorted({run.faces_found for run in runs})}, attempts "
            f"{sorted({run.attempts for run in runs})}",
        ]
    )
    return text, summary


def environment() -> dict:
    return {
        "date": datetime.now().isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "versions": {
            name: _version(name)
            for name in ("django", "celery", "gunicorn", "psycopg2-binary", "dlib-bin", "pillow")
        },
    }


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"


def load_text(load: tuple[float, float, float]) -> str:
    return " ".join(f"{value:.2f}" for value in load)


# --- modes --------------------------------------------------------------------------------------


def latency(stack: Stack, args: argparse.Namespace) -> int:
    source = args.faces / PHONE_SOURCE
    if not source.exists():
        raise BenchError(f"{source} not found (use --faces or LOOKALIKE_FACES_DIR)")
    phone = make_phone_photo(source)
    photo_info = (
        f"{PHONE_SIZE[0]}x{PHONE_SIZE[1]} JPEG q{PHONE_QUALITY}, {len(phone) / 1e6:.1f} MB, "
        f"from {PHONE_SOURCE}"
    )
    stack.setup()
    stack.start_worker()
    stack.start_web(args.web_workers)
    load_before = os.getloadavg()
    runs = []
    for number in range(1, args.runs + 1):
        run = upload_and_wait(stack.base_url, phone, "phone_12mp.jpg")
        runs.append(run)
        progress(
            f"run {number}/{args.runs}: upload {ms(run.accepted - run.sent)} ms, "
            f"ready {ms(run.seen_done - run.sent)} ms"
        )
        time.sleep(args.pause)
    load_after = os.getloadavg()
    add_server_times(stack, runs)
    stack.stop_worker()
    single = {
        "GET /api/v1/matches/<token>/ (one poll)": request_times(
            f"{stack.base_url}/api/v1/matches/{runs[-1].token}/"
        ),
        "GET /r/<token>/ (results page)": request_times(f"{stack.base_url}/r/{runs[-1].token}/"),
    }

    report, summary = summarise(runs)
    stages = {}
    if not args.no_stages:
        progress("engine stages, in this process")
        index_dirs = sorted((stack.var_dir / "media" / "indexes").glob("v*/meta.json"))
        stages = engine_stages(phone, index_dirs[-1].parent if index_dirs else None, repeat=5)
    env = environment()
    print(f"Upload -> results ready, {env['date']}, Python {env['python']}, {env['cpus']} CPUs")
    print(f"photo: {photo_info}")
    print(
        f"stack: gunicorn {args.web_workers} sync workers, Celery worker -c 1 prefork, "
        f"PostgreSQL, Redis {args.redis}; {args.runs} uploads one after another"
    )
    print(
        f"load average (1, 5, 15 min): {load_text(load_before)} before, "
        f"{load_text(load_after)} after"
    )
    print()
    print(report)
    print()
    print("single requests, one at a time, worker stopped (median of 20, ms):")
    print()
    print(table(["", "ms"], [[name, f"{value * 1000:,.1f}"] for name, value in single.items()]))
    if stages:
        print()
        print("engine stages of the same photo, timed in one process (median of 5, ms):")
        print()
        print(table(["", "ms"], [[name, f"{value * 1000:,.1f}"] for name, value in stages.items()]))
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "environment": env,
                    "photo": photo_info,
                    "web_workers": args.web_workers,
                    "poll_seconds": POLL_SECONDS,
                    "load_average": {"before": load_before, "after": load_after},
                    "summary_seconds": summary,
                    "single_request_seconds": single,
                    "engine_stages_seconds": stages,
                    "runs": [asdict(run) for run in runs],
                },
                indent=2,
            )
        )
    return 0


def serve(stack: Stack, args: argparse.Namespace) -> int:
    stack.setup()
    stack.start_worker()
    stack.start_web(args.web_workers)
    run = upload_and_wait(stack.base_url, PAGE_PHOTO.read_bytes(), PAGE_PHOTO.name)
    stack.stop_worker()  # the results page needs no worker; keep the cores for the web
    url = f"{stack.base_url}/r/{run.token}/"
    status, page = request("GET", url)
    if status != 200 or b'data-status="done"' not in page:
        raise BenchError(f"the results page answered {status}")
    progress(f"results page: {url} ({len(page):,} bytes)")
    if args.ready_file:
        staging = args.ready_file.with_name(args.ready_file.name + ".tmp")
        staging.write_text(url + "\n")
        staging.rename(args.ready_file)
    print(url, flush=True)
    deadline = time.monotonic() + args.serve_seconds
    while time.monotonic() < deadline:
        if stack.web.poll() is not None:
            raise BenchError("gunicorn stopped")
        time.sleep(0.5)
    return 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    default_faces = os.environ.get("LOOKALIKE_FACES_DIR", str(REPO.parent / "shared" / "faces"))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="uploads, the first one cold")
    parser.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    parser.add_argument("--no-stages", action="store_true", help="skip the engine stage timings")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--faces", type=Path, default=Path(default_faces), help="photo folder")
    parser.add_argument("--database", default="lookalike_bench", help="dropped and created")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/9", help="broker and cache")
    parser.add_argument(
        "--pause", type=float, default=0.5, help="seconds between one run's end and the next"
    )
    parser.add_argument(
        "--settle", type=float, default=3.0, help="seconds to wait after the worker says ready"
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder and database")
    parser.add_argument(
        "--serve-only",
        action="store_true",
        help="make one finished match, then serve its results page (see the module docstring)",
    )
    parser.add_argument("--ready-file", type=Path, help="--serve-only: write the page URL here")
    parser.add_argument(
        "--serve-seconds", type=float, default=900, help="--serve-only: stop serving after this"
    )
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def _stop(signum, _frame):
    raise SystemExit(128 + signum)


def run_on_stack(args: argparse.Namespace, body) -> int:
    """Build the stack, run body(stack, args) and take the stack down whatever happens (SIGTERM
    included); a BenchError prints the processes' logs and gives exit status 1."""
    signal.signal(signal.SIGTERM, _stop)
    stack = Stack(args)
    try:
        return body(stack, args)
    except BenchError as exc:
        stack.show_logs()
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        stack.close()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return run_on_stack(args, serve if args.serve_only else latency)


if __name__ == "__main__":
    sys.exit(main())
