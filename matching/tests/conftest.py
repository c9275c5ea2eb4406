import pytest

from .embeddings import embed_people


@pytest.fixture(scope="session")
def embedding_cache(request):
    return request.config.cache.mkdir("face-embeddings")


@pytest.fixture(scope="session")
def gallery_embeddings(faces_dir, embedding_cache):
    folders = sorted(p for p in (faces_dir / "gallery").iterdir() if p.is_dir())
    return embed_people(folders, embedding_cache)


@pytest.fixture(scope="session")
def crowd_embeddings(faces_dir, embedding_cache):
    folders = sorted(p for p in (faces_dir / "crowd").iterdir() if p.is_dir())
    return embed_people(folders, embedding_cache, whole_crop_fallback=True)
