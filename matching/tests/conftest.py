import pytest

from matching.services import match_create
from testkit.processes import start_sleeper


@pytest.fixture
def queued(indexed_catalogue, faces_dir, django_capture_on_commit_callbacks):
    """A match saved and queued, its task not yet run."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        match = match_create(data=(faces_dir / "gallery" / "Matt_Damon" / "4.jpg").read_bytes())
    assert len(callbacks) == 1  # queued once, only after the transaction committed
    return match


@pytest.fixture
def live_process():
    """A process of this machine that is running for the whole test."""
    process = start_sleeper()
    yield process
    process.kill()
    process.wait()
