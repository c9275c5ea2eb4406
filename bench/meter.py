"""CPU time of each part of bench/match_latency.py's stack, read between two moments.

- web: gunicorn's master and workers (its process tree);
- worker: the Celery master and its pool processes (its process tree);
- PostgreSQL: the backends connected to the benchmark's database, found in pg_stat_activity
  every half second (a backend closed between two looks loses at most its last half second);
- Redis: the redis-server answering --redis (shared with every other database of that server);
- load generator: this process, all its threads;
- PostgreSQL server: every process of the server's user, with the postmaster's exited children
  (shared with every other database of the server; for comparison);
- machine: every core's busy time, whoever used it.
"""

from __future__ import annotations

import pwd
import resource
import threading
import urllib.parse
from pathlib import Path

import process_cpu

PARTS = ("web", "worker", "postgres", "redis")
COLUMNS = (*PARTS, "load generator", "postgres server", "machine")
SAMPLE_SECONDS = 0.5


class Meter:
    def __init__(self, stack, redis_url: str):
        self.stack = stack
        self.redis_pid = _redis_pid(redis_url)
        try:
            self.postgres_uid = pwd.getpwnam("postgres").pw_uid
        except KeyError:  # the server runs elsewhere: no server-wide figure
            self.postgres_uid = None
        self._backends: dict[int, float] = {}  # pid -> CPU seconds when last seen
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._connection = self._connect()
        self._sampler = threading.Thread(target=self._sample_forever, daemon=True)
        self._sampler.start()

    def _connect(self):
        import psycopg2

        pg = urllib.parse.urlsplit(self.stack.args.postgres)
        connection = psycopg2.connect(
            host=pg.hostname,
            port=pg.port or 5432,
            user=pg.username or "postgres",
            password=pg.password,
            dbname="postgres",  # not the benchmark's database: this backend is not counted
        )
        connection.autocommit = True
        return connection

    def _sample_backends(self) -> None:
        with self._lock:
            with self._connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s",
                    (self.stack.args.database,),
                )
                pids = [row[0] for row in cursor.fetchall()]
            for pid in pids:
                seconds = process_cpu.cpu_seconds(pid)
                if seconds is not None:
                    self._backends[pid] = seconds

    def _sample_forever(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            self._sample_backends()

    def read(self) -> dict[str, float]:
        """Cumulative CPU seconds of each column; subtract two readings."""
        self._sample_backends()
        usage = resource.getrusage(resource.RUSAGE_SELF)
        reading = {
            "web": process_cpu.total(process_cpu.tree(self.stack.web.pid)),
            "worker": process_cpu.total(process_cpu.tree(self.stack.worker.pid)),
            "postgres": sum(self._backends.values()),
            "redis": process_cpu.cpu_seconds(self.redis_pid) if self.redis_pid else None,
            "load generator": usage.ru_utime + usage.ru_stime,
            "postgres server": (
                process_cpu.total(process_cpu.owned_by(self.postgres_uid))
                if self.postgres_uid is not None
                else None
            ),
            "machine": process_cpu.machine_busy_seconds(),
        }
        return {key: float("nan") if value is None else value for key, value in reading.items()}

    def close(self) -> None:
        self._stop.set()
        self._sampler.join()
        self._connection.close()


def _redis_pid(url: str) -> int | None:
    import redis

    client = redis.Redis.from_url(url)
    try:
        pid = int(client.info("server")["process_id"])
    finally:
        client.close()
    # Another pid namespace (a container) or a remote server: not readable here.
    try:
        name = Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return None
    return pid if name.startswith("redis") else None


def difference(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {key: after[key] - before[key] for key in before}
