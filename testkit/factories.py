"""Rows as the services write them, for tests that need them but do not test how they are made.

Catalogue rows come from real photos and their real scans (testkit/scans.py): an ActorImage is
stored exactly as `photo_import` stores it (the photo's file, its face thumbnail, its box and
its embedding), without running dlib again. actors/tests/test_catalogue_factories.py holds them
to that.
"""

from __future__ import annotations

from pathlib import Path

import factory
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from factory.django import DjangoModelFactory

from actors.models import Actor, ActorImage, FaceEmbedding
from actors.services import EXTENSIONS, gallery_attributions, gallery_photos
from face_engine.faces import ENCODER
from face_engine.similarity import similarity_percent
from matching.models import Match, MatchFace, Resemblance

from .scans import PhotoScan, PhotoScans


def _stored(name: str, data: bytes) -> str:
    # The import stores a photo once, however many rows point at it.
    if default_storage.exists(name):
        return name
    return default_storage.save(name, ContentFile(data))


class ActorFactory(DjangoModelFactory):
    class Meta:
        model = Actor
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Actor {n}")
    slug = factory.LazyAttribute(lambda o: Actor.unique_slug(o.name))


class FaceEmbeddingFactory(DjangoModelFactory):
    class Meta:
        model = FaceEmbedding

    encoder = ENCODER  # and `image` and `vector` (FaceEmbedding.pack of 128 floats), given


class ActorImageFactory(DjangoModelFactory):
    """A reference photo: `photo` is the file, `scan` what the face engine found in it."""

    class Meta:
        model = ActorImage
        skip_postgeneration_save = True

    class Params:
        photo: Path = None
        scan: PhotoScan = None

    actor = factory.SubFactory(ActorFactory)
    sha256 = factory.SelfAttribute("scan.sha256")
    file = factory.LazyAttribute(
        lambda o: _stored(
            f"actors/{o.sha256[:2]}/{o.sha256}.{EXTENSIONS.get(o.scan.format, 'img')}",
            Path(o.photo).read_bytes(),
        )
    )
    face_thumbnail = factory.LazyAttribute(
        lambda o: default_storage.save(
            f"actors/faces/{o.sha256[:2]}/{o.sha256}.jpg", ContentFile(o.scan.thumbnail)
        )
    )
    width = factory.LazyAttribute(lambda o: o.scan.size[0])
    height = factory.LazyAttribute(lambda o: o.scan.size[1])
    source = factory.LazyAttribute(lambda o: str(o.photo))
    attribution = ""
    face_top = factory.LazyAttribute(lambda o: o.scan.box[0])
    face_right = factory.LazyAttribute(lambda o: o.scan.box[1])
    face_bottom = factory.LazyAttribute(lambda o: o.scan.box[2])
    face_left = factory.LazyAttribute(lambda o: o.scan.box[3])
    embedding = factory.RelatedFactory(
        FaceEmbeddingFactory,
        factory_related_name="image",
        vector=factory.LazyAttribute(lambda o: FaceEmbedding.pack(o.factory_parent.scan.encoding)),
    )


def catalogue_from_folder(root: Path, scans: PhotoScans) -> list[ActorImage]:
    """The rows `gallery_import(root)` writes for a gallery folder of one-face photos, made from
    the photos' scans: same actors, same order, same files, boxes and embeddings."""
    photos = gallery_photos(Path(root))
    credits = gallery_attributions(Path(root))
    images = []
    for (name, path), scan in zip(photos, scans.many([p for _, p in photos]), strict=True):
        assert scan.single_face, f"{path}: a reference photo shows exactly one face"
        images.append(
            ActorImageFactory(
                actor=ActorFactory(name=name),
                photo=path,
                scan=scan,
                attribution=credits.get(name, ""),
            )
        )
    return images


class MatchFactory(DjangoModelFactory):
    """A finished result with no faces: add them with MatchFaceFactory."""

    class Meta:
        model = Match

    status = Match.Status.DONE


class MatchFaceFactory(DjangoModelFactory):
    class Meta:
        model = MatchFace

    match = factory.SubFactory(MatchFactory)
    position = factory.LazyAttribute(lambda o: o.match.faces.count())
    top, right, bottom, left = 10, 110, 110, 10


class ResemblanceFactory(DjangoModelFactory):
    """One actor shown for a face; rank 1 unless given."""

    class Meta:
        model = Resemblance

    face = factory.SubFactory(MatchFaceFactory)
    rank = 1
    reference_image = None
    actor = factory.LazyAttribute(
        lambda o: o.reference_image.actor if o.reference_image else ActorFactory()
    )
    actor_name = factory.LazyAttribute(lambda o: o.actor.name)
    reference_image_id_shown = factory.LazyAttribute(
        lambda o: o.reference_image.pk if o.reference_image else 0
    )
    distance = 0.5
    similarity = factory.LazyAttribute(lambda o: similarity_percent(o.distance))
