import secrets

import numpy as np
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse


class IndexVersion(models.Model):
    """One build of the search index: what went in, where its files are, and its state."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        BUILDING = "building", "Building"
        READY = "ready", "Ready"
        ACTIVE = "active", "Active"
        FAILED = "failed", "Failed"

    class Stage(models.TextChoices):
        QUEUED = "queued", "Queued"
        LOADING = "loading", "Loading embeddings"
        BUILDING = "building", "Building"
        SAVING = "saving", "Saving"
        ACTIVATING = "activating", "Activating"
        FINISHED = "finished", "Finished"

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
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    built_at = models.DateTimeField(null=True, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    stage = models.CharField(
        max_length=12, choices=Stage.choices, blank=True, help_text="Where a build has got to."
    )
    progress = models.JSONField(
        default=dict, blank=True, help_text='Counts so far, e.g. {"faces": 2310, "actors": 120}.'
    )

    class Meta:
        ordering = ["-id"]
        permissions = [("rebuild_index", "Can queue a rebuild of the search index")]
        constraints = [
            models.UniqueConstraint(
                fields=["state"], condition=Q(state="active"), name="one_active_index_version"
            )
        ]

    def __str__(self) -> str:
        return f"index v{self.pk} ({self.state})"

    def embedding_id_array(self) -> np.ndarray:
        return np.frombuffer(bytes(self.embedding_ids), dtype="<i8")

    @property
    def is_lost(self) -> bool:
        """Still queued or building long after any build could have ended: its worker stopped
        (the build slot it held is free again by then)."""
        from datetime import timedelta

        from django.utils import timezone

        if not self.is_running or self.created_at is None:
            return False
        limit = timedelta(seconds=settings.LOOKALIKE_INDEX_BUILD_TIME_LIMIT + 60)
        return (self.started_at or self.created_at) < timezone.now() - limit

    @property
    def is_running(self) -> bool:
        """Queued or under way, including a built version that is being made the active one."""
        activating = self.state == self.State.READY and self.stage == self.Stage.ACTIVATING
        return self.state in (self.State.QUEUED, self.State.BUILDING) or activating

    @property
    def is_finished(self) -> bool:
        return not self.is_running or self.is_lost

    def status_message(self) -> str:
        """What the index page says about this build: its stage while it runs, then its result."""
        from django.contrib.humanize.templatetags.humanize import intcomma
        from django.template.defaultfilters import pluralize

        faces = self.progress.get("faces") if self.progress else None
        actors = self.progress.get("actors") if self.progress else None
        if self.is_lost:
            return f"Version {self.pk} did not finish; its worker may have stopped. Rebuild again."
        if self.state == self.State.FAILED:
            return f"Version {self.pk} failed: {self.error or 'unknown error'}"
        if self.state == self.State.QUEUED:
            return f"Version {self.pk} is queued; it starts when a worker is free."
        if self.is_running:
            stage = self.Stage(self.stage).label if self.stage else "Starting"
            counts = ""
            if faces is not None:
                counts = f": {intcomma(faces)} face{pluralize(faces)}"
                if actors is not None:
                    counts += f" of {intcomma(actors)} actor{pluralize(actors)}"
            if self.stage == self.Stage.SAVING and self.progress.get("files_total"):
                counts += f", file {self.progress.get('files_saved', 0)} of "
                counts += f"{self.progress['files_total']}"
            return f"Building version {self.pk}… {stage}{counts}."
        summary = (
            f"{intcomma(self.embedding_count)} face{pluralize(self.embedding_count)} of "
            f"{intcomma(self.actor_count)} actor{pluralize(self.actor_count)}, built in "
            f"{self.build_seconds or 0:.1f} s"
        )
        if self.state == self.State.ACTIVE:
            return f"Version {self.pk} is live: {summary}."
        return f"Version {self.pk} is ready (not live): {summary}."


class IndexBuildSlot(models.Model):
    """The single row that says which index build, if any, is under way. A build claims it with
    a conditional update (only if free, or held by a build that has gone stale)."""

    holder = models.OneToOneField(
        IndexVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"index build slot (held by {self.holder_id or 'nobody'})"


def new_token() -> str:
    # 24 random bytes: 192 bits, unguessable, and URL-safe in 32 characters.
    return secrets.token_urlsafe(24)


def new_storage_key() -> str:
    # Where a match's files live, unrelated to its public token: a leaked storage listing or
    # file address says nothing about the result's link, and the link says nothing about files.
    return secrets.token_hex(16)


# Error codes of failures caused by the photo (face_engine.errors): retrying cannot help.
PHOTO_FAULTS = frozenset(
    {"not_an_image", "animated_image", "damaged_image", "too_large", "no_face"}
)


class Match(models.Model):
    """One uploaded photo and what it was found to resemble."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        FINDING_FACES = "finding_faces", "Finding faces"
        MATCHING = "matching", "Matching"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    FINAL = (Status.DONE, Status.FAILED)

    class Visibility(models.TextChoices):
        UNLISTED = "unlisted", "Anyone with the link"
        PRIVATE = "private", "Only me"

    token = models.CharField(max_length=40, unique=True, default=new_token, editable=False)
    storage_key = models.CharField(
        max_length=32, unique=True, default=new_storage_key, editable=False
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,  # an account is deleted through account_delete, files and all
        related_name="matches",
    )
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.UNLISTED
    )
    expires_at = models.DateTimeField(
        null=True, blank=True, db_index=True, help_text="Anonymous uploads are deleted then."
    )
    expired_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    error_code = models.CharField(max_length=40, blank=True)
    error_message = models.CharField(max_length=300, blank=True)
    photo = models.ImageField(upload_to="visitors/", blank=True)
    original = models.FileField(
        upload_to="visitors/",
        blank=True,
        help_text="The upload as sent, when too big to re-encode in the web request; the worker "
        "re-encodes it and deletes it at once.",
    )
    photo_width = models.PositiveIntegerField(default=0)
    photo_height = models.PositiveIntegerField(default=0)
    share_face = models.BooleanField(
        default=False, help_text="The visitor agreed to show their face on the share image."
    )
    faces_found = models.PositiveIntegerField(default=0)
    index_version = models.ForeignKey(
        IndexVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    share_image = models.ImageField(
        upload_to="visitors/", blank=True, help_text="The share picture of face 0."
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    example = models.CharField(
        max_length=40, blank=True, help_text="The example portrait it was made from, if any."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(
        null=True, blank=True, help_text="When its task was last sent to the workers."
    )
    started_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(
        max_length=200, blank=True, help_text="host:pid of the worker process running it."
    )
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="Last sign of life of the run that holds it."
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "matches"
        ordering = ["-id"]
        indexes = [
            # The recovery sweep reads only unfinished matches, a handful among millions.
            models.Index(
                fields=["status", "queued_at"],
                condition=Q(status__in=["queued", "finding_faces", "matching"]),
                name="match_unfinished",
            )
        ]

    def __str__(self) -> str:
        return f"match {self.token[:8]}… ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("match-page", args=[self.token])

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL

    @property
    def example_name(self) -> str:
        """The name of the example portrait it was made from ("Madonna"), or "" for a
        visitor's own photo: pages call such a result "Example: NAME", never "You"."""
        if not self.example:
            return ""
        from matching.examples import BY_SLUG

        example = BY_SLUG.get(self.example)
        return example.name if example else self.example.replace("-", " ").title()

    @property
    def failed_because_of_photo(self) -> bool:
        """A failure the photo itself caused (no face, not an image, too large...), as opposed
        to the service's, which a retry may cure."""
        return self.status == self.Status.FAILED and self.error_code in PHOTO_FAULTS

    @property
    def can_retry(self) -> bool:
        """Failed for a reason that is not the photo's, with the photo still kept."""
        return (
            self.status == self.Status.FAILED
            and not self.failed_because_of_photo
            and self.expired_at is None
            and bool(self.photo or self.original)
        )

    def visible_to(self, user) -> bool:
        if self.visibility == self.Visibility.UNLISTED:
            return True
        return user.is_authenticated and user.pk == self.owner_id

    # Every file of a match lives under one folder named by its storage key, at a name fixed in
    # advance: a deletion can list every file the match has or may yet get, whatever the worker
    # has written so far.
    def file_name(self, kind: str) -> str:
        """`photo`, `original`, `share` (older matches' card of face 0), or per face `face-N`,
        `share-N` and `story-N` (N counting from 0, biggest face first)."""
        extension = "" if kind == "original" else ".jpg"
        return f"visitors/{self.storage_key}/{kind}{extension}"

    def stored_file_names(self) -> list[str]:
        """The files its rows point at (older matches were named after their token)."""
        names = [self.photo.name, self.original.name, self.share_image.name]
        for face in self.faces.all():
            names += [face.crop.name, face.share_image.name, face.story_image.name]
        return [name for name in dict.fromkeys(names) if name]

    def file_names_to_delete(self) -> list[str]:
        """Every name that may hold one of its files: those its rows point at and every name a
        run may write, so a deletion misses nothing a worker wrote before its rows."""
        names = self.stored_file_names()
        names += [self.file_name(kind) for kind in ("photo", "original", "share")]
        for n in range(settings.LOOKALIKE_MAX_FACES):
            names += [self.file_name(f"{kind}-{n}") for kind in ("face", "share", "story")]
        return list(dict.fromkeys(names))


class MatchFace(models.Model):
    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="faces")
    position = models.PositiveSmallIntegerField(help_text="0 is the biggest face.")
    top = models.PositiveIntegerField()
    right = models.PositiveIntegerField()
    bottom = models.PositiveIntegerField()
    left = models.PositiveIntegerField()
    crop = models.ImageField(upload_to="visitors/", blank=True)
    share_image = models.ImageField(
        upload_to="visitors/", blank=True, help_text="1200x630, for links shared on social sites."
    )
    story_image = models.ImageField(
        upload_to="visitors/", blank=True, help_text="1080x1920, for stories on phones."
    )

    class Meta:
        ordering = ["match", "position"]
        constraints = [
            models.UniqueConstraint(fields=["match", "position"], name="one_face_per_position")
        ]

    def __str__(self) -> str:
        return f"face {self.position} of {self.match_id}"

    @property
    def box(self) -> list[int]:
        return [self.top, self.right, self.bottom, self.left]


class Resemblance(models.Model):
    """What was shown for one face: kept as shown, whatever later happens to the catalogue."""

    face = models.ForeignKey(MatchFace, on_delete=models.CASCADE, related_name="resemblances")
    rank = models.PositiveSmallIntegerField(help_text="1 is the closest actor.")
    actor = models.ForeignKey(
        "actors.Actor", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=200)
    reference_image = models.ForeignKey(
        "actors.ActorImage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reference_image_id_shown = models.PositiveBigIntegerField()
    distance = models.FloatField()
    similarity = models.FloatField()

    class Meta:
        ordering = ["face", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["face", "rank"], name="one_resemblance_per_rank")
        ]

    def __str__(self) -> str:
        return f"#{self.rank} {self.actor_name} ({self.similarity:.0f}%)"

    def as_dict(self) -> dict:
        return actor_result(
            self.actor_name, self.distance, self.similarity, self.reference_image_id_shown
        )


def actor_result(actor: str, distance: float, similarity: float, closest_image: int) -> dict:
    """One actor a face resembles, as the API, the `match` command and the page data show it."""
    return {
        "actor": actor,
        "distance": round(distance, 4),
        "similarity": similarity,
        "closest_image": closest_image,
    }


def face_result(box, matches: list[dict]) -> dict:
    """One face and the actors it resembles, best first."""
    return {"box": list(box), "matches": matches}


class StoredFileDeletion(models.Model):
    """A file to remove from storage, written in the same transaction that deleted its rows, so a
    deletion is never half done: what the database forgot, this list still remembers."""

    name = models.CharField(max_length=500, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    def __str__(self) -> str:
        return self.name
