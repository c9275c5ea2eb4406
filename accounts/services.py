"""Writes for accounts: creating one (keeping the visitor's uploads) and deleting one entirely."""

from django.db import transaction
from rest_framework.authtoken.models import Token

from accounts.models import User
from matching.models import Match
from matching.services import Deleted, matches_claim, matches_delete


def account_create(*, username: str, email: str, password: str, upload_tokens: list[str]) -> User:
    with transaction.atomic():
        user = User.objects.create_user(username=username, email=email, password=password)
        matches_claim(user, upload_tokens)
    return user


def account_delete(user: User) -> Deleted:
    """Delete the account with every upload, face crop and share picture, in one transaction;
    files are removed from storage once it has committed (see matching.services.retention)."""
    with transaction.atomic():
        deleted = matches_delete(Match.objects.filter(owner=user))
        Token.objects.filter(user=user).delete()
        user.delete()
    return deleted
