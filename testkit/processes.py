"""Real processes for the claim tests: one that is running, and the id of one that has ended."""

import subprocess
import sys


def start_sleeper() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])


def ended_pid() -> int:
    """The id of a process that ran and has been reaped, so no process has it now."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid
