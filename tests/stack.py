"""The production processes, run as production runs them: each line of the Procfile started by
honcho (one honcho per process, so a test can kill or restart one of them), with production
settings on loopback, against the test database, a private Redis broker and the test's media."""

from __future__ import annotations

import os
import re
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from testkit.network import free_port
from testkit.redis_server import RedisServer

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@dataclass
class Service:
    name: str
    process: subprocess.Popen  # honcho, the leader of a session of its own
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@dataclass
class Stack:
    env: dict[str, str]
    logs: Path
    broker: RedisServer
    services: dict[str, Service] = field(default_factory=dict)
    started: int = 0

    @property
    def base_url(self) -> str:
        return f"http://{self.env['LOOKALIKE_BIND']}"

    def start(self, name: str, **env: str) -> Service:
        """Start the Procfile's `name` through honcho and wait until it is ready."""
        self.started += 1
        log_path = self.logs / f"{name}-{self.started}.log"
        command = [str(BIN / "honcho"), "--no-colour", "-f", str(REPO / "Procfile")]
        command += ["-e", str(self.logs / "empty.env"), "start", name]
        with log_path.open("w") as log:
            process = subprocess.Popen(
                command,
                cwd=REPO,
                env={**self.env, **env},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        service = self.services[name] = Service(name, process, log_path)
        self._wait_ready(service)
        return service

    def _wait_ready(self, service: Service) -> None:
        deadline = time.monotonic() + 90
        while not self._ready(service):
            if service.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{service.name} did not start:\n{service.log()[-3000:]}")
            time.sleep(0.2)

    def _ready(self, service: Service) -> bool:
        if service.name == "web":
            try:
                return requests.get(f"{self.base_url}/api/v1/actors/", timeout=5).ok
            except requests.ConnectionError:
                return False
        marker = {"worker": " ready.", "beat": "beat: Starting"}[service.name]
        return marker in service.log()

    def check_running(self) -> None:
        """Fail at once, with its log, if a process the test did not stop has ended."""
        for service in self.services.values():
            if service.process.poll() is not None:
                raise AssertionError(f"{service.name} stopped:\n{service.log()[-3000:]}")

    def stop(self, name: str) -> None:
        service = self.services.pop(name, None)
        if service is None:
            return
        if service.process.poll() is None:
            service.process.send_signal(signal.SIGTERM)  # honcho stops its process gracefully
            try:
                service.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(service.process.pid, signal.SIGKILL)  # whatever of that session is left
        except ProcessLookupError:
            pass
        service.process.wait()

    def stop_all(self) -> None:
        for name in list(self.services):
            self.stop(name)

    def upload(self, photo: Path) -> str:
        """POST the photo to the API as a program would; returns the match's token."""
        with photo.open("rb") as handle:
            response = requests.post(
                f"{self.base_url}/api/v1/matches/",
                files={"image": (photo.name, handle, "image/jpeg")},
                timeout=30,
            )
        assert response.status_code == 202, response.text
        return response.json()["token"]

    def upload_with_form(self, photo: Path) -> requests.Response:
        """Give the photo on the upload page as a visitor's browser does; the answer is the page
        the visitor lands on (redirects followed)."""
        browser = requests.Session()
        home = browser.get(f"{self.base_url}/", timeout=10)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', home.text).group(1)
        with photo.open("rb") as handle:
            return browser.post(
                f"{self.base_url}/",
                data={"csrfmiddlewaretoken": token},
                files={"photo": (photo.name, handle, "image/jpeg")},
                headers={"Referer": f"{self.base_url}/"},
                timeout=30,
            )

    def get(self, path: str) -> requests.Response:
        return requests.get(f"{self.base_url}{path}", timeout=10)

    def result(self, token: str) -> dict:
        response = requests.get(f"{self.base_url}/api/v1/matches/{token}/", timeout=10)
        response.raise_for_status()
        return response.json()


def stack_env(*, database_url: str, broker_url: str, media_root: Path, var_dir: Path) -> dict:
    """Production settings (DJANGO_DEBUG unset, a generated secret key) on loopback, with short
    recovery intervals so that faults are recovered from within seconds."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(
        PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_HTTPS="0",  # plain HTTP on loopback
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database_url,
        CELERY_BROKER_URL=broker_url,
        REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        DJANGO_MEDIA_ROOT=str(media_root),
        LOOKALIKE_VAR_DIR=str(var_dir),
        LOOKALIKE_BIND=f"127.0.0.1:{free_port()}",
        WEB_CONCURRENCY="1",
        CELERY_WORKER_CONCURRENCY="1",
        LOOKALIKE_UPLOAD_RATE="1000/hour",
        LOOKALIKE_API_ANONYMOUS_UPLOAD_RATE="1000/hour",
        LOOKALIKE_MATCH_LEASE_SECONDS="6",
        LOOKALIKE_MATCH_SWEEP_SECONDS="2",
        LOOKALIKE_MATCH_RESEND_SECONDS="8",
        LOOKALIKE_MATCH_RETRY_MAX_SECONDS="4",
    )
    return env
