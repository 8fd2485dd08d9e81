"""What to say to one event: pure decisions over the FAQ matcher, no storage."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.core import payloads, texts
from bot.core.language import content_lang, locale_for_message, locale_from_tag, parse_locale
from bot.core.ports import MerchantRecord
from bot.core.texts import t
from bot.core.types import Button, Incoming, Outgoing
from bot.faq.decision import Decision
from bot.faq.matcher import Matcher
from bot.faq.replies import CLARIFY, FALLBACK, HANDOVER, localise
from bot.i18n import UI_LOCALES, UiLocale

MAX_RELATED = 3


@dataclass
class Outcome:
    """The reply to one event and what it changes."""

    messages: list[Outgoing]
    locale: UiLocale
    decision: Decision | None = None
    feedback: tuple[int, bool] | None = None  # (question message id, helpful)
    merchant_changed: bool = False
    handover: bool = False  # the merchant asked for, or needs, a person


class Responder:
    """Turns an event into messages, given the merchant's state and the current FAQ."""

    def __init__(self, matcher: Callable[[], Matcher]) -> None:
        self._matcher = matcher

    def respond(self, merchant: MerchantRecord, event: Incoming, message_id: int) -> Outcome:
        """The outcome for one stored inbound event (``message_id`` is its stored id)."""
        locale = self._locale(merchant, event)
        changed = locale != merchant.locale
        merchant.locale = locale
        if event.kind == "text":
            out = self._text(locale, event.text, message_id)
        elif event.kind == "button":
            out = self._button(merchant, locale, event.payload, message_id)
        elif event.kind == "command":
            out = self._command(locale, event.text)
        elif event.location is not None:
            merchant.location = event.location
            out = Outcome([Outgoing(t(locale, texts.LOCATION_SAVED), self._menu(locale))], locale)
            changed = True
        else:
            out = Outcome([Outgoing(t(locale, texts.UNSUPPORTED), self._menu(locale))], locale)
        out.merchant_changed = out.merchant_changed or changed
        return out

    def _locale(self, merchant: MerchantRecord, event: Incoming) -> UiLocale:
        current = parse_locale(merchant.locale or "")
        if merchant.locale_pinned and current:
            return current
        hint = locale_from_tag(event.lang_hint)
        if event.kind == "text" and event.text.strip():
            return locale_for_message(event.text, current, hint)
        return current or hint or "en"

    # -- free text -------------------------------------------------------------------------

    def _text(self, locale: UiLocale, text: str, message_id: int) -> Outcome:
        if not text.strip():
            return Outcome([Outgoing(t(locale, texts.HELP), self._menu(locale))], locale)
        matcher = self._matcher()
        decision = matcher.ask(text, hint=content_lang(locale))
        if decision.action == "answer" and decision.faq_id:
            out = self._answer(matcher, locale, decision.faq_id, message_id)
        elif decision.action == "escalate":
            parts = [self._answer_text(matcher, locale, decision.faq_id)] if decision.faq_id else []
            parts.append(t(locale, HANDOVER))
            out = Outcome([Outgoing("\n\n".join(parts))], locale, handover=True)
        elif decision.action == "clarify":
            buttons = [self._faq_button(matcher, locale, c.faq_id) for c in decision.candidates]
            buttons.append(Button(t(locale, texts.MENU_HUMAN), payloads.encode("human")))
            out = Outcome([Outgoing(t(locale, CLARIFY), tuple(buttons))], locale)
        else:
            out = Outcome([Outgoing(t(locale, FALLBACK), self._fallback_buttons(locale))], locale)
        out.decision = decision
        return out

    def _answer(self, matcher: Matcher, locale: UiLocale, faq_id: str, message_id: int) -> Outcome:
        entry = matcher.faq.get(faq_id)
        text = self._answer_text(matcher, locale, faq_id)
        if entry.escalate:
            return Outcome([Outgoing(f"{text}\n\n{t(locale, HANDOVER)}")], locale, handover=True)
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

    def _answer_text(self, matcher: Matcher, locale: UiLocale, faq_id: str) -> str:
        lang = content_lang(locale)
        return localise(matcher.faq.get(faq_id).answer[lang], lang, locale == "zh_Hant")

    def _faq_button(self, matcher: Matcher, locale: UiLocale, faq_id: str) -> Button:
        lang = content_lang(locale)
        title = matcher.faq.get(faq_id).questions[lang][0]
        return Button(localise(title, lang, locale == "zh_Hant"), payloads.encode("faq", faq_id))

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
            return Outcome([Outgoing(t(locale, texts.HUMAN_REQUESTED))], locale, handover=True)
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
            Button(t(locale, texts.MENU_HUMAN), payloads.encode("human")),
        )
