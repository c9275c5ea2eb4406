from django.core.management.base import BaseCommand

from moderation.roles import CURATOR_PERMISSIONS, curators_group_sync


class Command(BaseCommand):
    help = "Create or update the Curators group with exactly the permissions curation needs."

    def handle(self, **options):
        group = curators_group_sync()
        self.stdout.write(f"{group.name}: {len(CURATOR_PERMISSIONS)} permissions.")
