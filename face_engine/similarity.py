"""Turn a face distance into the similarity percentage a visitor sees.

dlib's encoder is trained so that two photos of the same person usually lie closer than 0.6
(Euclidean distance) and photos of different people further apart. The percentage is a logistic
curve centred on that threshold, rescaled so that distance 0 gives exactly 100 %:

    similarity(d) = 100 * L(d) / L(0),    L(d) = 1 / (1 + exp((d - 0.6) / 0.1))

It is strictly decreasing: 0.0 -> 100 %, 0.3 -> 95.5 %, 0.4 -> 88.3 %, 0.5 -> 73.3 %,
0.6 -> 50.1 %, 0.7 -> 27.0 %, 0.8 -> 11.9 %, 1.0 -> 1.8 % (shown to one
decimal). It is a presentation of distance, not a probability.
"""

import math

from .limits import SAME_PERSON_DISTANCE

STEEPNESS = 0.1


def _logistic(distance: float) -> float:
    return 1.0 / (1.0 + math.exp((distance - SAME_PERSON_DISTANCE) / STEEPNESS))


_AT_ZERO = _logistic(0.0)


def similarity_percent(distance: float) -> float:
    """Similarity in percent, rounded to one decimal."""
    return round(100.0 * _logistic(max(0.0, float(distance))) / _AT_ZERO, 1)
