"""A real Celery worker keeps a visitor's photo only as long as the result needs it."""

from django.core.files.storage import default_storage

from matching.models import Match, StoredFileDeletion
from matching.services import index_build

from .conftest import wait_for


def test_the_worker_deletes_a_one_face_photo_and_keeps_a_group_photo(
    client, upload, celery_worker_process, small_catalogue
):
    index_build()
    urls = {
        photo: upload(photo, api=True).json()["url"]
        for photo in ("gallery/Katy_Perry/6.jpg", "extras/group_two_people.jpg")
    }

    def finished(url):
        return lambda: client.get(url).json()["status"] in ("done", "failed")

    for url in urls.values():
        wait_for(finished(url))
    portrait, group = (
        Match.objects.get(token=url.rstrip("/").rsplit("/", 1)[1]) for url in urls.values()
    )
    assert portrait.status == group.status == "done"
    # One face: the photo is gone from storage and from the row; its crop and cards remain.
    assert not portrait.photo and not default_storage.exists(portrait.file_name("photo"))
    face = portrait.faces.get()
    for name in (face.crop.name, face.share_image.name, face.story_image.name):
        assert default_storage.exists(name), name
    # Two faces: the photo stays for the page's face boxes.
    assert group.faces.count() == 2 and default_storage.exists(group.photo.name)
    assert not StoredFileDeletion.objects.exists()  # nothing left waiting for a retry
