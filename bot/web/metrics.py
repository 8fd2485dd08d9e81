"""Prometheus metrics: the one module that imports prometheus_client.

``PrometheusMetrics`` is the core's ``Metrics`` (``bot/core/metrics.py``) on a registry of its
own (two apps in one process, as in the tests, do not collide); ``HttpTimer`` times every HTTP
request by route template; ``metrics_route`` is GET /metrics, which reads the outbox backlog
and the open tickets by team from the database when scraped. No sign-in: METRICS_ENABLED=false
turns it off, METRICS_ALLOW limits it to some addresses (see the README).
"""

from __future__ import annotations

import ipaddress
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.core.clock import Clock, system_clock
from bot.core.metrics import Gauges

log = logging.getLogger(__name__)

PREFIX = "merchantbot"
# seconds; a conversation turn is tens of milliseconds (lexical) to a second (the encoder)
HANDLE_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class PrometheusMetrics:
    """The core's counters and timings as Prometheus series, plus the scrape-time gauges."""

    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry(auto_describe=True)
        self.messages_in = Counter(
            f"{PREFIX}_messages_in",
            "Merchants' messages (and button presses) received, by channel",
            ["channel"],
            registry=registry,
        )
        self.messages_out = Counter(
            f"{PREFIX}_messages_out",
            "Messages sent to merchants (answers and staff replies), by channel",
            ["channel"],
            registry=registry,
        )
        self.decisions = Counter(
            f"{PREFIX}_decisions",
            "Replies by decision: answer, clarify, fallback, escalate, smalltalk, or what the "
            "core did without the matcher (handover, relayed, close, button, command, location)",
            ["action"],
            registry=registry,
        )
        self.handle_seconds = Histogram(
            f"{PREFIX}_handle_seconds",
            "Time the conversation service took over one new message, storage included",
            ["channel"],
            buckets=HANDLE_BUCKETS,
            registry=registry,
        )
        self.http_seconds = Histogram(
            f"{PREFIX}_http_request_seconds",
            "HTTP request time, by method, route template and status",
            ["method", "route", "status"],
            buckets=HTTP_BUCKETS,
            registry=registry,
        )
        self.delivery_failures = Counter(
            f"{PREFIX}_delivery_failures",
            "Failed sends to merchants (staff replies' attempts, answers given up on)",
            ["channel"],
            registry=registry,
        )
        self.telegram_429 = Counter(
            f"{PREFIX}_telegram_429",
            "Bot API calls refused with 429 (flood control)",
            registry=registry,
        )
        self.outbox_pending = Gauge(
            f"{PREFIX}_outbox_pending",
            "Staff messages not yet sent (pending or being sent)",
            registry=registry,
        )
        self.outbox_oldest_age = Gauge(
            f"{PREFIX}_outbox_oldest_age_seconds",
            "Age of the oldest staff message not yet sent (0 when none)",
            registry=registry,
        )
        self.open_tickets = Gauge(
            f"{PREFIX}_open_tickets",
            "Active tickets (open, assigned, waiting), by team",
            ["team"],
            registry=registry,
        )

    def message_in(self, channel: str) -> None:
        """One merchant message in."""
        self.messages_in.labels(channel).inc()

    def message_out(self, channel: str, count: int = 1) -> None:
        """``count`` messages out."""
        if count > 0:
            self.messages_out.labels(channel).inc(count)

    def decision(self, action: str) -> None:
        """One reply's decision."""
        self.decisions.labels(action).inc()

    def handled(self, channel: str, seconds: float) -> None:
        """One conversation turn's time."""
        self.handle_seconds.labels(channel).observe(seconds)

    def delivery_failed(self, channel: str) -> None:
        """One failed send."""
        self.delivery_failures.labels(channel).inc()

    def telegram_flood(self) -> None:
        """One 429 from Telegram."""
        self.telegram_429.inc()

    def set_gauges(self, gauges: Gauges, now: datetime) -> None:
        """The values read from the database for this scrape."""
        self.outbox_pending.set(gauges.outbox_pending)
        oldest = gauges.outbox_oldest
        self.outbox_oldest_age.set(max(0.0, (now - oldest).total_seconds()) if oldest else 0.0)
        self.open_tickets.clear()  # a team whose last ticket closed drops out
        for team, count in gauges.open_tickets.items():
            self.open_tickets.labels(team).set(count)

    def exposition(self) -> bytes:
        """The text format Prometheus scrapes."""
        return generate_latest(self.registry)


def parse_networks(value: str) -> list[Network]:
    """``METRICS_ALLOW``: addresses or networks, separated by commas or spaces."""
    return [ipaddress.ip_network(part, strict=False) for part in value.replace(",", " ").split()]


def metrics_route(
    metrics: PrometheusMetrics,
    gauges: Callable[[], Awaitable[Gauges]],
    *,
    allow: Sequence[Network] = (),
    clock: Clock = system_clock,  # the service's: the backlog's age against stored times
) -> Route:
    """GET /metrics; ``allow`` (when not empty) limits it to those client addresses (404
    to anyone else, as if there were no such page)."""

    async def scrape(request: Request) -> Response:
        if allow and not _allowed(request, allow):
            return PlainTextResponse("Not Found", status_code=404)
        try:
            metrics.set_gauges(await gauges(), clock())
        except Exception:  # the counters still say something while the database is down
            log.exception("metrics: reading the outbox and tickets failed")
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    return Route("/metrics", scrape, methods=["GET"])


def _allowed(request: Request, allow: Sequence[Network]) -> bool:
    host = request.client.host if request.client else ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in allow)


class HttpTimer:
    """ASGI middleware: the time of each HTTP request, by method, route template and status
    (the template, ``/api/chat``, not the path, so the series stay few)."""

    def __init__(self, app: ASGIApp, metrics: PrometheusMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on and time it until it ends (or fails)."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            self.metrics.http_seconds.labels(scope["method"], template, str(status)).observe(
                time.perf_counter() - started
            )
