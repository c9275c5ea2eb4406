"""Decisions in the moderation queue: each one audited, and each one undone exactly."""

import pytest

from accounts.models import User
from actors.models import Actor, ActorImage
from moderation.models import AuditEntry, Flag
from moderation.services import (
    DecisionRefused,
    decision_undo,
    flag_decide,
    flag_dismiss,
    flag_note,
    flag_reopen,
    image_exclude,
    image_exclude_audited,
    image_flag,
    image_move_audited,
    image_restore,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cora(db):
    return User.objects.create_user("cora", password="x" * 20, is_staff=True)


@pytest.fixture
def matt_photo(small_catalogue):
    return ActorImage.objects.filter(actor__name="Matt Damon").order_by("pk").first()


def status(image) -> str:
    return ActorImage.objects.get(pk=image.pk).status


def test_a_flag_keeps_the_actor_the_photo_was_filed_under(cora, matt_photo):
    flag = image_flag(matt_photo, source=Flag.Source.VISITOR)
    katy = Actor.objects.get(name="Katy Perry")
    image_move_audited(matt_photo, katy, cora)
    flag = Flag.objects.select_related("image__actor", "actor").get(pk=flag.pk)
    assert flag.actor.name == "Matt Damon"
    assert flag.moved_to() == katy


def test_excluding_a_photo_settles_its_open_flag_and_links_the_entry(cora, matt_photo):
    flag = image_flag(matt_photo, source=Flag.Source.VISITOR)
    image_exclude(matt_photo, cora)
    assert status(matt_photo) == "excluded"
    assert Flag.objects.get(pk=flag.pk).status == "confirmed"
    entry = AuditEntry.objects.get(action="exclude")
    assert entry.flag_id == flag.pk
    assert entry.describe_change() == "status: active → excluded; flag: open → confirmed"


def test_dismiss_after_a_separate_exclusion_keeps_the_photo_excluded(cora, matt_photo):
    image_exclude(matt_photo, cora)  # excluded from the photo list, with no flag then
    flag = image_flag(matt_photo, source=Flag.Source.VISITOR)
    flag_dismiss(flag, cora)
    assert Flag.objects.get(pk=flag.pk).status == "dismissed"
    assert status(matt_photo) == "excluded"


def test_dismissing_a_curators_flag_brings_the_photo_back(cora, matt_photo):
    flag = image_flag(matt_photo, source=Flag.Source.CURATOR, user=cora)
    assert status(matt_photo) == "flagged"
    flag_dismiss(flag, cora)
    assert status(matt_photo) == "active"


def test_restore_brings_an_excluded_photo_back_and_is_audited(cora, matt_photo):
    image_exclude(matt_photo, cora)
    image_restore(matt_photo, cora)
    assert status(matt_photo) == "active"
    entry = AuditEntry.objects.get(action="restore")
    assert (entry.username, entry.describe_change()) == ("cora", "status: excluded → active")
    image_restore(matt_photo, cora)  # not excluded: nothing to do, nothing written
    assert AuditEntry.objects.filter(action="restore").count() == 1


@pytest.mark.parametrize(
    "decision, after",
    [("confirm", ("excluded", "Matt Damon")), ("dismiss", ("active", "Matt Damon"))],
)
def test_undo_of_a_confirm_or_dismiss_reopens_the_flag_as_it_was(cora, matt_photo, decision, after):
    flag = image_flag(matt_photo, source=Flag.Source.VISITOR)
    _, entry = flag_decide(flag, decision, cora)
    image = ActorImage.objects.select_related("actor").get(pk=matt_photo.pk)
    assert (image.status, image.actor.name) == after
    decision_undo(entry, cora)
    assert Flag.objects.get(pk=flag.pk).status == "open"
    assert Flag.objects.get(pk=flag.pk).resolved_by is None
    assert status(matt_photo) == "active"
    reopen = AuditEntry.objects.get(action="reopen")
    assert reopen.flag_id == flag.pk and reopen.after["flag"] == "open"


def test_undo_of_a_move_files_the_photo_back_under_its_actor(cora, matt_photo):
    flag = image_flag(matt_photo, source=Flag.Source.CURATOR, user=cora)
    katy = Actor.objects.get(name="Katy Perry")
    _, entry = image_move_audited(matt_photo, katy, cora)
    assert entry.flag_id == flag.pk
    assert entry.describe_change() == (
        "status: flagged → active; actor: Matt Damon → Katy Perry; flag: open → confirmed"
    )
    decision_undo(entry, cora)
    image = ActorImage.objects.select_related("actor").get(pk=matt_photo.pk)
    assert (image.actor.name, image.status) == ("Matt Damon", "flagged")
    assert Flag.objects.get(pk=flag.pk).status == "open"


def test_undo_of_an_exclusion_without_a_flag_restores_the_photo(cora, matt_photo):
    _, entry = image_exclude_audited(matt_photo, cora)
    decision_undo(entry, cora)
    assert status(matt_photo) == "active"


def test_reopen_leaves_a_photo_changed_since_as_it_is(cora, matt_photo):
    flag = image_flag(matt_photo, source=Flag.Source.VISITOR)
    flag_dismiss(flag, cora)
    image_exclude(matt_photo, cora)  # decided separately, after the dismiss
    flag_reopen(flag, cora)
    assert Flag.objects.get(pk=flag.pk).status == "open"
    assert status(matt_photo) == "excluded"


def test_reopen_is_refused_while_another_flag_is_open_on_the_photo(cora, matt_photo):
    first = image_flag(matt_photo, source=Flag.Source.VISITOR)
    flag_decide(first, "confirm", cora)
    image_restore(matt_photo, cora)
    second = image_flag(matt_photo, source=Flag.Source.VISITOR)
    with pytest.raises(DecisionRefused, match="another open flag"):
        flag_reopen(first, cora)
    assert Flag.objects.get(pk=first.pk).status == "confirmed"
    assert Flag.objects.get(pk=second.pk).status == "open"


def test_curator_notes_are_added_signed_and_audited(cora, matt_photo):
    flag = image_flag(matt_photo, source=Flag.Source.VISITOR, note="that is his brother")
    flag_note(flag, cora, "  Checked   the film credits ")
    flag_note(flag, cora, "second look")
    flag = Flag.objects.get(pk=flag.pk)
    assert flag.notes == "that is his brother"  # the visitor's words are untouched
    lines = flag.curator_notes.splitlines()
    assert [line.split(" ", 2)[2] for line in lines] == [
        "cora: Checked the film credits",
        "cora: second look",
    ]
    notes = AuditEntry.objects.filter(action="note", flag=flag).order_by("id")
    assert [e.describe_change() for e in notes] == [
        "note: Checked the film credits",
        "note: second look",
    ]
    with pytest.raises(DecisionRefused):
        flag_note(flag, cora, "   ")


def test_flags_from_before_get_the_actor_they_were_filed_under(cora, matt_photo):
    """The data migration: a flag whose photo was moved since gets the actor from before."""
    from importlib import import_module

    from django.apps import apps

    fill_actor = import_module("moderation.migrations.0004_flag_actor_fill").fill_actor
    moved = image_flag(matt_photo, source=Flag.Source.VISITOR)
    image_move_audited(matt_photo, Actor.objects.get(name="Katy Perry"), cora)
    other = ActorImage.objects.filter(actor__name="Barack Obama").first()
    kept = image_flag(other, source=Flag.Source.VISITOR)
    Flag.objects.update(actor=None)
    fill_actor(apps, None)
    assert Flag.objects.get(pk=moved.pk).actor.name == "Matt Damon"
    assert Flag.objects.get(pk=kept.pk).actor.name == "Barack Obama"
