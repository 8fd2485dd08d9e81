"""Prometheus metrics: the one module that imports prometheus_client.

``PrometheusMetrics`` is the core's ``Metrics`` (``bot/core/metrics.py``) on a registry of its
own (two apps in one process, as in the tests, do not collide); ``HttpTimer`` times every HTTP
request by route template; ``metrics_route`` is GET /metrics, which reads the outbox backlog
and the open tickets by team from the database when scraped. No sign-in: METRICS_ENABLED=false
turns it off, METRICS_ALLOW limits it to some addresses (see the README).

In a fleet Prometheus scrapes every replica: the counters and histograms are this process's
own (sum them), and ``merchantbot_replica_info{replica=...}`` names the process. The outbox
and open-ticket gauges read the shared database, so they are fleet-wide: exported by one
replica only, the one holding the ``lead`` (a PostgreSQL advisory lock) at scrape time, which
says so with ``merchantbot_fleet_gauges_reporter`` 1 (0 on the others).
"""

from __future__ import annotations

import ipaddress
import logging
import os
import socket
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import datetime

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.core.clock import Clock, system_clock
from bot.core.metrics import Gauges
from bot.web.asgi import HttpMiddleware, on_response_start

log = logging.getLogger(__name__)

PREFIX = "merchantbot"
# seconds; a conversation turn is tens of milliseconds (lexical) to a second (the encoder)
HANDLE_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Lead = Callable[[], Awaitable[bool]]  # whether this replica reports the fleet-wide gauges


def replica_id() -> str:
    """This process among the replicas: host name (a container's id in compose) and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


class FleetGauges(Collector):
    """The gauges read from the shared database, exported only while ``snapshot`` is set (on
    the replica that reports them), so that N replicas do not report one backlog N times."""

    def __init__(self) -> None:
        self.snapshot: tuple[Gauges, datetime] | None = None

    def describe(self) -> Iterable[Metric]:
        """The families, for the registry's name check (values or not)."""
        return self._families(Gauges(), None)

    def collect(self) -> Iterable[Metric]:
        """The families with this scrape's values; nothing on a replica that does not report."""
        return [] if self.snapshot is None else self._families(*self.snapshot)

    def _families(self, gauges: Gauges, now: datetime | None) -> list[Metric]:
        pending = GaugeMetricFamily(
            f"{PREFIX}_outbox_pending",
            "Staff messages not yet sent (pending or being sent); fleet-wide, from one replica",
        )
        oldest = GaugeMetricFamily(
            f"{PREFIX}_outbox_oldest_age_seconds",
            "Age of the oldest staff message not yet sent (0 when none); fleet-wide, from one "
            "replica",
        )
        tickets = GaugeMetricFamily(
            f"{PREFIX}_open_tickets",
            "Active tickets (open, assigned, waiting), by team; fleet-wide, from one replica",
            labels=["team"],
        )
        if now is not None:
            queued = gauges.outbox_oldest
            pending.add_metric([], gauges.outbox_pending)
            oldest.add_metric([], max(0.0, (now - queued).total_seconds()) if queued else 0.0)
            for team, count in sorted(gauges.open_tickets.items()):
                tickets.add_metric([team], count)
        return [pending, oldest, tickets]


class PrometheusMetrics:
    """The core's counters and timings as Prometheus series, plus the scrape-time gauges."""

    def __init__(self, replica: str = "") -> None:
        self.replica = replica or replica_id()
        self.registry = registry = CollectorRegistry(auto_describe=True)
        Gauge(
            f"{PREFIX}_replica_info",
            "This replica (one series per process; count them, or join on the replica label)",
            ["replica"],
            registry=registry,
        ).labels(self.replica).set(1)
        self.fleet_reporter = Gauge(
            f"{PREFIX}_fleet_gauges_reporter",
            "1 on the one replica that exports the fleet-wide gauges (outbox, open tickets)",
            registry=registry,
        )
        self.fleet = FleetGauges()
        registry.register(self.fleet)
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
        """The values read from the database for this scrape (this replica reports them)."""
        self.fleet.snapshot = (gauges, now)
        self.fleet_reporter.set(1)

    def leave_gauges(self) -> None:
        """Another replica reports the fleet-wide gauges: this one exports none of them."""
        self.fleet.snapshot = None
        self.fleet_reporter.set(0)

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
    lead: Lead | None = None,  # None: one replica (SQLite), which always reports
) -> Route:
    """GET /metrics; ``allow`` (when not empty) limits it to those client addresses (404
    to anyone else, as if there were no such page). The fleet-wide gauges are read and
    exported only while ``lead`` says this replica reports them."""

    async def scrape(request: Request) -> Response:
        if allow and not _allowed(request, allow):
            return PlainTextResponse("Not Found", status_code=404)
        if await _reports(lead):
            try:
                metrics.set_gauges(await gauges(), clock())
            except Exception:  # the counters still say something while the database is down
                log.exception("metrics: reading the outbox and tickets failed")
        else:
            metrics.leave_gauges()
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    return Route("/metrics", scrape, methods=["GET"])


async def _reports(lead: Lead | None) -> bool:
    if lead is None:
        return True
    try:
        return await lead()
    except Exception as exc:  # the database is away: the replica that can reach it reports
        log.warning("metrics: taking the gauges' lead failed", extra={"reason": type(exc).__name__})
        return False


def _allowed(request: Request, allow: Sequence[Network]) -> bool:
    host = request.client.host if request.client else ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in allow)


class HttpTimer(HttpMiddleware):
    """ASGI middleware: the time of each HTTP request, by method, route template and status
    (the template, ``/api/chat``, not the path, so the series stay few)."""

    def __init__(self, app: ASGIApp, metrics: PrometheusMetrics) -> None:
        super().__init__(app)
        self.metrics = metrics

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on and time it until it ends (or fails)."""
        started = time.perf_counter()
        status = 500

        def seen(message: Message) -> Message:
            nonlocal status
            status = int(message["status"])
            return message

        try:
            await self.app(scope, receive, on_response_start(send, seen))
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            self.metrics.http_seconds.labels(scope["method"], template, str(status)).observe(
                time.perf_counter() - started
            )
