"""Reads for accounts."""

from matching.models import Match


def claimable_uploads_count(tokens: list[str]) -> int:
    """How many of this browser's earlier uploads would join an account made or logged into now
    (the ones matches_claim takes: without an owner, not expired)."""
    if not tokens:
        return 0
    return Match.objects.filter(
        token__in=tokens, owner__isnull=True, expired_at__isnull=True
    ).count()


def results_count(user) -> int:
    """How many results the account holds."""
    return Match.objects.filter(owner=user).count()
