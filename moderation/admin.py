"""The curators' side of the admin: the moderation queue, the review of new photos and the
audit log."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.text import Truncator
from django.utils.translation import ngettext
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
from .selectors_ratings import rating_summary
from .selectors_review import actors_with_pending, pending_count, review_groups
from .services import (
    DecisionRefused,
    decision_undo,
    flag_decide,
    flag_note,
    flag_reopen,
    image_exclude_audited,
    image_flag,
    image_move_audited,
    image_restore_audited,
)
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


def zoomable(image: ActorImage, size: int = 120) -> str:
    """The face crop, linking to the full photo; the queue's script opens it in a lightbox with
    the face outlined."""
    if not image.face_thumbnail:
        return "-"
    return format_html(
        '<a href="{}" class="zoom-link" data-zoom="{}" data-zoom-size="{} {}" '
        'data-zoom-box="{} {} {} {}" data-zoom-label="{}">'
        '<img src="{}" width="{}" height="{}" alt="Zoom: photo {} filed under {}" '
        'class="face-thumb"></a>',
        image.file.url,
        image.file.url,
        image.width,
        image.height,
        image.face_left,
        image.face_top,
        image.face_right - image.face_left,
        image.face_bottom - image.face_top,
        f"Photo {image.pk} filed under {image.actor.name}, its face outlined",
        image.face_thumbnail.url,
        size,
        size,
        image.pk,
        image.actor.name,
    )


def photo_with_box(image: ActorImage) -> str:
    """The full reference photo with its face outlined (an SVG: no inline style)."""
    if not image.file:
        return "-"
    box = {
        "x": image.face_left,
        "y": image.face_top,
        "width": image.face_right - image.face_left,
        "height": image.face_bottom - image.face_top,
    }
    return render_to_string("admin/moderation/flag/photo_box.html", {"image": image, "box": box})


def safe_next(request, default: str) -> str:
    """Where to go back to after a decision: the page the curator came from, on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def with_undo(request, message: str, entry: AuditEntry, back: str) -> str:
    """The message after a decision, with an Undo button that reverses exactly that decision."""
    return format_html(
        '{} <form method="post" action="{}" class="undo-form">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
        '<input type="hidden" name="next" value="{}">'
        '<button type="submit" class="button">Undo</button></form>',
        message,
        reverse("admin:moderation_undo", args=[entry.pk]),
        get_token(request),
        back,
    )


def notes_cell(text: str, limit: int = 90) -> str:
    """Notes shown whole when short; otherwise the start, and the rest behind 'more'."""
    text = text.strip()
    if len(text) <= limit:
        return format_html('<span class="flag-notes">{}</span>', text)
    return format_html(
        '<details class="flag-notes"><summary>{}… <span class="more">more</span></summary>'
        "<p>{}</p></details>",
        Truncator(text).chars(limit, truncate=""),
        text,
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
        label="Move to",
        widget=AutocompleteSelect(ActorImage._meta.get_field("actor"), admin.site),
        help_text="Type to search the catalogue.",
    )


# What each decision is called on the buttons, and what the message says it did.
DECISIONS = {
    "confirm": ("Exclude: not this actor", "Excluded photo {image}: not {actor}."),
    "dismiss": ("Keep: photo is right", "Kept photo {image} under {actor}; flag dismissed."),
}


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    list_display = ["photo", "typical", "filed_under", "reports_and_score", "state"]
    list_display_links = None  # the filed-under cell links to the flag's page
    list_filter = [OpenFirstStatusFilter, "source"]
    list_select_related = ["image__actor", "actor", "resolved_by"]
    list_per_page = 50
    search_fields = ["image__actor__name", "actor__name", "reason", "notes", "curator_notes"]
    actions = ["confirm", "dismiss", "move"]
    fields = ["zoom_photo", "full_photo", "typical", "image", "filed_under_text", "source"]
    fields += ["reason", "notes", "curator_notes", "reports", "score", "status", "raised_by"]
    fields += ["resolved_by", "resolved_at"]
    raw_id_fields = ["image"]

    change_list_template = "admin/moderation/flag/change_list.html"
    change_form_template = "admin/moderation/flag/change_form.html"

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
            path(
                "<int:pk>/decide/",
                wrap(require_POST(self.decide_view)),
                name="moderation_flag_decide",
            ),
            path("<int:pk>/move/", wrap(self.move_view), name="moderation_flag_move"),
            path(
                "<int:pk>/reopen/",
                wrap(require_POST(self.reopen_view)),
                name="moderation_flag_reopen",
            ),
            path("<int:pk>/note/", wrap(require_POST(self.note_view)), name="moderation_flag_note"),
            path("undo/<int:entry>/", wrap(require_POST(self.undo_view)), name="moderation_undo"),
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
            "ratings": rating_summary(),
            "opts": self.model._meta,
        }
        return render(request, "admin/moderation/health.html", context)

    # --- the queue ---

    def changelist_view(self, request, extra_context=None):
        status = request.GET.get("status") or "open"
        extra_context = {
            "title": "Moderation queue" if status == "open" else "Flags",
            "queue_status": status,
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context)

    def get_list_display(self, request):
        here = request.get_full_path()
        can_decide = can_curate(request.user)

        def decide(flag):
            return self.decide_buttons(flag, here) if can_decide else "-"

        decide.short_description = "decide"
        return [*self.list_display, decide]

    def decide_buttons(self, flag: Flag, back: str, *, request=None) -> str:
        """One button per decision. In the queue (no request) they submit the queue's own form,
        and its CSRF token, to the flag's addresses, so no form is nested in another; on the
        flag's page each is a small form of its own."""
        query = "?" + urlencode({"next": back})
        context = {
            "flag": flag,
            "decide": reverse("admin:moderation_flag_decide", args=[flag.pk]) + query,
            "move": reverse("admin:moderation_flag_move", args=[flag.pk]) + query,
            "reopen": reverse("admin:moderation_flag_reopen", args=[flag.pk]) + query,
            "restore": reverse("admin:moderation_image_restore", args=[flag.image_id]) + query,
            "labels": {key: label for key, (label, _) in DECISIONS.items()},
            "in_form": request is None,
        }
        return render_to_string("admin/moderation/flag/decide.html", context, request=request)

    def get_queryset(self, request):
        self._typical = {}
        return super().get_queryset(request)

    @admin.display(description="reports", ordering="-reports")
    def reports_and_score(self, flag):
        score = (
            format_html('<span class="flag-score">score {}</span>', f"{flag.score:.2f}")
            if flag.score is not None
            else ""
        )
        reports = ngettext("%d report", "%d reports", flag.reports) % flag.reports
        return format_html('<span class="flag-reports">{}</span>{}', reports, score)

    @admin.display(description="status, source, flagged", ordering="created_at")
    def state(self, flag):
        local = timezone.localtime(flag.created_at)
        return format_html(
            '<span class="flag-status" data-status>{}</span><span>{}</span>'
            '<time datetime="{}">{}</time>',
            flag.get_status_display(),
            flag.get_source_display(),
            local.isoformat(),
            local.strftime("%d %b %Y %H:%M"),
        )

    @admin.display(description="photo")
    def photo(self, flag):
        return zoomable(flag.image)

    @admin.display(description="photo (select to zoom)")
    def zoom_photo(self, flag):
        return zoomable(flag.image, size=200)

    @admin.display(description="whole photo, face outlined")
    def full_photo(self, flag):
        return photo_with_box(flag.image)

    @admin.display(description="typical photos")
    def typical(self, flag):
        actor_id = flag.actor_id or flag.image.actor_id
        cache = getattr(self, "_typical", {})
        if actor_id not in cache:
            cache[actor_id] = typical_images(actor_id, count=4)
        others = [i for i in cache[actor_id] if i.pk != flag.image_id][:3]
        return format_html_join(" ", "{}", ((thumbnail(i, 56),) for i in others)) or "-"

    @admin.display(description="filed under, reason", ordering="actor__name")
    def filed_under(self, flag):
        filed = flag.actor.name if flag.actor else flag.image.actor.name
        return format_html(
            '<a href="{}" class="flag-link">{}</a>{} <a href="{}" class="flag-gallery" '
            'aria-label="All photos of {}">all photos</a><div class="flag-reason">{}</div>{}{}',
            reverse("admin:moderation_flag_change", args=[flag.pk]),
            filed,
            self._moved(flag),
            reverse("admin:actors_actor_gallery", args=[flag.actor_id or flag.image.actor_id]),
            filed,
            flag.reason,
            notes_cell(flag.notes) if flag.notes else "",
            format_html(
                '<div class="flag-curator-notes">{}</div>',
                notes_cell(flag.curator_notes.splitlines()[-1]),
            )
            if flag.curator_notes
            else "",
        )

    @admin.display(description="filed under")
    def filed_under_text(self, flag):
        return format_html(
            "{}{}", flag.actor.name if flag.actor else flag.image.actor.name, self._moved(flag)
        )

    def _moved(self, flag) -> str:
        moved = flag.moved_to()
        return format_html(' <span class="flag-moved">→ moved to {}</span>', moved) if moved else ""

    # --- the flag's page ---

    def get_readonly_fields(self, request, obj=None):
        if obj is None:  # a curator raising a flag picks the photo and says why
            return ["reports", "score", "status", "raised_by"]
        return self.fields  # decided with the buttons; notes are added, never edited

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["image", "reason", "notes"]
        return self.fields

    def change_view(self, request, object_id, form_url="", extra_context=None):
        flag = self.get_object(request, object_id)
        extra_context = dict(extra_context or {})
        if flag is not None:
            queue = self._queue_url(request)
            extra_context.update(
                show_save=False,
                show_save_and_continue=False,
                show_save_and_add_another=False,
                can_decide=can_curate(request.user),
                decide_html=self.decide_buttons(flag, queue, request=request),
                title=f"Flag on photo {flag.image_id}, filed under "
                f"{(flag.actor or flag.image.actor).name} ({flag.get_status_display().lower()})",
                subtitle=None,
                note_url=reverse("admin:moderation_flag_note", args=[flag.pk]),
                here=request.get_full_path(),
                history=flag.audit.order_by("-created_at", "-id")[:20],
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def _queue_url(self, request) -> str:
        queue = reverse("admin:moderation_flag_changelist")
        filters = request.GET.get("_changelist_filters")
        return f"{queue}?{filters}" if filters else queue

    def save_model(self, request, obj, form, change):
        if not change:
            image_flag(
                obj.image,
                source=Flag.Source.CURATOR,
                reason=obj.reason,
                note=obj.notes,
                user=request.user,
            )
            return
        super().save_model(request, obj, form, change)

    # --- one decision at a time ---

    def _curator_only(self, request):
        if not can_curate(request.user):
            raise PermissionDenied

    def _answer(self, request, message: str, entry: AuditEntry | None = None, flag=None):
        """The same answer to the queue's script (JSON) and to a plain form (a message with an
        Undo button, and back to where the curator was)."""
        undo = reverse("admin:moderation_undo", args=[entry.pk]) if entry else None
        back = safe_next(request, reverse("admin:moderation_flag_changelist"))
        if "application/json" in request.headers.get("Accept", ""):
            answer = {"message": message, "undo": undo}
            if flag is not None:
                answer["flag"] = flag.pk
                answer["open"] = flag.is_open
                answer["status"] = flag.get_status_display()
                answer["photo"] = flag.image.get_status_display()
            return JsonResponse(answer)
        if entry is not None:
            message = with_undo(request, message, entry, back)
        self.message_user(request, message, messages.SUCCESS)
        return redirect(back)

    def _refused(self, request, message: str):
        if "application/json" in request.headers.get("Accept", ""):
            return JsonResponse({"error": message}, status=409)
        self.message_user(request, message, messages.ERROR)
        return redirect(safe_next(request, reverse("admin:moderation_flag_changelist")))

    def decide_view(self, request, pk: int):
        self._curator_only(request)
        flag = get_object_or_404(Flag.objects.select_related("image__actor", "actor"), pk=pk)
        decision = request.POST.get("decision")
        if decision not in DECISIONS:
            return self._refused(request, "Unknown decision.")
        flag, entry = flag_decide(flag, decision, request.user)
        if entry is None:
            return self._refused(
                request, f"That flag was {flag.get_status_display().lower()} already."
            )
        actor = flag.actor.name if flag.actor else flag.image.actor.name
        message = DECISIONS[decision][1].format(image=flag.image_id, actor=actor)
        return self._answer(request, message, entry, flag)

    def move_view(self, request, pk: int):
        self._curator_only(request)
        flag = get_object_or_404(Flag.objects.select_related("image__actor", "actor"), pk=pk)
        form = MoveForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            actor = form.cleaned_data["actor"]
            before = flag.image.actor.name
            image, entry = image_move_audited(flag.image, actor, request.user)
            if entry is None:
                return self._refused(request, f"Photo {image.pk} is filed under {actor} already.")
            flag.refresh_from_db()
            message = f"Moved photo {image.pk} from {before} to {actor}."
            return self._answer(request, message, entry, flag)
        return self._move_page(request, [flag], form, single=True)

    def _move_page(self, request, flags, form, *, single: bool):
        context = {
            **self.admin_site.each_context(request),
            "title": "Move the photo to another actor"
            if single
            else ngettext(
                "Move %d photo to another actor", "Move %d photos to another actor", len(flags)
            )
            % len(flags),
            "form": form,
            "items": [
                {
                    "flag": flag,
                    "photo": photo_with_box(flag.image),
                    "typical": [
                        i
                        for i in typical_images(flag.image.actor_id, count=4)
                        if i.pk != flag.image_id
                    ][:3],
                }
                for flag in flags
            ],
            "single": single,
            "next": safe_next(request, reverse("admin:moderation_flag_changelist")),
            "media": self.media + form.media,
            "opts": self.model._meta,
        }
        return render(request, "admin/moderation/move.html", context)

    def reopen_view(self, request, pk: int):
        self._curator_only(request)
        flag = get_object_or_404(Flag, pk=pk)
        try:
            flag = flag_reopen(flag, request.user)
        except DecisionRefused as refused:
            return self._refused(request, str(refused))
        flag = Flag.objects.select_related("image").get(pk=flag.pk)
        return self._answer(request, f"Flag on photo {flag.image_id} is open again.", flag=flag)

    def note_view(self, request, pk: int):
        self._curator_only(request)
        flag = get_object_or_404(Flag, pk=pk)
        try:
            flag_note(flag, request.user, request.POST.get("note", "")[:1000])
        except DecisionRefused as refused:
            return self._refused(request, str(refused))
        return self._answer(request, "Your note is added.")

    def undo_view(self, request, entry: int):
        self._curator_only(request)
        entry = get_object_or_404(AuditEntry.objects.select_related("flag", "image"), pk=entry)
        try:
            message = decision_undo(entry, request.user)
        except DecisionRefused as refused:
            return self._refused(request, str(refused))
        flag = None
        if entry.flag_id is not None:
            flag = Flag.objects.select_related("image").get(pk=entry.flag_id)
        return self._answer(request, f"Undone. {message}", flag=flag)

    # --- several rows at once ---

    @admin.action(description="Exclude the photos: not these actors", permissions=["change"])
    def confirm(self, request, queryset):
        done = sum(1 for flag in queryset if flag_decide(flag, "confirm", request.user)[1])
        message = ngettext("Confirmed %d flag.", "Confirmed %d flags.", done) % done
        self.message_user(request, message, messages.SUCCESS)

    @admin.action(description="Keep the photos: they are right", permissions=["change"])
    def dismiss(self, request, queryset):
        done = sum(1 for flag in queryset if flag_decide(flag, "dismiss", request.user)[1])
        message = ngettext("Dismissed %d flag.", "Dismissed %d flags.", done) % done
        self.message_user(request, message, messages.SUCCESS)

    @admin.action(description="Move the photos to another actor…", permissions=["change"])
    def move(self, request, queryset):
        form = MoveForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            actor = form.cleaned_data["actor"]
            moved = sum(
                1
                for flag in queryset.select_related("image")
                if image_move_audited(flag.image, actor, request.user)[1]
            )
            message = ngettext(
                "Moved %(n)d photo to %(actor)s.", "Moved %(n)d photos to %(actor)s.", moved
            ) % {"n": moved, "actor": actor}
            self.message_user(request, message, messages.SUCCESS)
            return None
        return self._move_page(
            request, list(queryset.select_related("image__actor", "actor")), form, single=False
        )


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Readable by curators, changeable by nobody."""

    list_display = ["created_at", "username", "action", "photo", "flag_link", "change"]

    def changelist_view(self, request, extra_context=None):
        extra_context = {"title": "Audit log", **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    list_filter = ["action"]
    list_select_related = ["image__actor", "flag"]
    search_fields = ["username"]
    date_hierarchy = "created_at"
    fields = ["created_at", "username", "action", "photo", "flag_link", "change"]
    fields += ["before", "after"]

    @admin.display(description="photo")
    def photo(self, entry):
        if entry.image is None:
            return "-" if entry.image_id is None else f"photo {entry.image_id} (deleted)"
        return format_html(
            '<a href="{}" class="audit-photo">{}<span>photo {}</span></a>',
            reverse("admin:actors_actorimage_change", args=[entry.image_id]),
            thumbnail(entry.image, 48),
            entry.image_id,
        )

    @admin.display(description="flag")
    def flag_link(self, entry):
        if entry.flag_id is None:
            return "-"
        return format_html(
            '<a href="{}">flag {}</a>',
            reverse("admin:moderation_flag_change", args=[entry.flag_id]),
            entry.flag_id,
        )

    @admin.display(description="what changed")
    def change(self, entry):
        return entry.describe_change()


class CuratedActorImageAdmin(ActorImageAdmin):
    """The catalogue's photo list, with curation's actions: they write flags and the audit log."""

    actions = ["flag_photos", "exclude_photos", "restore_photos"]
    change_list_template = "admin/moderation/actorimage_change_list.html"
    change_form_template = "admin/moderation/actorimage_change_form.html"
    review_actors_per_page = 10

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("review/", wrap(self.review_view), name="moderation_review"),
            path(
                "<int:pk>/restore/",
                wrap(require_POST(self.restore_view)),
                name="moderation_image_restore",
            ),
        ] + super().get_urls()

    def has_curate_permission(self, request):
        return can_curate(request.user)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_curate": can_curate(request.user),
            "here": request.get_full_path(),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def restore_view(self, request, pk: int):
        """Bring one excluded photo back, from its page, the queue or a settled flag."""
        if not can_curate(request.user):
            raise PermissionDenied
        image = get_object_or_404(ActorImage, pk=pk)
        image, entry = image_restore_audited(image, request.user)
        back = safe_next(request, reverse("admin:actors_actorimage_change", args=[pk]))
        wants_json = "application/json" in request.headers.get("Accept", "")
        if entry is None:
            message = f"Photo {pk} is not excluded: nothing to restore."
            if wants_json:
                return JsonResponse({"error": message}, status=409)
            self.message_user(request, message, messages.WARNING)
            return redirect(back)
        message = f"Restored photo {pk} to the catalogue (from the next index build)."
        if wants_json:
            undo = reverse("admin:moderation_undo", args=[entry.pk])
            return JsonResponse({"message": message, "undo": undo})
        self.message_user(request, with_undo(request, message, entry, back), messages.SUCCESS)
        return redirect(back)

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

    @admin.action(description="Flag: not this actor", permissions=["curate"])
    def flag_photos(self, request, queryset):
        for image in queryset:
            image_flag(image, source=Flag.Source.CURATOR, user=request.user)
        count = len(queryset)
        message = ngettext(
            "Flagged %d photo; see the moderation queue.",
            "Flagged %d photos; see the moderation queue.",
            count,
        )
        self.message_user(request, message % count, messages.SUCCESS)

    @admin.action(
        description="Exclude from the catalogue (settles any open flag as not this actor)",
        permissions=["curate"],
    )
    def exclude_photos(self, request, queryset):
        done = sum(1 for image in queryset if image_exclude_audited(image, request.user)[1])
        message = ngettext("Excluded %d photo.", "Excluded %d photos.", done) % done
        self.message_user(request, message, messages.SUCCESS)

    @admin.action(description="Restore to the catalogue", permissions=["curate"])
    def restore_photos(self, request, queryset):
        done = sum(1 for image in queryset if image_restore_audited(image, request.user)[1])
        message = ngettext("Restored %d photo.", "Restored %d photos.", done) % done
        self.message_user(request, message, messages.SUCCESS)


admin.site.unregister(ActorImage)
admin.site.register(ActorImage, CuratedActorImageAdmin)
