import numpy as np
from django.db import models
from django.db.models import Q


class IndexVersion(models.Model):
    """One build of the search index: what went in, where its files are, and its state."""

    class State(models.TextChoices):
        BUILDING = "building", "Building"
        READY = "ready", "Ready"
        ACTIVE = "active", "Active"
        FAILED = "failed", "Failed"

    state = models.CharField(
        max_length=10, choices=State.choices, default=State.BUILDING, db_index=True
    )
    params = models.JSONField(default=dict)
    encoder = models.CharField(max_length=100)
    storage_prefix = models.CharField(max_length=200, blank=True)
    embedding_ids = models.BinaryField(
        default=bytes, help_text="Ids of the embeddings it holds, int64 little-endian."
    )
    embedding_count = models.PositiveIntegerField(default=0)
    actor_count = models.PositiveIntegerField(default=0)
    build_seconds = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    built_at = models.DateTimeField(null=True, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["state"], condition=Q(state="active"), name="one_active_index_version"
            )
        ]

    def __str__(self) -> str:
        return f"index v{self.pk} ({self.state})"

    def embedding_id_array(self) -> np.ndarray:
        return np.frombuffer(bytes(self.embedding_ids), dtype="<i8")
