"""Choosing actors from IMDb's public dataset files, by popularity, with DuckDB.

IMDb publishes tab-separated files (gzip or plain; `\\N` is null). A person's popularity is the
sum, over every title where they are credited as `actor` or `actress`, of the title's number of
votes times its average rating; each title counts once per person, however many credits they
hold in it. `title.principals` has close to 100 million rows, so the work is one DuckDB query
that streams the files with bounded memory (spilling to disk when it must), never a Python loop
over rows. Plain Python: no Django here.
"""

from __future__ import annotations

import gzip
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

ACTING = ("actor", "actress")
# The columns each file must start with, in IMDb's order, and their types.
COLUMNS = {
    "names": {
        "nconst": "VARCHAR",
        "primaryName": "VARCHAR",
        "birthYear": "INTEGER",
        "deathYear": "INTEGER",
        "primaryProfession": "VARCHAR",
        "knownForTitles": "VARCHAR",
    },
    "principals": {
        "tconst": "VARCHAR",
        "ordering": "INTEGER",
        "nconst": "VARCHAR",
        "category": "VARCHAR",
        "job": "VARCHAR",
        "characters": "VARCHAR",
    },
    "ratings": {"tconst": "VARCHAR", "averageRating": "DOUBLE", "numVotes": "BIGINT"},
    "titles": {
        "tconst": "VARCHAR",
        "titleType": "VARCHAR",
        "primaryTitle": "VARCHAR",
        "originalTitle": "VARCHAR",
        "isAdult": "INTEGER",
        "startYear": "INTEGER",
        "endYear": "INTEGER",
        "runtimeMinutes": "INTEGER",
        "genres": "VARCHAR",
    },
}
KNOWN_FOR = 4


class ImdbFileError(ValueError):
    """A file that is not the IMDb TSV it should be; the message names the file and line."""


@dataclass(frozen=True)
class KnownFor:
    imdb_id: str
    title: str = ""
    year: int | None = None

    def as_dict(self) -> dict:
        return {"imdb_id": self.imdb_id, "title": self.title, "year": self.year}


@dataclass(frozen=True)
class ImdbActor:
    imdb_id: str
    name: str
    profession: str  # "actor" or "actress"
    popularity: float
    birth_year: int | None
    known_for: list[KnownFor] = field(default_factory=list)


@dataclass(frozen=True)
class ImdbFiles:
    names: Path
    principals: Path
    ratings: Path
    titles: Path | None = None


def check_header(kind: str, path: Path) -> None:
    """Refuse a file whose first line is not the header IMDb gives that file."""
    expected = list(COLUMNS[kind])
    try:
        opener = gzip.open if _is_gzip(path) else open
        with opener(path, "rt", encoding="utf-8", newline="\n") as handle:
            header = handle.readline().rstrip("\r\n").split("\t")
    except (OSError, UnicodeDecodeError, EOFError) as exc:
        raise ImdbFileError(f"{path}: cannot be read as a text file ({exc}).") from exc
    if header != expected:
        raise ImdbFileError(
            f"{path}, line 1: not an IMDb {kind} file: the header should be "
            f"{' '.join(expected)!r}, not {' '.join(header)[:200]!r}."
        )


def _is_gzip(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(2) == b"\x1f\x8b"


def _relation(connection, kind: str, path: Path) -> str:
    """A DuckDB view over one file, every bad row kept aside to be reported."""
    columns = ", ".join(f"'{name}': '{kind_}'" for name, kind_ in COLUMNS[kind].items())
    compression = "gzip" if _is_gzip(path) else "none"
    literal = "'" + str(path).replace("'", "''") + "'"
    connection.execute(
        f"""
        CREATE VIEW {kind} AS SELECT * FROM read_csv(
            {literal}, delim = '\t', header = true, quote = '', escape = '', nullstr = '\\N',
            columns = {{{columns}}}, compression = '{compression}',
            store_rejects = true, rejects_scan = '{kind}_scan', rejects_table = '{kind}_rejects'
        )
        """
    )
    return kind


def _raise_rejects(connection, files: dict[str, Path]) -> None:
    for kind, path in files.items():
        row = connection.execute(
            f"SELECT line, error_message FROM {kind}_rejects ORDER BY line LIMIT 1"
        ).fetchone()
        if row:
            line, message = row
            first = message.splitlines()[0] if message else "unreadable row"
            raise ImdbFileError(f"{path}, line {line}: {first}")


def top_actors(
    files: ImdbFiles,
    *,
    top: int,
    min_votes: int = 0,
    memory_limit: str = "640MB",
    threads: int = 2,
    progress: bool = False,
) -> list[ImdbActor]:
    """The `top` most popular actors and actresses, most popular first.

    Titles with fewer than `min_votes` votes do not count. Raises ImdbFileError for a file that
    is not an IMDb TSV (wrong header, wrong number of columns, a value of the wrong type).
    """
    named = {"names": files.names, "principals": files.principals, "ratings": files.ratings}
    if files.titles is not None:
        named["titles"] = files.titles
    for kind, path in named.items():
        check_header(kind, path)
    with tempfile.TemporaryDirectory(prefix="imdb-") as spill:
        connection = duckdb.connect(config={"memory_limit": memory_limit, "threads": threads})
        try:
            connection.execute(f"SET temp_directory = '{spill}'")
            connection.execute(f"SET enable_progress_bar = {str(progress).lower()}")
            for kind, path in named.items():
                _relation(connection, kind, path)
            rows = _select(connection, top, min_votes, with_titles="titles" in named)
            _raise_rejects(connection, named)
        except duckdb.Error as exc:
            raise ImdbFileError(f"The IMDb files could not be read: {exc}") from exc
        finally:
            connection.close()
    return [_actor(row) for row in rows]


def _select(connection, top: int, min_votes: int, *, with_titles: bool) -> list[tuple]:
    title_join = (
        "LEFT JOIN titles t ON t.tconst = k.tconst"
        if with_titles
        else "LEFT JOIN (SELECT NULL::VARCHAR AS tconst, NULL::VARCHAR AS primaryTitle, "
        "NULL::INTEGER AS startYear) t ON false"
    )
    # Each step is one streaming pass: acting credits of rated titles, one row per person and
    # title, summed per person; only then the few top people are joined with names and titles.
    return connection.execute(
        f"""
        WITH credits AS (
            SELECT p.nconst, p.tconst, any_value(r.numVotes * r.averageRating) AS score,
                   count(*) FILTER (WHERE p.category = 'actress') AS as_actress,
                   count(*) FILTER (WHERE p.category = 'actor') AS as_actor
            FROM principals p JOIN ratings r USING (tconst)
            WHERE p.category IN ('actor', 'actress') AND r.numVotes >= ?
            GROUP BY p.nconst, p.tconst
        ),
        people AS (
            SELECT nconst, sum(score) AS popularity, sum(as_actress) AS as_actress,
                   sum(as_actor) AS as_actor
            FROM credits GROUP BY nconst
            ORDER BY popularity DESC, nconst LIMIT ?
        ),
        chosen AS (
            SELECT p.*, n.primaryName, n.birthYear, n.knownForTitles
            FROM people p JOIN names n USING (nconst)
        ),
        best_titles AS (
            SELECT c.nconst, c.tconst,
                   row_number() OVER (PARTITION BY c.nconst ORDER BY c.score DESC, c.tconst) AS n
            FROM credits c SEMI JOIN chosen USING (nconst)
        ),
        known AS (
            SELECT h.nconst, k.tconst, k.position
            FROM chosen h,
                 LATERAL (
                    SELECT unnest(string_split(h.knownForTitles, ',')) AS tconst,
                           generate_subscripts(string_split(h.knownForTitles, ','), 1) AS position
                 ) k
            WHERE h.knownForTitles IS NOT NULL AND h.knownForTitles <> ''
            UNION ALL
            SELECT b.nconst, b.tconst, b.n AS position
            FROM best_titles b JOIN chosen h USING (nconst)
            WHERE (h.knownForTitles IS NULL OR h.knownForTitles = '') AND b.n <= {KNOWN_FOR}
        ),
        known_titles AS (
            SELECT k.nconst,
                   list({{'tconst': k.tconst, 'title': t.primaryTitle, 'year': t.startYear}}
                        ORDER BY k.position) AS titles
            FROM known k {title_join}
            WHERE k.position <= {KNOWN_FOR}
            GROUP BY k.nconst
        )
        SELECT h.nconst, h.primaryName,
               CASE WHEN h.as_actress > h.as_actor THEN 'actress' ELSE 'actor' END,
               h.popularity, h.birthYear, coalesce(kt.titles, [])
        FROM chosen h LEFT JOIN known_titles kt USING (nconst)
        ORDER BY h.popularity DESC, h.nconst
        """,
        [min_votes, top],
    ).fetchall()


def _actor(row: tuple) -> ImdbActor:
    nconst, name, profession, popularity, birth_year, titles = row
    return ImdbActor(
        imdb_id=nconst,
        name=name,
        profession=profession,
        popularity=float(popularity),
        birth_year=birth_year,
        known_for=[
            KnownFor(imdb_id=t["tconst"], title=t["title"] or "", year=t["year"]) for t in titles
        ],
    )
