from django.conf import settings
from django.db import models
from django.db.models import Q


class Flag(models.Model):
    """A report that a catalogue photo shows someone other than its actor."""

    class Source(models.TextChoices):
        VISITOR = "visitor", "Visitor"
        CURATOR = "curator", "Curator"
        AUTOMATIC = "automatic", "Automatic check"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CONFIRMED = "confirmed", "Confirmed"
        DISMISSED = "dismissed", "Dismissed"

    image = models.ForeignKey("actors.ActorImage", on_delete=models.CASCADE, related_name="flags")
    source = models.CharField(max_length=10, choices=Source.choices)
    reason = models.CharField(max_length=300, default="not this actor")
    notes = models.TextField(blank=True)
    reports = models.PositiveIntegerField(default=1, help_text="Reports added to this flag.")
    score = models.FloatField(null=True, blank=True, help_text="From the automatic check.")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-reports", "-score", "created_at"]
        constraints = [
            # Repeated reports of one photo add to its open flag instead of piling up.
            models.UniqueConstraint(
                fields=["image"], condition=Q(status="open"), name="one_open_flag_per_image"
            )
        ]

    def __str__(self) -> str:
        return f"flag on image {self.image_id} ({self.status})"


class AuditEntry(models.Model):
    """What a curator did, to what, and what it was before and after. Written, never edited."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150)
    action = models.CharField(max_length=40)
    image = models.ForeignKey(
        "actors.ActorImage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    flag = models.ForeignKey(
        Flag, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit"
    )
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.username} {self.action} at {self.created_at:%Y-%m-%d %H:%M}"
