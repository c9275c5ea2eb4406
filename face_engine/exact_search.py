"""Exact nearest actors by a full scan whose rounding error is bounded, so the answer is exact.

The scan is one matrix-vector product over every stored embedding, in float32:
d² ≈ ||x||² + ||q||² - 2 q·x. That is the fastest form numpy has (memory-bound, like faiss's
flat index), but rounded. Its error is bounded: a float32 dot product of n terms is off by at
most γ(n)·Σ|q_i x_i| ≤ γ(n)·||q||·||x||, with γ(n) = n·u / (1 - n·u) and u = 2⁻²⁴, and the
squared norms likewise, so every approximate d² is within `margin` of the true one. Hence:
if τ is the k-th smallest approximate actor minimum, the true k-th is at most τ + margin, and
every actor whose true distance is at most that has an approximate minimum of at most
τ + 2·margin. Those few candidates are then measured exactly (float64 differences), which
decides the order: by distance, then actor id; within an actor, the closest embedding, the
lowest item id on a tie. The guarantee comes from the bound, not from a tuned parameter.

The index now scans 8-bit codes instead (face_engine/quantized_scan.py), 2-3x faster from 200k
faces up; this float32 scan stays as the benchmarks' comparison, and `rank_actors` measures the
actors either scan leaves open.

Bounds per actor (centre and radius) and low-dimension projections were measured as filters
and rejected: on dlib-like 128-d data they left 45-90 % of faces to check (docs/benchmarks.md).
"""

from __future__ import annotations

import numpy as np

_U = 2.0**-24  # float32 unit roundoff


def squared_norms(vectors: np.ndarray) -> np.ndarray:
    return np.einsum("ij,ij->i", vectors, vectors, dtype=np.float32)


def rounding_margin(query: np.ndarray, largest_norm: float, dimensions: int) -> float:
    """An upper bound on |approximate d² - true d²| for any stored row."""
    gamma = (dimensions + 2) * _U / (1 - (dimensions + 2) * _U)
    q = float(np.linalg.norm(query.astype(np.float64)))
    # dot product (times 2), the row's squared norm, the query's, and the final additions.
    return 4.0 * gamma * (q + largest_norm) ** 2 + 1e-7


def exact_distances(vectors: np.ndarray, rows: np.ndarray, query: np.ndarray) -> np.ndarray:
    """True distances of the given rows, in float64 (the reference brute force uses the same)."""
    diff = vectors[rows].astype(np.float64) - query.astype(np.float64)
    return np.sqrt(np.einsum("ij,ij->i", diff, diff))


def rank_actors(vectors, starts, ends, slots, query, top):
    """Exact (slot, row, distance) of the `top` nearest among the given actor slots."""
    lengths = ends[slots] - starts[slots]
    offsets = np.cumsum(lengths) - lengths
    rows = np.repeat(starts[slots] - offsets, lengths) + np.arange(lengths.sum())
    distances = exact_distances(vectors, rows, query)
    best = np.minimum.reduceat(distances, offsets)
    order = np.lexsort((slots, best))[:top]  # slots are in actor-id order
    out = []
    for i in order:
        lo = offsets[i]
        row = rows[lo + int(np.argmin(distances[lo : lo + lengths[i]]))]
        out.append((int(slots[i]), int(row), float(best[i])))
    return out


def nearest_actors(vectors, norms, largest_norm, starts, ends, query, top):
    """The exact `top` nearest actors as (slot, row, distance), best first."""
    query = np.asarray(query, dtype=np.float32)
    approx = norms - 2.0 * (vectors @ query)  # + ||q||², the same for every row
    approx += np.float32(query @ query)
    per_actor = np.minimum.reduceat(approx, starts)
    k = min(top, len(starts))
    kth = np.partition(per_actor, k - 1)[k - 1]
    margin = rounding_margin(query, largest_norm, vectors.shape[1])
    slots = np.flatnonzero(per_actor <= kth + 2 * margin)
    return rank_actors(vectors, starts, ends, slots, query, top)
