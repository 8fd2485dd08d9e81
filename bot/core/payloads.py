"""Button payloads: short strings (Telegram allows 64 bytes) that the core parses back."""

from __future__ import annotations

from dataclasses import dataclass

MAX_BYTES = 64


@dataclass(frozen=True)
class Payload:
    """A parsed payload: an action and its argument ("faq", "security-deposit")."""

    action: str
    arg: str = ""
    extra: str = ""


ACTIONS = frozenset(
    {"menu", "topics", "cat", "faq", "lang", "langs", "fb", "human", "rephrase", "centre"}
    | {"rate"}  # a rating of a resolved ticket: rate:<ticket id>:<1-5>
    | {"close"}  # the merchant closes their own request: close:<ticket id>
)


def encode(action: str, arg: str = "", extra: str = "") -> str:
    """Build a payload; raises ValueError past the size limit."""
    parts = [action, *([arg] if arg or extra else []), *([extra] if extra else [])]
    text = ":".join(parts)
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise ValueError(f"payload over {MAX_BYTES} bytes: {text!r}")
    return text


def decode(payload: str) -> Payload | None:
    """Parse a payload; None when it is not one of ours (stale, forged or mistyped)."""
    if not payload or len(payload.encode("utf-8")) > MAX_BYTES:
        return None
    action, _, rest = payload.partition(":")
    arg, _, extra = rest.partition(":")
    if action not in ACTIONS:
        return None
    return Payload(action, arg, extra)
