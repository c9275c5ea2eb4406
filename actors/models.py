import numpy as np
from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.text import slugify

from face_engine import embeddings


class Actor(models.Model):
    class Profession(models.TextChoices):
        ACTOR = "actor", "Actor"
        ACTRESS = "actress", "Actress"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    imdb_id = models.CharField(
        "IMDb id",
        max_length=12,
        unique=True,
        null=True,
        blank=True,
        validators=[RegexValidator(r"^nm\d{7,10}$", "An IMDb person id looks like nm0000123.")],
    )
    popularity = models.FloatField(default=0, help_text="Higher is more popular.")
    profession = models.CharField(max_length=10, choices=Profession.choices, blank=True)
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    known_for = models.JSONField(
        default=list,
        blank=True,
        help_text='Best-known titles, best first: [{"imdb_id", "title", "year"}].',
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def name_from_folder(folder: str) -> str:
        return " ".join(folder.replace("_", " ").split())

    @classmethod
    def unique_slug(cls, name: str) -> str:
        base = slugify(name)[:200] or "actor"
        slug, n = base, 2
        while cls.objects.filter(slug=slug).exists():
            slug, n = f"{base}-{n}", n + 1
        return slug


class ActorImage(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending review"  # never matched against until a curator approves
        ACTIVE = "active", "Active"
        FLAGGED = "flagged", "Flagged"
        EXCLUDED = "excluded", "Excluded"
        REJECTED = "rejected", "Rejected in review"

    class Origin(models.TextChoices):
        FOLDER = "folder", "Folder import"
        URL = "url", "Photo address"
        COMMONS = "commons", "Wikimedia Commons"
        FILM = "film", "Film frame"

    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="images")
    file = models.ImageField(upload_to="actors/")
    face_thumbnail = models.ImageField(upload_to="actors/faces/", blank=True)
    sha256 = models.CharField(max_length=64, unique=True, help_text="Of the file's bytes.")
    width = models.PositiveIntegerField(help_text="As displayed, after EXIF orientation.")
    height = models.PositiveIntegerField()
    source = models.CharField(
        max_length=1000, db_index=True, help_text="Path or URL it was imported from."
    )
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.FOLDER)
    attribution = models.TextField(blank=True, help_text="The credit shown with the photo.")
    licence = models.CharField(max_length=100, blank=True, help_text="e.g. CC BY-SA 4.0")
    licence_url = models.URLField(max_length=500, blank=True)
    source_page = models.URLField(
        max_length=1000, blank=True, help_text="Where the photo and its licence are described."
    )
    film_title = models.CharField(max_length=300, blank=True)
    film_year = models.PositiveSmallIntegerField(null=True, blank=True)
    film_seconds = models.FloatField(
        null=True, blank=True, help_text="Time of the frame in the film, in seconds."
    )
    # A name, not a link to the account: the catalogue sits below accounts, and the audit log
    # keeps who decided what.
    reviewed_by = models.CharField(max_length=150, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    face_top = models.PositiveIntegerField()
    face_right = models.PositiveIntegerField()
    face_bottom = models.PositiveIntegerField()
    face_left = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["actor", "id"]

    def __str__(self) -> str:
        return f"{self.actor} #{self.pk}"

    @property
    def face_box(self) -> tuple[int, int, int, int]:
        return (self.face_top, self.face_right, self.face_bottom, self.face_left)


class FaceEmbedding(models.Model):
    """The encoder's 128 floats for an image's face, kept here as the system of record.

    Its primary key is the image's, so index items, embeddings and images share one id.
    """

    image = models.OneToOneField(
        ActorImage, on_delete=models.CASCADE, primary_key=True, related_name="embedding"
    )
    vector = models.BinaryField(help_text="128 little-endian float32 values.")
    encoder = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"embedding of {self.image_id}"

    @property
    def array(self) -> np.ndarray:
        return embeddings.unpack(self.vector)

    pack = staticmethod(embeddings.pack)


class SkippedPhoto(models.Model):
    """A photo an import looked at and did not add, with the reason, so none is lost silently."""

    sha256 = models.CharField(
        max_length=64, unique=True, null=True, blank=True, help_text="None if never downloaded."
    )
    source = models.CharField(max_length=1000, db_index=True)
    actor_name = models.CharField(max_length=200)
    reason = models.CharField(max_length=300)
    faces_found = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["actor_name", "source"]

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"


class CommonsImportJob(models.Model):
    """A Wikimedia Commons import a curator started from the admin for chosen actors, run by a
    Celery task; its progress and outcome are shown in the admin."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    actors = models.ManyToManyField(Actor, related_name="+")
    per_actor = models.PositiveSmallIntegerField(
        default=3, help_text="Commons photos wanted per actor, counting those already stored."
    )
    review = models.BooleanField(default=True, help_text="New photos arrive pending review.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    actors_total = models.PositiveIntegerField(default=0)
    actors_done = models.PositiveIntegerField(default=0)
    photos_added = models.PositiveIntegerField(default=0)
    photos_skipped = models.PositiveIntegerField(default=0)
    photos_present = models.PositiveIntegerField(default=0)
    outcome = models.TextField(blank=True, help_text="Actors without photos, skips, summary.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = "Commons import"
        permissions = [("start_commons_import", "Can start a Wikimedia Commons photo import")]

    def __str__(self) -> str:
        return f"Commons import #{self.pk}"
