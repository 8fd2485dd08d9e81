"""The HTTP app: the web chat page and API, /healthz, and room for the other channels' routes."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Lifespan

from bot.core.clock import Clock, system_clock
from bot.core.files import FileRefused, Files, Upload
from bot.core.ports import Conversation
from bot.core.types import Incoming, MerchantKey
from bot.i18n import _, gettext
from bot.web import session
from bot.web.files import file_response
from bot.web.language import merchant_locale
from bot.web.mapping import Json, file_json, history_json, reply_json, to_incoming, updates_json
from bot.web.requestid import RequestId
from bot.web.security import SecurityHeaders
from bot.web.service import HealthCheck
from bot.web.validation import (
    ApiError,
    file_params,
    parse_chat,
    read_body,
    read_upload,
    require_json,
)

STATIC_DIR = Path(__file__).resolve().parent / "static"
HISTORY_LIMIT = 100
NOT_FOUND = _("No such file.")
UNAVAILABLE = _("Sorry, something went wrong on our side. Please try again in a moment.")

log = logging.getLogger(__name__)


def create_app(
    service: Conversation,
    health: HealthCheck,
    *,
    routes: Sequence[BaseRoute] = (),
    lifespan: Lifespan[Starlette] | None = None,
    middleware: Sequence[Middleware] = (),
    files: Files | None = None,
    clock: Clock = system_clock,
) -> Starlette:
    """The app: GET /, /static, POST /api/chat, GET /api/history, GET /healthz, plus ``routes``;
    with ``files``: POST /api/files (an image or PDF as the raw body) and GET /api/files/ID.
    ``clock``: the service's, for the time shown with a reply (as stored with it).

    Every request gets a request id first (``RequestId``: logs and ``X-Request-ID``), then
    ``middleware`` (the composition root's: /metrics' request timer), then security headers.
    """

    async def page(request: Request) -> Response:
        token, _ = session.token_of(request)
        response = FileResponse(STATIC_DIR / "index.html", headers={"cache-control": "no-cache"})
        session.remember(response, request, token)  # (re)set: keeps the cookie from expiring
        return response

    async def chat(request: Request) -> Response:
        token, new = session.token_of(request)
        try:
            require_json(request)
            checked = parse_chat(await read_body(request))
            event = to_incoming(checked, session.merchant_key(token))
            log.debug("web chat: message in", extra={"kind": event.kind})
        except ApiError as exc:
            locale = await merchant_locale(request, service, token, new, exc.lang)
            response = error(exc.status, exc.code, exc.text(locale))  # the page shows it
        else:
            try:
                reply = await service.handle(event)
                response = JSONResponse(reply_json(reply, checked.tz, clock()))
            except Exception:  # the core failed: a polite 503 the page retries with the same id
                log.exception("web chat: the conversation service failed on %s", event.kind)
                locale = await merchant_locale(request, service, token, True, checked.lang)
                response = error(503, "unavailable", gettext(locale, UNAVAILABLE))
        return _with_cookie(response, request, token, new)

    async def upload(request: Request) -> Response:
        """A file from the chat: the raw body; ``id``, ``name``, ``lang``, ``tz`` as query
        parameters. Its type is sniffed from the bytes; refusals are in the merchant's language."""
        token, new = session.token_of(request)
        lang: str | None = None
        try:
            if files is None:
                raise ApiError(404, "not_found", NOT_FOUND)
            client_id, name, lang, tz = file_params(request.query_params)
            most = files.limit_for("web")
            body = await read_upload(request, most)
            attachment = files.check(Upload(body, name), most)
        except (ApiError, FileRefused) as exc:
            hint = exc.lang if isinstance(exc, ApiError) else lang
            locale = await merchant_locale(request, service, token, new, hint)
            response = error(exc.status, exc.code, exc.text(locale))
            return _with_cookie(response, request, token, new)
        key = session.merchant_key(token)
        event = Incoming(
            merchant=key,
            kind="file",
            message_id=client_id,
            delivery_key=client_id,
            lang_hint=lang,
            attachment=attachment,
        )
        try:
            reply = await service.handle(event)
            data = reply_json(reply, tz, clock())
            data["file"] = await _sent_file(service, key, client_id)
            response = JSONResponse(data)
        except Exception:
            log.exception("web chat: the conversation service failed on a file")
            locale = await merchant_locale(request, service, token, True, lang)
            response = error(503, "unavailable", gettext(locale, UNAVAILABLE))
        return _with_cookie(response, request, token, new)

    async def download(request: Request) -> Response:
        """A file of this chat (the merchant's own or staff's): 404 for any other."""
        token, new = session.token_of(request)
        found = None
        if not new:
            found = await service.file(session.merchant_key(token), request.path_params["file_id"])
        if found is None:
            return error(404, "not_found", NOT_FOUND)
        return file_response(*found)

    async def history(request: Request) -> Response:
        token, new = session.token_of(request)
        after = request.query_params.get("after", "")
        if new:
            response = JSONResponse({"messages": [], "locale": None, "cursor": 0})
        elif after and not (after.isdigit() and len(after) < 19):
            response = error(400, "bad_request", "after must be a cursor (a whole number)")
        else:
            try:
                key, tz = session.merchant_key(token), request.query_params.get("tz")
                if after:  # the page polls for staff replies and other messages it did not ask
                    stored = await service.since(key, int(after), HISTORY_LIMIT)
                    response = JSONResponse(updates_json(stored, int(after), tz))
                else:
                    stored = await service.history(key, HISTORY_LIMIT)
                    response = JSONResponse(history_json(stored, tz))
            except Exception:
                log.exception("web chat: reading the history failed")
                response = error(503, "unavailable", UNAVAILABLE)
        return _with_cookie(response, request, token, new)

    async def healthz(request: Request) -> Response:
        try:
            status: dict[str, Any] = await health()
        except Exception as exc:
            log.exception("health check failed")
            status = {"ok": False, "error": type(exc).__name__}
        return JSONResponse(status, status_code=200 if status.get("ok") is True else 503)

    return Starlette(
        routes=[
            Route("/", page, methods=["GET"]),
            Route("/api/chat", chat, methods=["POST"]),
            Route("/api/history", history, methods=["GET"]),
            Route("/api/files", upload, methods=["POST"]),
            Route("/api/files/{file_id:str}", download, methods=["GET"]),
            Route("/healthz", healthz, methods=["GET"]),
            Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
            *routes,
        ],
        middleware=[Middleware(RequestId), *middleware, Middleware(SecurityHeaders)],
        exception_handlers={HTTPException: _http_error, Exception: _server_error},
        lifespan=lifespan,
    )


def error(status: int, code: str, message: str) -> JSONResponse:
    """A JSON error: ``{"error": code, "message": sentence}``."""
    return JSONResponse({"error": code, "message": message}, status_code=status)


async def _sent_file(service: Conversation, key: MerchantKey, client_id: str) -> Json | None:
    """The stored file of the upload ``client_id`` (its URL for the page)."""
    for m in reversed(await service.history(key, 20)):
        if m.direction == "in" and m.channel_message_id == client_id and m.file is not None:
            return file_json(m.file)
    return None


def _with_cookie(response: Response, request: Request, token: str, new: bool) -> Response:
    response.headers["cache-control"] = "no-store"
    if new:
        session.remember(response, request, token)
    return response


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    return JSONResponse(
        {"error": code, "message": exc.detail}, status_code=exc.status_code, headers=exc.headers
    )


async def _server_error(request: Request, exc: Exception) -> Response:
    return error(500, "internal_error", UNAVAILABLE)
