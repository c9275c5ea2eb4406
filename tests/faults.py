"""Helpers of the fault tests: catch a match while its run works, kill processes for real, wait
for what the visitor would see, and note how long recovery took."""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

from matching.models import Match
from matching.services.claims import IN_PROGRESS, process_alive

from .conftest import ARTIFACTS, wait_for
from .stack import Stack

# 24 faces: the longest run of the shared photos (a few seconds), so it can be caught mid-way.
LONG_PHOTO = Path("extras") / "group_bald_guys_dlib.jpg"
# Every accepted upload is finished within two minutes of a fault.
RECOVERY_DEADLINE = 120.0


@dataclass(frozen=True)
class Caught:
    token: str
    status: str  # finding_faces or matching when it was caught
    pid: int  # the worker process running it
    attempts: int


def running_match(token: str) -> Match | None:
    return Match.objects.filter(token=token, status__in=IN_PROGRESS).exclude(claimed_by="").first()


def catch_run(stack: Stack, photo: Path, *, tries: int = 5, act=None) -> Caught:
    """Upload `photo` and wait until a run works on it, then call `act(caught)` (the fault) at
    once. A run that finished before the fault could land is not a fault mid-match: the upload
    is tried again. Returns the match as it was caught, checked to be unfinished after `act`."""
    for _ in range(tries):
        token = stack.upload(photo)
        match = wait_for(
            lambda token=token: running_match(token) or _finished(token), timeout=60, every=0.01
        )
        if match.status in Match.FINAL:
            continue
        caught = Caught(token, match.status, _pid(match.claimed_by), match.attempts)
        if act is not None:
            act(caught)
        # Whatever the fault stopped cannot write any more: a match still unfinished now was
        # interrupted mid-run.
        if Match.objects.get(token=token).status not in Match.FINAL:
            return caught
    raise AssertionError(f"no run of {photo} could be caught mid-match in {tries} tries")


def another_run(token: str, not_pid: int) -> Caught:
    """Wait for a run other than the one in process `not_pid` to work on the match."""

    def found():
        match = Match.objects.filter(token=token).first()
        if match.status in Match.FINAL:
            return match
        if match.status in IN_PROGRESS and match.claimed_by and _pid(match.claimed_by) != not_pid:
            return match
        return None

    match = wait_for(found, timeout=60, every=0.01)
    pid = _pid(match.claimed_by) if match.claimed_by else 0
    return Caught(token, match.status, pid, match.attempts)


def _finished(token: str) -> Match | None:
    return Match.objects.filter(token=token, status__in=Match.FINAL).first()


def _pid(claimed_by: str) -> int:
    return int(claimed_by.rpartition(":")[2])


def parent_pid(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("PPid:")))


def kill(*pids: int) -> None:
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    for pid in pids:
        wait_for(lambda pid=pid: not process_alive(pid), timeout=10, every=0.01)


def final_result(stack: Stack, token: str, deadline: float = RECOVERY_DEADLINE) -> dict:
    """What the visitor's page and the API show once the match is finished."""

    def finished():
        stack.check_running()
        body = stack.result(token)
        return body if body["status"] in ("done", "failed") else None

    return wait_for(finished, timeout=deadline, every=0.1)


def note_recovery(test: str, seconds: float, detail: str = "") -> None:
    """Keep the measured time to recovery with the test artifacts."""
    ARTIFACTS.mkdir(exist_ok=True)
    line = f"{time.strftime('%Y-%m-%d %H:%M:%S')} {test}: recovered in {seconds:.1f} s {detail}"
    with (ARTIFACTS / "fault-recovery.txt").open("a") as handle:
        handle.write(line.rstrip() + "\n")
    print(line)
