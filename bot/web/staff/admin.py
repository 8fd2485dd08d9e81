"""The console's admin pages: insights, the unanswered workbench and the test pane.

Only accounts with the admin role see them; an agent is refused (403) like a page that is not
theirs. ``AdminParts`` is what they need of a running bot; the composition root builds it.

- ``/staff/admin/insights``: a period's figures by language, channel and team, with SVG charts
  drawn on the server, and ``insights.csv``.
- ``/staff/admin/unanswered``: fallback, did-you-mean, low-confidence and 👎 questions grouped
  by meaning (the matcher's encoder when it is up, else by words), most frequent first; one
  click adds a wording as a phrasing (``bot.faq.editor.add_phrasing``: validated like
  ``faq check``, the diff shown, the FAQ reloaded at once), or drafts a new entry.
- ``/staff/admin/test``: a question's decision, its candidates with each ranker's score, and
  the reply as each channel renders it.
- ``/staff/admin/faq``: the FAQ in service with what needs a look (``faq_browser.py``).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.core.insights import DISLIKED, Insights, InsightsQuery, InsightsSource, compute, to_csv
from bot.core.language import content_lang, parse_locale
from bot.core.ports import MerchantRecord, UnansweredQuestion, UnitOfWork
from bot.core.report import Embed, QuestionGroup, group_questions, still_open
from bot.core.responder import Responder
from bot.core.types import Incoming, MerchantKey, Outgoing
from bot.faq.editor import EditRefused, add_phrasing
from bot.faq.matcher import Matcher
from bot.i18n import UiLocale, _, translate
from bot.staff.auth import SignedIn
from bot.text.language import LANGS, Lang
from bot.web.staff import charts
from bot.web.staff.faq_browser import FaqBrowser
from bot.web.staff.forms import FormError, posted_csrf, read_form, same_token
from bot.web.staff.pages import BAD_CSRF, Pages, locale, no_store, say
from bot.web.staff.views import language

log = logging.getLogger(__name__)

ADMIN = "/admin"
ADMINS_ONLY = _("This page is for admins.")
NO_INSIGHTS = _("Insights need the SQL database.")
CHANNELS = ("web", "telegram", "wechat")
DEFAULT_DAYS = 30
MAX_QUESTIONS = 3000  # the latest logged questions the workbench groups
MAX_GROUPS = 60
MAX_WORDINGS = 6  # distinct wordings shown per group
MAX_QUESTION = 500  # characters of a test question
ACTION_LABELS = {
    "answer": _("answered"),
    "clarify": _("did you mean"),
    "fallback": _("fallback"),
    "escalate": _("escalated"),
    "smalltalk": _("small talk"),
    DISLIKED: _("👎"),
}
Numbered = Callable[[Sequence[Outgoing], UiLocale], str]


@dataclass
class AdminParts:
    """What the admin pages need of a running bot.

    ``matcher``: the FAQ matcher in service; ``faq_folder``: the files the workbench edits;
    ``reload``: picks an edit up now (the FAQ holder's ``reload``; the watcher would, a moment
    later); ``responder``: the bot's replies, for the test pane; ``numbered``: how channels
    without buttons render a reply (``bot.channels.numbered.render``); ``insights``: the SQL
    aggregates (None on a store without them).
    """

    uow: Callable[[], UnitOfWork]
    matcher: Callable[[], Matcher]
    faq_folder: Path
    reload: Callable[[], object]
    responder: Responder
    numbered: Numbered
    insights: InsightsSource | None = None


@dataclass(frozen=True)
class Wording:
    """One distinct way a group's question was asked."""

    text: str
    lang: Lang
    language: str
    action: str
    entry: str  # the entry it was answered with (a 👎) or leaned to, if any


@dataclass(frozen=True)
class Cluster:
    """A group of questions as the workbench shows it."""

    count: int
    actions: list[tuple[str, int]]
    wordings: list[Wording]
    suggested: str
    suggested_text: str
    mean_score: float
    draft_query: str


def _day(value: str | None, default: date) -> date:
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default


def period_query(request: Request, teams: Sequence[str], now: datetime) -> InsightsQuery:
    """The insights' period (``from``..``to``, days, both included; ``to`` defaults to the day
    of ``now``, the service's clock) and filters."""
    params = request.query_params
    today = now.date()
    last = _day(params.get("to"), today)
    first = _day(params.get("from"), last - timedelta(days=DEFAULT_DAYS - 1))
    if first > last:
        first, last = last, first
    since = datetime.combine(first, time(), UTC)
    until = datetime.combine(last + timedelta(days=1), time(), UTC)
    wanted_locale = parse_locale(params.get("language", "")) if params.get("language") else None
    channel = params.get("channel") if params.get("channel") in CHANNELS else None
    team = params.get("team") if params.get("team") in teams else None
    return InsightsQuery(since, until, wanted_locale, channel, team)


def _still_disliked(question: UnansweredQuestion, matcher: Matcher) -> bool:
    """A 👎'd answer is still the one given (the FAQ was not changed for it)."""
    decision = matcher.ask(question.text)
    given = question.candidates[0][0] if question.candidates else None
    return decision.action == "answer" and decision.faq_id == given


def _embed(matcher: Matcher) -> Embed | None:
    fused = matcher.fused
    return fused.semantics.encoder.encode if fused is not None else None


def _lang_of(question: UnansweredQuestion) -> Lang:
    ui = parse_locale(question.locale)
    return content_lang(ui) if ui else "en"


def _first_phrasing(matcher: Matcher, entry_id: str, lang: Lang) -> str:
    if not entry_id or entry_id not in matcher.faq:
        return ""
    phrasings = matcher.faq.get(entry_id).questions.get(lang) or ()
    return phrasings[0] if phrasings else ""


def _cluster(group: QuestionGroup, matcher: Matcher, ui: UiLocale) -> Cluster:
    actions = Counter(q.action for q in group.questions)
    leaned = [q.candidates[0][0] for q in group.questions if q.candidates and q.action != DISLIKED]
    suggested = Counter(leaned).most_common(1)[0][0] if leaned else ""
    seen: set[str] = set()
    wordings: list[Wording] = []
    for q in group.questions:
        if q.text in seen or len(wordings) >= MAX_WORDINGS:
            continue
        seen.add(q.text)
        lang = _lang_of(q)
        entry = q.candidates[0][0] if q.candidates else ""
        wordings.append(Wording(q.text, lang, language(q.locale), q.action, entry))
    lang = wordings[0].lang if wordings else "en"
    return Cluster(
        count=len(group.questions),
        actions=[
            (translate(ui, ACTION_LABELS.get(a, a)) if a in ACTION_LABELS else a, n)
            for a, n in actions.most_common()
        ],
        wordings=wordings,
        suggested=suggested,
        suggested_text=_first_phrasing(matcher, suggested, lang),
        mean_score=group.mean_score,
        draft_query=urlencode([("q", f"{w.lang}|{w.text}") for w in wordings]),
    )


def draft_yaml(entry_id: str, category: str, wordings: Sequence[tuple[Lang, str]]) -> str:
    """A new entry with the merchants' questions filled in, to paste into an FAQ file."""
    by_lang: dict[Lang, list[str]] = {lang: [] for lang in LANGS}
    for lang, text in wordings:
        flat = " ".join(text.split())
        if flat and flat not in by_lang[lang]:
            by_lang[lang].append(flat)
    lines = [
        f"  - id: {entry_id or 'new-entry'}",
        f"    category: {category or 'account'}",
        "    escalate: false",
        "    questions:",
    ]
    for lang in LANGS:
        lines.append(f"      {lang}: {json.dumps(by_lang[lang] or ['TODO'], ensure_ascii=False)}")
    lines.append("    answer:")
    lines += [f'      {lang}: "TODO"' for lang in LANGS]
    return "\n".join(lines) + "\n"


class Admin:
    """GET /staff/admin/insights, insights.csv, unanswered, unanswered/draft, test;
    POST /staff/admin/unanswered/phrasing."""

    def __init__(self, pages: Pages, parts: AdminParts) -> None:
        self.pages, self.parts = pages, parts

    async def admin(self, request: Request) -> SignedIn | Response:
        """The signed-in admin, or the response for anyone else (sign-in page, 403)."""
        return await self._admin(request)

    async def _admin(self, request: Request) -> SignedIn | Response:
        signed = await self.pages.signed_in(request)
        if signed is None:
            return self.pages.to_login(request)
        if signed.account.role != "admin":
            return self.pages.error(request, signed, 403, say(request, ADMINS_ONLY))
        return signed

    def _teams(self) -> list[str]:
        return [t.id for t in self.pages.teams().teams()]

    async def _insights(self, request: Request) -> tuple[SignedIn, Insights] | Response:
        """The admin and the period's figures; else the sign-in page, a 403, or a 404 where
        there are no insights (no SQL database)."""
        signed = await self._admin(request)
        if not isinstance(signed, SignedIn):
            return signed
        source = self.parts.insights
        if source is None:
            return self.pages.error(request, signed, 404, say(request, NO_INSIGHTS))
        query = period_query(request, self._teams(), self.pages.clock())
        rows = await source.rows(query)
        found = compute(query, rows, first_response=self.pages.desk.policy.first_response)
        return signed, found

    # -- insights ----------------------------------------------------------------------------

    async def insights(self, request: Request) -> Response:
        """The period's figures, tables and charts."""
        got = await self._insights(request)
        if isinstance(got, Response):
            return got
        signed, found = got
        ui = locale(request)
        t = found.total

        def label(key: str) -> str:
            return say(request, ACTION_LABELS[key])

        action_chart = charts.bars(
            [(label(a), t.actions[a]) for a in ("answer", "clarify", "fallback", "escalate")],
            say(request, _("Questions by outcome")),
            colours=("#2f7d4f", "#2f6fb3", "#b26b00", "#b3261e"),
        )
        csat_chart = charts.bars(
            [(f"{r} ★", n) for r, n in sorted(t.csat.items(), reverse=True)],
            say(request, _("Satisfaction ratings")),
            colours=("#2f7d4f",),
        )
        daily_chart = charts.columns(found.daily, say(request, _("Questions per day")))
        q = found.query
        return self.pages.render(
            request,
            "admin_insights.html",
            **self.pages.common(signed),
            insights=found,
            total=t,
            first=q.since.date().isoformat(),
            last=(q.until - timedelta(days=1)).date().isoformat(),
            channels=CHANNELS,
            teams=self.pages.teams().teams(),
            language_name=language,
            team_name=lambda team_id: self.pages.team_name(team_id, ui),
            minutes=_minutes,
            share=_share,
            action_chart=action_chart,
            csat_chart=csat_chart,
            daily_chart=daily_chart,
            csv_query=request.url.query,
        )

    async def insights_csv(self, request: Request) -> Response:
        """The same figures as CSV."""
        got = await self._insights(request)
        if isinstance(got, Response):
            return got
        found = got[1]
        name = f"insights-{found.query.since:%Y%m%d}-{found.query.until:%Y%m%d}.csv"
        response = Response(to_csv(found), media_type="text/csv; charset=utf-8")
        response.headers["content-disposition"] = f'attachment; filename="{name}"'
        return no_store(response)

    # -- the unanswered workbench ------------------------------------------------------------

    async def unanswered(self, request: Request) -> Response:
        """Groups of questions the FAQ does not answer (well), most frequent first."""
        signed = await self._admin(request)
        if not isinstance(signed, SignedIn):
            return signed
        return await self._workbench(request, signed)

    async def _workbench(
        self, request: Request, signed: SignedIn, status: int = 200, **extra: Any
    ) -> Response:
        show_all = request.query_params.get("all") == "1"
        async with self.parts.uow() as uow:
            logged = (await uow.unanswered.all())[-MAX_QUESTIONS:]
        disliked = await self.parts.insights.disliked(None) if self.parts.insights else []
        ui = locale(request)
        clusters, entries = await asyncio.to_thread(self._clusters, logged, disliked, show_all, ui)
        return self.pages.render(
            request,
            "admin_unanswered.html",
            status,
            **self.pages.common(signed),
            clusters=clusters,
            entries=entries,
            show_all=show_all,
            **extra,
        )

    def _clusters(
        self,
        logged: list[UnansweredQuestion],
        disliked: list[UnansweredQuestion],
        show_all: bool,
        ui: UiLocale,
    ) -> tuple[list[Cluster], list[str]]:
        matcher = self.parts.matcher()
        if not show_all:
            logged = still_open(logged, matcher)
            disliked = [q for q in disliked if _still_disliked(q, matcher)]
        questions = sorted(logged + disliked, key=lambda q: q.created_at)
        try:
            groups = group_questions(questions, _embed(matcher))
        except Exception:  # the encoder failing must not take the page down: group by words
            log.exception("grouping by meaning failed; grouping by words")
            groups = group_questions(questions)
        clusters = [_cluster(g, matcher, ui) for g in groups[:MAX_GROUPS]]
        return clusters, [e.id for e in matcher.faq]

    async def add_phrasing(self, request: Request) -> Response:
        """Add a merchant's wording to an entry, show the diff, reload the FAQ."""
        signed = await self._admin(request)
        if not isinstance(signed, SignedIn):
            return signed
        try:
            form = await read_form(request)
            if not same_token(posted_csrf(request, form), signed.session.csrf):
                raise FormError(403, BAD_CSRF)
            entry, text = form.required("entry").strip(), form.required("text")
            lang = form.required("lang")
        except FormError as exc:
            return self.pages.error(request, signed, exc.status, exc.text(locale(request)))
        context = {"entry": entry, "text": text, "lang": lang}
        if lang not in LANGS:
            return self._edited(request, signed, 422, **context, refused=f"language {lang!r}")
        folder = self.parts.faq_folder
        try:
            edit = await asyncio.to_thread(add_phrasing, folder, entry, lang, text)
        except EditRefused as exc:
            return self._edited(request, signed, 422, **context, refused=exc.reason)
        await asyncio.to_thread(self.parts.reload)
        decision = self.parts.matcher().ask(text)
        answered = decision.faq_id if decision.action == "answer" else ""
        log.info(
            "phrasing added", extra={"entry": entry, "lang": lang, "by": signed.account.username}
        )
        return self._edited(
            request, signed, 200, **context, diff=edit.diff(), file=edit.path.name,
            answered=answered,
        )  # fmt: skip

    def _edited(self, request: Request, signed: SignedIn, status: int, **context: Any) -> Response:
        context.setdefault("refused", "")
        context.setdefault("diff", "")
        context.setdefault("file", "")
        context.setdefault("answered", "")
        return self.pages.render(
            request, "admin_phrasing.html", status, **self.pages.common(signed), **context
        )

    async def draft(self, request: Request) -> Response:
        """A new entry's YAML with the group's questions filled in."""
        signed = await self._admin(request)
        if not isinstance(signed, SignedIn):
            return signed
        params = request.query_params
        wordings: list[tuple[Lang, str]] = []
        for value in params.getlist("q")[:20]:
            lang, _sep, text = value.partition("|")
            if lang in LANGS and text.strip():
                wordings.append((lang, text))
        entry_id = params.get("id", "").strip()[:64]
        category = params.get("category", "").strip()[:64]
        return self.pages.render(
            request,
            "admin_draft.html",
            **self.pages.common(signed),
            wordings=wordings,
            entry_id=entry_id,
            category=category,
            yaml=draft_yaml(entry_id, category, wordings),
        )

    # -- the test pane -----------------------------------------------------------------------

    async def test(self, request: Request) -> Response:
        """A question's decision, candidates and reply as each channel renders it."""
        signed = await self._admin(request)
        if not isinstance(signed, SignedIn):
            return signed
        question = request.query_params.get("q", "").strip()[:MAX_QUESTION]
        result = await asyncio.to_thread(self._try, question) if question else None
        return self.pages.render(
            request, "admin_test.html", **self.pages.common(signed), question=question,
            result=result,
        )  # fmt: skip

    def _try(self, question: str) -> dict[str, Any]:
        matcher = self.parts.matcher()
        merchant = MerchantRecord(0, MerchantKey("console-test", "admin"))
        outcome = self.parts.responder.respond(
            merchant, Incoming(merchant.key, "text", text=question), 0
        )
        decision = outcome.decision or matcher.ask(question)
        lang = decision.lang
        candidates = [
            {
                "faq_id": c.faq_id,
                "score": c.score,
                # a lexical matcher's score is the lexical ranker's
                "lexical": c.score
                if c.lexical is None and decision.mode == "lexical"
                else c.lexical,
                "semantic": c.semantic,
                "phrasing": _first_phrasing(matcher, c.faq_id, lang),
            }
            for c in decision.candidates
        ]
        return {
            "decision": decision,
            "from_faq": outcome.decision is not None,
            "locale": outcome.locale,
            "language": language(outcome.locale),
            "handover": outcome.handover,
            "reason": outcome.reason,
            "candidates": candidates,
            "messages": outcome.messages,
            "numbered": self.parts.numbered(outcome.messages, outcome.locale),
        }


def _minutes(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    minutes = seconds / 60
    return f"{minutes:.0f} min" if minutes < 120 else f"{minutes / 60:.1f} h"


def _share(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def admin_routes(pages: Pages, parts: AdminParts) -> list[BaseRoute]:
    """The admin pages' routes, under /staff/admin."""
    admin = Admin(pages, parts)
    pages.env.globals["admin_pages"] = True  # the top bar links to them (for admins)
    return [
        Route(f"{ADMIN}/insights", admin.insights, methods=["GET"]),
        Route(f"{ADMIN}/insights.csv", admin.insights_csv, methods=["GET"]),
        Route(f"{ADMIN}/unanswered", admin.unanswered, methods=["GET"]),
        Route(f"{ADMIN}/unanswered/phrasing", admin.add_phrasing, methods=["POST"]),
        Route(f"{ADMIN}/unanswered/draft", admin.draft, methods=["GET"]),
        Route(f"{ADMIN}/test", admin.test, methods=["GET"]),
        Route(f"{ADMIN}/faq", FaqBrowser(pages, admin.admin, parts.matcher).page, methods=["GET"]),
    ]
