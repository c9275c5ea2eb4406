from django.contrib import admin

from .models import IndexVersion


@admin.register(IndexVersion)
class IndexVersionAdmin(admin.ModelAdmin):
    list_display = ["id", "state", "embedding_count", "actor_count", "build_seconds"]
    list_display += ["created_at", "activated_at"]
    list_filter = ["state"]
    exclude = ["embedding_ids"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
