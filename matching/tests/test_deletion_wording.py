"""What a deletion says it removed: counted in words a person would write."""

import pytest

from matching.services import Deleted


@pytest.mark.parametrize(
    ("deleted", "words"),
    [
        (Deleted(1, 1, 1, 1), "1 result, 1 photo, 1 face crop and 1 share picture"),
        (Deleted(2, 2, 4, 2), "2 results, 2 photos, 4 face crops and 2 share pictures"),
        (Deleted(1, 0, 3, 1), "1 result, 3 face crops and 1 share picture"),
        (Deleted(1, 1, 0, 0), "1 result and 1 photo"),
        (Deleted(3, 0, 0, 0), "3 results"),
        (Deleted(0, 0, 0, 0), "no results"),
    ],
)
def test_deletions_are_described_with_plurals_and_without_zeros(deleted, words):
    assert deleted.describe() == words
