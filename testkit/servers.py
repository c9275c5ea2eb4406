"""The project in processes of its own (a web server, a script), on the test's database."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def database_url(settings_dict: dict) -> str:
    user = settings_dict.get("USER") or "postgres"
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{settings_dict['NAME']}"


def project_env(settings, **overrides) -> dict:
    """Environment for a process of the project that shares the test's database and media, with
    plain-HTTP production settings and no broker (nothing is queued)."""
    from django.db import connection

    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("CELERY_BROKER_URL", "REDIS_URL", "DJANGO_DEBUG")
    }
    env.update(
        DATABASE_URL=database_url(connection.settings_dict),
        DJANGO_SECRET_KEY=settings.SECRET_KEY,
        DJANGO_ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
        DJANGO_HTTPS="0",
        DJANGO_MEDIA_ROOT=str(settings.MEDIA_ROOT),
        DJANGO_SETTINGS_MODULE="lookalike_site.settings",
    )
    env.update({key: str(value) for key, value in overrides.items()})
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(env: dict, log_path: Path) -> tuple[subprocess.Popen, str]:
    """gunicorn, one sync worker, on a free loopback port; returns the process and its address."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "lookalike_site.wsgi:application"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", "1", "--timeout", "60"]
    with log_path.open("w") as log:
        server = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server, f"127.0.0.1:{port}"
        except OSError as exc:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                log = log_path.read_text()[-3000:]
                raise RuntimeError(f"gunicorn did not start:\n{log}") from exc
            time.sleep(0.2)


def read_answer(connection: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """Read one HTTP answer (status, headers, body) from a socket, without waiting for it to
    close: a server may still be waiting for the rest of a body it will never read."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed before the headers: {data!r}")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    fields = (line.split(":", 1) for line in lines)
    headers = {name.lower(): value.strip() for name, value in fields}
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = connection.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(status_line.split()[1]), headers, body
