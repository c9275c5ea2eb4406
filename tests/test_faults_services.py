"""The services the workers depend on fail, for real: the broker restarts and loses its queue, the
broker is down when a visitor uploads, the database goes away mid-match. Every upload still
ends done."""

import time

import pytest
from django.db import connection

from matching.models import Match
from testkit.network import TcpProxy
from testkit.servers import database_url

from .faults import LONG_PHOTO, catch_run, final_result, note_recovery

QUEUE = "lookalike"  # CELERY_QUEUE's default, which the stack uses
PORTRAIT = ("gallery", "Katy_Perry", "6.jpg")


def test_a_match_waiting_in_the_queue_survives_a_broker_restart(production_stack, faces_dir):
    production_stack.start("worker")
    broker = production_stack.broker
    for _ in range(3):
        # The only worker process is busy with one upload, so the next one waits in the queue.
        busy = catch_run(production_stack, faces_dir / LONG_PHOTO)
        waiting = production_stack.upload(faces_dir.joinpath(*PORTRAIT))
        message = ("matching.tasks.match_run", f"({Match.objects.get(token=waiting).pk},)")
        was_waiting = message in broker.waiting_tasks(QUEUE)
        broker.restart()  # it keeps nothing on disk: the waiting message is gone
        restarted_at = time.monotonic()
        if was_waiting and Match.objects.get(token=waiting).status == "queued":
            break
        final_result(production_stack, waiting)  # the worker took it before the restart
    else:
        raise AssertionError("no upload could be caught waiting in the queue")
    assert message not in broker.waiting_tasks(QUEUE)

    result = final_result(production_stack, waiting)
    note_recovery("broker restarted with a match in its queue", time.monotonic() - restarted_at)
    assert result["status"] == "done", result
    assert result["faces"][0]["matches"][0]["actor"] == "Katy Perry"
    assert final_result(production_stack, busy.token)["status"] == "done"


def test_uploads_while_the_broker_is_down_are_kept_and_matched_once_it_is_back(
    production_stack, faces_dir
):
    production_stack.start("worker")
    production_stack.broker.kill()

    page = production_stack.upload_with_form(faces_dir.joinpath(*PORTRAIT))
    assert page.status_code == 200 and "/r/" in page.url  # the results page, not an error
    assert 'data-status="queued"' in page.text
    from_api = production_stack.upload(faces_dir.joinpath(*PORTRAIT))  # 202 as usual
    assert "could not send match" in production_stack.services["web"].log()

    production_stack.broker.start()
    back_at = time.monotonic()
    from_form = page.url.rstrip("/").rsplit("/", 1)[1]
    for token in (from_form, from_api):
        result = final_result(production_stack, token)
        assert result["status"] == "done", result
        assert result["faces"][0]["matches"][0]["actor"] == "Katy Perry"
    note_recovery("uploads while the broker was down", time.monotonic() - back_at, "(from return)")


@pytest.fixture
def database_proxy(production_stack):
    """A TCP proxy on loopback in front of PostgreSQL, for the worker only."""
    settings_dict = connection.settings_dict
    proxy = TcpProxy((settings_dict["HOST"] or "127.0.0.1", int(settings_dict["PORT"] or 5432)))
    direct = database_url(settings_dict)
    host_and_port = direct.split("@", 1)[1].split("/", 1)[0]
    proxy.url = direct.replace(f"@{host_and_port}/", f"@127.0.0.1:{proxy.port}/")
    yield proxy
    proxy.close()


def test_a_database_outage_mid_match_is_retried(production_stack, faces_dir, database_proxy):
    production_stack.start("worker", DATABASE_URL=database_proxy.url)
    cut = {}

    def cut_the_database(caught):
        cut["connections"] = database_proxy.cut()
        cut["at"] = time.monotonic()

    caught = catch_run(production_stack, faces_dir / LONG_PHOTO, act=cut_the_database)
    time.sleep(4)
    assert Match.objects.get(token=caught.token).status not in Match.FINAL
    database_proxy.restore()
    restored_at = time.monotonic()

    result = final_result(production_stack, caught.token)
    note_recovery(
        "database cut for 4 s mid-match",
        time.monotonic() - cut["at"],
        f"({time.monotonic() - restored_at:.1f} s after it came back)",
    )
    assert cut["connections"] >= 1  # the run's own connection was cut under it
    assert result["status"] == "done", result
    assert result["faces_found"] == 24
    assert Match.objects.get(token=caught.token).attempts == 2
