"""For build_catalogue's tests: IMDb files naming people of the shared gallery, and the same
people on the loopback Wikidata and Commons (testkit/wikimedia.py), their gallery photos served
as Commons files, with the settings or environment that point the importer at that server."""

from __future__ import annotations

from pathlib import Path

from testkit.imdb_files import credit, person, rating, title, write_imdb
from testkit.wikimedia import CommonsPhoto, FakeWikimedia

# Three people with twelve gallery photos each, most popular first, and two who are not chosen
# with --top 3: a director and a less popular actor.
PEOPLE = [
    ("nm0000101", "Madonna", 1958, "actress", "tt0000101", 9.0, 50000, "Evita", 1996),
    ("nm0000102", "Elton John", 1947, "actor", "tt0000102", 8.0, 40000, "Rocketman", 2019),
    ("nm0000103", "Mindy Kaling", 1979, "actress", "tt0000103", 7.0, 30000, "Late Night", 2019),
    ("nm0000104", "Jerry Seinfeld", 1954, "actor", "tt0000104", 6.0, 100, "Bee Movie", 2007),
]
IMDB_IDS = {name: imdb_id for imdb_id, name, *_ in PEOPLE}
# Wikimedia asks for a User-Agent naming the software and a contact; the fake refuses others.
USER_AGENT = "LookalikeTests/1.0 (catalogue build tests; curators@example.org)"


def write_people_imdb(folder: Path, *, gzipped: bool = True) -> dict:
    names, principals, ratings, titles = [], [], [], []
    for imdb_id, name, born, job, tconst, score, votes, film, year in PEOPLE:
        names.append(person(imdb_id, name, born, job, tconst))
        principals.append(credit(tconst, imdb_id, job))
        ratings.append(rating(tconst, score, votes))
        titles.append(title(tconst, film, year))
    names.append(person("nm0000105", "Dee Rector", 1940, "director", "tt0000101"))
    principals.append(credit("tt0000101", "nm0000105", "director", 2))
    return write_imdb(
        folder,
        names=names,
        principals=principals,
        ratings=ratings,
        titles=titles,
        gzipped=gzipped,
    )


def people_on_commons(
    wikimedia: FakeWikimedia, gallery: Path, photos: dict[str, list[str | CommonsPhoto]]
) -> None:
    """Give each person (by name, from PEOPLE) a Wikidata item whose images (P18) are these,
    in this order: paths under `gallery` ("Madonna/1.jpg", served under a free licence), or
    CommonsPhotos. The files are named after the person they are filed under, "Madonna 3.jpg",
    whoever the photo shows: a path from someone else's folder is a photo misfiled on Commons."""
    for name, listed in photos.items():
        imdb_id = IMDB_IDS[name]
        files = {}
        for number, entry in enumerate(listed, 1):
            photo = entry
            if isinstance(entry, str):
                photo = CommonsPhoto(photo=(gallery / entry).read_bytes())
            files[commons_name(name, number)] = photo
        wikimedia.person(imdb_id, "Q" + imdb_id.removeprefix("nm"), files)


def commons_name(name: str, number: int) -> str:
    """The Commons file name of a person's `number`th image (from 1)."""
    return f"{name} {number}.jpg"


def searched(wikimedia: FakeWikimedia, since: int = 0) -> list[str]:
    """The IMDb ids Wikidata was searched for, in order, from the `since`th request on."""
    return [
        seen.query["srsearch"].removeprefix("haswbstatement:P345=")
        for seen in wikimedia.web.requests[since:]
        if "srsearch" in seen.query
    ]


def wikimedia_settings(wikimedia: FakeWikimedia) -> dict:
    """The settings that send an importer to the loopback server. Retries wait little, so that
    a failure shows quickly."""
    return {
        "LOOKALIKE_WIKIDATA_API": wikimedia.wikidata_api,
        "LOOKALIKE_COMMONS_API": wikimedia.commons_api,
        "LOOKALIKE_HTTP_USER_AGENT": USER_AGENT,
        "LOOKALIKE_DOWNLOAD_BACKOFF_SECONDS": 0.05,
    }


def wikimedia_env(wikimedia: FakeWikimedia) -> dict[str, str]:
    """The same settings as environment variables, for a command run in another process."""
    return {name: str(value) for name, value in wikimedia_settings(wikimedia).items()}
