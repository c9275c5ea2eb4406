"""Nearest-actor search: exactly the nearest actors, at any catalogue size.

`search` scans an 8-bit code of every stored embedding with a bound on its quantization error
and measures the few actors that bound leaves open exactly (face_engine/quantized_scan.py), so
its answer is the brute-force answer by construction. Embeddings are stored sorted by actor, so
each actor's are contiguous.

Annoy is kept for `approximate_search` (annoy nominates candidate actors, each then measured
exactly), the method used before: for a face that belongs to nobody in the catalogue (every
real visitor) annoy's candidates can miss the nearest actor, more often as the catalogue grows.
An index built with trees=0 has no annoy part.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np
from annoy import AnnoyIndex

from . import exact_search, quantized_scan
from .limits import DEFAULT_TREES, EMBEDDING_SIZE

log = logging.getLogger(__name__)

FILES = (
    "faces.ann",
    "vectors.npy",
    "codes.faiss",
    "code_errors.npy",
    "item_ids.npy",
    "actor_ids.npy",
    "meta.json",
)
# Written by versions saved before the 8-bit codes; deleted with them.
FORMER_FILES = ("norms.npy",)
DEFAULT_CANDIDATES = 200
# annoy inspects up to search_k nodes; its default is trees * n, here trees * n * factor.
DEFAULT_SEARCH_FACTOR = 4


@dataclass(frozen=True)
class ActorHit:
    actor_id: int
    distance: float
    item_id: int  # the actor's closest item (an embedding id)


@dataclass(frozen=True)
class Codes:
    """The 8-bit codes of the embeddings (scanned by faiss) and the bounds on their error."""

    scan: faiss.IndexScalarQuantizer
    bounds: quantized_scan.Bounds

    @classmethod
    def of(cls, vectors: np.ndarray) -> Codes:
        quantization = quantized_scan.Quantization.fit(vectors)
        codes = quantization.codes(vectors)
        errors = quantization.errors(vectors, codes)
        bounds = quantized_scan.Bounds(quantization, errors, float(errors.max()))
        return cls(quantized_scan.code_scan(codes), bounds)

    @classmethod
    def load(cls, directory: Path, quantization: dict) -> Codes:
        scan = faiss.read_index(
            str(directory / "codes.faiss"), faiss.IO_FLAG_MMAP_IFC | faiss.IO_FLAG_READ_ONLY
        )
        errors = np.load(directory / "code_errors.npy", mmap_mode="r")
        quantization = quantized_scan.Quantization.from_json(quantization)
        return cls(scan, quantized_scan.Bounds(quantization, errors, float(errors.max())))


class FaceIndex:
    def __init__(self, annoy: AnnoyIndex | None, vectors, codes, item_ids, actor_ids, params):
        self._annoy = annoy
        self.vectors = vectors
        self.codes = codes
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
        annoy = None
        if trees:
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
        return cls(annoy, vectors, Codes.of(vectors), item_ids, actor_ids, params)

    def save(self, directory: str | os.PathLike) -> list[Path]:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        names = list(FILES)
        if self._annoy is None:
            names.remove("faces.ann")
        else:
            self._annoy.save(str(directory / "faces.ann"))
        np.save(directory / "vectors.npy", self.vectors)
        faiss.write_index(self.codes.scan, str(directory / "codes.faiss"))
        np.save(directory / "code_errors.npy", self.codes.bounds.errors)
        np.save(directory / "item_ids.npy", self.item_ids)
        np.save(directory / "actor_ids.npy", self.actor_ids)
        meta = {**self.params, "quantization": self.codes.bounds.quantization.as_json()}
        (directory / "meta.json").write_text(json.dumps(meta, sort_keys=True))
        return [directory / name for name in names]

    @classmethod
    def load(cls, directory: str | os.PathLike) -> FaceIndex:
        """Memory-map a saved index, so processes on one machine share its pages."""
        directory = Path(directory)
        params = json.loads((directory / "meta.json").read_text())
        quantization = params.pop("quantization", None)
        annoy = None
        if params.get("trees"):
            annoy = AnnoyIndex(EMBEDDING_SIZE, params["metric"])
            annoy.load(str(directory / "faces.ann"))
        vectors = np.load(directory / "vectors.npy", mmap_mode="r")
        item_ids = np.load(directory / "item_ids.npy", mmap_mode="r")
        actor_ids = np.load(directory / "actor_ids.npy", mmap_mode="r")
        if quantization is None or not (directory / "codes.faiss").exists():
            log.warning(
                "index in %s was saved without 8-bit codes: coding its %d embeddings in memory "
                "(`build_index --force` stores them)",
                directory,
                len(vectors),
            )
            codes = Codes.of(vectors)
        else:
            codes = Codes.load(directory, quantization)
        return cls(annoy, vectors, codes, item_ids, actor_ids, params)

    def candidate_actors(self, query: np.ndarray, candidates: int | None = None) -> np.ndarray:
        if self._annoy is None:
            raise ValueError("this index was built without annoy (trees=0)")
        count = min(candidates or self.params["candidates"], len(self))
        search_k = count * self.params["trees"] * self.params["search_factor"]
        positions = self._annoy.get_nns_by_vector(query, count, search_k=search_k)
        return np.unique(self.actor_ids[positions])

    def search(self, query: np.ndarray, top: int = 3) -> list[ActorHit]:
        """Exactly the `top` nearest actors, best first (distance, then actor id), each at the
        distance of its closest embedding."""
        found = quantized_scan.nearest_actors(
            self.codes.scan, self.codes.bounds, self.vectors, self._starts, self._ends, query, top
        )
        return self._hits(found)

    def approximate_search(
        self, query: np.ndarray, top: int = 3, candidates: int | None = None
    ) -> list[ActorHit]:
        """Annoy's candidate actors, each measured exactly: can miss the true nearest actors."""
        query = np.asarray(query, dtype=np.float32)
        slots = np.searchsorted(self._actors, self.candidate_actors(query, candidates))
        return self._rank(query, slots, top)

    def exact_search(self, query: np.ndarray, top: int = 3) -> list[ActorHit]:
        """Brute force over every embedding, in float64: the reference `search` must equal."""
        query = np.asarray(query, dtype=np.float32)
        return self._rank(query, np.arange(len(self._actors)), top)

    def _rank(self, query: np.ndarray, slots: np.ndarray, top: int) -> list[ActorHit]:
        return self._hits(
            exact_search.rank_actors(self.vectors, self._starts, self._ends, slots, query, top)
        )

    def _hits(self, found) -> list[ActorHit]:
        return [
            ActorHit(
                actor_id=int(self._actors[slot]),
                distance=distance,
                item_id=int(self.item_ids[row]),
            )
            for slot, row, distance in found
        ]
