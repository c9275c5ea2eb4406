"""Who a visitor is, for "one per visitor" feedback: their account, else their browser session.

The key is a keyed hash: the database never holds an account id or a session's secrets beside
the feedback, only a value that stands for the same visitor each time they come back.
"""

import secrets

from django.utils.crypto import salted_hmac

SESSION_KEY = "visitor_id"


def visitor_key(request, *, create: bool = False) -> str | None:
    """The visitor's key; without an account and before their first feedback, None unless
    `create` (which gives the browser session a random id of its own)."""
    if request.user.is_authenticated:
        who = f"account:{request.user.pk}"
    else:
        visitor_id = request.session.get(SESSION_KEY)
        if visitor_id is None:
            if not create:
                return None
            visitor_id = request.session[SESSION_KEY] = secrets.token_hex(16)
        who = f"session:{visitor_id}"
    return salted_hmac("lookalike.visitor", who).hexdigest()
