"""Matches keep being answered while a rebuilt index is activated: none fails, and each answer
comes whole from one version."""

import threading
import time

import numpy as np
import pytest
from django.db import connection

from actors.models import ActorImage
from face_engine.faces import find_faces
from face_engine.index import FaceIndex
from matching.active_index import active_index
from matching.models import IndexVersion
from matching.services import index_build


@pytest.mark.django_db(transaction=True)
def test_rebuilds_activate_under_load_without_a_failed_or_mixed_answer(
    small_catalogue, faces_dir, settings
):
    settings.LOOKALIKE_INDEX_RECHECK_SECONDS = 0  # every request asks which version is active
    queries = [
        f.encoding
        for name in ("example_joan_of_arc.jpg", "example_rb_ginsburg.jpg")
        for f in find_faces((faces_dir / "examples" / name).read_bytes()).faces
    ]
    index_build()
    answers, errors, stop = [], [], threading.Event()

    def serve():
        try:
            while not stop.is_set():
                loaded = active_index()  # one version for the whole request
                for query in queries:
                    hits = loaded.index.search(query, top=3)
                    answers.append(
                        (loaded.version_id, tuple((h.actor_id, h.item_id) for h in hits))
                    )
        except Exception as exc:  # noqa: BLE001 - any failure is what the test looks for
            errors.append(exc)
        finally:
            connection.close()

    def answered(version_id: int, count: int) -> None:
        deadline = time.monotonic() + 60
        while sum(v == version_id for v, _ in list(answers)) < count and not errors:
            assert time.monotonic() < deadline, "the serving threads stopped answering"
            time.sleep(0.01)

    threads = [threading.Thread(target=serve) for _ in range(2)]
    for thread in threads:
        thread.start()
    answered(IndexVersion.objects.get(state="active").pk, 5)
    # Each rebuild changes the catalogue, so versions give different answers.
    for image in ActorImage.objects.order_by("id")[:2]:
        ActorImage.objects.filter(pk=image.pk).update(status="excluded")
        latest = index_build()
    answered(latest.pk, 5)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors
    versions = {version for version, _ in answers}
    assert len(versions) >= 2
    for version_id in versions:
        version = IndexVersion.objects.get(pk=version_id)
        index = FaceIndex.load(settings.MEDIA_ROOT / version.storage_prefix)
        expected = {tuple((h.actor_id, h.item_id) for h in index.search(q, top=3)) for q in queries}
        seen = {answer for v, answer in answers if v == version_id}
        assert seen <= expected, f"version {version_id} gave an answer it does not give"
        excluded = set(ActorImage.objects.filter(status="excluded").values_list("id", flat=True))
        if version_id == IndexVersion.objects.latest("id").pk:
            assert not excluded & set(np.asarray(version.embedding_id_array()).tolist())
    assert IndexVersion.objects.filter(state="active").count() == 1
