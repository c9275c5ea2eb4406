"""Curators' job outcomes and the actor page: the suspects check's status for the queue to poll,
and each actor's whole gallery with its outliers, flags and history."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html

from actors.admin import ActorAdmin
from actors.models import Actor, ActorImage

from .models import Flag, SuspectsCheck
from .roles import can_curate
from .selectors_gallery import actor_gallery, actor_history
from .services import image_exclude, image_flag

try:  # restoring a photo comes with the queue's one-click actions
    from .services import image_restore
except ImportError:  # pragma: no cover - depends on which changes are in
    image_restore = None


def latest_suspects_check() -> SuspectsCheck | None:
    return SuspectsCheck.objects.order_by("-id").first()


def suspects_status(check: SuspectsCheck | None) -> dict:
    if check is None:
        return {"id": None, "state": None, "finished": True, "message": ""}
    return {
        "id": check.pk,
        "state": check.state,
        "finished": check.is_finished,
        "flags_opened": check.flags_opened,
        "message": check.outcome(),
    }


def suspects_status_view(request):
    """The latest suspects check, for the queue page to poll until it ends."""
    if not request.user.has_perm("moderation.view_flag"):
        raise PermissionDenied
    return JsonResponse(suspects_status(latest_suspects_check()))


class CuratedActorAdmin(ActorAdmin):
    """The catalogue's actor list, with each actor's page for curators."""

    change_form_template = "admin/actors/actor/change_form.html"
    list_display = [*ActorAdmin.list_display, "gallery_link"]

    def get_urls(self):
        gallery = self.admin_site.admin_view(self.gallery_view)
        return [
            path("<int:actor_id>/gallery/", gallery, name="actors_actor_gallery")
        ] + super().get_urls()

    @admin.display(description="photos")
    def gallery_link(self, actor):
        return format_html(
            '<a href="{}">Photos</a>', reverse("admin:actors_actor_gallery", args=[actor.pk])
        )

    def gallery_view(self, request, actor_id: int):
        actor = get_object_or_404(Actor, pk=actor_id)
        if not self.has_view_permission(request, actor):
            raise PermissionDenied
        if request.method == "POST":
            return self._gallery_act(request, actor)
        gallery = actor_gallery(actor)
        context = {
            **self.admin_site.each_context(request),
            "title": f"{actor.name}: photos",
            "actor": actor,
            "gallery": gallery,
            "history": actor_history(actor),
            "can_curate": can_curate(request.user),
            "can_restore": image_restore is not None,
            "statuses": [
                (label, gallery.count(value)) for value, label in ActorImage.Status.choices
            ],
            "opts": self.model._meta,
        }
        return render(request, "admin/actors/actor/gallery.html", context)

    def _gallery_act(self, request, actor: Actor):
        if not can_curate(request.user):
            raise PermissionDenied
        image = get_object_or_404(ActorImage, pk=request.POST.get("image"), actor=actor)
        action = request.POST.get("action")
        if action == "flag":
            image_flag(image, source=Flag.Source.CURATOR, user=request.user)
            done = f"Flagged photo #{image.pk}; it waits in the moderation queue."
        elif action == "exclude":
            image_exclude(image, request.user)
            done = f"Excluded photo #{image.pk} from the catalogue."
        elif action == "restore" and image_restore is not None:
            image_restore(image, request.user)
            done = f"Restored photo #{image.pk} to the catalogue."
        else:
            messages.error(request, "Unknown action.")
            return redirect("admin:actors_actor_gallery", actor.pk)
        messages.success(request, done)
        return redirect(
            f"{reverse('admin:actors_actor_gallery', args=[actor.pk])}#photo-{image.pk}"
        )


admin.site.unregister(Actor)
admin.site.register(Actor, CuratedActorAdmin)
