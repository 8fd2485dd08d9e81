"""POST /telegram/webhook: Telegram's pushes, checked, stored, answered, then acknowledged.

The secret header is compared in constant time (401 when missing, 403 when wrong). The 200 is
sent only after the core has committed the update and its answer has gone out (and was
recorded as sent): a process that dies before leaves the update with Telegram, which delivers
it again, and the stored answer is then sent if it was not recorded as sent. When the core
could not store the update, a 500 makes Telegram deliver it again later; a repeat of a stored
update is recognised and not answered twice.

With ``claims`` (the fleet's ``Shared``) an update is answered by the one replica that claims
it: a retry reaching another replica while the answer is in work gets a 503 and nothing is
stored or sent there; Telegram delivers it again later (``claims``).
"""

from __future__ import annotations

import hmac
import json
import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.channels.telegram.api import BotApi
from bot.channels.telegram.claims import Claims
from bot.channels.telegram.intake import Intake

PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1 << 20  # updates are a few KiB; anything this big is not from Telegram

log = logging.getLogger(__name__)


def webhook_route(api: BotApi, intake: Intake, secret: str, claims: Claims | None = None) -> Route:
    """The Starlette route; ``secret`` is the one given to setWebhook (never empty)."""
    if not secret:
        raise ValueError("a webhook needs a secret")
    expected = secret.encode()

    async def receive(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER)
        if given is None:
            return _error(401, "missing secret token")
        if not hmac.compare_digest(given.encode(), expected):
            return _error(403, "wrong secret token")
        body = await _read(request, MAX_BODY)
        if body is None:
            return _error(413, "update too large")
        try:
            data = json.loads(body)
            if not isinstance(data, dict) or type(data.get("update_id")) is not int:
                raise ValueError("not an update")  # PTB would not check update_id itself
            update = api.parse_update(data)
        except ValueError:
            return _error(400, "not a Telegram update")

        async def answer() -> None:
            answered = await intake.process(update)
            if answered is not None:
                await answered  # never raises: sent (and recorded), or reported as undelivered

        try:
            if claims is None:
                await answer()
            elif not await claims.run(update, answer):
                # another replica is answering it: nothing stored or sent here, Telegram
                # sends it again later and the retry finds the answer (or takes it over)
                return _error(503, "being answered by another replica, send again later")
        except Exception:  # not stored: Telegram retries, and the retry is handled once
            log.exception(
                "telegram: webhook update not stored", extra={"update_id": update.update_id}
            )
            return _error(500, "not stored, send again")
        return JSONResponse({"ok": True})

    return Route(PATH, receive, methods=["POST"])


async def _read(request: Request, limit: int) -> bytes | None:
    """The body, or None past ``limit`` (read no further than that)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _error(status: int, message: str) -> Response:
    return JSONResponse({"ok": False, "error": message}, status_code=status)
