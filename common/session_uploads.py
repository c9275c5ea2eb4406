"""The uploads a browser made without an account, remembered in its session so that signing up
or logging in there keeps them."""

KEY = "upload_tokens"
KEPT = 50


def remember_upload(request, token: str) -> None:
    tokens = request.session.get(KEY, [])
    request.session[KEY] = (tokens + [token])[-KEPT:]


def session_uploads(request) -> list[str]:
    return list(request.session.get(KEY, []))


def forget_session_uploads(request) -> None:
    request.session.pop(KEY, None)


def forget_upload(request, token: str) -> None:
    tokens = session_uploads(request)
    if token in tokens:
        request.session[KEY] = [t for t in tokens if t != token]
