"""A worker process dies mid-match, for real (SIGKILL), in the stack the Procfile describes: the
upload still ends done, and a photo whose runs die every time ends failed with a message."""

import time
from pathlib import Path

from matching.models import Match

from .faults import (
    LONG_PHOTO,
    another_run,
    catch_run,
    final_result,
    kill,
    note_recovery,
    parent_pid,
)


def test_a_pool_process_killed_mid_match_is_taken_over(production_stack, faces_dir):
    production_stack.start("worker")
    killed_at = {}

    def kill_pool_process(caught):
        kill(caught.pid)
        killed_at["time"] = time.monotonic()

    caught = catch_run(production_stack, faces_dir / LONG_PHOTO, act=kill_pool_process)

    result = final_result(production_stack, caught.token)
    note_recovery("pool process killed", time.monotonic() - killed_at["time"], caught.status)
    assert result["status"] == "done", result
    assert result["faces_found"] == 24 and len(result["faces"]) == 10
    match = Match.objects.get(token=caught.token)
    assert match.attempts == 2 and match.claimed_by.rpartition(":")[2] != str(caught.pid)


def test_the_whole_worker_killed_mid_match_is_recovered_by_a_new_worker(
    production_stack, faces_dir
):
    worker = production_stack.start("worker")
    killed_at = {}

    def kill_whole_worker(caught):
        main = parent_pid(caught.pid)
        assert b"worker" in Path(f"/proc/{main}/cmdline").read_bytes()  # Celery's main process
        kill(main, caught.pid)
        killed_at["time"] = time.monotonic()

    caught = catch_run(production_stack, faces_dir / LONG_PHOTO, act=kill_whole_worker)
    worker.process.wait(timeout=30)  # honcho saw its worker die, and stopped too
    production_stack.stop("worker")
    # Its message stays unacknowledged in Redis for the visibility timeout (over an hour); the
    # sweep must not wait for it.
    unacknowledged = production_stack.broker.client().hvals("unacked")
    assert any(b"matching.tasks.match_run" in message for message in unacknowledged)

    production_stack.start("worker")
    result = final_result(production_stack, caught.token)
    note_recovery("whole worker killed (restart included)", time.monotonic() - killed_at["time"])
    assert result["status"] == "done", result
    assert Match.objects.get(token=caught.token).attempts == 2


def test_a_photo_whose_every_run_is_killed_ends_failed_with_a_message(
    production_stack, faces_dir, settings
):
    production_stack.start("worker")
    caught = catch_run(production_stack, faces_dir / LONG_PHOTO, act=lambda c: kill(c.pid))
    kills = 1
    started = time.monotonic()
    while True:
        run = another_run(caught.token, not_pid=caught.pid)
        if run.status in Match.FINAL:
            break
        kill(run.pid)
        kills += 1
        caught = run

    result = final_result(production_stack, caught.token)
    note_recovery("every run killed: failed", time.monotonic() - started, f"after {kills} kills")
    attempts = settings.LOOKALIKE_MATCH_ATTEMPTS
    assert kills == attempts
    assert result["status"] == "failed"
    assert result["error"]["code"] == "interrupted"
    assert f"interrupted {attempts} times" in result["error"]["message"]
    page = production_stack.get(f"/r/{caught.token}/")
    assert f"interrupted {attempts} times" in page.text
