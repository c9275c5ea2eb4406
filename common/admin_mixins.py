class ReadOnlyAdminMixin:
    """A record of what happened: shown in the admin, written only by the application."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
