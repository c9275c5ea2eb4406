"""Every photo in extras/ yields the number of faces its README promises."""

import pytest

from face_engine.faces import find_faces


def test_every_extras_photo_has_its_expected_face_count(faces_dir, expected_face_counts):
    wrong = {}
    for name, expected in expected_face_counts.items():
        scan = find_faces((faces_dir / "extras" / name).read_bytes())
        if len(scan.faces) != expected:
            wrong[name] = (expected, len(scan.faces))
        width, height = scan.image.original_size
        for top, right, bottom, left in (face.box for face in scan.faces):
            assert 0 <= left < right <= width and 0 <= top < bottom <= height, name
    assert not wrong, f"(expected, found) per photo: {wrong}"


def test_faces_come_biggest_first(faces_dir):
    faces = find_faces((faces_dir / "extras" / "group_insightface_t1.jpg").read_bytes()).faces
    areas = [face.area for face in faces]
    assert areas == sorted(areas, reverse=True)


def test_max_faces_keeps_the_biggest(faces_dir):
    data = (faces_dir / "extras" / "group_bald_guys_dlib.jpg").read_bytes()
    every = find_faces(data).faces
    capped = find_faces(data, max_faces=5).faces
    assert [f.box for f in capped] == [f.box for f in every[:5]]


def test_no_face_is_a_typed_error_when_a_face_is_required(faces_dir):
    from face_engine.errors import NoFaceFound

    data = (faces_dir / "extras" / "no_face_dogs.jpg").read_bytes()
    assert find_faces(data).faces == []
    with pytest.raises(NoFaceFound) as caught:
        find_faces(data, require_face=True)
    assert caught.value.code == "no_face"
