"""What to say to one event: pure decisions over the FAQ matcher, no storage."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from bot.centres.describe import centre_address, centre_name, describe, unknown
from bot.centres.finder import AskForPlace, CentreFinder, Nearest, UnknownPlace
from bot.centres.texts import VIDEO_CALL
from bot.core import payloads, texts
from bot.core.handover import asks_for_person, wants_person
from bot.core.language import content_lang, locale_from_tag, locale_of, parse_locale, read_message
from bot.core.ports import MerchantRecord
from bot.core.texts import t
from bot.core.tickets import ASKED, NO_ANSWER, compliance_reason
from bot.core.types import Button, Incoming, Location, Outgoing, Venue
from bot.faq.decision import Decision
from bot.faq.matcher import Matcher
from bot.faq.replies import CLARIFY, FALLBACK, HANDOVER, SMALLTALK, localise
from bot.i18n import UI_LOCALES, UiLocale
from bot.text.message import Message

MAX_RELATED = 3
log = logging.getLogger(__name__)


@dataclass
class Outcome:
    """The reply to one event and what it changes."""

    messages: list[Outgoing]
    locale: UiLocale
    decision: Decision | None = None
    feedback: tuple[int, bool] | None = None  # (question message id, helpful)
    merchant_changed: bool = False
    handover: bool = False  # the merchant asked for, or needs, a person
    reason: str = ""  # why a person is needed (see bot.core.tickets)


@dataclass(frozen=True)
class Heard:
    """An event as the responder reads it, once: the locale to answer in and, for a text, the
    message with its language (what the FAQ matcher decides on)."""

    locale: UiLocale
    message: Message | None = None


class Responder:
    """Turns an event into messages, given the merchant's state and the current FAQ."""

    def __init__(
        self,
        matcher: Callable[[], Matcher],
        *,
        centres: Callable[[], CentreFinder] | None = None,
    ) -> None:
        self._matcher = matcher
        self._centres = centres  # the centre finder; None: centres are not offered

    def respond(
        self, merchant: MerchantRecord, event: Incoming, message_id: int, heard: Heard | None = None
    ) -> Outcome:
        """The outcome for one stored inbound event (``message_id`` is its stored id; ``heard``:
        the event as ``hear`` read it, if it was)."""
        heard = heard or self.hear(merchant, event)
        locale = heard.locale
        changed = locale != merchant.locale
        merchant.locale = locale
        if event.kind == "text":
            place = self._place(merchant, locale, event.text)
            out = self._text(locale, heard.message, message_id) if place is None else place
            if place is not None and heard.message is not None:
                # A compliance matter with a place in it ("资金被冻结了，深圳最近的中心在哪"): the
                # centre, and a person from its team (the ticket is routed to that centre).
                text = self._text(locale, heard.message, message_id)
                if text.handover and text.decision is not None and text.decision.compliance:
                    text.messages[:0] = place.messages
                    text.merchant_changed = True
                    out = text
        elif event.kind == "button":
            out = self._button(merchant, locale, event.payload, message_id)
        elif event.kind == "command" and event.text.strip().lstrip("/").lower() == "centre":
            out = self._centre(merchant, locale)
        elif event.kind == "command":
            out = self._command(locale, event.text)
        elif event.location is not None:
            merchant.location = event.location
            saved = Outgoing(t(locale, texts.LOCATION_SAVED), self._menu(locale))
            out = self._centre(merchant, locale) if self._finder() else Outcome([saved], locale)
            changed = True
        else:
            out = Outcome([Outgoing(t(locale, texts.UNSUPPORTED), self._menu(locale))], locale)
        out.merchant_changed = out.merchant_changed or changed
        return out

    def hear(self, merchant: MerchantRecord, event: Incoming) -> Heard:
        """Read an event once: its locale and, for a text, its language (the merchant is not
        changed; a locale the merchant chose stays, whatever the message's language)."""
        current = parse_locale(merchant.locale or "")
        hint = locale_from_tag(event.lang_hint)
        if event.kind != "text" or not event.text.strip():
            return Heard(current or hint or "en")
        message = read_message(event.text, current, hint)
        if merchant.locale_pinned and current:
            return Heard(current, message)
        return Heard(locale_of(message, current, hint), message)

    def locale_for(self, merchant: MerchantRecord, event: Incoming) -> UiLocale:
        """The locale to answer an event in (the merchant is not changed)."""
        return self.hear(merchant, event).locale

    def faq_answer(
        self, merchant: MerchantRecord, event: Incoming, message_id: int, heard: Heard | None = None
    ) -> Outcome | None:
        """The FAQ's answer to a clear, ordinary question; None for anything else.

        While people hold the thread the bot still answers these (an ``answer`` decision on an
        entry that does not escalate); compliance, vague or unanswered messages are theirs.
        Nothing about the merchant changes.
        """
        if event.kind != "text" or not event.text.strip() or wants_person(event):
            return None
        heard = heard or self.hear(merchant, event)
        if heard.message is None:
            return None
        locale = heard.locale
        matcher = self._matcher()
        decision = matcher.decide(heard.message)
        faq_id = decision.faq_id
        if decision.action != "answer" or not faq_id or faq_id not in matcher.faq:
            return None
        if matcher.faq.get(faq_id).escalate:
            return None
        out = self._answer(matcher, locale, faq_id, message_id)
        out.decision = decision
        return out

    # -- free text -------------------------------------------------------------------------

    def _text(self, locale: UiLocale, message: Message | None, message_id: int) -> Outcome:
        if message is None:  # nothing but white space
            return Outcome([Outgoing(t(locale, texts.HELP), self._menu(locale))], locale)
        if asks_for_person(message.text):
            return self._handover(locale, ASKED)
        matcher = self._matcher()
        decision = matcher.decide(message)
        if decision.action == "answer" and decision.faq_id:
            out = self._answer(matcher, locale, decision.faq_id, message_id)
        elif decision.action == "escalate":
            parts = [self._answer_text(matcher, locale, decision.faq_id)] if decision.faq_id else []
            parts.append(t(locale, HANDOVER))
            reason = compliance_reason(decision.compliance or decision.faq_id)
            out = Outcome([Outgoing("\n\n".join(parts))], locale, handover=True, reason=reason)
        elif decision.action == "smalltalk":
            said = SMALLTALK.get(decision.smalltalk or "", SMALLTALK["greeting"])
            out = Outcome([Outgoing(t(locale, said), self._menu(locale))], locale)
        elif decision.action == "clarify":
            buttons = [self._faq_button(matcher, locale, c.faq_id) for c in decision.candidates]
            buttons.append(self._human_button(locale))
            out = Outcome([Outgoing(t(locale, CLARIFY), tuple(buttons))], locale)
        else:
            out = Outcome([Outgoing(t(locale, FALLBACK), self._fallback_buttons(locale))], locale)
        out.decision = decision
        return out

    def _answer(self, matcher: Matcher, locale: UiLocale, faq_id: str, message_id: int) -> Outcome:
        entry = matcher.faq.get(faq_id)
        text = self._answer_text(matcher, locale, faq_id)
        if entry.escalate:
            reason = compliance_reason(entry.id)
            msg = Outgoing(f"{text}\n\n{t(locale, HANDOVER)}")
            return Outcome([msg], locale, handover=True, reason=reason)
        related = [
            self._faq_button(matcher, locale, rel)
            for rel in entry.related[:MAX_RELATED]
            if rel in matcher.faq
        ]
        feedback = [
            Button(t(locale, texts.HELPFUL_YES), payloads.encode("fb", str(message_id), "1")),
            Button(t(locale, texts.HELPFUL_NO), payloads.encode("fb", str(message_id), "0")),
        ]
        return Outcome([Outgoing(text, tuple(related + feedback))], locale)

    def other_entries(
        self, locale: UiLocale, question: str, exclude: set[str], most: int = 2
    ) -> tuple[Button, ...]:
        """Buttons for the entries closest to ``question`` after ``exclude``, then the excluded
        entries' related ones (escalating entries left out: they need a person, who is offered
        anyway)."""
        matcher = self._matcher()
        decision = matcher.ask(question, hint=content_lang(locale))
        near = [c.faq_id for c in decision.candidates]
        known = sorted(e for e in exclude if e in matcher.faq)
        related = [r for e in known for r in matcher.faq.get(e).related]
        ids = [
            i
            for i in dict.fromkeys(near + related)
            if i not in exclude and i in matcher.faq and not matcher.faq.get(i).escalate
        ]
        return tuple(self._faq_button(matcher, locale, i) for i in ids[:most])

    def _answer_text(self, matcher: Matcher, locale: UiLocale, faq_id: str) -> str:
        lang = content_lang(locale)
        return localise(matcher.faq.get(faq_id).answer[lang], lang, locale == "zh_Hant")

    def _faq_button(self, matcher: Matcher, locale: UiLocale, faq_id: str) -> Button:
        lang = content_lang(locale)
        title = matcher.faq.get(faq_id).questions[lang][0]
        return Button(localise(title, lang, locale == "zh_Hant"), payloads.encode("faq", faq_id))

    # -- business-expansion centres ----------------------------------------------------------

    def _finder(self) -> CentreFinder | None:
        if self._centres is None:
            return None
        try:
            return self._centres()
        except RuntimeError:  # no valid centres file yet: the replies without centres
            return None

    def _place(self, merchant: MerchantRecord, locale: UiLocale, text: str) -> Outcome | None:
        """The nearest centre when the message says where the merchant is ("我在东莞")."""
        finder = self._finder()
        if finder is None or not text.strip():
            return None
        try:
            found = finder.from_message(text)
        except Exception:  # place detection is an extra: the FAQ must still answer
            log.exception("centre lookup failed; answering from the FAQ")
            return None
        if found is None:
            return None
        if isinstance(found, AskForPlace):
            return self._centre(merchant, locale)
        if isinstance(found, UnknownPlace):
            return Outcome([Outgoing(unknown(found, locale))], locale)
        merchant.location = Location(found.lat, found.lon)
        return self._nearest(merchant, locale, found)

    def _centre(self, merchant: MerchantRecord, locale: UiLocale) -> Outcome:
        """The nearest centre to the merchant's known location, or a question where they are."""
        finder = self._finder()
        if finder is None or merchant.location is None:
            return Outcome([Outgoing(t(locale, texts.CENTRE_ASK))], locale)
        where = merchant.location
        return self._nearest(merchant, locale, finder.from_location(where.lat, where.lon))

    def _nearest(self, merchant: MerchantRecord, locale: UiLocale, found: Nearest) -> Outcome:
        merchant.centre_id = found.centre.id  # tickets are routed to this centre's team
        return Outcome([_nearest_message(found, locale)], locale, merchant_changed=True)

    def centre_answer(self, event: Incoming, heard: Heard) -> tuple[Outcome, str] | None:
        """The nearest centre to a place the message names, with the centre's id; None for
        anything else. For a merchant whose thread people hold: the merchant and the ticket's
        routing stay as they are."""
        finder = self._finder()
        if event.kind != "text" or finder is None or not event.text.strip():
            return None
        try:
            found = finder.from_message(event.text)
        except Exception:  # place detection is an extra: the relay must still go through
            log.exception("centre lookup failed while people hold the thread")
            return None
        if not isinstance(found, Nearest):
            return None
        return Outcome([_nearest_message(found, heard.locale)], heard.locale), found.centre.id

    # -- buttons and commands --------------------------------------------------------------

    def _button(
        self, merchant: MerchantRecord, locale: UiLocale, raw: str, message_id: int
    ) -> Outcome:
        payload = payloads.decode(raw)
        matcher = self._matcher()
        if payload is None:
            return self._stale(locale)
        action, arg = payload.action, payload.arg
        if action == "faq" and arg in matcher.faq:
            return self._answer(matcher, locale, arg, message_id)
        if action == "cat" and arg in matcher.faq.categories():
            return self._category(matcher, locale, arg)
        if action == "lang" and parse_locale(arg):
            chosen = parse_locale(arg) or locale
            merchant.locale, merchant.locale_pinned = chosen, True
            msg = Outgoing(t(chosen, texts.LANGUAGE_SET), self._menu(chosen))
            return Outcome([msg], chosen, merchant_changed=True)
        if action == "fb" and arg.isdigit() and payload.extra in ("0", "1"):
            helpful = payload.extra == "1"
            reply = (
                Outgoing(t(locale, texts.THANKS))
                if helpful
                else Outgoing(t(locale, texts.SORRY), self._fallback_buttons(locale))
            )
            return Outcome([reply], locale, feedback=(int(arg), helpful))
        if action == "human" and arg == NO_ANSWER:
            return self._handover(locale, NO_ANSWER)
        if action == "centre" and not arg:
            return self._centre(merchant, locale)
        simple = {"topics", "langs", "human", "rephrase", "centre", "menu"}
        if action in simple and not arg:
            return self._command(locale, action)
        return self._stale(locale)

    def _command(self, locale: UiLocale, name: str) -> Outcome:
        name = name.strip().lstrip("/").lower()
        if name == "start":
            return Outcome([Outgoing(t(locale, texts.GREETING), self._menu(locale))], locale)
        if name in ("topics", "faq"):
            matcher = self._matcher()
            buttons = tuple(
                Button(texts.category_label(locale, c), payloads.encode("cat", c))
                for c in matcher.faq.categories()
            )
            return Outcome([Outgoing(t(locale, texts.PICK_TOPIC), buttons)], locale)
        if name in ("language", "langs"):
            buttons = tuple(
                Button(texts.LANGUAGE_NAMES[loc], payloads.encode("lang", loc))
                for loc in UI_LOCALES
            )
            return Outcome([Outgoing(t(locale, texts.PICK_LANGUAGE), buttons)], locale)
        if name == "human":
            return self._handover(locale, ASKED)
        if name == "rephrase":
            return Outcome([Outgoing(t(locale, texts.REPHRASE))], locale)
        if name == "centre":
            return Outcome([Outgoing(t(locale, texts.CENTRE_ASK))], locale)
        return Outcome([Outgoing(t(locale, texts.HELP), self._menu(locale))], locale)

    def _category(self, matcher: Matcher, locale: UiLocale, category: str) -> Outcome:
        buttons = tuple(
            self._faq_button(matcher, locale, e.id) for e in matcher.faq if e.category == category
        )
        label = texts.category_label(locale, category)
        text = t(locale, texts.PICK_QUESTION, topic=label)
        return Outcome([Outgoing(text, buttons)], locale)

    def _handover(self, locale: UiLocale, reason: str) -> Outcome:
        msg = Outgoing(t(locale, texts.HUMAN_REQUESTED))
        return Outcome([msg], locale, handover=True, reason=reason)

    def _human_button(self, locale: UiLocale) -> Button:
        """"Talk to a person" offered because the bot had no answer."""
        return Button(t(locale, texts.MENU_HUMAN), payloads.encode("human", NO_ANSWER))

    def _stale(self, locale: UiLocale) -> Outcome:
        return Outcome([Outgoing(t(locale, texts.STALE_BUTTON), self._menu(locale))], locale)

    def _menu(self, locale: UiLocale) -> tuple[Button, ...]:
        return (
            Button(t(locale, texts.MENU_TOPICS), payloads.encode("topics")),
            Button(t(locale, texts.MENU_CENTRE), payloads.encode("centre")),
            Button(t(locale, texts.MENU_HUMAN), payloads.encode("human")),
            Button(t(locale, texts.MENU_LANGUAGE), payloads.encode("langs")),
        )

    def _fallback_buttons(self, locale: UiLocale) -> tuple[Button, ...]:
        return (
            Button(t(locale, texts.REPHRASE_BUTTON), payloads.encode("rephrase")),
            Button(t(locale, texts.MENU_TOPICS), payloads.encode("topics")),
            self._human_button(locale),
        )


def _nearest_message(found: Nearest, locale: UiLocale) -> Outgoing:
    centre = found.centre
    venue = Venue(
        centre_name(centre, locale), centre_address(centre, locale), centre.lat, centre.lon
    )
    # No centre in the merchant's country: a person can meet them by video call instead.
    call = (Button(t(locale, VIDEO_CALL), payloads.encode("human")),) if found.abroad else ()
    return Outgoing(describe(found, locale), buttons=call, venue=venue)
