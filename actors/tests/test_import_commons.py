"""`import_commons`: freely licensed photos of the catalogue's actors from Wikidata and Wikimedia
Commons, against a loopback server answering as both do (testkit/wikimedia.py)."""

import csv
import io

import pytest
from django.core.management import call_command

from actors.models import ActorImage, SkippedPhoto
from actors.wikimedia import licence_is_free
from testkit.factories import ActorFactory
from testkit.web import Answer, FakeWeb
from testkit.wikimedia import CommonsPhoto, FakeWikimedia

pytestmark = pytest.mark.django_db
AGENT = "LookalikeTests/1.0 (catalogue import tests; curators@example.org)"


@pytest.fixture
def web():
    server = FakeWeb()
    yield server
    server.close()


@pytest.fixture
def wikimedia(web, settings):
    fake = FakeWikimedia(web)
    settings.LOOKALIKE_WIKIDATA_API = fake.wikidata_api
    settings.LOOKALIKE_COMMONS_API = fake.commons_api
    settings.LOOKALIKE_HTTP_USER_AGENT = AGENT
    settings.LOOKALIKE_DOWNLOAD_READ_TIMEOUT = 5.0
    settings.LOOKALIKE_DOWNLOAD_BACKOFF_SECONDS = 0.05
    return fake


def photo(faces_dir, name: str, **details) -> CommonsPhoto:
    return CommonsPhoto(photo=(faces_dir / name).read_bytes(), **details)


def run_import(*args) -> str:
    out = io.StringIO()
    call_command("import_commons", *args, stdout=out)
    return out.getvalue()


def test_free_photos_come_with_credit_licence_and_page_and_others_are_skipped(
    wikimedia, web, faces_dir
):
    leo = ActorFactory(name="Leonardo DiCaprio", imdb_id="nm0000138", popularity=9)
    damon = ActorFactory(name="Matt Damon", imdb_id="nm0000354", popularity=8)
    ActorFactory(name="Nobody Known", imdb_id="nm0000001", popularity=7)
    ActorFactory(name="Folder Only")  # no IMDb id: not looked up
    wikimedia.person(
        "nm0000138",
        "Q38111",
        {
            "Leonardo DiCaprio 2017.jpg": photo(faces_dir, "gallery/Leonardo_DiCaprio/1.jpg"),
            "Leo at Cannes.jpg": photo(
                faces_dir,
                "gallery/Leonardo_DiCaprio/3.jpg",
                licence="CC BY-NC 2.0",
                licence_url="https://creativecommons.org/licenses/by-nc/2.0",
            ),
        },
    )
    wikimedia.person(
        "nm0000354",
        "Q175535",
        {
            "Matt Damon TIFF.jpg": photo(
                faces_dir,
                "gallery/Matt_Damon/1.jpg",
                licence="Public domain",
                licence_url="",
                artist="<b>Gage</b> &amp; Co.",
                credit="",
            )
        },
    )

    output = run_import()

    assert "Nobody Known (nm0000001): no Wikidata item with IMDb id nm0000001" in output
    assert (
        "Leonardo DiCaprio (nm0000138): skipped "
        "https://commons.wikimedia.org/wiki/File:Leo_at_Cannes.jpg: licence not accepted: "
        "CC BY-NC 2.0 (accepted: CC0, public domain, CC BY, CC BY-SA)"
    ) in output
    assert "3 actors looked up (1 without photos to fetch): 2 photos added, 1 skipped" in output
    stored = ActorImage.objects.get(actor=leo)
    assert stored.origin == ActorImage.Origin.COMMONS
    assert stored.status == ActorImage.Status.ACTIVE
    assert stored.licence == "CC BY-SA 4.0"
    assert stored.licence_url == "https://creativecommons.org/licenses/by-sa/4.0"
    assert stored.attribution == "Example Person (Own work)"  # the HTML is gone
    assert stored.source_page == (
        "https://commons.wikimedia.org/wiki/File:Leonardo_DiCaprio_2017.jpg"
    )
    assert stored.source == wikimedia.thumb_url("Leonardo DiCaprio 2017.jpg")
    public_domain = ActorImage.objects.get(actor=damon)
    assert (public_domain.licence, public_domain.attribution) == ("Public domain", "Gage & Co.")
    assert SkippedPhoto.objects.get().reason.startswith("licence not accepted: CC BY-NC 2.0")
    # Commons was asked for thumbnails 1000 px wide with their licence metadata.
    asked = web.seen("/commons/w/api.php")
    assert len(asked) == 2  # one question per actor with images, for all their files
    assert {a.query["iiurlwidth"] for a in asked} == {"1000"}
    assert all("extmetadata" in a.query["iiprop"] for a in asked)
    # Every request, to Wikidata, Commons and the thumbnails, named the site and a contact.
    assert {seen.headers.get("user-agent") for seen in web.requests} == {AGENT}
    searched = [s.query.get("srsearch") for s in web.seen("/wikidata/w/api.php")]
    assert "haswbstatement:P345=nm0000138" in searched and len(set(searched) - {None}) == 3


def test_a_generic_user_agent_is_refused_and_said_so_without_a_crash(
    wikimedia, faces_dir, settings
):
    settings.LOOKALIKE_HTTP_USER_AGENT = "python-requests/2.34.2"
    ActorFactory(name="Matt Damon", imdb_id="nm0000354")
    wikimedia.person(
        "nm0000354", "Q175535", {"Damon.jpg": photo(faces_dir, "gallery/Matt_Damon/1.jpg")}
    )
    output = run_import()
    assert "Matt Damon (nm0000354): Wikimedia did not answer: HTTP 403 Forbidden" in output
    assert ActorImage.objects.count() == 0


def test_an_answer_that_is_not_json_stops_only_that_actor(wikimedia, faces_dir):
    ActorFactory(name="Leonardo DiCaprio", imdb_id="nm0000138", popularity=9)
    ActorFactory(name="Matt Damon", imdb_id="nm0000354", popularity=8)
    wikimedia.broken.add("nm0000138")
    wikimedia.person(
        "nm0000354", "Q175535", {"Damon.jpg": photo(faces_dir, "gallery/Matt_Damon/1.jpg")}
    )
    output = run_import()
    assert "Leonardo DiCaprio (nm0000138): Wikimedia did not answer: " in output
    assert "did not answer with JSON" in output
    assert "2 actors looked up (1 without photos to fetch): 1 photos added" in output


def test_photos_per_actor_are_capped_and_a_second_run_fetches_nothing(wikimedia, web, faces_dir):
    ActorFactory(name="Matt Damon", imdb_id="nm0000354")
    files = {f"Damon {n}.jpg": photo(faces_dir, f"gallery/Matt_Damon/{n}.jpg") for n in (1, 2, 3)}
    wikimedia.person("nm0000354", "Q175535", files)

    first = run_import("--per-actor", "2", "--review")

    assert "2 photos added" in first
    assert set(ActorImage.objects.values_list("status", flat=True)) == {"pending"}
    requests_before = len(web.requests)
    second = run_import("--per-actor", "2")
    assert "0 photos added, 0 skipped, 0 already known" in second
    assert len(web.requests) == requests_before  # the actor has its two: nobody was asked

    third = run_import("--per-actor", "3")
    assert "1 photos added" in third and ActorImage.objects.count() == 3
    assert web.hits("/upload/thumb/Damon_1.jpg/1000px.jpg") == 1  # stored ones not fetched again


def test_the_same_photo_from_two_sources_is_stored_once(wikimedia, web, faces_dir, tmp_path):
    ActorFactory(name="Matt Damon", imdb_id="nm0000354")
    listed = web.route(
        "/elsewhere/damon.jpg", Answer(body=(faces_dir / "gallery/Matt_Damon/1.jpg").read_bytes())
    )
    photo_list = tmp_path / "photos.csv"
    with photo_list.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["imdb_id", "url", "licence", "licence_url", "credit", "source_page"])
        writer.writerow(["nm0000354", listed, "CC BY 2.0", "", "A. Photographer", ""])
    call_command("import_photo_urls", str(photo_list), stdout=io.StringIO())
    wikimedia.person(
        "nm0000354",
        "Q175535",
        {
            "Damon.jpg": photo(faces_dir, "gallery/Matt_Damon/1.jpg"),  # the same bytes
            "Damon again.jpg": photo(faces_dir, "gallery/Matt_Damon/1.jpg"),
            "Damon 2.jpg": photo(faces_dir, "gallery/Matt_Damon/2.jpg"),
        },
    )

    output = run_import("--per-actor", "3")

    assert "1 photos added, 0 skipped, 2 already known" in output
    sources = dict(ActorImage.objects.values_list("origin", "source"))
    assert ActorImage.objects.count() == 2
    assert sources == {"url": listed, "commons": wikimedia.thumb_url("Damon 2.jpg")}


@pytest.mark.parametrize(
    "licence, free",
    [
        ("CC0", True),
        ("Public domain", True),
        ("PD-US", True),
        ("CC BY 2.0", True),
        ("CC BY-SA 4.0", True),
        ("CC BY-SA 2.0 fr", True),
        ("CC BY-SA 3.0 igo", True),
        ("CC BY-NC 2.0", False),
        ("CC BY-ND 4.0", False),
        ("CC BY-NC-SA 3.0", False),
        ("GFDL", False),
        ("Fair use", False),
        ("", False),
    ],
)
def test_only_cc0_public_domain_cc_by_and_cc_by_sa_are_free(licence, free):
    assert licence_is_free(licence) is free
