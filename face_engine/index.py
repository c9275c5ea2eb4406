"""Nearest-actor search: annoy proposes candidates, stored embeddings decide exactly.

Annoy alone is approximate, and for a face that belongs to nobody in the catalogue (every real
visitor) its first hit is often not the nearest actor. So annoy's neighbours only nominate
candidate actors; each candidate's distance is then computed exactly over all of that actor's
embeddings, which are stored contiguously (items are sorted by actor) for that purpose.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from annoy import AnnoyIndex

from .limits import DEFAULT_TREES, EMBEDDING_SIZE

FILES = ("faces.ann", "vectors.npy", "item_ids.npy", "actor_ids.npy", "meta.json")
DEFAULT_CANDIDATES = 200
# annoy inspects up to search_k nodes; its default is trees * n, here trees * n * factor.
DEFAULT_SEARCH_FACTOR = 4


@dataclass(frozen=True)
class ActorHit:
    actor_id: int
    distance: float
    item_id: int  # the actor's closest item (an embedding id)


class FaceIndex:
    def __init__(self, annoy: AnnoyIndex, vectors, item_ids, actor_ids, params: dict):
        self._annoy = annoy
        self.vectors = vectors
        self.item_ids = item_ids
        self.actor_ids = actor_ids
        self.params = params
        actors, starts = np.unique(actor_ids, return_index=True)
        self._actors = actors
        self._starts = starts
        self._ends = np.append(starts[1:], len(actor_ids))

    def __len__(self) -> int:
        return len(self.item_ids)

    @property
    def actor_count(self) -> int:
        return len(self._actors)

    @classmethod
    def build(
        cls,
        vectors: np.ndarray,
        item_ids: np.ndarray,
        actor_ids: np.ndarray,
        *,
        trees: int = DEFAULT_TREES,
        candidates: int = DEFAULT_CANDIDATES,
        search_factor: int = DEFAULT_SEARCH_FACTOR,
        seed: int = 1,
    ) -> FaceIndex:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        item_ids = np.asarray(item_ids, dtype=np.int64)
        actor_ids = np.asarray(actor_ids, dtype=np.int64)
        if vectors.ndim != 2 or vectors.shape[1] != EMBEDDING_SIZE:
            raise ValueError(f"expected an (n, {EMBEDDING_SIZE}) array, got {vectors.shape}")
        if not (len(vectors) == len(item_ids) == len(actor_ids)) or len(vectors) == 0:
            raise ValueError("vectors, item ids and actor ids must be non-empty and of one length")
        order = np.lexsort((item_ids, actor_ids))
        vectors, item_ids, actor_ids = vectors[order], item_ids[order], actor_ids[order]
        annoy = AnnoyIndex(EMBEDDING_SIZE, "euclidean")
        annoy.set_seed(seed)
        for position, vector in enumerate(vectors):
            annoy.add_item(position, vector)
        annoy.build(trees, n_jobs=1)
        params = {
            "metric": "euclidean",
            "trees": trees,
            "candidates": candidates,
            "search_factor": search_factor,
            "seed": seed,
        }
        return cls(annoy, vectors, item_ids, actor_ids, params)

    def save(self, directory: str | os.PathLike) -> list[Path]:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        self._annoy.save(str(directory / "faces.ann"))
        np.save(directory / "vectors.npy", self.vectors)
        np.save(directory / "item_ids.npy", self.item_ids)
        np.save(directory / "actor_ids.npy", self.actor_ids)
        (directory / "meta.json").write_text(json.dumps(self.params, sort_keys=True))
        return [directory / name for name in FILES]

    @classmethod
    def load(cls, directory: str | os.PathLike) -> FaceIndex:
        """Memory-map a saved index, so processes on one machine share its pages."""
        directory = Path(directory)
        params = json.loads((directory / "meta.json").read_text())
        annoy = AnnoyIndex(EMBEDDING_SIZE, params["metric"])
        annoy.load(str(directory / "faces.ann"))
        vectors = np.load(directory / "vectors.npy", mmap_mode="r")
        item_ids = np.load(directory / "item_ids.npy")
        actor_ids = np.load(directory / "actor_ids.npy")
        return cls(annoy, vectors, item_ids, actor_ids, params)

    def candidate_actors(self, query: np.ndarray, candidates: int | None = None) -> np.ndarray:
        count = min(candidates or self.params["candidates"], len(self))
        search_k = count * self.params["trees"] * self.params["search_factor"]
        positions = self._annoy.get_nns_by_vector(query, count, search_k=search_k)
        return np.unique(self.actor_ids[positions])

    def search(
        self, query: np.ndarray, top: int = 3, candidates: int | None = None
    ) -> list[ActorHit]:
        """The `top` nearest actors, each at the exact distance of its closest embedding."""
        query = np.asarray(query, dtype=np.float32)
        slots = np.searchsorted(self._actors, self.candidate_actors(query, candidates))
        return self._rank(query, slots, top)

    def exact_search(self, query: np.ndarray, top: int = 3) -> list[ActorHit]:
        """Brute force over every embedding: the reference that `search` must agree with."""
        query = np.asarray(query, dtype=np.float32)
        return self._rank(query, np.arange(len(self._actors)), top)

    def _rank(self, query: np.ndarray, slots: np.ndarray, top: int) -> list[ActorHit]:
        starts, ends = self._starts[slots], self._ends[slots]
        lengths = ends - starts
        rows = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
        distances = np.linalg.norm(self.vectors[rows] - query, axis=1)
        segment_starts = np.cumsum(lengths) - lengths
        best = np.minimum.reduceat(distances, segment_starts)
        hits = []
        for slot_index in np.argsort(best, kind="stable")[:top]:
            lo = segment_starts[slot_index]
            row = rows[lo + int(np.argmin(distances[lo : lo + lengths[slot_index]]))]
            hits.append(
                ActorHit(
                    actor_id=int(self._actors[slots[slot_index]]),
                    distance=float(best[slot_index]),
                    item_id=int(self.item_ids[row]),
                )
            )
        return hits
