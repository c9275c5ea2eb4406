from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "moderation"

    def ready(self):
        from actors.signals import photos_added

        from .tasks import suspects_after_import

        photos_added.connect(suspects_after_import, dispatch_uid="suspects-after-import")
