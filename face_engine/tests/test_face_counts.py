"""Every photo in extras/ yields the number of faces its README promises."""

import pytest

from face_engine.faces import find_faces


def test_every_extras_photo_has_its_expected_face_count(
    faces_dir, expected_face_counts, photo_scans
):
    # The scans are find_faces' own output, made once per session (other tests use them too).
    names = list(expected_face_counts)
    scans = photo_scans.many([faces_dir / "extras" / name for name in names])
    wrong = {}
    for name, scan in zip(names, scans, strict=True):
        if len(scan.boxes) != expected_face_counts[name]:
            wrong[name] = (expected_face_counts[name], len(scan.boxes))
        width, height = scan.size
        for top, right, bottom, left in scan.boxes:
            assert 0 <= left < right <= width and 0 <= top < bottom <= height, name
    assert not wrong, f"(expected, found) per photo: {wrong}"


def areas(faces) -> list[int]:
    return [face.area for face in faces]


def test_faces_come_biggest_first(faces_dir):
    faces = find_faces((faces_dir / "extras" / "group_insightface_t1.jpg").read_bytes()).faces
    assert len(faces) == 6
    assert areas(faces) == sorted(areas(faces), reverse=True)


def test_max_faces_keeps_the_biggest(faces_dir):
    data = (faces_dir / "extras" / "group_bald_guys_dlib.jpg").read_bytes()
    every = find_faces(data)
    capped = find_faces(data, max_faces=5)
    assert capped.faces_found == len(every.faces) == 24
    assert sorted(areas(capped.faces)) == sorted(areas(every.faces))[-5:]
    assert [f.box for f in capped.faces] == [f.box for f in every.faces[:5]]


def test_no_face_is_a_typed_error_when_a_face_is_required(faces_dir):
    from face_engine.errors import NoFaceFound

    data = (faces_dir / "extras" / "no_face_dogs.jpg").read_bytes()
    assert find_faces(data).faces == []
    with pytest.raises(NoFaceFound) as caught:
        find_faces(data, require_face=True)
    assert caught.value.code == "no_face"
