"""GET /staff/admin/faq: the FAQ in service, entry by entry, with what needs an admin's eye.

Each entry shows its phrasings per language and the flags of ``bot.faq.review``: a language
without an answer or without phrasings, an answer or phrasing written in another language, a
Traditional answer filed as Simplified, and the entries whose phrasings look like its own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from bot.faq.matcher import Matcher
from bot.faq.review import FLAG_TEXTS, EntryReview, Flag, review
from bot.i18n import UiLocale, translate
from bot.staff.auth import SignedIn
from bot.text.language import LANGS
from bot.web.staff.pages import Pages, locale


@dataclass(frozen=True)
class FlagView:
    """A flag as the page shows it."""

    lang: str
    label: str
    text: str


def flag_view(flag: Flag, ui: UiLocale) -> FlagView:
    """A flag with its label in the admin's language."""
    return FlagView(flag.lang, translate(ui, FLAG_TEXTS[flag.kind]), flag.text)


class FaqBrowser:
    """The FAQ browser page; ``admin`` checks the role, ``matcher`` is the FAQ in service."""

    def __init__(
        self,
        pages: Pages,
        admin: Callable[[Request], Awaitable[SignedIn | Response]],
        matcher: Callable[[], Matcher],
    ) -> None:
        self.pages, self.admin, self.matcher = pages, admin, matcher

    async def page(self, request: Request) -> Response:
        """Every entry with its phrasings and flags; ``?flagged=1`` keeps the flagged ones."""
        signed = await self.admin(request)
        if not isinstance(signed, SignedIn):
            return signed
        reviews = review(self.matcher().faq)
        flagged_only = request.query_params.get("flagged") == "1"
        shown = [r for r in reviews if r.flags or r.confusable] if flagged_only else reviews
        ui = locale(request)
        return self.pages.render(
            request,
            "admin_faq.html",
            **self.pages.common(signed),
            entries=[_entry_view(r, ui) for r in shown],
            total=len(reviews),
            flagged=sum(1 for r in reviews if r.flags or r.confusable),
            flagged_only=flagged_only,
            langs=LANGS,
        )


def _entry_view(r: EntryReview, ui: UiLocale) -> dict[str, object]:
    e = r.entry
    return {
        "id": e.id,
        "category": e.category,
        "escalate": e.escalate,
        "source": f"{e.source}:{e.line}" if e.source else "",
        "questions": {lang: e.questions.get(lang, ()) for lang in LANGS},
        "flags": [flag_view(f, ui) for f in r.flags],
        "confusable": r.confusable,
    }
