"""A fake WeChat API server on 127.0.0.1 (aiohttp): /cgi-bin/token, custom/send (text and
image messages), media/get and media/upload.

It answers as WeChat documents: tokens for the right appid/secret only, 40001 for a token it
did not issue (or revoked), and errcodes scripted by the test for the next sends (40001 and
42001 also revoke the token used, as WeChat would). media/get serves the bytes the test put in
``media`` (as an attachment with its content type), 40007 for any other media id, and the
errcodes in ``media_script`` first; while ``media_gate`` is clear, downloads wait for it.
media/upload takes a multipart ``media`` part of type image (PNG, JPEG or GIF by its bytes,
else 40005), after the errcodes in ``upload_script``, and keeps it in ``uploads`` under a new
media id, which an image message must name (else 40007).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.wechat.wire import APP_ID, SECRET

MESSAGES = {
    0: "ok",
    -1: "system error",
    40001: "invalid credential, access_token is invalid or not latest",
    40004: "invalid media type",
    40005: "invalid file type",
    40007: "invalid media_id",
    42001: "access_token expired",
    45015: "response out of time limit or subscription is canceled",
    45047: "out of response count limit",
}


@dataclass(frozen=True)
class Sent:
    """One custom/send call the fake accepted."""

    token: str
    touser: str
    content: str
    raw: bytes
    content_type: str
    msgtype: str = "text"
    media_id: str = ""  # an image message's


@dataclass(frozen=True)
class Uploaded:
    """One temporary media the fake took from media/upload."""

    data: bytes
    filename: str
    content_type: str


@dataclass
class FakeWechatApi:
    """The server and what it saw; ``script`` holds errcodes for the next custom/send calls."""

    expires_in: int = 7200
    script: list[int] = field(default_factory=list)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    send_calls: int = 0
    sent: list[Sent] = field(default_factory=list)
    url: str = ""
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    media: dict[str, tuple[bytes, str]] = field(default_factory=dict)  # id: bytes, type
    media_script: list[int] = field(default_factory=list)
    media_calls: list[str] = field(default_factory=list)  # the media ids asked for
    media_gate: asyncio.Event | None = None
    uploads: dict[str, Uploaded] = field(default_factory=dict)  # media id: what was uploaded
    upload_script: list[int] = field(default_factory=list)
    upload_calls: int = 0
    _valid: set[str] = field(default_factory=set)
    _runner: web.AppRunner | None = None

    async def start(self) -> str:
        """Listen on a free port of 127.0.0.1; returns the base URL."""
        app = web.Application()
        app.router.add_get("/cgi-bin/token", self._token)
        app.router.add_post("/cgi-bin/message/custom/send", self._send)
        app.router.add_get("/cgi-bin/media/get", self._media)
        app.router.add_post("/cgi-bin/media/upload", self._upload)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"
        return self.url

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()

    def revoke_tokens(self) -> None:
        """Every token issued so far stops working (as when another server fetches one)."""
        self._valid.clear()

    async def wait_sent(self, count: int = 1, timeout: float = 30.0) -> list[Sent]:
        """Wait until ``count`` messages were accepted (the timeout only stops a hang)."""
        async with asyncio.timeout(timeout):
            while len(self.sent) < count:
                self.arrived.clear()
                await self.arrived.wait()
        return self.sent

    async def _token(self, request: web.Request) -> web.Response:
        q = dict(request.query)
        self.token_requests.append(q)
        if q.get("grant_type") != "client_credential" or q.get("appid") != APP_ID:
            return _json({"errcode": 40013, "errmsg": "invalid appid"})
        if q.get("secret") != SECRET:
            return _json({"errcode": 40125, "errmsg": "invalid appsecret"})
        token = f"ACCESS_TOKEN_{len(self.token_requests)}"
        self._valid.add(token)
        return _json({"access_token": token, "expires_in": self.expires_in})

    async def _send(self, request: web.Request) -> web.Response:
        self.send_calls += 1
        token = request.query.get("access_token", "")
        if token not in self._valid:
            return _error(40001)
        if self.script:
            code = self.script.pop(0)
            if code in (40001, 42001):
                self._valid.discard(token)
            if code:
                return _error(code)
        raw = await request.read()
        data = json.loads(raw.decode("utf-8"))
        content_type = request.headers.get("content-type", "")
        msgtype = data.get("msgtype")
        if msgtype == "image" and isinstance(data.get("image"), dict):
            media_id = data["image"].get("media_id", "")
            if media_id not in self.uploads:
                return _error(40007)
            sent = Sent(token, data["touser"], "", raw, content_type, "image", media_id)
        elif msgtype == "text" and isinstance(data.get("text"), dict):
            sent = Sent(token, data["touser"], data["text"]["content"], raw, content_type)
        else:
            return _json({"errcode": 40008, "errmsg": "invalid message type"})
        self.sent.append(sent)
        self.arrived.set()
        return _json({"errcode": 0, "errmsg": "ok"})

    async def _upload(self, request: web.Request) -> web.Response:
        self.upload_calls += 1
        token = request.query.get("access_token", "")
        if token not in self._valid:
            return _error(40001)
        if self.upload_script:
            code = self.upload_script.pop(0)
            if code in (40001, 42001):
                self._valid.discard(token)
            if code:
                return _error(code)
        if request.query.get("type") != "image":
            return _error(40004)
        form = await request.post()
        part = form.get("media")
        if not isinstance(part, web.FileField):
            return _json({"errcode": 41005, "errmsg": "media data missing"})
        data = part.file.read()
        if not data.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF8")):
            return _error(40005)
        media_id = f"UPLOADED_{len(self.uploads) + 1}"
        self.uploads[media_id] = Uploaded(data, part.filename, part.content_type)
        body = {"type": "image", "media_id": media_id, "created_at": 1733400000}
        return _json(body)

    async def _media(self, request: web.Request) -> web.StreamResponse:
        media_id = request.query.get("media_id", "")
        self.media_calls.append(media_id)
        if self.media_gate is not None:
            await self.media_gate.wait()
        if request.query.get("access_token", "") not in self._valid:
            return _error(40001, "text/plain")  # WeChat's errors here are text/plain JSON
        if self.media_script:
            code = self.media_script.pop(0)
            if code in (40001, 42001):
                self._valid.discard(request.query.get("access_token", ""))
            if code:
                return _error(code, "text/plain")
        if media_id not in self.media:
            return _error(40007, "text/plain")
        data, content_type = self.media[media_id]
        extension = content_type.rsplit("/", 1)[-1]
        disposition = f'attachment; filename="{media_id}.{extension}"'
        return web.Response(
            body=data, content_type=content_type, headers={"Content-disposition": disposition}
        )


def _error(code: int, content_type: str = "application/json") -> web.Response:
    body = {"errcode": code, "errmsg": f"{MESSAGES.get(code, 'error')} rid: 0"}
    return _json(body, content_type)


def _json(data: dict[str, Any], content_type: str = "application/json") -> web.Response:
    return web.Response(text=json.dumps(data), content_type=content_type)
