"""Which of the faces found in a video are the chosen actor's.

With reference photos of the actor: the faces close enough to one of them. Without: the largest
group of faces that are all one person, found with dlib's Chinese whispers clustering. In both,
a face that repeats one from the frame just before (the same shot, a moment later) is dropped,
and a frame gives at most one face.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import dlib
import numpy as np

from .video import VideoFace

# Tighter than the same-person threshold (0.6): a harvest compares every face of a film with
# every reference photo, so near misses add up, and every face kept costs a curator a look. On
# the shared test photos (gallery/, 21 people), no two photos of different people lie closer
# than 0.518, and 90 % of photos lie within 0.5 of another photo of the same person.
HARVEST_DISTANCE = 0.5
# Chinese whispers links faces closer than this; dlib's own face clustering example uses 0.5.
CLUSTER_DISTANCE = 0.5
# A group this small is not taken as the actor: too few faces to tell a person from a chance.
MIN_CLUSTER = 3
# The same face a moment later in the same shot lies within about 0.1 of it; two different
# photos of one person lie 0.25 or more apart.
DUPLICATE_DISTANCE = 0.2


@dataclass(frozen=True)
class ChosenFace:
    face: VideoFace
    distance: float  # to the nearest reference photo, or to the centre of the actor's group


@dataclass(frozen=True)
class Choice:
    method: str  # "reference" or "cluster"
    faces: list[ChosenFace]  # in the order of the video
    note: str = ""  # why nothing was kept, when nothing was


def _distances(vectors: np.ndarray, to: np.ndarray) -> np.ndarray:
    """(len(vectors), len(to)) Euclidean distances."""
    return np.linalg.norm(vectors[:, None, :] - to[None, :, :], axis=2)


def without_repeats(faces: Sequence[VideoFace], distance: float = DUPLICATE_DISTANCE):
    """The faces less those that repeat a face of the frame read just before.

    A face within `distance` of one kept from the frame before is dropped and carries that kept
    face on to the next frame, for as long as it is seen in every frame read. So a face drifting
    slowly through a shot is kept again once it has moved `distance` away from the one kept, and
    a face seen again after a frame without it is kept anew.
    """
    kept: list[VideoFace] = []
    carried: list[np.ndarray] = []  # the kept faces that the last frame's faces carry on
    last_frame = None
    for frame, group in itertools.groupby(faces, key=lambda f: f.frame):
        available = carried if last_frame is not None and frame == last_frame + 1 else []
        carried = []
        for face in group:
            repeated = None
            if available:
                gaps = np.linalg.norm(np.stack(available) - face.encoding, axis=1)
                nearest = int(np.argmin(gaps))
                if gaps[nearest] < distance:
                    repeated = available.pop(nearest)
            if repeated is None:
                kept.append(face)
                carried.append(face.encoding)
            else:
                carried.append(repeated)
        last_frame = frame
    return kept


def _one_per_frame(chosen: list[ChosenFace]) -> list[ChosenFace]:
    best: dict[int, ChosenFace] = {}
    for item in chosen:
        current = best.get(item.face.frame)
        if current is None or item.distance < current.distance:
            best[item.face.frame] = item
    return [best[frame] for frame in sorted(best)]


def by_reference(
    faces: Sequence[VideoFace], references: np.ndarray, threshold: float = HARVEST_DISTANCE
) -> Choice:
    """The faces within `threshold` of one of the actor's reference encodings."""
    faces = without_repeats(faces)
    if not faces:
        return Choice("reference", [], "no face was found")
    nearest = _distances(np.stack([f.encoding for f in faces]), references).min(axis=1)
    chosen = [
        ChosenFace(face, float(d)) for face, d in zip(faces, nearest, strict=True) if d <= threshold
    ]
    note = "" if chosen else f"no face lies within {threshold} of the actor's photos"
    return Choice("reference", _one_per_frame(chosen), note)


def by_cluster(
    faces: Sequence[VideoFace],
    threshold: float = CLUSTER_DISTANCE,
    min_size: int = MIN_CLUSTER,
) -> Choice:
    """The largest group of faces of one person, if it is clearly the largest.

    The group must hold at least `min_size` faces and more than any other group: when two
    people appear equally often, which is the actor cannot be told, so nothing is kept. Faces of
    the group further than `threshold` from its centre are left out: Chinese whispers can chain
    two similar people together through faces in between.
    """
    faces = without_repeats(faces)
    if len(faces) < min_size:
        return Choice("cluster", [], f"fewer than {min_size} different faces were found")
    labels = np.array(
        dlib.chinese_whispers_clustering(
            [dlib.vector(f.encoding.astype(float).tolist()) for f in faces], threshold
        )
    )
    sizes = np.bincount(labels)
    order = np.argsort(sizes)[::-1]
    largest = int(order[0])
    if sizes[largest] < min_size:
        return Choice("cluster", [], f"nobody is seen in {min_size} or more different shots")
    if len(order) > 1 and sizes[order[1]] == sizes[largest]:
        return Choice(
            "cluster", [], "two people are seen equally often; add a photo of the actor first"
        )
    members = [face for face, label in zip(faces, labels, strict=True) if label == largest]
    vectors = np.stack([f.encoding for f in members])
    centre = vectors.mean(axis=0)
    gaps = np.linalg.norm(vectors - centre, axis=1)
    chosen = [
        ChosenFace(face, float(gap))
        for face, gap in zip(members, gaps, strict=True)
        if gap <= threshold
    ]
    return Choice("cluster", _one_per_frame(chosen))


def at_most(choice: Choice, count: int | None) -> Choice:
    """The `count` faces nearest the actor, still in the order of the video."""
    if count is None or len(choice.faces) <= count:
        return choice
    nearest = sorted(choice.faces, key=lambda c: c.distance)[:count]
    return Choice(choice.method, sorted(nearest, key=lambda c: (c.face.time, c.face.frame)))
