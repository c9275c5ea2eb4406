import pytest

from testkit.videos import Shot, film_make

STAR, OTHER, THIRD = "Scarlett_Johansson", "Matt_Damon", "Jack_Dorsey"


def photo(person: str, number: int) -> str:
    return f"gallery/{person}/{number}.jpg"


@pytest.fixture(scope="session")
def film_clip(tmp_path_factory, faces_dir, photo_scans):
    """A 12.5 s film, built once: a title card, then three people in turn, one of them (STAR) in
    four shots from four different photos, once beside another; frames without faces between;
    an end card. Photo 1 of STAR and of OTHER is in no shot: tests use it as a reference."""
    shots = [
        Shot(1.0, caption="A TEST FILM"),
        Shot(1.5, (STAR,), (photo(STAR, 2),)),
        Shot(1.0, still="extras/no_face_dogs.jpg"),
        Shot(1.5, (OTHER,), (photo(OTHER, 2),)),
        Shot(1.5, (STAR,), (photo(STAR, 3),)),
        Shot(0.5),
        Shot(1.5, (THIRD,), (photo(THIRD, 1),)),
        Shot(1.5, (STAR, OTHER), (photo(STAR, 4), photo(OTHER, 3))),
        Shot(1.5, (STAR,), (photo(STAR, 5),)),
        Shot(1.0, caption="THE END"),
    ]
    path = tmp_path_factory.mktemp("film") / "test-film.mp4"
    return film_make(path, shots, faces_dir, photo_scans)
