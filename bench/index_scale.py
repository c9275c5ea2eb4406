"""Exact nearest actors at catalogue scale: build, size, load and per-query latency.

For each size (faces; 20 faces an actor), dlib-like synthetic embeddings (face_engine/
synthetic.py) are generated, the project's index is built (FaceIndex.build, trees=--trees),
saved and loaded memory-mapped, then timed query by query, side by side with (--methods):
  ours     the project's search: 8-bit codes scanned by faiss, bounded, checked in float64
  float32  the float32 scan with a bound on its rounding error (exact_search.nearest_actors)
  flat     faiss's IndexFlatL2 with one thread (the top `top x 20` faces hold the top actors)
  numpy    a numpy brute-force scan (float32 squared distances, per-actor minimum)
  sq8, sq8u, fp16   faiss's scalar quantizers with a per-face error bound (quantized_methods.py)
  sq4, pq  4-bit scans (faiss QT_4bit, PQ32x4 fast-scan): the scan alone is timed, and the rows
           their bound would leave to check are counted on --count queries
For the bounded methods it prints the rows and actors their bound leaves to measure in float64.
Queries are faces of people in no catalogue and new faces of catalogue actors. Every answer of
the exact methods is checked against FaceIndex.exact_search (float64 brute force) on --check
queries, and their actor ids against faiss's flat index on all of them.

Run pinned to one core, from the repository root:
  OPENBLAS_NUM_THREADS=1 taskset -c 1 .venv/bin/python bench/index_scale.py --sizes 20000 200000
  ... --sizes 2000000 --queries 50 --insiders 10 --check 10

With --from-database, the catalogue is the real one instead (DATABASE_URL: every active photo's
current embedding, as an index build takes them, actors.selectors.active_embeddings): a tenth of
the actors (at least one) is held out and their faces are the "outsider" queries, and one face of
each of up to --insiders other actors is held out as an "insider" query.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.quantized_methods import BoundedFaissScan  # noqa: E402
from face_engine import exact_search, quantized_scan, synthetic  # noqa: E402
from face_engine.index import FaceIndex  # noqa: E402

PER_ACTOR = 20


def status(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def reset_peak() -> None:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def numpy_brute_force(vectors, starts, actor_ids, query, top):
    d2 = ((vectors - query) ** 2).sum(axis=1)
    per_actor = np.minimum.reduceat(d2, starts)
    best = np.argpartition(per_actor, top - 1)[:top]
    return actor_ids[starts[best[np.argsort(per_actor[best], kind="stable")]]].tolist()


def faiss_flat(flat, actor_ids, query, top):
    _, rows = flat.search(query[None, :], top * PER_ACTOR)
    seen = []
    for actor in actor_ids[rows[0]]:
        if actor not in seen:
            seen.append(int(actor))
    return seen[:top]


def timed(fn, queries):
    times, answers = [], []
    for q in queries:
        t = time.perf_counter()
        answers.append(fn(q))
        times.append((time.perf_counter() - t) * 1e3)
    return np.percentile(times, 50), np.percentile(times, 99), answers


def generated(faces: int, args):
    """Synthetic catalogue and queries: (vectors, item ids, actor ids, queries, outsiders)."""
    actors = faces // PER_ACTOR
    t = time.perf_counter()
    vectors, item_ids, actor_ids = synthetic.catalogue(actors, PER_ACTOR, seed=args.seed)
    queries = np.concatenate(
        [
            synthetic.outsiders(args.queries, seed=args.seed),
            synthetic.insiders(args.insiders, actors, seed=args.seed),
        ]
    )
    print(
        f"\n== {faces:,} faces of {actors:,} actors (generated in {time.perf_counter() - t:.1f} s)"
    )
    return vectors, item_ids, actor_ids, queries, args.queries


def from_database(args):
    """The real catalogue, with held-out actors (outsiders) and held-out faces (insiders)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lookalike_site.settings")
    django.setup()
    from actors.selectors import active_embeddings

    vectors, item_ids, actor_ids = active_embeddings()
    if len(vectors) == 0:
        raise SystemExit("no active embeddings in this database: import a catalogue first")
    rng = np.random.default_rng(args.seed)
    actors = np.unique(actor_ids)
    held_out = rng.choice(actors, size=max(1, len(actors) // 10), replace=False)
    outside = np.isin(actor_ids, held_out)
    outsiders = vectors[outside][: args.queries]
    kept = np.flatnonzero(~outside)
    # One face each of up to --insiders kept actors with more than one face, held out too.
    firsts = {}
    for row in kept:
        firsts.setdefault(actor_ids[row], []).append(row)
    insider_rows = [rows[0] for rows in firsts.values() if len(rows) > 1][: args.insiders]
    keep = np.setdiff1d(kept, insider_rows)
    queries = np.concatenate([outsiders, vectors[insider_rows]])
    print(
        f"\n== {len(keep):,} faces of {len(np.unique(actor_ids[keep])):,} actors from the "
        f"database; {len(outsiders)} faces of {len(held_out)} held-out actors and "
        f"{len(insider_rows)} held-out faces of catalogue actors as queries"
    )
    return vectors[keep], item_ids[keep], actor_ids[keep], queries, len(outsiders)


METHODS = {
    "ours": "8-bit codes (ours)",
    "float32": "float32 bounded scan",
    "flat": "faiss IndexFlatL2",
    "numpy": "numpy brute force",
    "sq8": "faiss SQ 8-bit",
    "sq8u": "faiss SQ 8-bit uniform",
    "fp16": "faiss SQ fp16",
    "sq4": "faiss SQ 4-bit",
    "pq": "faiss PQ32x4 fast-scan",
}
EXACT = ("ours", "float32", "sq8", "sq8u", "fp16")  # answers through a bound: checked in float64


def build_and_reload(vectors, item_ids, actor_ids, args, tmp):
    """The project's index, built, saved and loaded memory-mapped."""
    raw_mb = vectors.nbytes / 2**20
    reset_peak()
    before = status("VmRSS")
    t = time.perf_counter()
    index = FaceIndex.build(vectors, item_ids, actor_ids, trees=args.trees)
    build = time.perf_counter() - t
    peak = status("VmHWM") - before
    saved = index.save(tmp)
    disk_mb = sum(p.stat().st_size for p in saved) / 2**20
    del index
    t = time.perf_counter()
    index = FaceIndex.load(tmp)
    load = (time.perf_counter() - t) * 1e3
    print(
        f"build {build:.2f} s (trees={args.trees}), build peak over the data {peak:.0f} MB, "
        f"load {load:.1f} ms; on disk {disk_mb:.0f} MB = {disk_mb / raw_mb:.2f}x "
        f"the raw float32 vectors ({raw_mb:.0f} MB)"
    )
    return index, build


def method_functions(index, chosen, top):
    """name -> (search function, stats function or None, bytes read per face, build seconds)."""
    import faiss

    vectors = np.asarray(index.vectors)
    actor_ids = np.asarray(index.actor_ids)
    starts = np.flatnonzero(np.r_[True, np.diff(actor_ids) != 0])
    ends = np.append(starts[1:], len(actor_ids))
    out = {}
    for key in chosen:
        if key == "ours":
            codes = index.codes

            def stats(q, into, codes=codes):
                quantized_scan.nearest_actors(
                    codes.scan, codes.bounds, vectors, starts, ends, q, top, into
                )

            out[key] = (lambda q: index.search(q, top=top), stats, 128, None)
        elif key == "float32":
            t = time.perf_counter()
            norms = exact_search.squared_norms(vectors)
            largest = float(np.sqrt(norms.max()))
            seconds = time.perf_counter() - t
            out[key] = (
                lambda q, norms=norms, largest=largest: index._hits(
                    exact_search.nearest_actors(vectors, norms, largest, starts, ends, q, top)
                ),
                None,
                512,
                seconds,
            )
        elif key == "flat":
            t = time.perf_counter()
            flat = faiss.IndexFlatL2(vectors.shape[1])
            flat.add(vectors)
            seconds = time.perf_counter() - t
            out[key] = (
                lambda q, flat=flat: faiss_flat(flat, actor_ids, q, top),
                None,
                512,
                seconds,
            )
        elif key == "numpy":
            out[key] = (
                lambda q: numpy_brute_force(vectors, starts, actor_ids, q, top),
                None,
                512,
                0.0,
            )
        else:
            scan = BoundedFaissScan(METHODS[key], vectors, starts, ends)
            if scan.count_only:
                scanning = (lambda q, s=scan: s.scan(q, top), scan, scan.bytes_per_face)
                out[key] = (*scanning, scan.build_seconds)
            else:
                out[key] = (
                    lambda q, s=scan: index._hits(s.search(q, top)),
                    lambda q, into, s=scan: s.search(q, top, into),
                    scan.bytes_per_face,
                    scan.build_seconds,
                )
    return out


def left_by_bound(stats_fn, queries, args) -> str:
    """Rows and actors the bound leaves to measure in float64 (mean / p99 of each), and how
    many queries needed a second, longer scan."""
    if stats_fn is None:
        return ""
    if isinstance(stats_fn, BoundedFaissScan):
        found = np.array([stats_fn.count_left(q, args.top) for q in queries[: args.count]])
        rescans = f"scan only; {len(found)} queries counted"
    else:
        into = []
        for q in queries:
            stats_fn(q, into)
        found = np.array([(rows, actors) for _, rows, actors in into])
        rescans = f"{sum(scans > 1 for scans, _, _ in into)} of {len(into)} scanned twice or more"
    rows, actors = found[:, 0], found[:, 1]
    return (
        f"  {rows.mean():.0f} / {np.percentile(rows, 99):.0f},"
        f" {actors.mean():.0f} / {np.percentile(actors, 99):.0f} ({rescans})"
    )


def run(data, args) -> None:
    import faiss

    faiss.omp_set_num_threads(1)
    vectors, item_ids, actor_ids, queries, outsider_count = data
    top = args.top
    with tempfile.TemporaryDirectory() as tmp:
        index, build = build_and_reload(vectors, item_ids, actor_ids, args, tmp)
        methods = method_functions(index, args.methods, top)
        for _ in range(2):  # warm the page cache and the code paths
            for fn, *_ in methods.values():
                fn(queries[0])
        results = {}
        for key, (fn, *_) in methods.items():
            results[key] = timed(fn, queries[:outsider_count]) + timed(fn, queries[outsider_count:])
        check = min(args.check, len(queries))
        truth = [index.exact_search(q, top=top) for q in queries[:check]]
        flat_ids = None
        if "flat" in results:
            flat_ids = results["flat"][2] + results["flat"][5]
        for key in [k for k in EXACT if k in results]:
            answers = results[key][2] + results[key][5]
            same = sum(a == b for a, b in zip(answers[:check], truth, strict=True))
            line = f"  {METHODS[key]}: equal to float64 brute force {same}/{check}"
            if flat_ids is not None:
                ids = [[h.actor_id for h in hits] for hits in answers]
                agree = sum(a == b for a, b in zip(ids, flat_ids, strict=True))
                line += f", actor ids equal to faiss flat {agree}/{len(ids)}"
            print(line)
        base = results.get("float32", results[next(iter(results))])
        print(
            f"  {'method':24} {'B/face':>6} {'build s':>7} {'outsiders p50/p99 ms':>21}"
            f" {'insiders p50/p99 ms':>20} {'p99 vs float32':>14}"
            f"  rows left mean/p99, actors measured mean/p99"
        )
        for key, (o50, o99, _, i50, i99, _) in results.items():
            _, stats_fn, width, seconds = methods[key]
            seconds = build if seconds is None else seconds
            note = left_by_bound(stats_fn, queries[:outsider_count], args)
            print(
                f"  {METHODS[key]:24} {width:6d} {seconds:7.2f} {o50:10.3f} {o99:10.3f}"
                f" {i50:9.3f} {i99:10.3f} {o99 / base[1]:13.2f}x{note}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 200_000])
    parser.add_argument("--queries", type=int, default=200, help="outsider queries")
    parser.add_argument("--insiders", type=int, default=50, help="queries of catalogue actors")
    parser.add_argument("--top", type=int, default=3)
    parser.add_argument("--trees", type=int, default=0, help="annoy trees (0: none)")
    parser.add_argument("--check", type=int, default=250, help="queries checked in float64")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--methods", nargs="+", choices=list(METHODS), default=list(METHODS), help="what to time"
    )
    parser.add_argument(
        "--count", type=int, default=20, help="queries whose rows left are counted (4-bit scans)"
    )
    parser.add_argument(
        "--from-database",
        action="store_true",
        help="the real catalogue's embeddings (DATABASE_URL) instead of generated ones",
    )
    args = parser.parse_args()
    print(
        f"python {sys.version.split()[0]}, numpy {np.__version__}, cpus {os.sched_getaffinity(0)}"
    )
    if args.from_database:
        run(from_database(args), args)
        return
    for faces in args.sizes:
        run(generated(faces, args), args)


if __name__ == "__main__":
    main()
