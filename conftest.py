"""Fixtures shared by every app's tests: the real photos in ../shared/faces and isolation."""

import os
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent
FACES_DIR = Path(os.environ.get("LOOKALIKE_FACES_DIR", REPO.parent / "shared" / "faces"))
DEMO_GALLERY = REPO / "demo" / "gallery"


@pytest.fixture(scope="session")
def faces_dir() -> Path:
    """The shared test photos; CI requires them, elsewhere their absence skips the test."""
    if not (FACES_DIR / "README.md").exists():
        message = f"test photos not found at {FACES_DIR} (set LOOKALIKE_FACES_DIR)"
        if os.environ.get("LOOKALIKE_REQUIRE_FACES"):
            pytest.fail(message)
        pytest.skip(message)
    return FACES_DIR


@pytest.fixture(scope="session")
def expected_face_counts(faces_dir) -> dict[str, int]:
    """extras/ file name -> expected face count, as the photos' README states them."""
    readme = (faces_dir / "README.md").read_text()
    counts = {name: int(n) for name, n in re.findall(r"`([^`]+)` \[(\d+)\]", readme)}
    assert counts, "no expected face counts found in the README"
    return counts


@pytest.fixture(autouse=True)
def _isolated_storage(settings, tmp_path):
    """Each test gets its own media folder and index cache, and no index loaded from before."""
    from matching import active_index

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SENDFILE_ROOT = str(settings.MEDIA_ROOT)  # visitors' files are sent from there
    settings.LOOKALIKE_INDEX_CACHE_DIR = tmp_path / "index-cache"
    settings.LOOKALIKE_INDEX_RECHECK_SECONDS = 0
    active_index.forget()
    yield
    active_index.forget()


@pytest.fixture
def make_gallery(tmp_path, faces_dir):
    """Lay out a gallery folder: {"Barack_Obama": ["gallery/Barack_Obama/1.jpg", ...]}."""
    import shutil

    def make(layout: dict[str, list[str]], name: str = "gallery") -> Path:
        root = tmp_path / name
        for folder, sources in layout.items():
            (root / folder).mkdir(parents=True, exist_ok=True)
            for number, source in enumerate(sources, 1):
                source_path = faces_dir / source
                shutil.copy(source_path, root / folder / f"{number}-{source_path.name}")
        return root

    return make


@pytest.fixture
def small_catalogue(db, make_gallery):
    """Three actors, four photos each, imported through the real pipeline."""
    from actors.services import gallery_import

    people = ["Barack_Obama", "Matt_Damon", "Katy_Perry"]
    root = make_gallery({p: [f"gallery/{p}/{n}.jpg" for n in range(1, 5)] for p in people})
    report = gallery_import(root)
    assert report.added == 12, report
    return root


@pytest.fixture
def indexed_catalogue(small_catalogue):
    """The small catalogue with an active index."""
    from matching.services import index_build

    index_build()
    return small_catalogue


@pytest.fixture
def upload(client, django_capture_on_commit_callbacks, faces_dir):
    """Upload a shared photo through the form as `client`; its task runs in-process."""
    from django.urls import reverse

    def send(relative="gallery/Matt_Damon/2.jpg", as_client=None, **fields):
        import io

        handle = io.BytesIO((faces_dir / relative).read_bytes())
        handle.name = Path(relative).name
        with django_capture_on_commit_callbacks(execute=True):
            return (as_client or client).post(reverse("home"), {"photo": handle, **fields})

    return send


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the cache; each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def embedding_cache(request):
    """Embeddings of the shared photos, kept between local runs in pytest's cache folder."""
    return request.config.cache.mkdir("face-embeddings")


@pytest.fixture(scope="session")
def gallery_embeddings(faces_dir, embedding_cache):
    from testkit.embeddings import embed_people

    folders = sorted(p for p in (faces_dir / "gallery").iterdir() if p.is_dir())
    return embed_people(folders, embedding_cache)


@pytest.fixture(scope="session")
def crowd_embeddings(faces_dir, embedding_cache):
    from testkit.embeddings import embed_people

    folders = sorted(p for p in (faces_dir / "crowd").iterdir() if p.is_dir())
    return embed_people(folders, embedding_cache, whole_crop_fallback=True)
