"""Figures and tables of bench/upload_throughput.py, and its check of the upload rate limits."""

from __future__ import annotations

import json
import math
import statistics
from dataclasses import dataclass

from match_latency import BenchError, Stack, percentile, table
from meter import COLUMNS, PARTS
from upload_clients import Upload

# Far above what one machine can accept: a 12 MP upload alone costs the web tens of ms of CPU.
CEILING_UPLOADS_PER_SECOND = 50
SECONDS_PER_PERIOD = {"s": 1, "m": 60, "h": 3600, "d": 86400}
UPLOAD_SCOPES = ("uploads", "uploads_api_anonymous")  # what an anonymous API upload counts in


@dataclass
class Level:
    clients: int
    window_start: float
    window_end: float
    cpu: dict[str, float]  # CPU seconds of each meter column over the window
    uploads: list[Upload]
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]

    @property
    def seconds(self) -> float:
        return self.window_end - self.window_start

    def done_in_window(self) -> list[Upload]:
        return [
            upload
            for upload in self.uploads
            if upload.ok and self.window_start <= upload.seen_done < self.window_end
        ]

    def failures(self) -> list[Upload]:
        return [upload for upload in self.uploads if not upload.ok]

    def latencies(self) -> dict[str, list[float]]:
        done = self.done_in_window()
        return {
            "sent -> ready": [u.finished - u.sent for u in done],
            "202 -> ready": [u.finished - u.accepted for u in done],
            "202 -> seen": [u.seen_done - u.accepted for u in done],
            "queue wait": [u.started - u.created for u in done],
            "worker job": [u.finished - u.started for u in done],
        }

    def cost_per_thousand(self) -> dict[str, float]:
        done = len(self.done_in_window())
        return {key: value * 1000 / done if done else math.nan for key, value in self.cpu.items()}

    def summary(self) -> dict:
        figures = {}
        for name, values in self.latencies().items():
            figures[name] = {
                share: percentile(values, share / 100) if values else math.nan
                for share in (50, 95, 99)
            }
        return {
            "clients": self.clients,
            "window_seconds": self.seconds,
            "uploads_done_in_window": len(self.done_in_window()),
            "uploads_per_second": len(self.done_in_window()) / self.seconds,
            "failures": len(self.failures()),
            "latency_seconds": figures,
            "cpu_seconds": self.cpu,
            "cpu_seconds_per_1000_uploads": self.cost_per_thousand(),
            "load_average": {"before": self.load_before, "after": self.load_after},
        }


def add_server_times(stack: Stack, uploads: list[Upload]) -> None:
    """created_at, started_at, finished_at of each upload's match row (same clock as ours)."""
    tokens = [upload.token for upload in uploads if upload.token]
    rows = stack.query(
        "SELECT token, created_at, started_at, finished_at FROM matching_match "
        "WHERE token = ANY(%s)",
        (tokens,),
    )
    by_token = {row[0]: row[1:] for row in rows}
    for upload in uploads:
        times = by_token.get(upload.token)
        if times is None:
            continue
        upload.created, upload.started, upload.finished = (
            moment.timestamp() if moment else math.nan for moment in times
        )


def check_rate_limits(stack: Stack, planned_seconds: float) -> dict:
    """Refuse to start unless the upload limits the stack runs with let every upload through.

    Every upload comes from 127.0.0.1; what earlier runs counted there in the last hour still
    counts (the counts live in --redis), so the app's own cache is asked."""
    answer = stack.manage(
        "shell",
        "-c",
        "import json; from django.conf import settings; from django.core.cache import cache; "
        "rates = settings.REST_FRAMEWORK['DEFAULT_THROTTLE_RATES']; "
        "print('limits=' + json.dumps({scope: [rates[scope], "
        "len(cache.get('throttle_' + scope + '_127.0.0.1', []))] "
        f"for scope in {UPLOAD_SCOPES!r}}}))",
    )
    line = [text for text in answer.splitlines() if text.startswith("limits=")][-1]
    limits = json.loads(line[len("limits=") :])
    most = math.ceil(planned_seconds * CEILING_UPLOADS_PER_SECOND)
    for scope, (rate, counted) in limits.items():
        number, period = rate.split("/")
        allowed_per_hour = int(number) * 3600 / SECONDS_PER_PERIOD[period[0]]
        if counted + most > allowed_per_hour:
            raise BenchError(
                f"rate limit {scope} = {rate} with {counted} uploads already counted: "
                f"this run may send {most}"
            )
    return {
        "rate": " and ".join(sorted({rate for rate, _ in limits.values()})),
        "counted": max(counted for _, counted in limits.values()),
        "most_this_run_may_send": most,
    }


def _ms(seconds: float) -> str:
    return "-" if math.isnan(seconds) else f"{seconds * 1000:,.0f}"


def latency_table(levels: list[Level]) -> str:
    rows = []
    for level in levels:
        figures = level.summary()["latency_seconds"]
        polls = [upload.polls for upload in level.done_in_window()]
        rows.append(
            [
                str(level.clients),
                f"{level.summary()['uploads_per_second']:.2f}",
                str(len(level.done_in_window())),
                *(
                    " / ".join(_ms(figures[name][share]) for share in (50, 95, 99))
                    for name in ("sent -> ready", "202 -> ready", "202 -> seen")
                ),
                " / ".join(_ms(figures["queue wait"][share]) for share in (50, 95)),
                _ms(figures["worker job"][50]),
                f"{statistics.median(polls):g}" if polls else "-",
                str(len(level.failures())),
            ]
        )
    headers = [
        "clients",
        "uploads/s",
        "done",
        "sent->ready p50/95/99",
        "202->ready p50/95/99",
        "202->seen p50/95/99",
        "queue p50/95",
        "job p50",
        "polls",
        "failures",
    ]
    return "latency, ms, of the uploads done in the window\n\n" + table(headers, rows)


def cost_table(levels: list[Level]) -> str:
    rows = []
    for level in levels:
        cost = level.cost_per_thousand()
        rows.append(
            [str(level.clients)]
            + [f"{cost[part]:,.0f}" for part in PARTS]
            + [f"{sum(cost[part] for part in PARTS):,.0f}", f"{cost['load generator']:,.0f}"]
        )
    headers = ["clients", *PARTS, "total", "(load generator)"]
    return "CPU seconds per 1,000 uploads done in the window\n\n" + table(headers, rows)


def usage_table(levels: list[Level], idle: dict[str, float]) -> str:
    def row(name: str, cores: dict[str, float]) -> list[str]:
        ours = sum(cores[part] for part in (*PARTS, "load generator"))
        others = cores["machine"] - ours
        return [name, *(f"{cores[column]:.2f}" for column in COLUMNS), f"{others:.2f}"]

    rows = [row("idle", idle)] if idle else []
    for level in levels:
        rows.append(
            row(
                str(level.clients), {key: value / level.seconds for key, value in level.cpu.items()}
            )
        )
    return (
        "cores in use during the window (CPU seconds per second); everything else on the machine"
        " last\n\n" + table(["clients", *COLUMNS, "everything else"], rows)
    )


def describe_failures(levels: list[Level]) -> str:
    lines = []
    for level in levels:
        for upload in level.failures():
            lines.append(
                f"failure, {level.clients} clients, client {upload.client}, {upload.photo}, "
                f"token {upload.token or '-'}: {upload.error or 'no result'}"
            )
    return f"failures: {len(lines)}\n" + "\n".join(lines) if lines else ""
