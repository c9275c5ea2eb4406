"""Exact nearest actors by an 8-bit scan whose quantization error is bounded, so the answer is
exact.

Every embedding x is stored a second time as 128 bytes: x ≈ x̂ = offset + step·c, c in 0..255,
one step for all dimensions, so that distances between codes are Euclidean distances scaled by
`step`. The query is coded the same way, and faiss's `QT_8bit_direct` kernel (integer
arithmetic: a quarter of the float32 bytes, 2-3x faster than faiss's float32 flat scan) returns
||c(q) - c(x)||² exactly: integers below 2²⁴. The build keeps e_x, an upper bound on ||x - x̂||,
per row, and each query its own e_q; by the triangle inequality
|d(q, x) - step·||c(q) - c(x)||| <= e_q + e_x, so every row has a lower and an upper bound on its
true distance. If τ is the k-th smallest upper bound among distinct actors, the true k-th
distance is at most τ, and only actors with a row whose lower bound is at most τ can be in the
top k: those are measured exactly in float64 (exact_search.rank_actors).

faiss returns the nearest `shortlist` codes, not all of them: a row it did not return is at least
as far in code space as the last one returned, so its lower bound is at least that one's minus
the largest e_x. When that does not clear τ (or the shortlist holds fewer than k actors) the scan
is repeated with a longer shortlist; the guarantee comes from the bounds, not from the
shortlist's length.
"""

from __future__ import annotations

from dataclasses import dataclass

import faiss
import numpy as np

from .exact_search import rank_actors

# One query at a time per process: web and worker processes already use every core, and faiss's
# OpenMP threads would only compete with them (and slow single queries down).
faiss.omp_set_num_threads(1)

LEVELS = 255
BLOCK = 65536  # rows converted at a time when coding
SHORTLIST = 512  # rows faiss returns at first; grown when the bounds need more


@dataclass(frozen=True)
class Quantization:
    offset: np.ndarray  # float64, per dimension
    step: float

    @classmethod
    def fit(cls, vectors: np.ndarray) -> Quantization:
        low = vectors.min(axis=0).astype(np.float64)
        high = vectors.max(axis=0).astype(np.float64)
        step = float((high - low).max()) / LEVELS or 1.0
        # Each dimension's range sits in the middle of 0..255, so a query a little outside the
        # catalogue's range still has a close code.
        return cls((low + high) / 2 - step * LEVELS / 2, step)

    def codes(self, vectors: np.ndarray) -> np.ndarray:
        out = np.empty(vectors.shape, dtype=np.uint8)
        for lo in range(0, len(vectors), BLOCK):  # float64 temporaries a block at a time
            scaled = (vectors[lo : lo + BLOCK].astype(np.float64) - self.offset) / self.step
            out[lo : lo + BLOCK] = np.clip(np.rint(scaled), 0, LEVELS)
        return out

    def errors(self, vectors: np.ndarray, codes: np.ndarray) -> np.ndarray:
        """Per row, a float32 number at least ||x - x̂|| (float64, rounded up)."""
        out = np.empty(len(vectors), dtype=np.float32)
        for lo in range(0, len(vectors), BLOCK):
            difference = vectors[lo : lo + BLOCK] - (
                self.offset + self.step * codes[lo : lo + BLOCK]
            )
            exact = np.sqrt(np.einsum("ij,ij->i", difference, difference))
            out[lo : lo + BLOCK] = np.nextafter((exact * (1 + 1e-12)).astype(np.float32), np.inf)
        return out

    def as_json(self) -> dict:
        return {"offset": self.offset.tolist(), "step": self.step}

    @classmethod
    def from_json(cls, data: dict) -> Quantization:
        return cls(np.asarray(data["offset"], dtype=np.float64), float(data["step"]))


def code_scan(codes: np.ndarray) -> faiss.IndexScalarQuantizer:
    """A faiss index over the codes; it stores each code as the integer it is given."""
    scan = faiss.IndexScalarQuantizer(codes.shape[1], faiss.ScalarQuantizer.QT_8bit_direct)
    for lo in range(0, len(codes), BLOCK):
        scan.add(codes[lo : lo + BLOCK].astype(np.float32))
    return scan


@dataclass(frozen=True)
class Bounds:
    quantization: Quantization
    errors: np.ndarray  # per row, at least ||x - x̂||
    largest_error: float


def nearest_actors(scan, bounds: Bounds, vectors, starts, ends, query, top, stats=None):
    """The exact `top` nearest actors as (slot, row, distance), best first. `stats`, if given,
    receives (scans made, rows left by the bounds, actors measured exactly)."""
    query = np.asarray(query, dtype=np.float32)
    quantization = bounds.quantization
    code = quantization.codes(query[None, :])
    query_error = float(quantization.errors(query[None, :], code)[0])
    code = code.astype(np.float32)
    total = scan.ntotal
    k = min(top, len(starts))
    shortlist = min(SHORTLIST * max(1, top // 3), total)
    scans = 0
    while True:
        scans += 1
        squared, rows = scan.search(code, shortlist)
        centre = quantization.step * np.sqrt(squared[0].astype(np.float64)) * (1 + 1e-12)
        rows = rows[0]
        errors = bounds.errors[rows] + query_error
        lower, upper = centre * (1 - 2e-12) - errors, centre + errors
        slots = np.searchsorted(starts, rows, side="right") - 1
        order = np.argsort(upper, kind="stable")
        _, first = np.unique(slots[order], return_index=True)
        actor_upper = np.sort(upper[order][first])
        complete = shortlist == total
        beyond = centre[-1] * (1 - 2e-12) - query_error - bounds.largest_error
        if len(actor_upper) >= k:
            tau = actor_upper[k - 1]
            if complete or beyond > tau:
                break
        elif complete:
            tau = np.inf
            break
        shortlist = min(shortlist * 4, total)
    left = lower <= tau
    candidates = np.unique(slots[left])
    if stats is not None:
        stats.append((scans, int(np.count_nonzero(left)), len(candidates)))
    return rank_actors(vectors, starts, ends, candidates, query, top)
