"""When to ask "Did this help?": once per burst of answers, never while people hold the thread.

The rule is "at most one prompt per ``every`` per merchant": the first answer of a burst carries
the 👍/👎 buttons, the answers that follow within ``every`` go without them, and a 👍/👎 given
opens the window again (a merchant who rates is listening; the next answer may ask). Why not
"only on the last answer of a burst": when an answer is sent, nobody knows yet whether another
question follows, and a prompt once sent cannot be taken back on every channel (a WeChat
reply, a Telegram keyboard already delivered); holding the prompt back to send it after a
quiet spell would be a message arriving later, unasked, through a queue. The buttons on an
earlier answer keep working, so a 👍/👎 on any answer of the burst is still recorded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from bot.core import payloads
from bot.core.clock import Clock, system_clock
from bot.core.ports import MerchantRecord
from bot.core.types import Button, Outgoing

DEFAULT_EVERY = timedelta(minutes=10)  # FEEDBACK_PROMPT_MINUTES


def is_prompt(button: Button) -> bool:
    """Whether a button is one of the "Did this help?" pair (fb:<question id>:<0|1>)."""
    payload = payloads.decode(button.payload)
    return payload is not None and payload.action == "fb"


def has_prompt(messages: Sequence[Outgoing]) -> bool:
    """Whether any of the messages asks "Did this help?"."""
    return any(is_prompt(b) for m in messages for b in m.buttons)


def without_prompt(messages: Sequence[Outgoing]) -> list[Outgoing]:
    """The messages with the 👍/👎 buttons taken off (other buttons, text and venue kept)."""
    return [
        Outgoing(m.text, tuple(b for b in m.buttons if not is_prompt(b)), m.venue) for m in messages
    ]


@dataclass(frozen=True)
class FeedbackPrompts:
    """The decision, on the core's clock; the merchant's record keeps when they were asked."""

    every: timedelta = DEFAULT_EVERY  # 0: ask after every answer
    clock: Clock = system_clock

    def may_ask(self, merchant: MerchantRecord, *, held: bool) -> bool:
        """Whether an answer now may carry the prompt (``held``: people hold the thread)."""
        if held:
            return False
        asked = merchant.feedback_asked_at
        return asked is None or self.clock() - asked >= self.every

    def apply(self, merchant: MerchantRecord, messages: list[Outgoing], *, held: bool) -> bool:
        """Keep or drop the prompt in ``messages`` (in place); True when the merchant changed.

        A kept prompt is noted on the merchant (stored with the answer, so every replica
        sees it).
        """
        if not has_prompt(messages):
            return False
        if not self.may_ask(merchant, held=held):
            messages[:] = without_prompt(messages)
            return False
        merchant.feedback_asked_at = self.clock()
        return True

    def answered(self, merchant: MerchantRecord) -> bool:
        """A 👍/👎 was given: the next answer may ask again. True when the merchant changed."""
        if merchant.feedback_asked_at is None:
            return False
        merchant.feedback_asked_at = None
        return True
