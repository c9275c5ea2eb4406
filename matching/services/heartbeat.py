"""A run's sign of life: while it works on a match, a small thread renews the match's
`heartbeat_at` every third of the lease, so other deliveries and the sweep leave it alone."""

from __future__ import annotations

import logging
import threading

from django.db import DatabaseError, connection
from django.utils import timezone

from matching.models import Match
from matching.services.claims import IN_PROGRESS, heartbeat_seconds, running, this_process

log = logging.getLogger(__name__)


class Heartbeat:
    """`with Heartbeat(match_id):` around the work of the run that holds the match."""

    def __init__(self, match_id: int):
        self.match_id = match_id
        self.holder = this_process()
        self.every = heartbeat_seconds()
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._beat, name=f"heartbeat-{match_id}", daemon=True
        )

    def __enter__(self) -> Heartbeat:
        running.add(self.match_id)
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        # A beat stuck on an unreachable database must not hold up the run's own ending.
        self._thread.join(timeout=1)
        running.discard(self.match_id)

    def _beat(self) -> None:
        while not self._stop.wait(self.every):
            try:
                Match.objects.filter(
                    pk=self.match_id, claimed_by=self.holder, status__in=IN_PROGRESS
                ).update(heartbeat_at=timezone.now())
            except DatabaseError:
                log.warning("match %s: could not renew its heartbeat", self.match_id, exc_info=True)
            finally:
                # The thread's own connection, opened for each beat: nothing is left open when
                # the run ends, and a connection broken by a database outage is not reused.
                connection.close()
