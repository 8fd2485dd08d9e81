"""Recognise a merchant asking for a person ("human", "转人工", "상담원 연결해 주세요").

The one place that decides it: the conversation, the responder and every channel ask here.
"""

from __future__ import annotations

import re

from bot.core import payloads
from bot.core.types import Incoming
from bot.text.scripts import CJK_RE

# Words that, in a short message, mean "let me talk to a person". Longer messages that merely
# mention staff ("the staff asked for my password") are questions for the FAQ, not requests.
_EN = re.compile(
    r"\b(human|humans|real person|a person|someone|somebody|agent|operator|representative|"
    r"customer service|support team|staff|live chat)\b",
    re.IGNORECASE,
)
_EN_ASK = re.compile(
    r"\b(talk|speak|chat|connect|transfer|contact|want|need|get|give|put)\b|^\s*(human|agent)",
    re.IGNORECASE,
)
_ZH = re.compile(
    r"转人工|轉人工|人工客服|人工服务|人工服務|[找要转轉]人工|^人工|[找要]真人|真人客服|"
    r"[找要]客服|[联聯][系繫络絡]客服|客服在[吗嗎]|^客服"
)
_KO = re.compile(r"상담원|상담사|사람이랑|사람과|사람한테|직원|담당자|상담 ?연결|사람 ?연결")
MAX_WORDS = 9
MAX_CJK_CHARS = 14


def asks_for_person(text: str) -> bool:
    """True when a short message asks to talk to a person rather than asking a question."""
    stripped = text.strip()
    if not stripped:
        return False
    cjk = len(CJK_RE.findall(stripped))
    if cjk:
        if cjk > MAX_CJK_CHARS:
            return False
        return bool(_ZH.search(stripped) or _KO.search(stripped))
    if len(stripped.split()) > MAX_WORDS:
        return False
    return bool(_EN.search(stripped) and _EN_ASK.search(stripped))


def wants_person(event: Incoming) -> bool:
    """A "talk to a person" button, the /human command, or a short request in words."""
    if event.kind == "button":
        payload = payloads.decode(event.payload)
        return payload is not None and payload.action == "human"
    if event.kind == "command":
        return event.text.strip().lstrip("/").lower() == "human"
    return event.kind == "text" and asks_for_person(event.text)
