from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


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
    actor = models.ForeignKey(
        "actors.Actor",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The actor the photo was filed under when it was flagged.",
    )
    source = models.CharField(max_length=10, choices=Source.choices)
    reason = models.CharField(max_length=300, default="not this actor")
    notes = models.TextField(blank=True, help_text="What the people who reported it said.")
    curator_notes = models.TextField(
        blank=True, help_text="Curators' notes, each with its author and time; added, never edited."
    )
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

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    def moved_to(self):
        """The actor the photo is filed under now, when a curator moved it since the flag."""
        if self.actor_id is None or self.image.actor_id == self.actor_id:
            return None
        return self.image.actor


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

    # Keys of `before`/`after` a person reads, in this order; ids are kept for undoing.
    READABLE = [("status", "status"), ("actor", "actor"), ("flag", "flag")]

    def changes(self) -> list[tuple[str, object, object]]:
        """(what, before, after) for each readable value the entry changed."""
        changed = []
        for key, label in self.READABLE:
            old, new = self.before.get(key), self.after.get(key)
            if old != new and (old is not None or new is not None):
                changed.append((label, old, new))
        return changed

    def describe_change(self) -> str:
        """'status: active → excluded; actor: Madonna → Katy Perry'; a note's text for a note."""
        if self.action == "note":
            return f"note: {self.after.get('note', '')}"
        parts = [f"{label}: {old or '–'} → {new or '–'}" for label, old, new in self.changes()]
        return "; ".join(parts) or "no change"


class CatalogueBuild(models.Model):
    """One run of `build_catalogue`: its parameters and the steps it has done, each recorded as
    soon as it is done, so that a run interrupted at any point resumes where it stopped."""

    class Step(models.TextChoices):
        IMDB = "imdb", "IMDb selection"
        COMMONS = "commons", "Commons photos"
        SUSPECTS = "suspects", "Suspects check"

    imdb_dir = models.CharField(max_length=1000)
    top = models.PositiveIntegerField()
    per_actor = models.PositiveIntegerField()
    min_votes = models.PositiveIntegerField(default=0)
    review = models.BooleanField(default=False, help_text="New photos arrive as pending.")
    steps_done = models.JSONField(default=list)
    actor_ids = models.JSONField(
        default=list, help_text="The actors the IMDb step chose, most popular first."
    )
    commons_done = models.PositiveIntegerField(
        default=0, help_text="How many of those actors the Commons step has finished."
    )
    photos_added = models.PositiveIntegerField(default=0)
    photos_present = models.PositiveIntegerField(default=0)
    photos_skipped = models.PositiveIntegerField(default=0)
    flags_opened = models.PositiveIntegerField(null=True, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        state = "finished" if self.finished_at else f"done: {', '.join(self.steps_done) or '-'}"
        return f"catalogue build {self.pk} (top {self.top}; {state})"

    def parameters(self) -> tuple:
        return (self.imdb_dir, self.top, self.per_actor, self.min_votes, self.review)


class VisitorReport(models.Model):
    """One visitor's report of one catalogue photo: a visitor reports a photo once, whatever
    result it appeared on. `visitor` is common.visitor's keyed hash (account or session)."""

    image = models.ForeignKey(
        "actors.ActorImage", on_delete=models.CASCADE, related_name="visitor_reports"
    )
    flag = models.ForeignKey(
        Flag, null=True, blank=True, on_delete=models.SET_NULL, related_name="visitor_reports"
    )
    visitor = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["image", "visitor"], name="one_report_per_visitor")
        ]

    def __str__(self) -> str:
        return f"report of image {self.image_id}"


class MatchRating(models.Model):
    """A visitor's "good match" or "bad match" for one actor shown for one face of a result.

    It keeps no face: only the actor, the photo shown, the rank, the similarity and the verdict.
    Deleting the result leaves the rating without its result (the counts stay on the dataset
    health page, and nothing in it leads back to the visitor's photo)."""

    match = models.ForeignKey(
        "matching.Match", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    face_position = models.PositiveSmallIntegerField()
    rank = models.PositiveSmallIntegerField()
    actor = models.ForeignKey(
        "actors.Actor", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=200)
    reference_image = models.ForeignKey(
        "actors.ActorImage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    similarity = models.FloatField()
    good = models.BooleanField()
    visitor = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["match", "face_position", "rank", "visitor"],
                name="one_rating_per_visitor_and_row",
            )
        ]

    def __str__(self) -> str:
        verdict = "good" if self.good else "bad"
        return f"{verdict} match: {self.actor_name} (#{self.rank}, {self.similarity:.0f}%)"


class SuspectsCheck(models.Model):
    """One run of the suspects check (the queue's button, an import, `find_suspects`): its state
    and outcome, so that the queue can say what the last check found."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    flags_opened = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = "suspects check"

    def __str__(self) -> str:
        return f"suspects check {self.pk} ({self.state})"

    # A check still queued or running this long after it was asked for was lost with its worker
    # (the task's hard time limit is 21 minutes).
    LOST_AFTER = timedelta(minutes=30)

    @property
    def is_lost(self) -> bool:
        if self.is_finished_in_db or self.created_at is None:
            return False
        return self.created_at < timezone.now() - self.LOST_AFTER

    @property
    def is_finished_in_db(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)

    @property
    def is_finished(self) -> bool:
        return self.is_finished_in_db or self.is_lost

    def outcome(self) -> str:
        """What the queue says about this check."""
        from django.utils.translation import ngettext

        if self.is_lost:
            return "The check for suspects did not finish; its worker may have stopped. Try again."
        if self.state == self.State.FAILED:
            return f"The check for suspects failed: {self.error or 'unknown error'}"
        if self.state != self.State.DONE:
            return "Checking for suspects…"
        if not self.flags_opened:
            return "No new suspects."
        return ngettext(
            "Found %(count)d new suspect.", "Found %(count)d new suspects.", self.flags_opened
        ) % {"count": self.flags_opened}
