"""Measure the IMDb selection (actors/imdb.py) on generated files of the real files' shape.

Generates, with DuckDB, gzip TSV files with IMDb's headers: --principals rows of
title.principals (about 40 % actor/actress credits, the rest other categories, some people
credited twice in a title), --names people and --ratings rated titles, then runs `top_actors`
in a fresh process and reports its wall time and peak memory (the process's maximum resident
set, DuckDB's native memory included), and a linear projection to the full files.

Run from the repository root:
    .venv/bin/python bench/imdb_import.py [--principals 10000000] [--names 1000000]
        [--ratings 1000000] [--top 10000] [--dir /tmp/imdb-bench]
Files already generated in --dir with the same sizes are reused.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

# The real files, as published (sizes of late 2026, rounded): what the projection scales to.
FULL = {"principals": 97_000_000, "names": 14_500_000, "ratings": 1_600_000}


def generate(folder: Path, principals: int, names: int, ratings: int) -> dict[str, Path]:
    import duckdb

    folder.mkdir(parents=True, exist_ok=True)
    paths = {
        "names": folder / "name.basics.tsv.gz",
        "principals": folder / "title.principals.tsv.gz",
        "ratings": folder / "title.ratings.tsv.gz",
    }
    stamp = folder / "sizes.json"
    sizes = {"principals": principals, "names": names, "ratings": ratings}
    if stamp.exists() and json.loads(stamp.read_text()) == sizes:
        return paths
    titles = max(ratings * 3, 1)  # most titles have no rating, as in the real files
    db = duckdb.connect(config={"threads": 2, "memory_limit": "2GB"})
    options = "(FORMAT csv, DELIMITER '\t', HEADER, QUOTE '', COMPRESSION gzip, NULLSTR '\\N')"
    db.execute(
        f"""COPY (
            SELECT printf('nm%07d', i) AS nconst, 'Person ' || i AS primaryName,
                   CASE WHEN i % 5 = 0 THEN NULL ELSE 1900 + i % 100 END AS birthYear,
                   NULL AS deathYear, CASE WHEN i % 2 = 0 THEN 'actress' ELSE 'actor' END
                       AS primaryProfession,
                   CASE WHEN i % 3 = 0 THEN NULL
                        ELSE printf('tt%07d,tt%07d', (i * 7) % {titles}, (i * 13) % {titles})
                   END AS knownForTitles
            FROM range({names}) t(i)
        ) TO '{paths["names"]}' {options}"""
    )
    db.execute(
        f"""COPY (
            SELECT printf('tt%07d', (i * 3) % {titles}) AS tconst,
                   round(1 + (hash(i) % 90) / 10.0, 1) AS averageRating,
                   5 + hash(i * 31) % 200000 AS numVotes
            FROM range({ratings}) t(i)
        ) TO '{paths["ratings"]}' {options}"""
    )
    # Popularity is skewed as in life: a person's id is drawn with a power law.
    db.execute(
        f"""COPY (
            SELECT printf('tt%07d', i // 10 % {titles}) AS tconst, i % 10 + 1 AS ordering,
                   printf('nm%07d', CAST(floor(pow(random(), 3) * {names}) AS BIGINT))
                       AS nconst,
                   CASE i % 10 WHEN 0 THEN 'actor' WHEN 1 THEN 'actress' WHEN 2 THEN 'actor'
                       WHEN 3 THEN 'actress' WHEN 4 THEN 'director' WHEN 5 THEN 'writer'
                       WHEN 6 THEN 'self' WHEN 7 THEN 'producer' WHEN 8 THEN 'composer'
                       ELSE 'archive_footage' END AS category,
                   NULL AS job, NULL AS characters
            FROM range({principals}) t(i)
        ) TO '{paths["principals"]}' {options}"""
    )
    db.close()
    stamp.write_text(json.dumps(sizes))
    return paths


def measure_in_child(paths: dict[str, Path], top: int) -> dict:
    """Run the selection in a fresh process, so its peak memory is its own."""
    code = (
        "import json, resource, sys, time\n"
        "from pathlib import Path\n"
        f"sys.path.insert(0, {str(REPO)!r})\n"
        "from actors.imdb import ImdbFiles, top_actors\n"
        f"files = ImdbFiles(Path({str(paths['names'])!r}), Path({str(paths['principals'])!r}),"
        f" Path({str(paths['ratings'])!r}))\n"
        "start = time.perf_counter()\n"
        f"chosen = top_actors(files, top={top})\n"
        "seconds = time.perf_counter() - start\n"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024\n"
        "print(json.dumps({'seconds': seconds, 'peak_bytes': peak, 'chosen': len(chosen),"
        " 'first': chosen[0].name if chosen else None}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--principals", type=int, default=10_000_000)
    parser.add_argument("--names", type=int, default=1_000_000)
    parser.add_argument("--ratings", type=int, default=1_000_000)
    parser.add_argument("--top", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/imdb-bench"))
    args = parser.parse_args()

    started = time.perf_counter()
    paths = generate(args.dir, args.principals, args.names, args.ratings)
    print(f"files ready in {time.perf_counter() - started:.1f} s:")
    for path in paths.values():
        print(f"  {path.name}: {path.stat().st_size / 1e6:.0f} MB")
    runs = [measure_in_child(paths, args.top) for _ in range(args.runs)]
    seconds = sorted(r["seconds"] for r in runs)
    peak = max(r["peak_bytes"] for r in runs)
    median = seconds[len(seconds) // 2]
    scale = FULL["principals"] / args.principals
    print(
        f"top {args.top} of {args.principals:,} principals, {args.names:,} names, "
        f"{args.ratings:,} ratings: median {median:.1f} s over {args.runs} runs "
        f"({', '.join(f'{s:.1f}' for s in seconds)}), peak memory {peak / 2**20:.0f} MiB"
    )
    print(
        f"projection to the full files ({FULL['principals']:,} principals): about "
        f"{median * scale:.0f} s if time grows linearly with the principals file"
    )
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}")
    self_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"(this process peaked at {self_peak / 1024:.0f} MiB generating the files)")


if __name__ == "__main__":
    main()
