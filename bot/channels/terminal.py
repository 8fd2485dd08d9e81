"""The terminal as a channel: ``merchant-bot ask`` and ``chat`` talk to the conversation core
like the web chat, Telegram and WeChat do, so the terminal says what a merchant would see.

The terminal has no buttons: a reply's buttons become a numbered menu, and typing a number
presses the matching button of the last reply (as on WeChat).
"""

from __future__ import annotations

from bot.channels import numbered
from bot.core.language import parse_locale
from bot.core.ports import Conversation
from bot.core.types import Incoming, MerchantKey, Reply
from bot.i18n import UiLocale

CHANNEL = "terminal"
DEFAULT_LOCALE: UiLocale = "en"


class TerminalChannel:
    """One merchant at the terminal; ``say`` returns the reply as the terminal shows it."""

    def __init__(self, conversation: Conversation, user: str = "cli", lang: str | None = None):
        self._conversation = conversation
        self.merchant = MerchantKey(CHANNEL, user)
        self._lang = lang  # the --lang hint, as a channel's language tag

    async def say(self, text: str) -> str:
        """Send one line; a number picks an option of the last reply."""
        return render(await self.send(text))

    async def send(self, text: str) -> Reply:
        """Send one line and return the core's reply as it is."""
        event = Incoming(self.merchant, "text", text=text.strip(), lang_hint=self._lang)
        if numbered.number(event.text) is not None:
            history = await self._conversation.history(self.merchant, numbered.HISTORY_LIMIT)
            event = numbered.choose(event, history)
        return await self._conversation.handle(event)


def render(reply: Reply) -> str:
    """A reply as terminal text: its messages, then its buttons as a numbered menu."""
    return numbered.render(reply.messages, parse_locale(reply.locale) or DEFAULT_LOCALE)
