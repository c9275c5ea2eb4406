from django.contrib import admin
from django.db.models import Count, Q

from .models import Actor, ActorImage, SkippedPhoto


@admin.register(Actor)
class ActorAdmin(admin.ModelAdmin):
    list_display = ["name", "imdb_id", "profession", "popularity", "active_images"]
    list_filter = ["profession"]
    search_fields = ["name", "imdb_id"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                active_count=Count("images", filter=Q(images__status=ActorImage.Status.ACTIVE))
            )
        )

    @admin.display(description="active images", ordering="active_count")
    def active_images(self, actor):
        return actor.active_count


@admin.register(ActorImage)
class ActorImageAdmin(admin.ModelAdmin):
    list_display = ["id", "actor", "status", "width", "height", "source", "created_at"]
    list_filter = ["status"]
    list_select_related = ["actor"]
    search_fields = ["actor__name", "source", "sha256"]
    raw_id_fields = ["actor"]
    readonly_fields = ["sha256", "width", "height", "face_top", "face_right", "face_bottom"]
    readonly_fields += ["face_left", "source", "created_at"]


@admin.register(SkippedPhoto)
class SkippedPhotoAdmin(admin.ModelAdmin):
    list_display = ["source", "actor_name", "reason", "faces_found", "created_at"]
    search_fields = ["source", "actor_name", "reason"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
