"""The index version a process serves from, swapped when another version becomes active.

Each process keeps the active version it loaded and asks the database at most every
LOOKALIKE_INDEX_RECHECK_SECONDS whether another one is active now. A swap replaces one
reference; a request that already holds the old index finishes on it.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage

from face_engine.index import FILES, FaceIndex

from .models import IndexVersion


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


def index_local_copy(version_id: int, prefix: str, cache_dir: Path) -> Path:
    """A local folder holding the version's files (annoy needs a real file to memory-map)."""
    target = cache_dir / f"v{version_id}"
    if (target / "meta.json").exists():
        return target
    if hasattr(default_storage, "path"):
        try:
            local = Path(default_storage.path(prefix))
            if (local / "meta.json").exists():
                return local
        except NotImplementedError:
            pass
    cache_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"v{version_id}-", dir=cache_dir))
    for name in FILES:
        if not default_storage.exists(f"{prefix}/{name}"):
            continue  # faces.ann exists only for versions built with annoy trees
        with (
            default_storage.open(f"{prefix}/{name}", "rb") as src,
            (staging / name).open("wb") as dst,
        ):
            shutil.copyfileobj(src, dst, 1 << 20)
    try:
        staging.rename(target)
    except OSError:
        # Another process put the same version in place first; its copy is as good as ours.
        shutil.rmtree(staging, ignore_errors=True)
    return target


def forget() -> None:
    """Drop the loaded version (tests, and processes that fork after loading)."""
    global _loaded, _checked_at
    with _lock:
        _loaded, _checked_at = None, 0.0
