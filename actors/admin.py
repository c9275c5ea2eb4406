from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q
from django.shortcuts import render
from django.template.defaultfilters import pluralize
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html

from common.admin_mixins import ReadOnlyAdminMixin

from .models import Actor, ActorImage, CommonsImportJob, SkippedPhoto
from .services_commons_jobs import commons_import_job_start


def _count(status: str):
    return Count("images", filter=Q(images__status=status))


def photo_credit(image: ActorImage) -> str:
    """The credit shown with the photo on the site: author, licence (linked), source page."""
    return render_to_string("actors/photo_credit.html", {"image": image}) or "-"


class CommonsImportForm(forms.Form):
    per_actor = forms.IntegerField(
        label="Photos per actor",
        min_value=1,
        max_value=20,
        initial=3,
        help_text="Counting the actor's Commons photos already stored.",
    )
    review = forms.BooleanField(label="New photos wait for review", required=False, initial=True)


@admin.register(Actor)
class ActorAdmin(admin.ModelAdmin):
    list_display = ["name", "imdb_id", "profession", "popularity", "active", "flagged"]
    list_display += ["excluded"]
    list_filter = ["profession"]
    search_fields = ["name", "imdb_id"]
    prepopulated_fields = {"slug": ["name"]}
    actions = ["import_from_commons"]

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

    def has_commons_import_permission(self, request):
        return request.user.has_perm("actors.start_commons_import")

    @admin.action(
        description="Import photos from Wikimedia Commons…", permissions=["commons_import"]
    )
    def import_from_commons(self, request, queryset):
        form = CommonsImportForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            job = commons_import_job_start(
                queryset.order_by("-popularity"),
                per_actor=form.cleaned_data["per_actor"],
                review=form.cleaned_data["review"],
                user=request.user,
            )
            self.message_user(
                request,
                format_html(
                    'Commons import <a href="{}">#{}</a> is queued for {} actor{}.',
                    reverse("admin:actors_commonsimportjob_change", args=[job.pk]),
                    job.pk,
                    job.actors_total,
                    pluralize(job.actors_total),
                ),
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Import photos from Wikimedia Commons",
            "form": form,
            "actors": queryset,
            "without_imdb_id": queryset.filter(imdb_id__isnull=True).count(),
            "opts": self.model._meta,
        }
        return render(request, "admin/actors/commons_import.html", context)


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
            '<img src="{}" width="72" height="72" alt="Photo #{}" class="face-thumb">',
            image.face_thumbnail.url,
            image.pk,
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


@admin.register(CommonsImportJob)
class CommonsImportJobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Started from the actor list's action; written only by the import task."""

    list_display = ["__str__", "state", "progress", "photos_added", "photos_skipped"]
    list_display += ["photos_present", "created_by", "created_at", "finished_at"]
    list_filter = ["state"]
    fields = ["state", "progress", "per_actor", "review", "photos_added", "photos_skipped"]
    fields += ["photos_present", "outcome_text", "actor_names", "created_by", "created_at"]
    fields += ["started_at", "heartbeat_at", "finished_at"]
    readonly_fields = fields

    @admin.display(description="progress")
    def progress(self, job):
        return f"{job.actors_done} of {job.actors_total} actors"

    @admin.display(description="outcome")
    def outcome_text(self, job):
        return format_html('<pre class="job-outcome">{}</pre>', job.outcome or "-")

    @admin.display(description="actors")
    def actor_names(self, job):
        return ", ".join(job.actors.order_by("-popularity").values_list("name", flat=True))
