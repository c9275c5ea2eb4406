from matching.tests.conftest import embedding_cache, gallery_embeddings  # noqa: F401
