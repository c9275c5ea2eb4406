"""The curators' side of the admin: the moderation queue, the review of new photos and the
audit log."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_POST

from actors.admin import ActorImageAdmin
from actors.models import Actor, ActorImage
from common.admin_mixins import ReadOnlyAdminMixin

from .admin_jobs import suspects_status_view
from .forms import ReviewDecisionForm
from .models import AuditEntry, Flag
from .roles import can_curate
from .selectors import typical_images
from .selectors_health import dataset_health
from .selectors_review import actors_with_pending, pending_count, review_groups
from .services import flag_confirm, flag_dismiss, image_exclude, image_flag, image_move
from .services_review import pending_decide
from .services_suspects import suspects_check_request


def thumbnail(image: ActorImage | None, size: int = 96, alt: str = "") -> str:
    if image is None or not image.face_thumbnail:
        return "-"
    return format_html(
        '<img src="{}" width="{}" height="{}" alt="{}" class="face-thumb">',
        image.face_thumbnail.url,
        size,
        size,
        alt,
    )


class OpenFirstStatusFilter(admin.SimpleListFilter):
    """The queue opens on open flags; 'All' is one click away."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [*Flag.Status.choices, ("all", "All")]

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {
                "selected": (self.value() or "open") == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        value = self.value() or "open"
        return queryset if value == "all" else queryset.filter(status=value)


class MoveForm(forms.Form):
    actor = forms.ModelChoiceField(
        queryset=Actor.objects.all(),
        widget=AutocompleteSelect(ActorImage._meta.get_field("actor"), admin.site),
        help_text="Type to search the catalogue.",
    )


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    list_display = [
        "photo",
        "typical",
        "actor",
        "reports",
        "score",
        "source",
        "status",
        "created_at",
    ]
    list_filter = [OpenFirstStatusFilter, "source"]
    list_select_related = ["image__actor"]
    search_fields = ["image__actor__name", "reason", "notes"]
    actions = ["confirm", "dismiss", "move", "exclude_photos"]
    readonly_fields = ["photo", "typical", "reports", "score", "raised_by", "resolved_by"]
    readonly_fields += ["resolved_at", "status", "source"]
    fields = ["photo", "typical", "image", "source", "reason", "notes", "reports", "score"]
    fields += ["status", "raised_by", "resolved_by", "resolved_at"]
    raw_id_fields = ["image"]

    change_list_template = "admin/moderation/flag/change_list.html"

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("suspects/", wrap(require_POST(self.suspects_view)), name="moderation_suspects"),
            path("health/", wrap(self.health_view), name="moderation_health"),
            path(
                "suspects/status/",
                wrap(suspects_status_view),
                name="moderation_suspects_status",
            ),
        ] + super().get_urls()

    def suspects_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        suspects_check_request(user=request.user)
        return redirect("admin:moderation_flag_changelist")

    def health_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": "Dataset health",
            "health": dataset_health(),
            "opts": self.model._meta,
        }
        return render(request, "admin/moderation/health.html", context)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:  # a curator raising a flag picks the photo and says why
            return ["photo", "typical", "reports", "score", "status", "raised_by"]
        return [f for f in self.fields if f not in ("notes",)]  # resolved through the actions

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["image", "reason", "notes"]
        return self.fields

    def get_queryset(self, request):
        self._typical = {}
        return super().get_queryset(request)

    @admin.display(description="flagged photo")
    def photo(self, flag):
        return thumbnail(flag.image, alt=f"Flagged photo #{flag.image_id}")

    @admin.display(description="the actor's most typical photos")
    def typical(self, flag):
        cache = getattr(self, "_typical", {})
        if flag.image.actor_id not in cache:
            cache[flag.image.actor_id] = typical_images(flag.image.actor_id, count=4)
        others = [i for i in cache[flag.image.actor_id] if i.pk != flag.image_id][:3]
        return format_html_join(" ", "{}", ((thumbnail(i, 64),) for i in others)) or "-"

    @admin.display(description="actor", ordering="image__actor__name")
    def actor(self, flag):
        url = reverse("admin:actors_actor_gallery", args=[flag.image.actor_id])
        return format_html('<a href="{}">{}</a>', url, flag.image.actor.name)

    def save_model(self, request, obj, form, change):
        if not change:
            from .services import image_flag

            image_flag(
                obj.image,
                source=Flag.Source.CURATOR,
                reason=obj.reason,
                note=obj.notes,
                user=request.user,
            )
            return
        super().save_model(request, obj, form, change)

    @admin.action(description="Confirm: not this actor (exclude the photo)", permissions=["change"])
    def confirm(self, request, queryset):
        for flag in queryset:
            flag_confirm(flag, request.user)
        self.message_user(request, f"Confirmed {queryset.count()} flags.", messages.SUCCESS)

    @admin.action(description="Dismiss: the photo is right", permissions=["change"])
    def dismiss(self, request, queryset):
        for flag in queryset:
            flag_dismiss(flag, request.user)
        self.message_user(request, f"Dismissed {queryset.count()} flags.", messages.SUCCESS)

    @admin.action(description="Exclude the photos", permissions=["change"])
    def exclude_photos(self, request, queryset):
        for flag in queryset.select_related("image"):
            image_exclude(flag.image, request.user)
        self.message_user(request, "Excluded the photos.", messages.SUCCESS)

    @admin.action(description="Move the photos to another actor…", permissions=["change"])
    def move(self, request, queryset):
        form = MoveForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            actor = form.cleaned_data["actor"]
            for flag in queryset.select_related("image"):
                image_move(flag.image, actor, request.user)
            self.message_user(request, f"Moved the photos to {actor}.", messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Move photos to another actor",
            "form": form,
            "flags": queryset.select_related("image__actor"),
            "media": self.media + form.media,
            "opts": self.model._meta,
        }
        return render(request, "admin/moderation/move.html", context)


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Readable by curators, changeable by nobody."""

    list_display = ["created_at", "username", "action", "image", "flag", "before", "after"]
    list_filter = ["action"]
    search_fields = ["username"]
    date_hierarchy = "created_at"


class CuratedActorImageAdmin(ActorImageAdmin):
    """The catalogue's photo list, with curation's actions: they write flags and the audit log."""

    actions = ["flag_photos", "exclude_photos"]
    change_list_template = "admin/moderation/actorimage_change_list.html"
    review_actors_per_page = 10

    def get_urls(self):
        review = self.admin_site.admin_view(self.review_view)
        return [path("review/", review, name="moderation_review")] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "pending_count": pending_count()}
        return super().changelist_view(request, extra_context)

    def review_view(self, request):
        """New photos waiting for a curator, grouped by actor; approve or reject them."""
        if not can_curate(request.user):
            raise PermissionDenied
        if request.method == "POST":
            return self._review_decide(request)
        actor = request.GET.get("actor")
        actors = actors_with_pending(int(actor) if actor and actor.isdigit() else None)
        page = Paginator(actors, self.review_actors_per_page).get_page(request.GET.get("page"))
        context = {
            **self.admin_site.each_context(request),
            "title": "Review new photos",
            "groups": review_groups(list(page)),
            "page": page,
            "pending_count": pending_count(),
            "opts": self.model._meta,
        }
        return render(request, "admin/moderation/review.html", context)

    def _review_decide(self, request):
        wants_json = "application/json" in request.headers.get("Accept", "")
        form = ReviewDecisionForm(request.POST)
        if not form.is_valid():
            error = " ".join(message for errors in form.errors.values() for message in errors)
            if wants_json:
                return JsonResponse({"error": error}, status=400)
            self.message_user(request, error, messages.ERROR)
            return redirect(request.get_full_path())
        decision = form.cleaned_data["decision"]
        decided = pending_decide(form.image_ids, decision, request.user)
        done = "Approved" if decision == "approve" else "Rejected"
        message = f"{done} {len(decided)} photo{'' if len(decided) == 1 else 's'}."
        already = [pk for pk in form.image_ids if pk not in set(decided)]
        if already:
            message += f" {len(already)} had been decided already."
        if wants_json:
            return JsonResponse(
                {"decision": decision, "decided": decided, "already": already, "message": message}
            )
        self.message_user(request, message, messages.SUCCESS)
        return redirect(request.get_full_path())

    @admin.action(description="Flag: not this actor", permissions=["view"])
    def flag_photos(self, request, queryset):
        for image in queryset:
            image_flag(image, source=Flag.Source.CURATOR, user=request.user)
        self.message_user(request, "Flagged; see the moderation queue.", messages.SUCCESS)

    @admin.action(description="Exclude from the catalogue", permissions=["view"])
    def exclude_photos(self, request, queryset):
        for image in queryset:
            image_exclude(image, request.user)
        self.message_user(request, "Excluded.", messages.SUCCESS)


admin.site.unregister(ActorImage)
admin.site.register(ActorImage, CuratedActorImageAdmin)
