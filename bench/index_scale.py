"""Exact nearest actors at catalogue scale: build, size, load and per-query latency.

For each size (faces; 20 faces an actor), dlib-like synthetic embeddings (face_engine/
synthetic.py) are generated, the project's index is built (FaceIndex.build, trees=--trees),
saved and loaded memory-mapped, then timed query by query on the loaded index against two exact
references: a numpy brute-force scan (float32 squared distances, per-actor minimum) and faiss's
IndexFlatL2 with one thread (the top `top x 20` faces hold the top `top` actors). Queries are
faces of people in no catalogue and new faces of catalogue actors. Every answer of the project's
search is checked against FaceIndex.exact_search (float64 brute force) on --check queries, and
its actor ids against both references on all of them.

Run pinned to one core, from the repository root:
  OPENBLAS_NUM_THREADS=1 taskset -c 1 .venv/bin/python bench/index_scale.py --sizes 20000 200000
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

from face_engine import synthetic  # noqa: E402
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


def run(faces: int, args) -> None:
    import faiss

    faiss.omp_set_num_threads(1)
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
    raw_mb = vectors.nbytes / 2**20
    reset_peak()
    before = status("VmRSS")
    t = time.perf_counter()
    index = FaceIndex.build(vectors, item_ids, actor_ids, trees=args.trees)
    build = time.perf_counter() - t
    peak = status("VmHWM") - before
    with tempfile.TemporaryDirectory() as tmp:
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
        top = args.top
        sorted_vectors = np.asarray(index.vectors)
        sorted_actors = np.asarray(index.actor_ids)
        starts = np.flatnonzero(np.r_[True, np.diff(sorted_actors) != 0])
        flat = faiss.IndexFlatL2(sorted_vectors.shape[1])
        flat.add(sorted_vectors)
        methods = {
            "project search": lambda q: index.search(q, top=top),
            "numpy brute force": lambda q: numpy_brute_force(
                sorted_vectors, starts, sorted_actors, q, top
            ),
            "faiss IndexFlatL2": lambda q: faiss_flat(flat, sorted_actors, q, top),
        }
        for _ in range(2):  # warm the page cache and the code paths
            for fn in methods.values():
                fn(queries[0])
        results = {}
        for name, fn in methods.items():
            results[name] = timed(fn, queries[: args.queries]) + timed(fn, queries[args.queries :])
        ours = [h for h in results["project search"][2] + results["project search"][5]]
        ours_ids = [[h.actor_id for h in hits] for hits in ours]
        for name in ("numpy brute force", "faiss IndexFlatL2"):
            theirs = results[name][2] + results[name][5]
            agree = sum(a == b for a, b in zip(ours_ids, theirs, strict=True))
            print(f"  actor ids equal to {name}: {agree}/{len(theirs)}")
        check = min(args.check, len(queries))
        same = sum(
            index.search(q, top=top) == index.exact_search(q, top=top) for q in queries[:check]
        )
        print(f"  equal to float64 brute force (actors, distances, items): {same}/{check}")
        base = results["project search"]
        print(
            f"  {'method':20} {'outsiders p50/p99 ms':>22} {'insiders p50/p99 ms':>22}  p99 vs ours"
        )
        for name, (o50, o99, _, i50, i99, _) in results.items():
            print(
                f"  {name:20} {o50:10.3f} {o99:10.3f} {i50:10.3f} {i99:10.3f}"
                f"  {o99 / base[1]:6.2f}x"
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
    args = parser.parse_args()
    print(
        f"python {sys.version.split()[0]}, numpy {np.__version__}, cpus {os.sched_getaffinity(0)}"
    )
    for faces in args.sizes:
        run(faces, args)


if __name__ == "__main__":
    main()
