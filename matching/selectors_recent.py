"""Reads for the upload page: the results this browser made without an account."""

from __future__ import annotations

from django.db.models import Prefetch, Q
from django.utils import timezone

from common.session_uploads import session_uploads

from .models import Match, MatchFace, Resemblance

RECENT_SHOWN = 10


def recent_session_matches(request, limit: int = RECENT_SHOWN) -> list[Match]:
    """This browser's uploads made without an account, newest first, still there and not
    expired, with each one's first face and its closest actor prefetched (`faces`,
    `resemblances`). Signed-in visitors have their own list, so they get none here."""
    if request.user.is_authenticated:
        return []
    tokens = session_uploads(request)
    if not tokens:
        return []
    first_face = MatchFace.objects.filter(position=0).prefetch_related(
        Prefetch("resemblances", queryset=Resemblance.objects.filter(rank=1))
    )
    return list(
        Match.objects.filter(token__in=tokens, owner=None, expired_at=None)
        .filter(Q(expires_at=None) | Q(expires_at__gt=timezone.now()))
        .order_by("-created_at", "-id")
        .prefetch_related(Prefetch("faces", queryset=first_face))[:limit]
    )
