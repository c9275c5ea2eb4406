"""HTTP for the catalogue importers: photos and API answers fetched with timeouts, a size cap and
retries with back-off on 429 and 5xx answers (honouring Retry-After), one session per thread.

What a file is, is left to the bytes: neither the address's extension nor the Content-Type
header is looked at; the face engine decides whether the bytes are an image.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError, ReadTimeoutError
from urllib3.util.retry import Retry

RETRIED_STATUSES = (429, 500, 502, 503, 504)
CHUNK_BYTES = 64 * 1024


@dataclass(frozen=True)
class HttpLimits:
    connect_timeout: float
    read_timeout: float
    max_bytes: int
    retries: int
    backoff_seconds: float
    user_agent: str

    @classmethod
    def from_settings(cls) -> HttpLimits:
        return cls(
            connect_timeout=settings.LOOKALIKE_DOWNLOAD_CONNECT_TIMEOUT,
            read_timeout=settings.LOOKALIKE_DOWNLOAD_READ_TIMEOUT,
            max_bytes=settings.LOOKALIKE_DOWNLOAD_MAX_BYTES,
            retries=settings.LOOKALIKE_DOWNLOAD_RETRIES,
            backoff_seconds=settings.LOOKALIKE_DOWNLOAD_BACKOFF_SECONDS,
            user_agent=settings.LOOKALIKE_HTTP_USER_AGENT,
        )


class DownloadFailed(Exception):
    """Nothing usable came back; `reason` says why, in words kept with the skipped photo."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


class CappedRetry(Retry):
    """urllib3's retries, waiting as long as a server's Retry-After asks but never longer than
    two minutes: a server asking for an hour gets its answer from the next run instead."""

    MAX_RETRY_AFTER = 120.0

    def get_retry_after(self, response) -> float | None:
        seconds = super().get_retry_after(response)
        return None if seconds is None else min(seconds, self.MAX_RETRY_AFTER)


class HttpClient:
    """Safe to share between threads: each thread gets its own session (requests' sessions are
    not thread-safe), all with the same limits and User-Agent."""

    def __init__(self, limits: HttpLimits | None = None):
        self.limits = limits or HttpLimits.from_settings()
        self._local = threading.local()

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            retry = CappedRetry(
                total=self.limits.retries,
                connect=self.limits.retries,
                read=False,  # a server too slow once is left for the next run, not waited on
                status=self.limits.retries,
                other=0,
                allowed_methods=frozenset({"GET"}),
                status_forcelist=RETRIED_STATUSES,
                backoff_factor=self.limits.backoff_seconds,
                raise_on_status=False,  # the last answer's status becomes the reason
                respect_retry_after_header=True,
            )
            session = requests.Session()
            session.headers["User-Agent"] = self.limits.user_agent
            adapter = HTTPAdapter(max_retries=retry)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            self._local.session = session
        return session

    def fetch(self, url: str, params: dict | None = None) -> bytes:
        """The body of a successful answer, at most `max_bytes`; DownloadFailed otherwise."""
        limits = self.limits
        try:
            with self._session().get(
                url,
                params=params,
                timeout=(limits.connect_timeout, limits.read_timeout),
                stream=True,
            ) as response:
                if not 200 <= response.status_code < 300:
                    raise DownloadFailed(f"HTTP {response.status_code} {response.reason}".strip())
                announced = response.headers.get("Content-Length", "")
                if announced.isdigit() and int(announced) > limits.max_bytes:
                    raise DownloadFailed(self._too_large())
                chunks, size = [], 0
                for chunk in response.iter_content(CHUNK_BYTES):
                    size += len(chunk)
                    if size > limits.max_bytes:
                        raise DownloadFailed(self._too_large())
                    chunks.append(chunk)
                return b"".join(chunks)
        except requests.RequestException as exc:
            raise DownloadFailed(self._reason(exc)) from exc

    def get_json(self, url: str, params: dict) -> dict:
        """A MediaWiki API answer; its own error answers (HTTP 200 with "error") fail too."""
        try:
            answer = json.loads(self.fetch(url, params))
        except ValueError as exc:
            raise DownloadFailed(f"{url} did not answer with JSON") from exc
        if not isinstance(answer, dict):
            raise DownloadFailed(f"{url} gave an unexpected answer")
        if "error" in answer:
            error = answer["error"] if isinstance(answer["error"], dict) else {}
            raise DownloadFailed(
                f"{url} refused: {error.get('code', 'error')}: {error.get('info', '')}".strip()
            )
        return answer

    def _too_large(self) -> str:
        return f"too large: over {self.limits.max_bytes:,} bytes"

    def _reason(self, exc: requests.RequestException) -> str:
        cause = _root_cause(exc)
        if isinstance(cause, NewConnectionError):  # refused; urllib3 files it under timeouts
            return "could not connect"
        if isinstance(exc, requests.ConnectTimeout) or isinstance(cause, ConnectTimeoutError):
            return f"timed out: no connection within {self.limits.connect_timeout:g} s"
        if isinstance(exc, requests.Timeout) or isinstance(cause, ReadTimeoutError):
            return f"timed out: no answer within {self.limits.read_timeout:g} s"
        if isinstance(exc, requests.TooManyRedirects):
            return "too many redirects"
        if isinstance(exc, requests.ConnectionError):
            return "could not connect"
        if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema):
            return "not a valid address"
        return f"download failed ({type(exc).__name__})"


def _root_cause(exc: BaseException) -> BaseException:
    """requests wraps urllib3's errors (sometimes twice, in MaxRetryError); find the innermost."""
    seen = exc
    for _ in range(5):
        inner = getattr(seen, "reason", None)
        if not isinstance(inner, BaseException) and seen.args:
            inner = seen.args[0]
        if not isinstance(inner, BaseException):
            break
        seen = inner
    return seen
