"""Reads for matching: which actors a photo's faces resemble."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404

from actors.models import Actor, ActorImage
from common.session_uploads import session_uploads
from face_engine.faces import Box, find_faces
from face_engine.images import LoadedImage
from face_engine.similarity import similarity_percent

from .active_index import active_index
from .models import Match, MatchFace, Resemblance, actor_result, face_result

REMOVED_ACTOR = "(removed actor)"


@dataclass(frozen=True)
class ActorMatch:
    actor_id: int
    actor: str
    distance: float
    similarity: float
    closest_image: int

    def as_dict(self) -> dict:
        return actor_result(self.actor, self.distance, self.similarity, self.closest_image)


@dataclass(frozen=True)
class FaceMatch:
    box: Box
    matches: list[ActorMatch]

    def as_dict(self) -> dict:
        return face_result(self.box, [m.as_dict() for m in self.matches])


@dataclass(frozen=True)
class PhotoMatch:
    index_version: int
    faces: list[FaceMatch]  # biggest face first, at most max_faces
    faces_found: int  # before that cap
    image: LoadedImage  # the photo as decoded for detection


def photo_match(data: bytes, *, top: int | None = None, max_faces: int | None = None) -> PhotoMatch:
    """Match every face in a photo against the active index: the one matching function that the
    worker, the `match` command and the benchmarks all run.

    Raises the face engine's typed errors (NotAnImage, ImageTooLarge, NoFaceFound) and
    NoActiveIndex.
    """
    top = top or settings.LOOKALIKE_TOP_ACTORS
    max_faces = max_faces or settings.LOOKALIKE_MAX_FACES
    loaded = active_index()
    scan = find_faces(
        data, max_faces=max_faces, max_pixels=settings.LOOKALIKE_MAX_PIXELS, require_face=True
    )
    hits = [loaded.index.search(face.encoding, top=top) for face in scan.faces]
    names = dict(
        Actor.objects.filter(
            pk__in={hit.actor_id for face_hits in hits for hit in face_hits}
        ).values_list("pk", "name")
    )
    faces = [
        FaceMatch(
            box=face.box,
            matches=[
                ActorMatch(
                    actor_id=hit.actor_id,
                    actor=names.get(hit.actor_id, REMOVED_ACTOR),
                    distance=hit.distance,
                    similarity=similarity_percent(hit.distance),
                    closest_image=hit.item_id,
                )
                for hit in face_hits
            ],
        )
        for face, face_hits in zip(scan.faces, hits, strict=True)
    ]
    return PhotoMatch(
        index_version=loaded.version_id,
        faces=faces,
        faces_found=scan.faces_found,
        image=scan.image,
    )


def visible_match(request, token: str) -> Match:
    """The match, or 404 for anyone who may not see it (never 403: that would confirm it)."""
    match = get_object_or_404(Match, token=token)
    if not match.visible_to(request.user):
        raise Http404("No such result.")
    return match


def viewer_owns(request, match: Match) -> bool:
    """Whether this request comes from the result's owner: its account, or for an upload made
    without one, the browser that made it (its session remembers the token)."""
    if match.owner_id is not None:
        return request.user.is_authenticated and request.user.pk == match.owner_id
    return match.token in session_uploads(request)


def visible_match_files(request, token: str) -> Match:
    """The match whose files this request may have: as for its page, and never once expired."""
    match = visible_match(request, token)
    if match.expired_at is not None:
        raise Http404("No such result.")
    return match


@dataclass(frozen=True)
class FilmRole:
    """The film a reference photo's frame was taken from, and the actor's age in it."""

    title: str
    year: int | None
    age: int | None  # the film's year less the actor's birth year, when both are known


def film_role(image: ActorImage | None) -> FilmRole | None:
    if image is None or image.origin != ActorImage.Origin.FILM or not image.film_title:
        return None
    born = Actor.objects.filter(pk=image.actor_id).values_list("birth_year", flat=True).first()
    year = image.film_year
    return FilmRole(image.film_title, year, year - born if year and born and year > born else None)


def match_page_context(match, selected: str | None) -> dict:
    """What a results page shows: every face (biggest first), one of them in detail."""
    faces = list(
        MatchFace.objects.filter(match=match)
        .order_by("position")
        .prefetch_related("resemblances__reference_image")
    )
    try:
        position = max(0, min(int(selected or 0), len(faces) - 1))
    except ValueError:
        position = 0
    face = faces[position] if faces else None
    resemblances = list(face.resemblances.all()) if face else []
    best = resemblances[0] if resemblances else None
    return {
        "match": match,
        "faces": faces,
        "face": face,
        "resemblances": resemblances,
        "best": best,
        "best_film": film_role(best.reference_image) if best else None,
        "weak": best is not None and best.similarity < settings.LOOKALIKE_WEAK_SIMILARITY,
        "faces_not_shown": max(0, match.faces_found - len(faces)),
    }


def matches_of(user):
    """A person's uploads, newest first, with what the list shows prefetched."""
    first_face = MatchFace.objects.filter(position=0).prefetch_related(
        Prefetch("resemblances", queryset=Resemblance.objects.filter(rank=1))
    )
    return (
        Match.objects.filter(owner=user)
        .order_by("-created_at", "-id")
        .prefetch_related(Prefetch("faces", queryset=first_face))
    )
