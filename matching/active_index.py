"""The index version a process serves from, swapped when another version becomes active.

Each process keeps the active version it loaded and asks the database at most every
LOOKALIKE_INDEX_RECHECK_SECONDS whether another one is active now. A swap replaces one
reference; a request that already holds the old index finishes on it.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from django.conf import settings

from matching.engine.index import FaceIndex

from .models import IndexVersion
from .services import index_local_copy


class NoActiveIndex(Exception):
    def __init__(self):
        super().__init__("No index is active yet: run `python manage.py build_index`.")


@dataclass(frozen=True)
class LoadedVersion:
    version_id: int
    index: FaceIndex


_lock = threading.Lock()
_loaded: LoadedVersion | None = None
_checked_at = 0.0


def active_index() -> LoadedVersion:
    global _loaded, _checked_at
    current = _loaded
    if (
        current is not None
        and time.monotonic() - _checked_at < settings.LOOKALIKE_INDEX_RECHECK_SECONDS
    ):
        return current
    with _lock:
        row = (
            IndexVersion.objects.filter(state=IndexVersion.State.ACTIVE)
            .values_list("pk", "storage_prefix")
            .first()
        )
        if row is None:
            if _loaded is not None:
                return _loaded
            raise NoActiveIndex()
        if _loaded is None or _loaded.version_id != row[0]:
            folder = index_local_copy(row[0], row[1], settings.LOOKALIKE_INDEX_CACHE_DIR)
            _loaded = LoadedVersion(row[0], FaceIndex.load(folder))
        _checked_at = time.monotonic()
        return _loaded


def forget() -> None:
    """Drop the loaded version (tests, and processes that fork after loading)."""
    global _loaded, _checked_at
    with _lock:
        _loaded, _checked_at = None, 0.0
