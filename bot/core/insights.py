"""Insights for admins: how the bot and the desk did over a period, by language, channel, team.

The database does the counting (``InsightsSource``, implemented in ``bot/storage/insights.py``
with SQL aggregates on SQLite and PostgreSQL); this module turns its grouped rows into the
figures the console, the CSV export and ``merchant-bot report stats`` show. Medians and p90s
are computed here from the tickets' times (tickets are few next to messages).

Definitions (the period is ``[since, until)``):

- a *conversation* is a merchant the bot replied to in the period; it is *deflected* (solved
  without a person) when no ticket of that merchant was opened in the period;
- a *question* is an inbound message the FAQ matcher decided on (answer, clarify, fallback,
  escalate); small talk is not a question;
- 👍/👎 are the merchants' feedback on the answers of each entry, given in the period;
- *opened* tickets were created in the period, *resolved* ones resolved in it; first response
  times are those of the opened tickets, resolution times those of the resolved ones, and the
  CSAT distribution the ratings of the resolved ones;
- the language and channel filters narrow every figure; the team filter only the tickets'
  (a question belongs to no team).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.core.ports import UnansweredQuestion

ACTIONS = ("answer", "clarify", "fallback", "escalate")  # a question's possible decisions
RATINGS = (1, 2, 3, 4, 5)
RESOLUTION_TARGET = timedelta(hours=24)  # a ticket resolved within a day is on target
DISLIKED = "disliked"  # the action shown for a question whose answer got a 👎


@dataclass(frozen=True)
class InsightsQuery:
    """A period (``until`` excluded) and optional filters."""

    since: datetime
    until: datetime
    locale: str | None = None
    channel: str | None = None
    team: str | None = None


@dataclass(frozen=True)
class QuestionCount:
    """Questions of one channel, locale, decision and day."""

    channel: str
    locale: str
    action: str
    day: str  # YYYY-MM-DD (UTC)
    count: int


@dataclass(frozen=True)
class ConversationCount:
    """Merchants the bot replied to in one channel and locale, and those who needed no one."""

    channel: str
    locale: str
    conversations: int
    deflected: int


@dataclass(frozen=True)
class FeedbackCount:
    """👍 and 👎 given to one entry's answers."""

    faq_id: str
    up: int
    down: int


@dataclass(frozen=True)
class TicketFacts:
    """What the figures need of one ticket opened or resolved in the period."""

    channel: str
    locale: str
    team: str
    created_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    rating: int | None


@dataclass
class InsightsRows:
    """The source's grouped rows for one query."""

    questions: list[QuestionCount] = field(default_factory=list)
    conversations: list[ConversationCount] = field(default_factory=list)
    conversations_total: int = 0  # distinct merchants (one may write in two languages)
    deflected_total: int = 0
    feedback: list[FeedbackCount] = field(default_factory=list)
    tickets: list[TicketFacts] = field(default_factory=list)


class InsightsSource(Protocol):
    """The aggregates behind the figures (``bot.storage.insights.SqlInsights``)."""

    async def rows(self, query: InsightsQuery) -> InsightsRows:
        """The period's grouped counts and its tickets."""
        ...

    async def disliked(self, since: datetime | None, limit: int = 500) -> list[UnansweredQuestion]:
        """Questions whose answer got a 👎 (the latest ``limit``), as unanswered questions:
        action ``disliked``, the answered entry as the only candidate."""
        ...


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q`` quantile (0..1) with linear interpolation; None without values."""
    if not values:
        return None
    ordered = sorted(values)
    at = (len(ordered) - 1) * q
    low, high = math.floor(at), math.ceil(at)
    return ordered[low] + (ordered[high] - ordered[low]) * (at - low)


@dataclass(frozen=True)
class Timing:
    """Durations in seconds: how many, median, p90, and how many within the target."""

    count: int
    median: float | None
    p90: float | None
    target: float
    within: int

    @classmethod
    def of(cls, seconds: Sequence[float], target: timedelta) -> Timing:
        limit = target.total_seconds()
        return cls(
            len(seconds),
            percentile(seconds, 0.5),
            percentile(seconds, 0.9),
            limit,
            sum(1 for s in seconds if s <= limit),
        )

    @property
    def within_share(self) -> float | None:
        """The share of durations within the target."""
        return self.within / self.count if self.count else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "median_seconds": _round(self.median),
            "p90_seconds": _round(self.p90),
            "target_seconds": self.target,
            "within_target": self.within,
            "within_target_share": _round(self.within_share, 4),
        }


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


@dataclass(frozen=True)
class Figures:
    """The figures of one slice (everything, one language, one channel or one team)."""

    conversations: int
    deflected: int
    actions: dict[str, int]
    tickets_opened: int
    tickets_resolved: int
    first_response: Timing
    resolution: Timing
    csat: dict[int, int]

    @property
    def questions(self) -> int:
        return sum(self.actions.values())

    @property
    def deflection(self) -> float | None:
        """The share of conversations solved without a person."""
        return self.deflected / self.conversations if self.conversations else None

    @property
    def rated(self) -> int:
        return sum(self.csat.values())

    @property
    def csat_mean(self) -> float | None:
        return sum(r * n for r, n in self.csat.items()) / self.rated if self.rated else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "conversations": self.conversations,
            "deflected": self.deflected,
            "deflection": _round(self.deflection, 4),
            "questions": self.questions,
            "answered": self.actions["answer"],
            "did_you_mean": self.actions["clarify"],
            "fallback": self.actions["fallback"],
            "escalated": self.actions["escalate"],
            "tickets_opened": self.tickets_opened,
            "tickets_resolved": self.tickets_resolved,
            "first_response": self.first_response.as_dict(),
            "resolution": self.resolution.as_dict(),
            "csat": {str(r): n for r, n in self.csat.items()},
            "csat_mean": _round(self.csat_mean, 2),
        }


@dataclass(frozen=True)
class Insights:
    """Everything the insights page shows for one query."""

    query: InsightsQuery
    total: Figures
    by_language: dict[str, Figures]
    by_channel: dict[str, Figures]
    by_team: dict[str, Figures]  # ticket figures only
    feedback: list[FeedbackCount]  # most 👎 first
    daily: list[tuple[str, int]]  # questions per day

    def as_dict(self) -> dict[str, Any]:
        q = self.query
        return {
            "since": q.since.isoformat(),
            "until": q.until.isoformat(),
            "filters": {"language": q.locale, "channel": q.channel, "team": q.team},
            "total": self.total.as_dict(),
            "by_language": {k: v.as_dict() for k, v in self.by_language.items()},
            "by_channel": {k: v.as_dict() for k, v in self.by_channel.items()},
            "by_team": {k: v.as_dict() for k, v in self.by_team.items()},
            "feedback": [{"faq_id": f.faq_id, "up": f.up, "down": f.down} for f in self.feedback],
            "daily_questions": [{"day": d, "questions": n} for d, n in self.daily],
        }


def _seconds(start: datetime, end: datetime) -> float:
    return max(0.0, (end - start).total_seconds())


def _figures(
    query: InsightsQuery,
    questions: Iterable[QuestionCount],
    conversations: tuple[int, int],
    tickets: Sequence[TicketFacts],
    first_response: timedelta,
) -> Figures:
    actions = dict.fromkeys(ACTIONS, 0)
    for q in questions:
        if q.action in actions:
            actions[q.action] += q.count

    def inside(moment: datetime | None) -> bool:
        return moment is not None and query.since <= moment < query.until

    opened = [t for t in tickets if inside(t.created_at)]
    resolved = [t for t in tickets if inside(t.resolved_at)]
    responses = [_seconds(t.created_at, t.first_response_at) for t in opened if t.first_response_at]
    resolutions = [_seconds(t.created_at, t.resolved_at) for t in resolved if t.resolved_at]
    csat = dict.fromkeys(RATINGS, 0)
    for t in resolved:
        if t.rating in csat:
            csat[t.rating] += 1
    return Figures(
        conversations=conversations[0],
        deflected=conversations[1],
        actions=actions,
        tickets_opened=len(opened),
        tickets_resolved=len(resolved),
        first_response=Timing.of(responses, first_response),
        resolution=Timing.of(resolutions, RESOLUTION_TARGET),
        csat=csat,
    )


def _in_locale(locale: str) -> Callable[[str, str], bool]:
    return lambda _channel, loc: loc == locale


def _in_channel(channel: str) -> Callable[[str, str], bool]:
    return lambda ch, _locale: ch == channel


def compute(
    query: InsightsQuery,
    rows: InsightsRows,
    *,
    first_response: timedelta,
) -> Insights:
    """The figures of a query from its source's rows (``first_response``: the desk's target)."""

    def slice_of(keep: Callable[[str, str], bool]) -> Figures:
        convs = [c for c in rows.conversations if keep(c.channel, c.locale)]
        return _figures(
            query,
            (q for q in rows.questions if keep(q.channel, q.locale)),
            (sum(c.conversations for c in convs), sum(c.deflected for c in convs)),
            [t for t in rows.tickets if keep(t.channel, t.locale)],
            first_response,
        )

    total = _figures(
        query,
        rows.questions,
        (rows.conversations_total, rows.deflected_total),
        rows.tickets,
        first_response,
    )
    locales = sorted(
        {q.locale for q in rows.questions}
        | {c.locale for c in rows.conversations}
        | {t.locale for t in rows.tickets}
    )
    channels = sorted(
        {q.channel for q in rows.questions}
        | {c.channel for c in rows.conversations}
        | {t.channel for t in rows.tickets}
    )
    by_language = {loc: slice_of(_in_locale(loc)) for loc in locales}
    by_channel = {ch: slice_of(_in_channel(ch)) for ch in channels}
    by_team = {
        team: _figures(
            query, (), (0, 0), [t for t in rows.tickets if t.team == team], first_response
        )
        for team in sorted({t.team for t in rows.tickets})
    }
    days: dict[str, int] = {}
    for q in rows.questions:
        if q.action in ACTIONS:
            days[q.day] = days.get(q.day, 0) + q.count
    feedback = sorted(rows.feedback, key=lambda f: (-f.down, -f.up, f.faq_id))
    return Insights(query, total, by_language, by_channel, by_team, feedback, sorted(days.items()))


CSV_COLUMNS = (
    "dimension", "value", "conversations", "deflected", "deflection", "questions", "answered",
    "did_you_mean", "fallback", "escalated", "tickets_opened", "tickets_resolved",
    "first_response_median_s", "first_response_p90_s", "first_response_within_target",
    "resolution_median_s", "resolution_p90_s", "resolution_within_target",
    "csat_1", "csat_2", "csat_3", "csat_4", "csat_5", "thumbs_up", "thumbs_down",
)  # fmt: skip


def _csv_row(dimension: str, value: str, f: Figures) -> list[object]:
    d = f.as_dict()
    fr, rs = d["first_response"], d["resolution"]
    return [
        dimension, value, d["conversations"], d["deflected"], d["deflection"], d["questions"],
        d["answered"], d["did_you_mean"], d["fallback"], d["escalated"], d["tickets_opened"],
        d["tickets_resolved"], fr["median_seconds"], fr["p90_seconds"], fr["within_target"],
        rs["median_seconds"], rs["p90_seconds"], rs["within_target"],
        *(f.csat[r] for r in RATINGS), "", "",
    ]  # fmt: skip


def to_csv(insights: Insights) -> str:
    """One table: the total, each language, channel and team, then 👍/👎 per entry."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerow(_csv_row("total", "", insights.total))
    for dimension, slices in (
        ("language", insights.by_language),
        ("channel", insights.by_channel),
        ("team", insights.by_team),
    ):
        for value, figures in slices.items():
            writer.writerow(_csv_row(dimension, value, figures))
    blanks = [""] * (len(CSV_COLUMNS) - 4)
    for f in insights.feedback:
        writer.writerow(["entry", f.faq_id, *blanks, f.up, f.down])
    return out.getvalue()


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    minutes = seconds / 60
    return f"{minutes:.0f} min" if minutes < 120 else f"{minutes / 60:.1f} h"


def format_stats(insights: Insights) -> str:
    """A plain-text report for ``merchant-bot report stats``."""
    q, t = insights.query, insights.total
    lines = [
        f"Period: {q.since:%Y-%m-%d %H:%M} to {q.until:%Y-%m-%d %H:%M} UTC",
        f"Conversations: {t.conversations}, solved without a person: {t.deflected} "
        f"({_share(t.deflection)})",
        f"Questions: {t.questions}: answered {t.actions['answer']}, did you mean "
        f"{t.actions['clarify']}, fallback {t.actions['fallback']}, escalated "
        f"{t.actions['escalate']}",
        f"Tickets: opened {t.tickets_opened}, resolved {t.tickets_resolved}",
        f"First response: median {_duration(t.first_response.median)}, p90 "
        f"{_duration(t.first_response.p90)}, within {_duration(t.first_response.target)}: "
        f"{_share(t.first_response.within_share)}",
        f"Resolution: median {_duration(t.resolution.median)}, p90 "
        f"{_duration(t.resolution.p90)}, within {_duration(t.resolution.target)}: "
        f"{_share(t.resolution.within_share)}",
        "CSAT: "
        + ", ".join(f"{r}★ {t.csat[r]}" for r in RATINGS)
        + (f" (mean {t.csat_mean:.2f})" if t.csat_mean is not None else ""),
    ]
    for title, slices in (
        ("By language", insights.by_language),
        ("By channel", insights.by_channel),
    ):
        if slices:
            lines.append(f"{title}:")
            for name, f in slices.items():
                lines.append(
                    f"  {name}: {f.conversations} conversations, {f.questions} questions, "
                    f"deflection {_share(f.deflection)}, tickets {f.tickets_opened}"
                )
    if insights.by_team:
        lines.append("By team:")
        for name, f in insights.by_team.items():
            lines.append(
                f"  {name}: opened {f.tickets_opened}, resolved {f.tickets_resolved}, first "
                f"response median {_duration(f.first_response.median)}"
            )
    if insights.feedback:
        lines.append("Feedback per entry (👍/👎):")
        lines += [f"  {f.faq_id}: {f.up}/{f.down}" for f in insights.feedback]
    return "\n".join(lines)
