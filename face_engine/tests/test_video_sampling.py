"""Which moments of a video a harvest reads: defaults that suit a ten-second clip and a
two-hour film alike, and the options that change them."""

import pytest

from face_engine.video import Sampling, sample_times


def test_a_ten_second_clip_is_read_every_half_second_past_its_first_half_second():
    assert sample_times(10.0) == [0.5 + 0.5 * i for i in range(18)]


def test_a_two_hour_film_is_read_a_thousand_times_between_its_credits():
    times = sample_times(2 * 3600.0)
    assert len(times) == 1000
    assert times[0] == 180.0  # three minutes of opening credits
    assert times[-1] < 2 * 3600 - 360  # the end credits are not read either
    spacing = {round(b - a, 1) for a, b in zip(times, times[1:], strict=False)}
    assert spacing == {6.7}


def test_the_options_given_replace_the_defaults():
    assert sample_times(60.0, Sampling(skip_seconds=10, every_seconds=10)) == [10, 20, 30, 40, 50]
    assert sample_times(60.0, Sampling(skip_seconds=0, frames=3)) == [0.0, 19.0, 38.0]
    # Skipping into the end credits gives them up rather than leave nothing to read.
    assert sample_times(60.0, Sampling(skip_seconds=58, every_seconds=1)) == [58.0, 59.0]


def test_random_times_are_drawn_again_the_same_with_the_same_seed():
    first = sample_times(600.0, Sampling(frames=20, seed=7))
    assert first == sample_times(600.0, Sampling(frames=20, seed=7))
    assert first != sample_times(600.0, Sampling(frames=20, seed=8))
    assert first == sorted(first) and len(first) == 20
    assert 30.0 <= first[0] and first[-1] < 570.0
    assert first != sample_times(600.0, Sampling(frames=20))


@pytest.mark.parametrize(
    ("duration", "sampling", "message"),
    [
        (12.5, Sampling(skip_seconds=20), "Skipping 20 s leaves nothing of a 12.5 s video"),
        (12.5, Sampling(skip_seconds=-1), "cannot be negative"),
        (12.5, Sampling(every_seconds=0), "must be more than 0 seconds"),
        (12.5, Sampling(frames=0), "At least one frame"),
        (12.5, Sampling(every_seconds=1, frames=3), "not both"),
        (0.0, Sampling(), "no length"),
    ],
)
def test_options_that_leave_nothing_to_read_are_refused(duration, sampling, message):
    with pytest.raises(ValueError, match=message):
        sample_times(duration, sampling)
