"""Visitors for bench/upload_throughput.py: upload a photo, follow it as the browser does, again.

One visitor's upload: POST the photo to /api/v1/matches/; GET the results page (/r/<token>/,
where the browser goes after its upload); poll the match's API URL on the page's own schedule
(static/js/progress.js: first 250 ms after the page, then 250 ms after each answer, the wait
growing by 1.3 times up to 5 s); when it says done, GET the results page again (the page
reloads itself). Then the next upload at once: a closed loop.
"""

from __future__ import annotations

import json
import math
import random
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass

from match_latency import RUN_TIMEOUT, UPLOAD_PATH, multipart, request

FIRST_POLL_SECONDS = 0.25  # progress.js: setTimeout(() => poll(250), 250)
POLL_GROWTH = 1.3  # progress.js: poll(Math.min(delay * 1.3, 5000))
LONGEST_POLL_WAIT_SECONDS = 5.0
PAUSE_AFTER_ERROR_SECONDS = 1.0


def browser_poll_waits() -> Iterator[float]:
    """Seconds to wait before each poll, as progress.js schedules them."""
    delay = FIRST_POLL_SECONDS
    yield delay
    while True:
        yield delay
        delay = min(delay * POLL_GROWTH, LONGEST_POLL_WAIT_SECONDS)


def fixed_poll_waits(seconds: float) -> Iterator[float]:
    while True:
        yield seconds


@dataclass
class Upload:
    client: int
    photo: str
    sent: float  # epoch seconds, this process
    accepted: float = math.nan  # 202 received
    seen_done: float = math.nan  # the poll that said "done" returned
    finished_visit: float = math.nan  # the results page, reloaded, returned
    polls: int = 0
    token: str = ""
    error: str = ""  # a non-202, a failed match, a page that did not answer 200, a timeout
    created: float = math.nan  # match row created (web process)
    started: float = math.nan  # claimed by the worker
    finished: float = math.nan  # marked done by the worker

    @property
    def ok(self) -> bool:
        return not self.error and not math.isnan(self.seen_done)


@dataclass
class Photo:
    name: str
    data: bytes


def upload_once(
    base_url: str, photo: Photo, client: int, pages: bool, poll_ms: float | None
) -> Upload:
    body, content_type = multipart("image", photo.name, photo.data)
    headers = {"Content-Type": content_type, "Content-Length": str(len(body))}
    upload = Upload(client=client, photo=photo.name, sent=time.time())
    try:
        status, payload = request("POST", base_url + UPLOAD_PATH, body, headers)
        upload.accepted = time.time()
        if status != 202:
            upload.error = f"upload answered {status}: {payload[:300]!r}"
            return upload
        answer = json.loads(payload)
        upload.token = answer["token"]
        api_url = base_url + urllib.parse.urlsplit(answer["url"]).path
        page_url = f"{base_url}/r/{upload.token}/"
        if pages and not _page(page_url, upload):
            return upload
        waits = browser_poll_waits() if poll_ms is None else fixed_poll_waits(poll_ms / 1000)
        for wait in waits:
            time.sleep(wait)
            status, payload = request("GET", api_url)
            upload.polls += 1
            if status != 200:
                upload.error = f"GET {api_url} answered {status}: {payload[:300]!r}"
                return upload
            match = json.loads(payload)
            if match["status"] == "done":
                upload.seen_done = time.time()
                break
            if match["status"] == "failed":
                upload.error = f"match failed: {match.get('error')}"
                return upload
            if time.time() - upload.accepted > RUN_TIMEOUT:
                upload.error = f"not done after {RUN_TIMEOUT:.0f} s"
                return upload
        if pages and _page(page_url, upload):
            upload.finished_visit = time.time()
    except (OSError, ValueError, KeyError) as exc:  # refused, reset, timed out, not JSON
        upload.error = f"{type(exc).__name__}: {exc}"
    return upload


def _page(url: str, upload: Upload) -> bool:
    status, payload = request("GET", url)
    if status != 200:
        upload.error = f"GET {url} answered {status}: {payload[:300]!r}"
    return status == 200


def visit_until(
    stop: threading.Event,
    uploads: list[Upload],
    *,
    base_url: str,
    client: int,
    phone: Photo,
    gallery: list[Photo],
    mix: float,
    seed: int,
    pages: bool,
    poll_ms: float | None,
) -> None:
    """One visitor: upload after upload until `stop` is set (the upload under way finishes)."""
    chooser = random.Random(seed * 1000 + client)
    while not stop.is_set():
        photo = chooser.choice(gallery) if gallery and chooser.random() < mix else phone
        upload = upload_once(base_url, photo, client, pages, poll_ms)
        uploads.append(upload)  # list.append is atomic under the GIL
        if upload.error:
            time.sleep(PAUSE_AFTER_ERROR_SECONDS)
