"""Helpers the tests of every app share: real test photos, their embeddings, row factories."""
