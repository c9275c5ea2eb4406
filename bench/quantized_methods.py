"""Other reduced-precision scans with a bound on their error, measured beside the project's.

Each is a faiss index over the embeddings (sorted by actor, as the project's index keeps them)
plus, per row, e_x >= ||x - x̂||, x̂ being what faiss decodes. faiss computes d(q, x̂)² in float32
from the float query; its rounding is bounded as in face_engine/exact_search.py, and the kernel's
own decoding may differ from faiss's `sa_decode` by a few float32 ulps (DECODE_SLACK). With those,
every row has a lower and an upper bound on its true distance, and the candidates are found as in
face_engine/quantized_scan.py: actors with a row whose lower bound is at most the k-th smallest
actor upper bound, then measured in float64.

For the 4-bit scans the bound leaves so many rows that a shortlist would have to hold most of the
catalogue: `count_left` counts the rows it leaves from d(q, x̂) in float64 (faiss's own rounding,
and fast-scan's 8-bit lookup tables, left out: the true count is at least that), and only the scan
itself is timed.
"""

from __future__ import annotations

import time

import faiss
import numpy as np

from face_engine.exact_search import rank_actors

_U = 2.0**-24
DECODE_SLACK = 1e-5
SHORTLIST = 512


def _factories(d: int) -> dict:
    sq = faiss.ScalarQuantizer
    return {
        "faiss SQ 8-bit": (lambda: faiss.IndexScalarQuantizer(d, sq.QT_8bit), 128),
        "faiss SQ 8-bit uniform": (lambda: faiss.IndexScalarQuantizer(d, sq.QT_8bit_uniform), 128),
        "faiss SQ fp16": (lambda: faiss.IndexScalarQuantizer(d, sq.QT_fp16), 256),
        "faiss SQ 4-bit": (lambda: faiss.IndexScalarQuantizer(d, sq.QT_4bit), 64),
        "faiss PQ32x4 fast-scan": (lambda: faiss.IndexPQFastScan(d, 32, 4), 16),
    }


METHODS = tuple(_factories(128))
COUNT_ONLY = ("faiss SQ 4-bit", "faiss PQ32x4 fast-scan")


class BoundedFaissScan:
    def __init__(self, name: str, vectors: np.ndarray, starts: np.ndarray, ends: np.ndarray):
        make, self.bytes_per_face = _factories(vectors.shape[1])[name]
        self.name, self.vectors, self.starts, self.ends = name, vectors, starts, ends
        t = time.perf_counter()
        self.index = make()
        sample = vectors[:: max(1, len(vectors) // 200_000)]
        self.index.train(sample)
        self.index.add(vectors)
        self.errors = np.empty(len(vectors), dtype=np.float64)
        self.largest_decoded = 0.0
        for lo in range(0, len(vectors), 65536):
            block = vectors[lo : lo + 65536]
            decoded = self._decoded(block)
            self.errors[lo : lo + 65536] = np.linalg.norm(block - decoded, axis=1)
            self.largest_decoded = max(self.largest_decoded, np.linalg.norm(decoded, axis=1).max())
        self.errors += DECODE_SLACK
        self.largest_error = float(self.errors.max())
        self.build_seconds = time.perf_counter() - t
        self.count_only = name in COUNT_ONLY

    def _decoded(self, block):
        """x̂ of each row, as faiss decodes it."""
        coder = self.index.pq if isinstance(self.index, faiss.IndexPQFastScan) else self.index
        if coder is self.index:
            return coder.sa_decode(coder.sa_encode(block)).astype(np.float64)
        return coder.decode(coder.compute_codes(block)).astype(np.float64)

    def _bounds(self, query, squared):
        d = self.vectors.shape[1]
        gamma = (d + 2) * _U / (1 - (d + 2) * _U)
        margin = 4.0 * gamma * (np.linalg.norm(query) + self.largest_decoded) ** 2 + 1e-7
        squared = squared.astype(np.float64)
        return np.sqrt(np.maximum(squared - margin, 0)), np.sqrt(squared + margin)

    def search(self, query, top, stats=None):
        """Exact top actors (as face_engine.exact_search.rank_actors) through the bound."""
        query = np.asarray(query, dtype=np.float32)
        total, shortlist = len(self.vectors), min(SHORTLIST, len(self.vectors))
        scans = 0
        while True:
            scans += 1
            squared, rows = self.index.search(query[None, :], shortlist)
            rows = rows[0]
            near, far = self._bounds(query, squared[0])
            lower, upper = near - self.errors[rows], far + self.errors[rows]
            slots = np.searchsorted(self.starts, rows, side="right") - 1
            order = np.argsort(upper, kind="stable")
            _, first = np.unique(slots[order], return_index=True)
            actor_upper = np.sort(upper[order][first])
            tau = actor_upper[min(top, len(actor_upper)) - 1]
            if shortlist == total or (
                len(actor_upper) >= top and near[-1] - self.largest_error > tau
            ):
                break
            shortlist = min(shortlist * 4, total)
        left = lower <= tau
        candidates = np.unique(slots[left])
        if stats is not None:
            stats.append((scans, int(left.sum()), len(candidates)))
        return rank_actors(self.vectors, self.starts, self.ends, candidates, query, top)

    def scan(self, query, top):
        """The faiss scan alone (what a 4-bit method costs before any exact check)."""
        return self.index.search(np.asarray(query, dtype=np.float32)[None, :], SHORTLIST)

    def count_left(self, query, top):
        """(rows, actors) the bound leaves, from float64 distances to the decoded rows."""
        query = np.asarray(query, dtype=np.float64)
        distances = np.empty(len(self.vectors))
        for lo in range(0, len(self.vectors), 65536):
            decoded = self._decoded(self.vectors[lo : lo + 65536])
            distances[lo : lo + 65536] = np.linalg.norm(decoded - query, axis=1)
        lower, upper = distances - self.errors, distances + self.errors
        per_actor_upper = np.minimum.reduceat(upper, self.starts)
        tau = np.partition(per_actor_upper, top - 1)[top - 1]
        left = lower <= tau
        slots = np.searchsorted(self.starts, np.flatnonzero(left), side="right") - 1
        return int(left.sum()), len(np.unique(slots))
