"""Every admin page a curator can reach, in Chromium at phone and desktop sizes: each list of a
model they may view, one object's page in each, and the curation pages of their own; axe-core
finds no violation on any of them, and none breaks the Content-Security-Policy."""

import pytest
from django.contrib import admin
from django.urls import reverse

from accounts.models import User
from actors.models import Actor, ActorImage, CommonsImportJob, SkippedPhoto
from matching.services import index_build
from moderation.models import Flag
from moderation.roles import curators_group_sync
from moderation.services import image_flag

from .browser import SIZES, check_page, log_in


@pytest.fixture
def curated_site(transactional_db, small_catalogue):
    """A catalogue with an index, a flag, a skipped photo and a Commons job: every list has a
    row to open."""
    cora = User.objects.create_user("cora", password="x" * 20, is_staff=True)
    cora.groups.add(curators_group_sync())
    index_build()
    image = ActorImage.objects.first()
    image_flag(image, source=Flag.Source.VISITOR, note="Looks like someone else")
    SkippedPhoto.objects.create(
        source="gallery/Someone/1.jpg", actor_name="Someone", reason="no face found"
    )
    job = CommonsImportJob.objects.create(created_by=cora, per_actor=3, actors_total=2)
    job.actors.set(Actor.objects.all()[:2])
    return cora


def curator_pages(user) -> list[str]:
    """The admin's own pages this user may see: each model's list and its first row's page,
    then the curation pages."""
    pages = [reverse("admin:index")]
    for model, model_admin in admin.site._registry.items():
        request = type("Request", (), {"user": user})()
        if not model_admin.has_view_permission(request):
            continue
        opts = model._meta
        pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        first = model_admin.get_queryset(request).order_by("pk").first()
        if first is not None:
            pages.append(
                reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk])
            )
    actor = Actor.objects.order_by("pk").first()
    pages += [
        reverse("admin:moderation_review"),
        reverse("admin:moderation_health"),
        reverse("admin:actors_actor_gallery", args=[actor.pk]),
        reverse("admin:moderation_flag_move", args=[Flag.objects.get().pk]),
    ]
    return pages


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_every_page_a_curator_sees_is_accessible(browser, live_server, curated_site, csp, size):
    pages = curator_pages(curated_site)
    # A curator sees at least the catalogue, the queue, the audit log and the index versions.
    for model in ("actor", "actorimage", "flag", "auditentry", "indexversion"):
        assert any(f"/{model}/" in page for page in pages), model
    context = browser.new_context(**SIZES[size])
    log_in(context, live_server, curated_site)
    watched = csp(context.new_page())
    # axe-core reads the admin's stylesheets by writing a <style> element of its own, which the
    # policy blocks: its checks run in a tab of their own, the curator's tab stays watched.
    checked = context.new_page()
    for page_path in pages:
        answer = watched.goto(live_server.url + page_path)
        assert answer.status == 200, page_path
        checked.goto(live_server.url + page_path)
        name = page_path.strip("/").replace("/", "-") or "admin"
        check_page(checked, f"curator-{name}-{size}")
    context.close()
    assert csp.violations == []
