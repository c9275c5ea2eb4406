"""Curators' jobs in Chromium, with a real worker: the suspects check and index builds report
their outcome on the page without a reload, a rebuild with nothing changed says so, the
"rebuild needed" banner appears after a photo is approved, the actor page shows its outlier and
dataset health's numbers lead to their lists. Every page is checked at both sizes."""

import re

import pytest
from django.db import connections

from accounts.models import User
from actors.models import Actor, ActorImage
from moderation.roles import curators_group_sync

from .browser import DESKTOP, PHONE, check_page, log_in

PEOPLE = ["Elton_John", "Madonna", "Mindy_Kaling"]
INTRUDER = "gallery/Jerry_Seinfeld/1.jpg"  # filed under Madonna; nobody else of his is here


@pytest.fixture
def misfiled_catalogue(make_catalogue):
    layout = {person: [f"gallery/{person}/{n}.jpg" for n in range(1, 7)] for person in PEOPLE}
    layout["Madonna"].append(INTRUDER)
    root = make_catalogue(layout)
    intruder = ActorImage.objects.get(source=str(root / "Madonna" / "7-1.jpg"))
    waiting = ActorImage.objects.filter(actor__name="Elton John").order_by("id").last()
    ActorImage.objects.filter(pk=waiting.pk).update(status=ActorImage.Status.PENDING)
    return {"intruder": intruder, "waiting": waiting}


@pytest.fixture
def cora(transactional_db):
    user = User.objects.create_user("cora", password="x" * 20, is_staff=True)
    user.groups.add(curators_group_sync())
    yield user
    connections.close_all()  # Playwright's greenlet had a connection of its own


def mark(page) -> None:
    """Leave a mark on the page: it is gone if the page reloads."""
    page.evaluate("document.body.dataset.notReloaded = 'yes'")


def not_reloaded(page) -> bool:
    return page.evaluate("document.body.dataset.notReloaded") == "yes"


def test_jobs_report_their_outcome_and_curators_follow_the_links(
    browser, live_server, celery_worker_process, misfiled_catalogue, cora, csp
):
    from playwright.sync_api import expect

    admin = f"{live_server.url}/admin"
    context = browser.new_context(**DESKTOP)
    log_in(context, live_server, cora)
    page = csp(context.new_page())

    # The suspects check: queued, then its outcome, without a reload.
    page.goto(f"{admin}/moderation/flag/")
    page.get_by_role("button", name="Look for suspects now").click()
    box = page.locator("[data-suspects-status]")
    expect(box).to_be_visible()
    mark(page)
    expect(box.locator("[data-job-message]")).to_have_text("Found 1 new suspect.", timeout=60_000)
    assert not_reloaded(page)
    page.reload()
    check_page(page, "jobs-queue-desktop")

    # No index is live yet: the banner says so on the queue, and a rebuild reports its result.
    banner = page.locator("[data-rebuild-banner]")
    expect(banner).to_contain_text("No index is live yet: 18 photos wait for the first build.")
    page.goto(f"{admin}/matching/indexversion/")
    page.get_by_role("button", name="Rebuild index").click()
    build = page.locator("[data-build-status] [data-job-message]")
    expect(build).to_be_visible()
    mark(page)
    expect(build).to_have_text(
        re.compile(r"Version \d+ is live: 18 faces of 3 actors, built in [\d.]+ s\."),
        timeout=90_000,
    )
    assert not_reloaded(page)
    page.reload()
    expect(page.locator("[data-rebuild-banner]")).to_have_count(0)
    check_page(page, "jobs-index-desktop")

    # Nothing has changed: a second rebuild is not made.
    version = build.text_content().split()[1]
    page.get_by_role("button", name="Rebuild index").click()
    expect(page.locator(".messagelist")).to_contain_text(
        f"Nothing has changed since version {version}; no rebuild needed."
    )

    # Approving the waiting photo puts the banner on the curators' pages.
    page.goto(f"{admin}/actors/actorimage/review/")
    page.locator(f"#photo-{misfiled_catalogue['waiting'].pk} [data-approve]").click()
    expect(page.locator(f"#photo-{misfiled_catalogue['waiting'].pk}")).to_have_class(
        re.compile("approved")
    )
    page.goto(f"{admin}/")
    expect(page.locator("[data-rebuild-banner]")).to_contain_text(
        f"1 photo added since the live index (version {version})."
    )
    expect(page.locator("#header [data-curation-counter]")).to_have_text(
        "1 open flag · 0 photos to review"
    )
    check_page(page, "jobs-admin-home-desktop")
    page.get_by_role("button", name="Rebuild now").first.click()
    expect(page.locator("[data-build-status] [data-job-message]")).to_contain_text(
        "19 faces of 3 actors", timeout=90_000
    )

    # The actor page, from the queue's row: the intruder first, marked as far from the others.
    page.goto(f"{admin}/moderation/flag/")
    page.get_by_role("link", name="All photos of Madonna").first.click()
    first = page.locator(".gallery-card").first
    expect(first).to_have_attribute("data-photo", str(misfiled_catalogue["intruder"].pk))
    expect(first.locator(".gallery-badge")).to_have_text("Far from the actor's other photos")
    expect(page.locator("[data-outlier]")).to_have_count(1)
    check_page(page, "jobs-actor-desktop")
    first.get_by_role("button", name="Exclude").click()
    expect(page.locator(".messagelist")).to_contain_text("Excluded photo")
    expect(page.locator("[data-history] li").first).to_contain_text(
        f"cora excluded photo #{misfiled_catalogue['intruder'].pk} (active → excluded)"
    )

    # Dataset health: each number leads to the list behind it.
    page.goto(f"{admin}/moderation/flag/health/")
    check_page(page, "jobs-health-desktop")
    page.locator("[data-photos] a", has_text="excluded").click()
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    page.go_back()
    page.locator("[data-professions-hint] a").click()
    expect(page.locator("#result_list tbody tr")).to_have_count(Actor.objects.count())
    page.go_back()
    page.locator("[data-pending] a").click()
    expect(page).to_have_title(re.compile("Review new photos"))
    check_page(page, "jobs-review-desktop")
    context.close()

    # The same pages on a phone.
    phone = browser.new_context(**PHONE)
    log_in(phone, live_server, cora)
    page = csp(phone.new_page())
    madonna = Actor.objects.get(name="Madonna")
    for name, path in [
        ("queue", "/moderation/flag/"),
        ("index", "/matching/indexversion/"),
        ("admin-home", "/"),
        ("actor", f"/actors/actor/{madonna.pk}/gallery/"),
        ("health", "/moderation/flag/health/"),
        ("review", "/actors/actorimage/review/"),
        ("photos", "/actors/actorimage/"),
    ]:
        page.goto(f"{admin}{path}")
        check_page(page, f"jobs-{name}-phone")
    phone.close()
    assert csp.violations == []
