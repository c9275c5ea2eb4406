"""What is kept of a visitor's photo, who gets each of a result's files, and the share and story
pictures each face gets: their size, their wording and the page's link previews."""

import io
import re
from datetime import timedelta
from html import unescape

import numpy as np
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from accounts.models import User
from matching.models import Match
from matching.services import match_delete, match_set_visibility, matches_expire
from matching.share_card import card_lines, share_card, story_card

pytestmark = pytest.mark.django_db
GROUP = "extras/group_two_people.jpg"
PORTRAIT = "gallery/Matt_Damon/2.jpg"
PEOPLE = ("owner", "stranger", "anonymous")
FILES = ("photo", "face", "share", "story")
SIDES = ("top", "right", "bottom", "left")


def address(match: Match, file: str, position: int = 1) -> str:
    if file == "photo":
        return reverse("match-photo", args=[match.token])
    name = {"face": "match-face", "share": "match-face-share", "story": "match-face-story"}
    return reverse(name[file], args=[match.token, position])


def stored(name: str) -> bytes:
    with default_storage.open(name) as handle:
        return handle.read()


def picture(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def meta(html: str, key: str) -> str:
    found = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)"', html)
    assert found, f"no {key} on the page"
    return unescape(found.group(1))


def latest() -> Match:
    return Match.objects.order_by("-id").first()


# --- what is kept ------------------------------------------------------------------------------


def test_a_one_face_photo_is_deleted_once_matched(upload, indexed_catalogue, settings):
    upload(PORTRAIT)
    match = latest()
    assert match.status == "done" and not match.photo
    assert not default_storage.exists(match.file_name("photo"))
    face = match.faces.get()
    assert all(default_storage.exists(n) for n in (face.crop.name, face.share_image.name))
    assert Client().get(address(match, "photo")).status_code == 404


def test_a_group_photo_is_kept_for_its_face_boxes(client, upload, indexed_catalogue):
    upload(GROUP)
    match = latest()
    assert match.status == "done" and match.faces.count() == 2
    assert match.photo and default_storage.exists(match.photo.name)
    # The uploader's browser gets it: the kept, re-encoded copy.
    answer = client.get(address(match, "photo"))
    assert answer.status_code == 200 and answer["Content-Type"] == "image/jpeg"
    assert b"".join(answer) == stored(match.photo.name)
    assert picture(stored(match.photo.name)).size == (match.photo_width, match.photo_height)


def test_a_failed_matchs_photo_is_kept_for_another_try(client, upload, indexed_catalogue):
    upload("extras/no_face_dogs.jpg")
    match = latest()
    assert match.status == "failed" and match.error_code == "no_face"
    assert match.photo and default_storage.exists(match.photo.name)
    assert client.get(address(match, "photo")).status_code == 200
    assert Client().get(address(match, "photo")).status_code == 404  # nobody else's


# --- who gets which file -----------------------------------------------------------------------


@pytest.fixture
def people(db) -> dict[str, Client]:
    clients = {name: Client() for name in PEOPLE}
    clients["owner"].force_login(User.objects.create_user("ada", password="x" * 20))
    clients["stranger"].force_login(User.objects.create_user("bob", password="y" * 20))
    return clients


@pytest.fixture
def group_results(people, upload, indexed_catalogue, django_capture_on_commit_callbacks):
    """Group photos (kept, with two faces) of every kind the rules tell apart."""

    def made(who: str, visibility: str | None = None, **fields) -> Match:
        upload(GROUP, as_client=people[who], **fields)
        match = latest()
        assert match.status == "done" and match.faces.count() == 2 and match.photo
        return match_set_visibility(match, visibility) if visibility else match

    results = {
        "private": made("owner"),
        "private, face shown": made("owner", share_face="on"),
        "unlisted": made("owner", "unlisted"),
        "unlisted, face shown": made("owner", "unlisted", share_face="on"),
        "anonymous upload": made("anonymous"),
        "deleted": made("owner", "unlisted", share_face="on"),
        "expired": made("anonymous", share_face="on"),
    }
    later = timezone.now() + timedelta(days=30)
    Match.objects.filter(pk=results["anonymous upload"].pk).update(
        expires_at=later + timedelta(days=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        match_delete(results["deleted"])
        assert matches_expire(now=later) == 1
    return results


def test_each_file_goes_exactly_to_who_may_have_it(people, group_results):
    given = {
        (kind, file): {
            who for who in PEOPLE if people[who].get(address(match, file)).status_code == 200
        }
        for kind, match in group_results.items()
        for file in FILES
    }
    everyone, nobody = set(PEOPLE), set()
    assert given == {
        # Private: the owner alone, whatever they chose.
        ("private", "photo"): {"owner"},
        ("private", "face"): {"owner"},
        ("private", "share"): {"owner"},
        ("private", "story"): {"owner"},
        ("private, face shown", "photo"): {"owner"},
        ("private, face shown", "face"): {"owner"},
        ("private, face shown", "share"): {"owner"},
        ("private, face shown", "story"): {"owner"},
        # Unlisted: the pictures for anyone with the link, the faces only if shown.
        ("unlisted", "photo"): {"owner"},
        ("unlisted", "face"): {"owner"},
        ("unlisted", "share"): everyone,
        ("unlisted", "story"): everyone,
        ("unlisted, face shown", "photo"): everyone,
        ("unlisted, face shown", "face"): everyone,
        ("unlisted, face shown", "share"): everyone,
        ("unlisted, face shown", "story"): everyone,
        # Without an account, the browser that uploaded it owns it.
        ("anonymous upload", "photo"): {"anonymous"},
        ("anonymous upload", "face"): {"anonymous"},
        ("anonymous upload", "share"): everyone,
        ("anonymous upload", "story"): everyone,
        **{("deleted", file): nobody for file in FILES},
        **{("expired", file): nobody for file in FILES},
    }


def test_a_refusal_looks_like_an_unknown_result(people, group_results):
    match = group_results["unlisted"]
    refused = people["stranger"].get(address(match, "photo"))
    unknown = people["stranger"].get(reverse("match-photo", args=["no-such-token"]))
    assert refused.status_code == unknown.status_code == 404
    assert refused.content == unknown.content.replace(b"no-such-token", match.token.encode())
    # A face is never left in a shared cache, even one its owner chose to show.
    own = people["owner"].get(address(match, "face"))
    assert {part.strip() for part in own["Cache-Control"].split(",")} == {"private", "no-cache"}
    shown = people["anonymous"].get(address(group_results["unlisted, face shown"], "face"))
    assert shown.status_code == 200
    assert {part.strip() for part in shown["Cache-Control"].split(",")} == {"private", "no-cache"}


def test_the_page_shows_a_strangers_face_crops_only_when_chosen(people, group_results):
    hidden = group_results["unlisted"]
    page = people["stranger"].get(hidden.get_absolute_url()).content.decode()
    assert reverse("match-face", args=[hidden.token, 0]) not in page
    assert reverse("match-photo", args=[hidden.token]) not in page
    own = people["owner"].get(hidden.get_absolute_url()).content.decode()
    assert reverse("match-face", args=[hidden.token, 0]) in own
    shown = group_results["unlisted, face shown"]
    page = people["stranger"].get(shown.get_absolute_url()).content.decode()
    assert reverse("match-face", args=[shown.token, 0]) in page


# --- share and story pictures ------------------------------------------------------------------


def test_every_face_has_its_own_share_and_story_picture(people, group_results):
    match = group_results["unlisted"]
    for face in match.faces.all():
        share = people["anonymous"].get(address(match, "share", face.position))
        story = people["anonymous"].get(address(match, "story", face.position))
        for answer, size in ((share, (1200, 630)), (story, (1080, 1920))):
            assert answer.status_code == 200 and answer["Content-Type"] == "image/jpeg"
            image = picture(b"".join(answer))
            assert (image.format, image.size) == ("JPEG", size)
            assert (
                "Content-Disposition" not in answer
                or "attachment" not in answer["Content-Disposition"]
            )
    # The old address is face 0's share picture.
    old = people["anonymous"].get(reverse("match-share", args=[match.token]))
    first = match.faces.get(position=0)
    assert b"".join(old) == stored(first.share_image.name)


def test_download_sends_the_picture_as_a_file_named_after_the_actor(people, group_results):
    match = group_results["unlisted"]
    face = match.faces.get(position=1)
    actor = face.resemblances.get(rank=1).actor_name.lower().replace(" ", "-")
    share = people["anonymous"].get(address(match, "share") + "?download=1")
    assert share["Content-Disposition"] == f'attachment; filename="lookalike-{actor}.jpg"'
    assert b"".join(share) == stored(face.share_image.name)
    story = people["anonymous"].get(address(match, "story") + "?download=1")
    assert story["Content-Disposition"] == f'attachment; filename="lookalike-{actor}-story.jpg"'
    refused = people["stranger"].get(address(group_results["private"], "share") + "?download=1")
    assert refused.status_code == 404 and not refused.has_header("Content-Disposition")


def test_download_through_nginx_keeps_the_file_name(people, group_results, settings):
    from django_sendfile.utils import _get_sendfile

    settings.SENDFILE_BACKEND = settings.MEDIA_ACCEL_BACKENDS["nginx"]
    settings.SENDFILE_URL = "/internal-media/"
    _get_sendfile.cache_clear()
    try:
        match = group_results["unlisted"]
        answer = people["anonymous"].get(address(match, "story", 0) + "?download=1")
        face = match.faces.get(position=0)
        assert answer["X-Accel-Redirect"] == f"/internal-media/{face.story_image.name}"
        assert answer["Content-Disposition"].startswith('attachment; filename="lookalike-')
    finally:
        _get_sendfile.cache_clear()


def test_link_previews_follow_the_face_picked(people, group_results):
    match = group_results["unlisted"]
    for face in match.faces.all():
        best = face.resemblances.get(rank=1)
        url = match.get_absolute_url() + f"?face={face.position}"
        html = people["stranger"].get(url).content.decode()
        shared = f"http://testserver{url}"
        assert meta(html, "og:url") == shared
        # The link its owner is offered to copy is the same.
        assert f'value="{shared}"' in people["owner"].get(url).content.decode()
        # Face 0's card keeps the address older links carry.
        card = "http://testserver" + (
            address(match, "share", face.position)
            if face.position
            else reverse("match-share", args=[match.token])
        )
        assert meta(html, "og:image") == meta(html, "twitter:image") == card
        percent = f"{best.similarity:.0f}%"
        assert meta(html, "og:title") == meta(html, "twitter:title")
        assert best.actor_name in meta(html, "og:title") and percent in meta(html, "og:title")
        assert best.actor_name in meta(html, "og:image:alt")
        assert "visitor's face" not in meta(html, "og:image:alt")  # not shown: not described


def test_the_owner_reads_you_and_others_read_the_third_person(people, upload, indexed_catalogue):
    upload(PORTRAIT, as_client=people["owner"])
    match = match_set_visibility(latest(), "unlisted")
    name = match.faces.get().resemblances.get(rank=1).actor_name
    own = people["owner"].get(match.get_absolute_url()).content.decode()
    theirs = people["stranger"].get(match.get_absolute_url()).content.decode()
    assert f"<title>You look like {name} · Lookalike</title>" in own
    assert re.search(rf"<title>Looks \d+% like {name} · Lookalike</title>", theirs)
    assert re.fullmatch(rf"Looks \d+% like {name}", meta(theirs, "og:title"))
    # The page's own address carries no face number for a single face.
    assert meta(theirs, "og:url") == f"http://testserver{match.get_absolute_url()}"


def test_a_weak_match_is_not_announced_as_a_confident_one(
    client, upload, indexed_catalogue, settings
):
    upload(PORTRAIT)
    strong = latest()
    settings.LOOKALIKE_WEAK_SIMILARITY = 100
    upload(PORTRAIT)
    weak = latest()
    html = client.get(weak.get_absolute_url()).content.decode()
    best = weak.faces.get().resemblances.get(rank=1)
    title = f"No strong lookalike — closest: {best.actor_name}, {best.similarity:.0f}%"
    assert meta(html, "og:title") == title and "<title>No strong lookalike · " in html
    assert "Looks" not in meta(html, "og:title")
    # Same photo, same actor: the cards differ only where the words are.
    cards = [picture(stored(m.share_image.name)).convert("L") for m in (strong, weak)]
    faces, words = (0, 0, 560, 630), (600, 100, 1200, 540)
    difference = [
        np.abs(np.subtract(*(np.asarray(c.crop(box), dtype=float) for c in cards))).mean()
        for box in (faces, words)
    ]
    assert difference[0] < 2 < difference[1]


def test_card_lines_agree_with_the_page():
    strong = card_lines(actor_name="Jennifer Aniston", similarity=81.4, weak=False, with_face=False)
    assert (strong.lead, strong.score, strong.joint, strong.name) == (
        "Someone looks",
        "81%",
        "like",
        "Jennifer Aniston",
    )
    assert strong.title == "Looks 81% like Jennifer Aniston"
    shown = card_lines(actor_name="Jennifer Aniston", similarity=81.4, weak=False, with_face=True)
    assert shown.lead == "This face looks" and "visitor's face" in shown.alt
    weak = card_lines(actor_name="Ariel Sharon", similarity=30.2, weak=True, with_face=False)
    assert weak.score == "" and weak.lead == "No strong lookalike"
    assert weak.title == "No strong lookalike — closest: Ariel Sharon, 30%"
    assert "no strong lookalike" in weak.alt


def test_cards_have_their_sizes_with_and_without_faces():
    face = Image.new("RGB", (90, 90), (200, 160, 140))  # small: shown smaller, not blown up
    for weak in (False, True):
        for visitor in (None, face):
            lines = card_lines(actor_name="A", similarity=50, weak=weak, with_face=bool(visitor))
            drawn = {"lines": lines, "actor_face": face, "visitor_face": visitor, "credit": "CC0"}
            assert picture(share_card(**drawn)).size == (1200, 630)
            assert picture(story_card(**drawn)).size == (1080, 1920)


def test_the_reference_photos_credit_is_on_the_card(client, upload, indexed_catalogue):
    from actors.models import ActorImage

    ActorImage.objects.update(attribution="Gage Skidmore", licence="CC BY-SA 3.0")
    upload(PORTRAIT)
    credited = latest()
    ActorImage.objects.update(attribution="", licence="")
    upload(PORTRAIT)
    bare = latest()
    strip = (0, 600, 1200, 630)  # the line under the pictures
    pixels = [
        picture(stored(m.share_image.name)).convert("L").crop(strip).getextrema()
        for m in (credited, bare)
    ]
    assert pixels[0][1] - pixels[0][0] > 60  # text
    assert pixels[1][1] - pixels[1][0] < 30  # plain background


def test_a_large_reference_photo_still_gives_the_card_the_actors_face(upload, indexed_catalogue):
    from actors.models import ActorImage
    from face_engine.faces import find_faces

    upload(PORTRAIT)
    reference = ActorImage.objects.get(
        pk=latest().faces.get().resemblances.get(rank=1).reference_image_id
    )
    # The same reference photo as a 12 MP original: decoded at a reduced scale for the card.
    small = picture(stored(reference.file.name)).convert("RGB")
    factor = 4032 // max(small.size)
    large = small.resize((small.width * factor, small.height * factor), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    large.save(buffer, "JPEG", quality=90)
    reference.file.save("large.jpg", ContentFile(buffer.getvalue()), save=False)
    box = {f"face_{side}": getattr(reference, f"face_{side}") * factor for side in SIDES}
    ActorImage.objects.filter(pk=reference.pk).update(file=reference.file.name, **box)

    upload(PORTRAIT)
    story = stored(latest().faces.get().story_image.name)
    portrait = picture(story).convert("RGB").crop((160, 300, 920, 1200))  # the actor's panel
    buffer = io.BytesIO()
    portrait.save(buffer, "JPEG")
    on_card = find_faces(buffer.getvalue()).faces
    actors_face = find_faces(stored(reference.file.name), max_faces=1).faces[0]
    assert len(on_card) == 1
    assert np.linalg.norm(on_card[0].encoding - actors_face.encoding) < 0.4


# --- the privacy page --------------------------------------------------------------------------


def test_the_privacy_page_states_what_settings_decide(client, settings):
    settings.LOOKALIKE_ANONYMOUS_RETENTION_DAYS = 3
    settings.LOOKALIKE_STORED_PHOTO_SIZE = 1500
    settings.SESSION_COOKIE_AGE = 30 * 86400
    page = client.get(reverse("privacy")).content.decode()
    assert "3 days. Then the photo" in page and "goes by itself after 3 days" in page
    assert "at most 1500 pixels" in page and "after 30 days without a visit" in page
    settings.LOOKALIKE_ANONYMOUS_RETENTION_DAYS = 1
    page = client.get(reverse("privacy")).content.decode()
    assert "1 day. Then the photo" in page
    for item in ("upload", "photo", "faces", "numbers", "result", "share", "reports", "session"):
        assert f'data-item="{item}"' in page
