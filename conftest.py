"""Fixtures shared by every app's tests: the real photos in ../shared/faces and isolation."""

import io
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


@pytest.fixture(scope="session")
def photo_scans(request):
    """What the face engine finds in each shared photo, computed once (testkit/scans.py)."""
    from testkit.scans import PhotoScans

    return PhotoScans(request.config.cache.mkdir("photo-scans"))


@pytest.fixture
def make_catalogue(db, make_gallery, photo_scans):
    """Lay out a gallery folder (as make_gallery) and add its photos to the catalogue as
    `gallery_import` would, from the photos' session-cached scans; returns the folder."""
    from testkit.factories import catalogue_from_folder

    def make(layout: dict[str, list[str]], name: str = "gallery") -> Path:
        root = make_gallery(layout, name)
        catalogue_from_folder(root, photo_scans)
        return root

    return make


@pytest.fixture
def small_catalogue(make_catalogue):
    """Three actors, four real photos each, with their real embeddings; returns the gallery
    folder. Built from cached scans: tests of the import itself import for real."""
    people = ["Barack_Obama", "Matt_Damon", "Katy_Perry"]
    return make_catalogue({p: [f"gallery/{p}/{n}.jpg" for n in range(1, 5)] for p in people})


@pytest.fixture
def indexed_catalogue(small_catalogue):
    """The small catalogue with an active index."""
    from matching.services import index_build

    index_build()
    return small_catalogue


@pytest.fixture
def upload(client, django_capture_on_commit_callbacks, faces_dir):
    """Send a photo as a visitor does: through the upload form, or the API with `api=True`.

    `photo` is a path under the shared photos, a file's bytes, or None (with `example=` to pick
    an example). The request is made as `client` unless `as_client` is given; other keyword
    arguments are form fields. The matching task, queued when the upload commits, runs
    in-process as the request ends, unless `run_task=False` (with a real worker running, the
    worker gets it).
    """
    from django.urls import reverse

    def send(
        photo: str | bytes | None = "gallery/Matt_Damon/2.jpg",
        *,
        name: str | None = None,
        api: bool = False,
        as_client=None,
        headers: dict | None = None,
        run_task: bool = True,
        **fields,
    ):
        if photo is not None:
            data = photo if isinstance(photo, bytes) else (faces_dir / photo).read_bytes()
            handle = io.BytesIO(data)
            handle.name = name or ("photo.jpg" if isinstance(photo, bytes) else Path(photo).name)
            fields["image" if api else "photo"] = handle
        url = "/api/v1/matches/" if api else reverse("home")
        with django_capture_on_commit_callbacks(execute=run_task):
            return (as_client or client).post(url, fields, headers=headers or {})

    return send


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings):
    """Production hashes passwords slowly on purpose (about half a second per user on this
    machine); tests that make users would spend most of their time there."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
def gallery_embeddings(faces_dir, photo_scans):
    """Every gallery photo with exactly one face, and its embedding."""
    from testkit.embeddings import Embedded

    paths = sorted(p for p in (faces_dir / "gallery").glob("*/*") if p.is_file())
    return Embedded.from_scans(paths, photo_scans.many(paths))


@pytest.fixture(scope="session")
def crowd_embeddings(faces_dir, embedding_cache):
    from testkit.embeddings import embed_people

    folders = sorted(p for p in (faces_dir / "crowd").iterdir() if p.is_dir())
    return embed_people(folders, embedding_cache, whole_crop_fallback=True)


@pytest.fixture
def curator(client, db):
    """A member of the Curators group, logged in as `client`."""
    from accounts.models import User
    from moderation.roles import curators_group_sync

    user = User.objects.create_user("cora", password="x" * 20, is_staff=True)
    user.groups.add(curators_group_sync())
    client.force_login(user)
    return user
