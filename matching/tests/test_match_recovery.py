"""Recognising a run whose worker died, taking it over, giving up on a photo that keeps killing
its worker, and the sweep that resends what a fault lost. Tasks run in-process here; the same
promises against real processes, a real broker and real faults are in tests/test_faults_*.py."""

import socket
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from matching.models import Match
from matching.services import match_create, match_process, matches_recover
from matching.services.claims import MatchHeld, match_claim, this_process
from matching.services.heartbeat import Heartbeat
from testkit.processes import ended_pid

pytestmark = pytest.mark.django_db
HOST = socket.gethostname()


def _held(match, holder: str, *, attempts: int = 1, beat_ago: float = 0.0, status="matching"):
    Match.objects.filter(pk=match.pk).update(
        status=status,
        claimed_by=holder,
        heartbeat_at=timezone.now() - timedelta(seconds=beat_ago),
        attempts=attempts,
    )


def _state(match) -> tuple:
    match = Match.objects.get(pk=match.pk)
    return match.status, match.attempts


def test_a_run_whose_process_ended_is_taken_over_at_once(queued):
    _held(queued, f"{HOST}:{ended_pid()}")  # its heartbeat is fresh, but its process is gone
    match_process(queued.pk)
    assert _state(queued) == ("done", 2)
    assert Match.objects.get(pk=queued.pk).claimed_by == this_process()


def test_a_run_elsewhere_is_taken_over_only_once_its_heartbeat_is_older_than_the_lease(
    queued, settings
):
    _held(queued, "another-machine:4242", beat_ago=settings.LOOKALIKE_MATCH_LEASE_SECONDS / 2)
    with pytest.raises(MatchHeld):
        match_process(queued.pk)
    assert _state(queued) == ("matching", 1)

    _held(queued, "another-machine:4242", beat_ago=settings.LOOKALIKE_MATCH_LEASE_SECONDS + 1)
    match_process(queued.pk)
    assert _state(queued) == ("done", 2)


def test_a_run_of_this_very_process_that_is_no_longer_running_is_taken_over(queued):
    # E.g. the database went away mid-run, so the run could not even hand the match back.
    _held(queued, this_process())
    match_process(queued.pk)
    assert _state(queued) == ("done", 2)


def test_a_photo_whose_runs_keep_dying_ends_failed_with_a_message(queued, settings):
    _held(queued, f"{HOST}:{ended_pid()}", attempts=settings.LOOKALIKE_MATCH_ATTEMPTS)
    match_process(queued.pk)
    match = Match.objects.get(pk=queued.pk)
    assert (match.status, match.error_code) == ("failed", "interrupted")
    assert f"interrupted {settings.LOOKALIKE_MATCH_ATTEMPTS} times" in match.error_message
    assert match.finished_at is not None and not match.faces.exists()


def test_the_sweep_resends_a_match_whose_message_was_lost(queued, settings):
    sent_at = timezone.now() - timedelta(seconds=settings.LOOKALIKE_MATCH_RESEND_SECONDS + 1)
    Match.objects.filter(pk=queued.pk).update(queued_at=sent_at)
    swept = matches_recover()  # no broker here: the task runs in this process
    assert (swept.resent, swept.runs_recovered) == (1, 0)
    assert _state(queued) == ("done", 1)


def test_the_sweep_recovers_runs_that_are_gone_and_fails_those_out_of_attempts(
    queued, faces_dir, settings
):
    dead = f"{HOST}:{ended_pid()}"
    worn_out = match_create(data=(faces_dir / "gallery" / "Katy_Perry" / "6.jpg").read_bytes())
    _held(queued, dead, status="finding_faces")
    _held(worn_out, dead, attempts=settings.LOOKALIKE_MATCH_ATTEMPTS)
    swept = matches_recover()
    assert swept.runs_recovered == 2
    assert _state(queued) == ("done", 2)
    assert Match.objects.get(pk=worn_out.pk).error_code == "interrupted"


def test_the_sweep_leaves_live_runs_and_fresh_messages_alone(queued, faces_dir, live_process):
    running = match_create(data=(faces_dir / "gallery" / "Katy_Perry" / "6.jpg").read_bytes())
    _held(running, f"{HOST}:{live_process.pid}")
    swept = matches_recover()
    assert (swept.runs_recovered, swept.resent) == (0, 0)
    assert _state(queued) == ("queued", 0)
    assert _state(running) == ("matching", 1)


@pytest.mark.django_db(transaction=True)  # the heartbeat writes from a thread of its own
def test_a_run_keeps_its_match_past_the_lease_while_its_heartbeat_beats(settings):
    settings.LOOKALIKE_MATCH_LEASE_SECONDS = 2.0
    settings.LOOKALIKE_MATCH_ATTEMPTS = 1  # so the sweep fails it rather than run it again
    match = Match.objects.create()
    assert match_claim(match.pk)
    claimed_at = Match.objects.get(pk=match.pk).heartbeat_at
    with Heartbeat(match.pk):
        time.sleep(2 * settings.LOOKALIKE_MATCH_LEASE_SECONDS)  # working longer than the lease
        assert matches_recover().runs_recovered == 0
    renewed_at = Match.objects.get(pk=match.pk).heartbeat_at
    assert renewed_at > claimed_at

    time.sleep(2 * settings.LOOKALIKE_MATCH_LEASE_SECONDS)  # the run has ended: no more beats
    assert Match.objects.get(pk=match.pk).heartbeat_at == renewed_at
    assert matches_recover().runs_recovered == 1
    assert Match.objects.get(pk=match.pk).error_code == "interrupted"
