from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path
from django.views.decorators.http import require_POST

from common.admin_mixins import ReadOnlyAdminMixin

from .models import IndexVersion
from .selectors_index import next_build_changes
from .services import BuildInProgress, index_rebuild_request


@admin.register(IndexVersion)
class IndexVersionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "state", "embedding_count", "actor_count", "build_seconds", "error"]
    list_display += ["requested_by", "created_at", "activated_at"]
    list_filter = ["state"]
    list_select_related = ["requested_by"]
    exclude = ["embedding_ids"]
    change_list_template = "admin/matching/indexversion/change_list.html"

    def get_urls(self):
        rebuild = self.admin_site.admin_view(require_POST(self.rebuild_view))
        return [
            path("rebuild/", rebuild, name="matching_indexversion_rebuild")
        ] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        # Beside the rebuild button: what a build now would add and leave out.
        extra_context = {**(extra_context or {}), "next_build": next_build_changes()}
        return super().changelist_view(request, extra_context)

    def rebuild_view(self, request):
        if not request.user.has_perm("matching.rebuild_index"):
            raise PermissionDenied
        try:
            version = index_rebuild_request(user=request.user)
        except BuildInProgress as exc:
            self.message_user(request, str(exc), messages.WARNING)
        else:
            self.message_user(
                request,
                f"Index version {version.pk} is queued; this page shows its progress.",
                messages.SUCCESS,
            )
        return redirect("admin:matching_indexversion_changelist")
