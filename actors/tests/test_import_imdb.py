"""Choosing actors from IMDb's files by popularity, and keeping the catalogue free of twins."""

import pytest
from django.core.management import CommandError, call_command

from actors.models import Actor
from testkit.imdb_files import credit, person, rating, title, write_imdb

pytestmark = pytest.mark.django_db


@pytest.fixture
def imdb(tmp_path):
    """Four people: two actors, an actress and a director; ratings that rank them."""
    names = [
        person("nm0000001", "Ann Lead", 1975, "actress", "tt0000002,tt0000001"),
        person("nm0000002", "Bob Second", 1960, "actor", None),
        person("nm0000003", "Dan Director", 1950, "director", "tt0000001"),
        person("nm0000004", "Cy Minor", None, "actor", "tt0000004"),
    ]
    principals = [
        credit("tt0000001", "nm0000001", "actress"),
        credit("tt0000001", "nm0000002", "actor", 2),
        credit("tt0000001", "nm0000002", "actor", 3),  # a second credit in the same title
        credit("tt0000002", "nm0000001", "actress"),
        credit("tt0000002", "nm0000003", "director", 2),
        credit("tt0000003", "nm0000002", "self"),  # appearing as oneself does not count
        credit("tt0000003", "nm0000003", "archive_footage", 2),
        credit("tt0000004", "nm0000004", "actor"),
        credit("tt0000005", "nm0000002", "actor"),
    ]
    ratings = [
        rating("tt0000001", 8.0, 1000),
        rating("tt0000002", 6.5, 200),
        rating("tt0000003", 9.0, 100000),
        rating("tt0000004", 5.0, 10),
        rating("tt0000005", 7.0, 150),
    ]
    titles = [
        title("tt0000001", "First Film", 1997),
        title("tt0000002", "Second Film", 2001),
        title("tt0000005", "Fifth Film", 2010),
    ]
    return write_imdb(
        tmp_path / "imdb", names=names, principals=principals, ratings=ratings, titles=titles
    )


def run(files, *args, **kwargs):
    options = [f"--{kind}={path}" for kind, path in files.items()]
    return call_command("import_imdb", *options, *args, **kwargs)


def test_the_most_popular_actors_come_in_with_their_details(imdb, capsys):
    run(imdb, "--top=2")
    ann, bob = Actor.objects.order_by("-popularity")
    # 1000 x 8.0 + 200 x 6.5; Bob's two credits in one title count once, and his own
    # appearance as himself not at all: 1000 x 8.0 + 150 x 7.0.
    assert (ann.name, ann.imdb_id, ann.profession, ann.birth_year) == (
        "Ann Lead",
        "nm0000001",
        "actress",
        1975,
    )
    assert ann.popularity == pytest.approx(9300.0)
    assert bob.popularity == pytest.approx(9050.0) and bob.profession == "actor"
    assert [t["title"] for t in ann.known_for] == ["Second Film", "First Film"]
    assert ann.known_for[0] == {"imdb_id": "tt0000002", "title": "Second Film", "year": 2001}
    # No knownForTitles: his best-scored titles instead.
    assert [t["title"] for t in bob.known_for] == ["First Film", "Fifth Film"]
    assert not Actor.objects.filter(name__in=["Dan Director", "Cy Minor"]).exists()
    assert "2 actors chosen: 2 added, 0 updated" in capsys.readouterr().out


def test_titles_below_the_vote_minimum_do_not_count(imdb):
    run(imdb, "--top=3", "--min-votes=150")
    assert Actor.objects.count() == 2
    assert Actor.objects.get(imdb_id="nm0000001").popularity == pytest.approx(9300.0)


def test_a_second_run_updates_and_adds_nobody_twice(imdb, capsys):
    run(imdb, "--top=2")
    Actor.objects.filter(imdb_id="nm0000001").update(name="Old Name", popularity=1)
    run(imdb, "--top=3")
    assert Actor.objects.count() == 3
    assert Actor.objects.get(imdb_id="nm0000001").name == "Ann Lead"
    assert "3 actors chosen: 1 added, 2 updated" in capsys.readouterr().out.splitlines()[-1]


def test_an_actor_imported_from_a_folder_gets_the_imdb_id(imdb, capsys):
    folder_actor = Actor.objects.create(name="Bob Second", slug="bob-second")
    run(imdb, "--top=2")
    folder_actor.refresh_from_db()
    assert folder_actor.imdb_id == "nm0000002" and folder_actor.popularity > 0
    assert Actor.objects.filter(name="Bob Second").count() == 1
    assert "(1 of them given their IMDb id)" in capsys.readouterr().out


def test_an_actor_is_matched_by_imdb_id_not_by_name(imdb):
    Actor.objects.create(name="Someone Renamed", slug="renamed", imdb_id="nm0000002")
    Actor.objects.create(name="Ann Lead", slug="ann-lead", imdb_id="nm0009999")
    run(imdb, "--top=2")
    assert Actor.objects.get(imdb_id="nm0000002").name == "Bob Second"
    assert Actor.objects.filter(name="Ann Lead").count() == 2  # a namesake, not the same person
    assert Actor.objects.get(imdb_id="nm0000001").slug == "ann-lead-2"


def test_plain_files_and_no_titles_file_work_too(tmp_path):
    files = write_imdb(
        tmp_path,
        names=[person("nm0000010", "Solo Star", 1980, "actor", "tt0000010")],
        principals=[credit("tt0000010", "nm0000010", "actor")],
        ratings=[rating("tt0000010", 7.5, 40)],
        gzipped=False,
    )
    run(files, "--top=5")
    star = Actor.objects.get()
    assert star.popularity == pytest.approx(300.0)
    assert star.known_for == [{"imdb_id": "tt0000010", "title": "", "year": None}]


def test_a_file_that_is_not_an_imdb_tsv_is_named_with_its_line(imdb, tmp_path):
    wrong_header = tmp_path / "wrong.tsv"
    wrong_header.write_text("id\tname\nnm1\tx\n")
    with pytest.raises(CommandError, match=r"wrong\.tsv, line 1: not an IMDb ratings file"):
        run({**imdb, "ratings": wrong_header}, "--top=2")

    short_row = tmp_path / "short.tsv"
    short_row.write_text("tconst\taverageRating\tnumVotes\ntt0000001\t8.0\t1000\ntt0000002\t6.5\n")
    with pytest.raises(CommandError, match=r"short\.tsv, line 3: .*[Cc]olumns"):
        run({**imdb, "ratings": short_row}, "--top=2")
    assert not Actor.objects.exists()


def test_missing_files_and_bad_numbers_are_refused(imdb, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run({**imdb, "names": tmp_path / "nowhere.tsv.gz"}, "--top=2")
    with pytest.raises(CommandError, match="--top must be at least 1"):
        run(imdb, "--top=0")
