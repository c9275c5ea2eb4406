from django.contrib import admin
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils.html import format_html

from .models import Actor, ActorImage, SkippedPhoto


def _count(status: str):
    return Count("images", filter=Q(images__status=status))


def photo_credit(image: ActorImage) -> str:
    """The credit shown with the photo on the site: author, licence (linked), source page."""
    return render_to_string("actors/photo_credit.html", {"image": image}) or "-"


@admin.register(Actor)
class ActorAdmin(admin.ModelAdmin):
    list_display = ["name", "imdb_id", "profession", "popularity", "active", "flagged"]
    list_display += ["excluded"]
    list_filter = ["profession"]
    search_fields = ["name", "imdb_id"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                active_count=_count(ActorImage.Status.ACTIVE),
                flagged_count=_count(ActorImage.Status.FLAGGED),
                excluded_count=_count(ActorImage.Status.EXCLUDED),
            )
        )

    @admin.display(description="active", ordering="active_count")
    def active(self, actor):
        return actor.active_count

    @admin.display(description="flagged", ordering="flagged_count")
    def flagged(self, actor):
        return actor.flagged_count

    @admin.display(description="excluded", ordering="excluded_count")
    def excluded(self, actor):
        return actor.excluded_count


@admin.register(ActorImage)
class ActorImageAdmin(admin.ModelAdmin):
    list_display = ["face", "id", "actor", "status", "origin", "credit", "source", "created_at"]
    list_filter = ["status", "origin"]
    list_select_related = ["actor"]
    search_fields = ["actor__name", "source", "sha256", "attribution", "licence"]
    raw_id_fields = ["actor"]
    readonly_fields = ["face", "credit", "sha256", "width", "height", "face_top", "face_right"]
    readonly_fields += ["face_bottom", "face_left", "source", "status", "created_at"]

    @admin.display(description="face")
    def face(self, image):
        if not image.face_thumbnail:
            return "-"
        return format_html(
            '<img src="{}" width="72" height="72" alt="" style="border-radius:6px">',
            image.face_thumbnail.url,
        )

    @admin.display(description="credit and licence")
    def credit(self, image):
        return photo_credit(image)

    def has_change_permission(self, request, obj=None):
        # Status changes go through the actions, which keep the audit log.
        return request.user.is_superuser


@admin.register(SkippedPhoto)
class SkippedPhotoAdmin(admin.ModelAdmin):
    list_display = ["source", "actor_name", "reason", "faces_found", "created_at"]
    search_fields = ["source", "actor_name", "reason"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
