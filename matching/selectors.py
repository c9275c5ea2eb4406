"""Reads for matching: which actors a photo's faces resemble."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse

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


SHOWN_FIRST = 3  # matches shown per face before "Show more"
FILTERS = {"actor": "Actors", "actress": "Actresses"}


@dataclass(frozen=True)
class FaceBox:
    """A face's box on the stored photo, in its pixels, with the number shown on it."""

    position: int
    number: int
    x: int
    y: int
    width: int
    height: int
    badge: int  # radius of the number's disc

    @property
    def badge_x(self) -> int:
        return self.x + self.badge

    @property
    def badge_y(self) -> int:
        return max(self.badge, self.y - self.badge)


def _selected_position(selected: str | None, count: int) -> tuple[int, str]:
    """The face asked for by `?face=` (counting from 0), or the first with a note saying why."""
    if selected in (None, ""):
        return 0, ""
    try:
        position = int(selected)
    except ValueError:
        position = -1
    if 0 <= position < count:
        return position, ""
    return 0, f"There is no face {selected[:10]} in this photo; here is face 1."


def face_boxes(match, faces) -> list[FaceBox]:
    # About 28 px across on a phone, whatever the photo's size: a target a finger can hit.
    badge = max(14, round(max(match.photo_width, match.photo_height) / 32))
    return [
        FaceBox(
            position=f.position,
            number=f.position + 1,
            x=f.left,
            y=f.top,
            width=max(1, f.right - f.left),
            height=max(1, f.bottom - f.top),
            badge=badge,
        )
        for f in faces
    ]


def _add_actor_context(row) -> None:
    """What the page says about a matched actor, from the catalogue: best-known films, birth
    year and IMDb page (nothing for an actor since removed)."""
    actor = row.actor
    known = actor.known_for if actor and isinstance(actor.known_for, list) else []
    films = [
        f"{film['title']} ({film['year']})" if film.get("year") else film["title"]
        for film in known
        if isinstance(film, dict) and film.get("title")
    ]
    row.films = ", ".join(films[:3])
    row.birth_year = actor.birth_year if actor else None
    row.imdb_url = f"https://www.imdb.com/name/{actor.imdb_id}/" if actor and actor.imdb_id else ""


def match_page_context(match, selected: str | None, who: str | None = None) -> dict:
    """What a results page shows: every face (biggest first), one of them in detail, with its
    matches best first (the first few at once, the rest on demand), optionally only actors or
    only actresses."""
    faces = list(
        MatchFace.objects.filter(match=match)
        .order_by("position")
        .prefetch_related(
            Prefetch(
                "resemblances",
                queryset=Resemblance.objects.select_related("reference_image", "actor"),
            )
        )
    )
    position, face_note = _selected_position(selected, len(faces))
    face = faces[position] if faces else None
    resemblances = list(face.resemblances.all()) if face else []
    for row in resemblances:
        _add_actor_context(row)
    best = resemblances[0] if resemblances else None
    professions = {r.actor.profession for r in resemblances if r.actor and r.actor.profession}
    who = who if who in FILTERS and who in professions else ""
    rows = [r for r in resemblances if not who or (r.actor and r.actor.profession == who)]
    return {
        "match": match,
        "faces": faces,
        "face": face,
        "face_note": face_note,
        "face_boxes": face_boxes(match, faces) if len(faces) > 1 else [],
        "resemblances": resemblances,
        "rows": rows,
        "first_rows": rows[:SHOWN_FIRST],
        "more_rows": rows[SHOWN_FIRST:],
        "who": who,
        "filters": [(key, label) for key, label in FILTERS.items() if key in professions]
        if len(professions) > 1
        else [],
        "best": best,
        "best_film": film_role(best.reference_image) if best else None,
        "weak": best is not None and best.similarity < settings.LOOKALIKE_WEAK_SIMILARITY,
        "faces_not_shown": max(0, match.faces_found - len(faces)),
    }


def page_pictures(match, face) -> dict:
    """The pictures the result page itself shows: the selected face's share picture, and the
    kept photo of a group photo (for the numbered face boxes)."""
    pictures = {}
    position = face.position if face is not None else 0
    if position == 0 and match.share_image:  # face 0 keeps the address older links carry
        pictures["share_preview_url"] = reverse("match-share", args=[match.token])
    elif face is not None and face.share_image:
        pictures["share_preview_url"] = reverse("match-face-share", args=[match.token, position])
    if match.photo:
        pictures["photo_url"] = reverse("match-photo", args=[match.token])
    return pictures


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
