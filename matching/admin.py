from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from common.admin_mixins import ReadOnlyAdminMixin

from .models import IndexVersion
from .selectors_index import latest_build, next_build_changes
from .services import BuildInProgress, NothingChanged, index_rebuild_request


def build_status(version: IndexVersion | None) -> dict:
    """The JSON the index page polls while a build runs."""
    if version is None:
        return {"id": None, "state": None, "stage": None, "finished": True, "message": ""}
    return {
        "id": version.pk,
        "state": version.state,
        "stage": version.stage,
        "progress": version.progress,
        "finished": version.is_finished,
        "message": version.status_message(),
    }


@admin.register(IndexVersion)
class IndexVersionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "state", "embedding_count", "actor_count", "build_seconds", "error"]
    list_display += ["requested_by", "created_at", "activated_at"]
    list_filter = ["state"]
    list_select_related = ["requested_by"]
    exclude = ["embedding_ids"]
    change_list_template = "admin/matching/indexversion/change_list.html"

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "rebuild/",
                wrap(require_POST(self.rebuild_view)),
                name="matching_indexversion_rebuild",
            ),
            path("status/", wrap(self.status_view), name="matching_indexversion_status"),
        ] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        # Beside the rebuild button: what a build now would add and leave out, and the latest
        # build's progress or result.
        extra_context = {
            **(extra_context or {}),
            "next_build": next_build_changes(),
            "latest_build": latest_build(),
        }
        return super().changelist_view(request, extra_context)

    def status_view(self, request):
        """The latest build's state, stage, counts and result, for the page to poll."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        return JsonResponse(build_status(latest_build()))

    def rebuild_view(self, request):
        if not request.user.has_perm("matching.rebuild_index"):
            raise PermissionDenied
        try:
            version = index_rebuild_request(user=request.user)
        except NothingChanged as exc:
            self.message_user(request, str(exc), messages.INFO)
        except BuildInProgress as exc:
            self.message_user(request, str(exc), messages.WARNING)
        else:
            self.message_user(
                request,
                f"Index version {version.pk} is queued; its progress shows below.",
                messages.SUCCESS,
            )
        back = request.POST.get("next", "")
        if back and url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return redirect(back)
        return redirect("admin:matching_indexversion_changelist")
