"""Generated insights data with known answers, over the last days and today (real clock).

``World`` writes merchants, questions with the bot's replies, 👍/👎 and tickets, and counts
the figures they must give directly from the generated rows; ``report`` runs
``merchant-bot report stats --json`` as the command runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import random
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.cli.main import main
from bot.core.insights import ACTIONS
from bot.storage.models import Feedback, Merchant, Message, TicketRow
from tests.storage.conftest import SqlUnderTest, StoreUnderTest

DAYS = 9  # generated days before today
MERCHANTS = 30
PERIOD_DAYS = 6  # the period asked: the last six days and today
LOCALES = ("en", "zh_Hans", "zh_Hant", "ko", None)
CHANNELS = ("web", "telegram", "wechat")
KINDS = ("answer",) * 6 + ("clarify", "fallback", "escalate", "smalltalk")


def engine_of(store: StoreUnderTest) -> AsyncEngine:
    """The SQL store's engine."""
    assert isinstance(store, SqlUnderTest)
    return store.store.engine


class Data:
    """Questions, the bot's replies and 👍/👎, with known ids."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.next_id = 1
        self.messages: list[dict[str, Any]] = []
        self.feedback: list[dict[str, Any]] = []

    def ask(self, merchant: int, at: datetime, action: str | None = None) -> int:
        """A question, one or two replies 0.3 s apart, and sometimes a 👍/👎 (some a day on);
        returns the question's id."""
        rng = self.rng
        locale = LOCALES[(merchant + rng.randint(0, 1)) % len(LOCALES)]  # two languages each
        action = action or rng.choice(KINDS)
        faq_id = f"entry-{rng.randint(1, 6)}" if action in ("answer", "escalate") else None
        question = self.next_id
        for offset in range(2 + rng.randint(0, 1)):
            self.messages.append({
                "id": self.next_id, "merchant_id": merchant, "seq": self.next_id,
                "direction": "in" if offset == 0 else "out", "kind": "text", "text": "t",
                "payload": "", "locale": locale, "buttons": [],
                "created_at": at + timedelta(milliseconds=offset * 300),
                "reply_to": None if offset == 0 else question,
                "action": None if offset == 0 else action,
                "faq_id": None if offset == 0 else faq_id, "score": 0.5,
            })  # fmt: skip
            self.next_id += 1
        if action == "answer" and rng.random() < 0.4:
            given = at + timedelta(minutes=rng.choice((1, 30, 60 * 20)))
            self.feedback.append({
                "message_id": question, "merchant_id": merchant,
                "helpful": rng.random() < 0.6, "created_at": given, "updated_at": given,
            })  # fmt: skip
        return question


def midnight(day: date) -> datetime:
    """The start of a UTC day."""
    return datetime.combine(day, time(), UTC)


class World:
    """Generated messages, 👍/👎 and tickets up to now, and the figures they must give."""

    def __init__(self, now: datetime, questions: int = 400) -> None:
        self.now = now
        self.data = Data(seed=181)
        rng = self.data.rng
        start = midnight(now.date() - timedelta(days=DAYS))
        span = (now - start).total_seconds() - 5  # replies stamped up to 0.6 s later: not future
        for _ in range(questions):
            self.data.ask(
                rng.randint(1, MERCHANTS), start + timedelta(seconds=rng.uniform(0, span))
            )
        self.tickets: list[dict[str, Any]] = []
        for m in rng.sample(range(1, MERCHANTS + 1), k=MERCHANTS // 2):
            at = start + timedelta(seconds=rng.uniform(0, span))
            answered = at + timedelta(minutes=rng.uniform(5, 300))
            done = answered + timedelta(hours=rng.uniform(1, 30))
            resolved = done < now
            self.tickets.append({
                "merchant_id": m, "channel": CHANNELS[m % 3], "reason": "no_answer",
                "status": "resolved" if resolved else "open", "locale": LOCALES[m % 4],
                "team": rng.choice(("default", "seoul")), "created_at": at, "updated_at": at,
                "first_response_at": answered if answered < now else None,
                "resolved_at": done if resolved else None,
                "rating": rng.randint(1, 5) if resolved else None,
            })  # fmt: skip
        self.erased: set[int] = set()

    async def store(self, engine: AsyncEngine) -> None:
        """Write the generated rows."""
        start = midnight(self.now.date() - timedelta(days=DAYS))
        data = self.data
        async with engine.begin() as connection:
            await connection.execute(insert(Merchant), [
                {"id": m, "channel": CHANNELS[m % 3], "channel_user_id": f"m{m}",
                 "locale_pinned": False, "last_seq": 0, "created_at": start, "updated_at": start}
                for m in range(1, MERCHANTS + 1)
            ])  # fmt: skip
            await connection.execute(insert(Message), data.messages)
            await connection.execute(insert(Feedback), data.feedback)
            await connection.execute(insert(TicketRow), self.tickets)

    def expected(self, since: datetime, until: datetime) -> dict[str, Any]:
        """The period's figures, counted from the generated rows (the definitions of
        ``bot.core.insights``: a question per reply day, conversations as merchants)."""
        kept = [m for m in self.data.messages if m["merchant_id"] not in self.erased]
        replies = [
            m for m in kept
            if m["direction"] == "out" and since <= m["created_at"] < until
        ]  # fmt: skip
        questions = {
            (r["created_at"].date().isoformat(), CHANNELS[r["merchant_id"] % 3],
             r["locale"] or "?", r["action"], r["reply_to"])
            for r in replies if r["action"] in ACTIONS
        }  # fmt: skip
        merchants = {r["merchant_id"] for r in replies}
        ticketed = {
            t["merchant_id"] for t in self.tickets
            if since <= t["created_at"] < until and t["merchant_id"] not in self.erased
        }  # fmt: skip
        answers = {r["reply_to"]: r["faq_id"] for r in kept if r["faq_id"]}
        thumbs: Counter[tuple[str, bool]] = Counter(
            (answers[f["message_id"]], f["helpful"])
            for f in self.data.feedback
            if since <= f["updated_at"] < until and f["message_id"] in answers
            and f["merchant_id"] not in self.erased
        )  # fmt: skip
        actions = Counter(q[3] for q in questions)
        tickets = [t for t in self.tickets if t["merchant_id"] not in self.erased]
        resolved = [t for t in tickets if t["resolved_at"] and since <= t["resolved_at"] < until]
        return {
            "conversations": len(merchants),
            "deflected": len(merchants - ticketed),
            "questions": len(questions),
            "answered": actions["answer"],
            "did_you_mean": actions["clarify"],
            "fallback": actions["fallback"],
            "escalated": actions["escalate"],
            "tickets_opened": sum(1 for t in tickets if since <= t["created_at"] < until),
            "tickets_resolved": len(resolved),
            "csat": {str(r): sum(1 for t in resolved if t["rating"] == r) for r in range(1, 6)},
            "by_language": dict(Counter(q[2] for q in questions)),
            "by_channel": dict(Counter(q[1] for q in questions)),
            "daily": dict(Counter(q[0] for q in questions)),
            "feedback": {faq: (thumbs[(faq, True)], thumbs[(faq, False)]) for faq, _h in thumbs},
        }


def figures(report: dict[str, Any]) -> dict[str, Any]:
    """The same figures, read from ``report stats --json``."""
    total = report["total"]
    found = {k: total[k] for k in ("conversations", "deflected", "questions", "answered",
                                   "did_you_mean", "fallback", "escalated", "tickets_opened",
                                   "tickets_resolved", "csat")}  # fmt: skip
    found["by_language"] = {k: v["questions"] for k, v in report["by_language"].items()
                            if v["questions"]}  # fmt: skip
    found["by_channel"] = {k: v["questions"] for k, v in report["by_channel"].items()
                           if v["questions"]}  # fmt: skip
    found["daily"] = {d["day"]: d["questions"] for d in report["daily_questions"] if d["questions"]}
    found["feedback"] = {f["faq_id"]: (f["up"], f["down"]) for f in report["feedback"]}
    return found


def period(now: datetime) -> tuple[datetime, datetime]:
    """The period asked: six whole past days, and today up to its end."""
    today = now.date()
    return midnight(today - timedelta(days=PERIOD_DAYS)), midnight(today + timedelta(days=1))


def run_report(url: str, since: datetime, until: datetime, *extra: str) -> dict[str, Any]:
    """``report stats --json`` for [since, until) (days), run as the command runs."""
    argv = ["report", "stats", "--database-url", url, "--json", "--since",
            since.date().isoformat(), "--until", until.date().isoformat(), *extra]  # fmt: skip
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        assert main(argv) == 0
    parsed: dict[str, Any] = json.loads(buffer.getvalue())
    return parsed


async def report(url: str, since: datetime, until: datetime, *extra: str) -> dict[str, Any]:
    """``run_report`` from a running event loop (the command runs its own)."""
    return await asyncio.to_thread(run_report, url, since, until, *extra)
