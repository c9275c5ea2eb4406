"""Suspects: catalogue photos that look like someone other than the actor they are filed under.

Plain Python and numpy, no Django: the caller passes every embedding with its actor and item id.

For each photo i of actor A (distances are Euclidean between 128-d embeddings):

- own(i): the distance from i to A's centre, computed without i. The centre is the medoid of
  A's other photos (the photo with the smallest sum of distances to the rest), so a misfiled
  photo cannot pull the centre toward itself, and one or two intruders do not move it either
  (a mean would). Ties, which always happen when two photos are left, go to the photo nearest
  to i: the kinder reading.
- spread(i): how far A's photos usually sit from that same centre: the median distance of A's
  other photos to it (the centre itself left out). Robust to the intruders it is looking for.
- other(i): the distance from i to the nearest other actor's centre, the medoid of all of that
  actor's photos. A medoid rather than the other actor's nearest photo, so that one lookalike
  photo, or a photo of A misfiled under B, does not make A's own photos look like B's.

    score(i) = (own - other) + (own - spread)

The first term says how much closer the photo is to another actor than to its own (negative for
a well-filed photo). The second says how far beyond its actor's usual distance it sits; it is
what catches a photo of someone who is not in the catalogue at all, who is near no other actor.
Both are in distance units (dlib's same-person threshold is 0.6), so they add up without weights.
Higher is more suspicious. With no other actor in the catalogue, other is taken as 0.6: as if the
nearest stranger stood exactly at the same-person threshold.

Actors with fewer than MIN_PHOTOS (3) photos are not judged: with two photos there is no way to
tell which one is wrong, and nothing is returned for them. They still count as other actors for
everyone else. An actor with exactly 3 photos is judged against the 2 others, its centre being
whichever of the two is nearer (see ties above), its spread the distance between those two.

`clearest` keeps the suspects whose score reaches FLAG_THRESHOLD (0.20), chosen by measurement
(bench/suspects.py; docs/benchmarks.md, "Suspect finder"). On the 142 gallery photos of the
shared test set (21 people, 4-12 photos each), with 10 % of them moved under another person
picked at random, over 20 seeds: correctly filed photos scored at most 0.19 and misfiled ones at
least 0.23. Over 200 seeds 0.20 flags 99.8 % of misfiled photos and 0.06 % of correct ones
(mostly one photo close to another actor's centre, and actors left with as many intruders as
photos of their own). A photo of someone missing from the catalogue, filed under an actor, is
flagged 98 % of the time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

import numpy as np

from face_engine.limits import SAME_PERSON_DISTANCE

MIN_PHOTOS = 3
FLAG_THRESHOLD = 0.20
# Near-equal medoid sums (float rounding) count as ties.
TIE_TOLERANCE = 1e-9
# Rows of the photo-to-centre distance matrix computed at once: bounds memory on big catalogues.
CHUNK_CELLS = 1 << 22


@dataclass(frozen=True)
class Suspect:
    item_id: int
    actor_id: int
    score: float
    own_distance: float  # to the actor's centre, computed without this photo
    own_centre_item_id: int  # the photo that is that centre
    spread: float  # the actor's median distance to that centre
    other_actor_id: int | None  # the nearest other actor (by centre); None if there is none
    other_distance: float | None
    other_centre_item_id: int | None


class Scored(Protocol):
    score: float


S = TypeVar("S", bound=Scored)


def score_outliers(vectors, actor_ids, item_ids) -> list[Suspect]:
    """Score every photo of every actor with at least MIN_PHOTOS photos, most suspicious first.

    vectors: (n, 128) embeddings; actor_ids, item_ids: n integers each. Every photo judged comes
    back as a Suspect, however low its score; `clearest` picks the ones worth flagging.
    """
    vectors = np.asarray(vectors, dtype=np.float64)
    actor_ids = np.asarray(actor_ids, dtype=np.int64)
    item_ids = np.asarray(item_ids, dtype=np.int64)
    if vectors.ndim != 2 or not (len(vectors) == len(actor_ids) == len(item_ids)):
        raise ValueError("expected (n, d) vectors and n actor ids and n item ids")
    if len(vectors) == 0:
        return []

    actors, groups = _groups(actor_ids)
    distances = [_pairwise(vectors[group]) for group in groups]
    centres = np.array([group[_medoid(d)] for group, d in zip(groups, distances, strict=True)])
    other_slot, other_distance = _nearest_other_centre(vectors, actor_ids, actors, centres)

    suspects = []
    for actor, group, within in zip(actors, groups, distances, strict=True):
        if len(group) < MIN_PHOTOS:
            continue
        own_centre, own, spread = _leave_one_out(within)
        for row, position in enumerate(group):
            slot = other_slot[position]
            other = other_distance[position] if slot >= 0 else SAME_PERSON_DISTANCE
            score = (own[row] - other) + (own[row] - spread[row])
            suspects.append(
                Suspect(
                    item_id=int(item_ids[position]),
                    actor_id=int(actor),
                    score=float(score),
                    own_distance=float(own[row]),
                    own_centre_item_id=int(item_ids[group[own_centre[row]]]),
                    spread=float(spread[row]),
                    other_actor_id=int(actors[slot]) if slot >= 0 else None,
                    other_distance=float(other) if slot >= 0 else None,
                    other_centre_item_id=int(item_ids[centres[slot]]) if slot >= 0 else None,
                )
            )
    return sorted(suspects, key=lambda s: (-s.score, s.item_id))


def clearest(
    suspects: Iterable[S], threshold: float = FLAG_THRESHOLD, limit: int | None = None
) -> list[S]:
    """The suspects worth a curator's look: score at least `threshold`, most suspicious first.

    Takes anything with a `score`, so callers can filter their own richer records. The default
    threshold and how it was chosen are in the module's docstring; `limit` caps a long list.
    """
    chosen = sorted((s for s in suspects if s.score >= threshold), key=lambda s: -s.score)
    return chosen if limit is None else chosen[:limit]


def _groups(actor_ids: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """Each actor id once, with the positions of its photos."""
    order = np.argsort(actor_ids, kind="stable")
    actors, starts = np.unique(actor_ids[order], return_index=True)
    return actors, np.split(order, starts[1:])


def _pairwise(vectors: np.ndarray) -> np.ndarray:
    """Euclidean distances between every two rows, exactly symmetric with a zero diagonal."""
    norms = (vectors**2).sum(axis=1)
    squared = norms[:, None] + norms[None, :] - 2 * (vectors @ vectors.T)
    distances = np.sqrt(np.maximum(squared, 0))
    # Symmetry matters: the leave-one-out medoid treats equal sums as ties.
    distances = (distances + distances.T) / 2
    np.fill_diagonal(distances, 0)
    return distances


def _medoid(distances: np.ndarray) -> int:
    return int(np.argmin(distances.sum(axis=1)))


def _leave_one_out(distances: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each photo k of one actor: the centre of the others, the distance to it, the spread."""
    n = len(distances)
    rows = np.arange(n)
    # sums[k, j]: photo j's sum of distances to the actor's photos other than k.
    sums = distances.sum(axis=1)[None, :] - distances
    sums[rows, rows] = np.inf
    tied = sums <= sums.min(axis=1, keepdims=True) + TIE_TOLERANCE
    centre = np.argmin(np.where(tied, distances, np.inf), axis=1)
    own = distances[rows, centre]
    # Median distance of the other photos to that centre, leaving out k itself and the centre:
    # both are pushed to the end of each sorted row, so every row has n - 2 values in front.
    around = distances[centre].copy()
    around[rows, rows] = np.inf
    around[rows, centre] = np.inf
    around.sort(axis=1)
    count = n - 2
    spread = (around[:, (count - 1) // 2] + around[:, count // 2]) / 2
    return centre, own, spread


def _nearest_other_centre(
    vectors: np.ndarray, actor_ids: np.ndarray, actors: np.ndarray, centres: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per photo: the slot (in `actors`) of the nearest other actor's centre and its distance.

    The slot is -1 when the catalogue holds a single actor.
    """
    slots = np.full(len(vectors), -1, dtype=np.int64)
    if len(actors) < 2:
        return slots, np.full(len(vectors), np.inf)
    # |x - c|^2 = |x|^2 + |c|^2 - 2 x.c, and |x|^2 does not change which c is nearest. float32
    # halves the cost of the product; the distance to the chosen centre is then computed exactly.
    centre_vectors = vectors[centres].astype(np.float32)
    centre_norms = (centre_vectors**2).sum(axis=1)
    own_slot = np.searchsorted(actors, actor_ids)
    step = max(1, CHUNK_CELLS // len(actors))
    for start in range(0, len(vectors), step):
        chunk = vectors[start : start + step].astype(np.float32)
        ranking = centre_norms[None, :] - 2 * (chunk @ centre_vectors.T)
        ranking[np.arange(len(chunk)), own_slot[start : start + step]] = np.inf
        slots[start : start + step] = np.argmin(ranking, axis=1)
    nearest = np.linalg.norm(vectors - vectors[centres[slots]], axis=1)
    return slots, nearest


def misfile(actor_ids: Sequence[int], fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """For measuring: file `fraction` of the photos under another actor picked at random.

    Returns the new actor ids and the positions of the photos that were moved.
    """
    actor_ids = np.asarray(actor_ids, dtype=np.int64)
    rng = np.random.default_rng(seed)
    moved = np.sort(rng.choice(len(actor_ids), round(fraction * len(actor_ids)), replace=False))
    actors = np.unique(actor_ids)
    misfiled = actor_ids.copy()
    for position in moved:
        misfiled[position] = rng.choice(actors[actors != actor_ids[position]])
    return misfiled, moved
