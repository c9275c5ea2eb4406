from face_engine.similarity import similarity_percent


def test_identical_faces_are_100_percent():
    assert similarity_percent(0.0) == 100.0


def test_the_same_person_threshold_is_about_half():
    assert 49 <= similarity_percent(0.6) <= 51


def test_similarity_falls_as_distance_grows():
    values = [similarity_percent(d / 100) for d in range(0, 151)]
    assert all(a >= b for a, b in zip(values, values[1:], strict=False))
    assert values[40] > values[60] > values[80]
    assert values[-1] >= 0.0


def test_negative_distance_is_treated_as_zero():
    assert similarity_percent(-0.1) == 100.0
