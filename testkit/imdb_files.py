"""IMDb dataset files written by the tests: the same header, tabs and `\\N` as the real ones."""

from __future__ import annotations

import gzip
from pathlib import Path

from actors.imdb import COLUMNS

FILE_NAMES = {
    "names": "name.basics.tsv",
    "principals": "title.principals.tsv",
    "ratings": "title.ratings.tsv",
    "titles": "title.basics.tsv",
}


def write_tsv(path: Path, header: list[str], rows: list[list], *, gzipped: bool) -> Path:
    lines = ["\t".join(header)]
    lines += ["\t".join("\\N" if value is None else str(value) for value in row) for row in rows]
    text = "\n".join(lines) + "\n"
    if gzipped:
        path = path.with_name(path.name + ".gz")
        with gzip.open(path, "wt", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def write_imdb(folder: Path, *, names, principals, ratings, titles=None, gzipped=True) -> dict:
    """Write the files; returns {kind: path}. Rows are lists in IMDb's column order."""
    folder.mkdir(parents=True, exist_ok=True)
    tables = {"names": names, "principals": principals, "ratings": ratings, "titles": titles}
    return {
        kind: write_tsv(folder / FILE_NAMES[kind], list(COLUMNS[kind]), rows, gzipped=gzipped)
        for kind, rows in tables.items()
        if rows is not None
    }


def person(nconst, name, birth=None, profession="actor", known=None):
    return [nconst, name, birth, None, profession, known]


def credit(tconst, nconst, category, ordering=1):
    return [tconst, ordering, nconst, category, None, None]


def rating(tconst, average, votes):
    return [tconst, average, votes]


def title(tconst, name, year):
    return [tconst, "movie", name, name, 0, year, None, 100, "Drama"]
