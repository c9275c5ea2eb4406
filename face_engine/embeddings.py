"""How an embedding is kept as bytes: 128 little-endian float32 values. Packed and unpacked
here only, so every reader agrees."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from .limits import EMBEDDING_SIZE

DTYPE = np.dtype("<f4")


def pack(vector) -> bytes:
    array = np.asarray(vector, dtype=DTYPE)
    if array.shape != (EMBEDDING_SIZE,):
        raise ValueError(f"an embedding has {EMBEDDING_SIZE} values, not {array.shape}")
    return array.tobytes()


def unpack(data: bytes | memoryview) -> np.ndarray:
    return np.frombuffer(bytes(data), dtype=DTYPE)


def unpack_many(rows: Iterable[bytes | memoryview]) -> np.ndarray:
    """An (n, 128) float32 array, (0, 128) when there are none."""
    vectors = [unpack(row) for row in rows]
    if not vectors:
        return np.empty((0, EMBEDDING_SIZE), np.float32)
    return np.stack(vectors)
