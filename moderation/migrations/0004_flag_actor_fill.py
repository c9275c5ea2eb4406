from django.db import migrations


def fill_actor(apps, schema_editor):
    """Each flag gets the actor its photo was filed under when it was flagged: the actor before
    the first move made since, or else the photo's actor now."""
    Flag = apps.get_model("moderation", "Flag")
    AuditEntry = apps.get_model("moderation", "AuditEntry")
    Actor = apps.get_model("actors", "Actor")
    for flag in Flag.objects.filter(actor__isnull=True).select_related("image").iterator():
        move = (
            AuditEntry.objects.filter(
                image_id=flag.image_id, action="move", created_at__gte=flag.created_at
            )
            .order_by("created_at", "id")
            .first()
        )
        actor_id = (move.before or {}).get("actor_id") if move else None
        if actor_id is None or not Actor.objects.filter(pk=actor_id).exists():
            actor_id = flag.image.actor_id
        Flag.objects.filter(pk=flag.pk).update(actor_id=actor_id)


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0003_flag_actor_and_curator_notes"),
    ]

    operations = [migrations.RunPython(fill_actor, migrations.RunPython.noop)]
