"""A private redis-server on a free loopback port, for tests that stop or restart the broker
(never the shared one). Like production's, it keeps nothing on disk: a restart loses every
message it held."""

from __future__ import annotations

import json
import shutil
import subprocess
import time

import redis

from testkit.network import free_port


class RedisServer:
    def __init__(self, log_path):
        if shutil.which("redis-server") is None:
            raise RuntimeError("redis-server is not installed")
        self.port = free_port()
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5)

    def waiting_tasks(self, queue: str) -> list[tuple[str, str]]:
        """(task name, its arguments) of every message waiting in a Celery queue."""
        messages = [json.loads(raw) for raw in self.client().lrange(queue, 0, -1)]
        return [(m["headers"]["task"], m["headers"]["argsrepr"]) for m in messages]

    def start(self) -> None:
        command = ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port)]
        command += ["--save", "", "--appendonly", "no", "--logfile", str(self.log_path)]
        self.process = subprocess.Popen(command)
        deadline = time.monotonic() + 20
        while True:
            try:
                if self.client().ping():
                    return
            except redis.ConnectionError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.05)

    def kill(self) -> None:
        """Stop it at once, as a crash would."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def restart(self) -> None:
        self.kill()
        self.start()
