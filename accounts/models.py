from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """A visitor's account. Our own model from the start, so fields can be added later without
    replacing Django's user table (the most expensive migration there is)."""

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
