"""The Curators group: exactly the permissions the moderation work needs, nothing else."""

from django.contrib.auth.models import Group, Permission

CURATORS = "Curators"
CURATOR_PERMISSIONS = [
    ("actors", "view_actor"),
    ("actors", "view_actorimage"),
    ("actors", "view_skippedphoto"),
    ("actors", "view_commonsimportjob"),
    ("actors", "start_commons_import"),
    ("moderation", "view_flag"),
    ("moderation", "add_flag"),
    ("moderation", "change_flag"),
    ("moderation", "view_auditentry"),
    ("matching", "view_indexversion"),
    ("matching", "rebuild_index"),
]


def curators_group_sync() -> Group:
    """Create the group if needed and set its permissions to exactly the list above."""
    group, _ = Group.objects.get_or_create(name=CURATORS)
    permissions = [
        Permission.objects.get(content_type__app_label=app, codename=codename)
        for app, codename in CURATOR_PERMISSIONS
    ]
    group.permissions.set(permissions)
    return group


# Deciding what the catalogue matches against (resolving flags, approving or rejecting new
# photos) is one power: whoever may resolve flags may also review new photos.
CURATE_PERMISSION = "moderation.change_flag"


def can_curate(user) -> bool:
    return user.has_perm(CURATE_PERMISSION)
