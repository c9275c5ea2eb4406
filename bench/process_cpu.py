"""CPU time of processes, read from /proc (Linux): user + system, in seconds.

A process's figure includes the children it has waited for (cutime, cstime), so the sum over a
process tree stays right when a child exits between two readings: the parent has its time.
"""

from __future__ import annotations

import os
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")
PROC = Path("/proc")


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:  # gone, or never there
        return None
    # The command name is in brackets and may hold spaces: split after the last ')'.
    return text[text.rindex(")") + 2 :].split()


def cpu_seconds(pid: int) -> float | None:
    """utime + stime + cutime + cstime of one process, or None if it is gone."""
    fields = _stat_fields(pid)
    if fields is None:
        return None
    # fields[0] is field 3 (state) of proc(5); utime is field 14.
    return sum(int(value) for value in fields[11:15]) / TICKS


def _parents() -> dict[int, int]:
    parents = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name))
            if fields is not None:
                parents[int(entry.name)] = int(fields[1])
    return parents


def tree(root: int) -> list[int]:
    """The process and all its descendants alive now."""
    children: dict[int, list[int]] = {}
    for pid, parent in _parents().items():
        children.setdefault(parent, []).append(pid)
    found, pending = [], [root]
    while pending:
        pid = pending.pop()
        found.append(pid)
        pending.extend(children.get(pid, []))
    return found


def owned_by(user_id: int) -> list[int]:
    """Every process whose real user is `user_id`."""
    pids = []
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == user_id:
                    pids.append(int(entry.name))
            except OSError:
                pass
    return pids


def total(pids: list[int]) -> float:
    return sum(value for pid in pids if (value := cpu_seconds(pid)) is not None)


def machine_busy_seconds() -> float:
    """CPU time every core of the machine spent on anything but idle and iowait."""
    values = [int(value) for value in (PROC / "stat").read_text().splitlines()[0].split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = values[:8]
    return (user + nice + system + irq + softirq + steal) / TICKS
