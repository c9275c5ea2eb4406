"""A real Celery worker, in its own process, against Redis and the test database."""

import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from testkit.servers import database_url

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "artifacts"


@dataclass
class Worker:
    process: subprocess.Popen
    log_path: Path

    def tasks_succeeded(self) -> int:
        return self.log_path.read_text().count("succeeded in")


@pytest.fixture
def celery_worker_process(transactional_db, settings, tmp_path):
    """Start `celery worker` on a queue of its own; tasks sent from the test go to it."""
    from django.db import connection

    from lookalike_site.celery import app

    if connection.vendor != "postgresql":
        pytest.skip("the worker needs a database it can share: set DATABASE_URL to PostgreSQL")
    broker = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    queue = f"test-{uuid.uuid4().hex[:10]}"
    ARTIFACTS.mkdir(exist_ok=True)
    log_path = ARTIFACTS / f"worker-{queue}.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(connection.settings_dict),
        "CELERY_BROKER_URL": broker,
        "CELERY_QUEUE": queue,
        "DJANGO_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "LOOKALIKE_INDEX_CACHE_DIR": str(tmp_path / "worker-index-cache"),
        "LOOKALIKE_INDEX_RECHECK_SECONDS": "0",
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
    }
    command = [sys.executable, "-m", "celery", "-A", "lookalike_site", "worker"]
    command += ["--pool", "prefork", "--concurrency", "1", "-Q", queue, "-n", f"{queue}@%h"]
    command += ["--without-gossip", "--without-mingle", "--loglevel", "INFO"]
    with log_path.open("w") as log:
        worker = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    previous = {
        key: app.conf[key] for key in ("task_always_eager", "broker_url", "task_default_queue")
    }
    app.conf.update(task_always_eager=False, broker_url=broker, task_default_queue=queue)
    _forget_connections(app)
    try:
        deadline = time.monotonic() + 60
        while " ready." not in log_path.read_text():
            if worker.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the Celery worker did not start:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.2)
        yield Worker(worker, log_path)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
        app.conf.update(previous)
        _forget_connections(app)
        with app.connection_for_write() as connection:
            connection.default_channel.queue_delete(queue)


def _forget_connections(app) -> None:
    # Celery keeps its first broker connection pool, made for the default broker URL even by
    # tasks that ran in-process; drop it so the next message goes to the broker set now.
    # (kombu keeps pools per broker URL process-wide, so they are dropped here, not closed.)
    app._pool = None
    app.amqp._producer_pool = None


def wait_for(predicate, timeout: float = 120.0, every: float = 0.25):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"gave up after {timeout:.0f} s")


@pytest.fixture
def production_stack(transactional_db, settings, tmp_path, request):
    """gunicorn and Celery beat from the Procfile, started by honcho with production settings,
    against the test database and a private redis-server as the broker; a test starts the worker
    (`production_stack.start("worker")`) and inflicts its faults. Logs go to artifacts/."""
    from django.db import connection

    from testkit.redis_server import RedisServer

    from .stack import Stack, stack_env

    if connection.vendor != "postgresql":
        pytest.skip("the stack needs a database it can share: set DATABASE_URL to PostgreSQL")
    request.getfixturevalue("indexed_catalogue")  # three actors, four photos each, indexed
    logs = ARTIFACTS / f"stack-{request.node.name}"
    logs.mkdir(parents=True, exist_ok=True)
    (logs / "empty.env").write_text("")
    (tmp_path / "var").mkdir()
    broker = RedisServer(logs / "redis.log")
    broker.start()
    env = stack_env(
        database_url=database_url(connection.settings_dict),
        broker_url=broker.url,
        media_root=settings.MEDIA_ROOT,
        var_dir=tmp_path / "var",
    )
    stack = Stack(env=env, logs=logs, broker=broker)
    try:
        stack.start("web")
        stack.start("beat")
        yield stack
    finally:
        stack.stop_all()
        broker.kill()


# Show axe-core's findings when a browser test's check fails.
pytest.register_assert_rewrite("tests.browser")
from .browser import browser, csp  # noqa: E402,F401  (fixtures for every browser test)
