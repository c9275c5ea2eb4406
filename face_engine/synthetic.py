"""Seeded 128-d embeddings clustered by person, shaped like dlib's face descriptors.

Measured on real dlib descriptors of the shared test photos: faces lie about 0.6 from the
global mean (norm about 1.4), two photos of one person are 0.35-0.45 apart, two people about
0.85, and the variance is spread unevenly over the dimensions. Here each person is a centre
drawn around a global mean with a decaying spectrum, and each face is that centre plus its own
anisotropic noise, a person's spread varying by up to about 25 % either way. Used by the index's
tests and by bench/index_scale.py, so both measure the same kind of data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .limits import EMBEDDING_SIZE

PERSON_SPREAD = 0.55  # rms distance of a person's centre from the global mean
FACE_SPREAD = 0.26  # rms distance of a face from its person's centre


@dataclass(frozen=True)
class Population:
    """A seeded world of people; draw catalogues and queries from it."""

    seed: int = 0

    def _basis(self):
        rng = np.random.default_rng([self.seed, 0])
        mean = rng.normal(size=EMBEDDING_SIZE)
        mean *= 1.37 / np.linalg.norm(mean)
        person = 1.0 / (np.arange(EMBEDDING_SIZE) + 4.0)
        person *= PERSON_SPREAD**2 / person.sum()
        face = 1.0 / (np.arange(EMBEDDING_SIZE) + 12.0)
        face *= FACE_SPREAD**2 / face.sum()
        rotation, _ = np.linalg.qr(rng.normal(size=(EMBEDDING_SIZE, EMBEDDING_SIZE)))
        face_rotation, _ = np.linalg.qr(rng.normal(size=(EMBEDDING_SIZE, EMBEDDING_SIZE)))
        return mean, np.sqrt(person)[:, None] * rotation, np.sqrt(face)[:, None] * face_rotation

    def people(self, count: int, stream: int) -> np.ndarray:
        """`count` person centres; a different stream gives different people."""
        mean, person, _ = self._basis()
        rng = np.random.default_rng([self.seed, 1, stream])
        return (mean + rng.normal(size=(count, EMBEDDING_SIZE)) @ person).astype(np.float32)

    def faces(self, centres: np.ndarray, per_person: int, stream: int) -> np.ndarray:
        """`per_person` faces of each centre, person by person: (len(centres) * per_person, 128)."""
        _, _, face = self._basis()
        rng = np.random.default_rng([self.seed, 2, stream])
        out = np.empty((len(centres) * per_person, EMBEDDING_SIZE), dtype=np.float32)
        chunk = max(1, 200_000 // per_person)
        for lo in range(0, len(centres), chunk):
            part = centres[lo : lo + chunk]
            scale = np.exp(rng.uniform(-0.25, 0.25, size=len(part)))
            noise = rng.normal(size=(len(part), per_person, EMBEDDING_SIZE)) @ face
            noise *= scale[:, None, None]
            block = part[:, None, :] + noise
            out[lo * per_person : (lo + len(part)) * per_person] = block.reshape(-1, EMBEDDING_SIZE)
        return out


def catalogue(actors: int, per_actor: int = 20, seed: int = 0):
    """(vectors, item_ids, actor_ids) of `actors` people with `per_actor` faces each."""
    world = Population(seed)
    vectors = world.faces(world.people(actors, stream=0), per_actor, stream=0)
    actor_ids = np.repeat(np.arange(1, actors + 1, dtype=np.int64), per_actor)
    item_ids = np.arange(1, len(vectors) + 1, dtype=np.int64)
    return vectors, item_ids, actor_ids


def outsiders(count: int, seed: int = 0) -> np.ndarray:
    """One face each of `count` people who are in no catalogue drawn with this seed."""
    world = Population(seed)
    return world.faces(world.people(count, stream=1), 1, stream=1)


def insiders(count: int, actors: int, seed: int = 0) -> np.ndarray:
    """New faces (not in the catalogue) of `count` of the catalogue's first `actors` people."""
    world = Population(seed)
    chosen = np.random.default_rng([seed, 3]).choice(actors, size=count, replace=count > actors)
    return world.faces(world.people(actors, stream=0)[chosen], 1, stream=2)
