"""A Bot API server on 127.0.0.1 for the tests: real HTTP, the Bot API's JSON, recorded calls.

It answers the methods the channel uses, with Telegram's semantics where they matter:
getUpdates confirms and drops every update below ``offset`` and long-polls up to ``timeout``;
getUpdates is refused (409) while a webhook is set; texts over 4,096 characters and callback
data over 64 bytes are rejected (400); blocked users give 403. Forum topics exist once
created (createForumTopic) until deleted (``delete_topic`` or deleteForumTopic); a message to
a topic that does not exist is "message thread not found" (400). getChatMember answers from
``members`` (the bot is an administrator of every group; others have "left").
``fail()`` scripts errors such as 429 with ``retry_after``. With a webhook set, ``push()``
posts an update to it with the secret header, as Telegram does. Files a user sent
(``add_file``) are served by getFile and ``/file/bot<token>/<path>``, files over 20 MB without a
path, as Telegram does; sendPhoto and sendDocument take multipart uploads, whose bytes are kept
in the call's parameters (``uploaded``). ``hold_polls`` keeps a long poll open until an update
comes (no timeout); ``stall_updates`` leaves every getUpdates unanswered (a stop must not depend
on the server); a getUpdates whose client hung up before the answer is marked (``abandoned()``).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

TOKEN = "123456789:TEST-token_for-the-fake-api"
BOT_ID = 123456789
BOT_USER = {
    "id": BOT_ID,
    "is_bot": True,
    "first_name": "Seller Support",
    "username": "seller_support_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
_JSON_FIELDS = {"reply_markup", "allowed_updates", "commands", "scope"}
DOWNLOAD_MAX = 20 * 1024 * 1024  # bots download files up to this size
Json = dict[str, Any]


@dataclass(frozen=True)
class Uploaded:
    """A file part of a multipart request."""

    name: str
    data: bytes


@dataclass
class Call:
    """One request the server received: the method, its parameters, when (``FakeBotApi.clock``)."""

    method: str
    params: Json
    at: float


@dataclass
class Failure:
    """A scripted error for the next ``times`` calls of ``method`` (to ``chat_id`` if set)."""

    method: str
    status: int
    description: str
    retry_after: int | None = None
    times: int = 1
    chat_id: int | None = None
    when_offset: bool = False  # only calls that pass an offset (getUpdates confirming)
    offset_above: int | None = None  # only getUpdates confirming update_ids past this one
    garbled: bool = False  # a 200 whose result is not what the method returns


class ApiFail(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status, self.description = status, description


@dataclass
class FakeBotApi:
    """The server and its state; ``await start()``, then point a client at ``url``."""

    token: str = TOKEN
    calls: list[Call] = field(default_factory=list)
    pending: list[Json] = field(default_factory=list)  # unconfirmed updates, oldest first
    webhook: tuple[str, str] | None = None  # (url, secret)
    commands: dict[str, list[Json]] = field(default_factory=dict)  # language_code -> menu
    blocked: set[int] = field(default_factory=set)  # users who blocked the bot
    failures: list[Failure] = field(default_factory=list)
    members: dict[int, str] = field(default_factory=lambda: {BOT_ID: "administrator"})
    topics: dict[int, dict[int, str]] = field(default_factory=dict)  # chat -> thread -> name
    files: dict[str, bytes] = field(default_factory=dict)  # file_id -> what users sent
    downloads: list[str] = field(default_factory=list)  # file paths fetched, in order
    sizeless: set[str] = field(default_factory=set)  # files getFile gives no size for
    url: str = ""
    clock: Callable[[], float] = time.monotonic  # stamps calls; tests may share the channel's
    hold_polls: bool = False  # a long poll (timeout > 0) ends only with an update: no timeout
    stall_updates: bool = False  # no getUpdates call is ever answered, long or not

    def __post_init__(self) -> None:
        self._update_ids = itertools.count(1000)
        self._message_ids = itertools.count(1)
        self._topic_ids = itertools.count(100)
        self._changed = asyncio.Condition()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None

    # -- lifecycle -----------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"

    async def close(self) -> None:
        self._closing = True
        async with self._changed:
            self._changed.notify_all()
        if self._client is not None:
            await self._client.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # -- what tests do -------------------------------------------------------------------

    async def add_update(self, body: Json) -> Json:
        """Queue a new update (``body`` without update_id) for getUpdates; returns it."""
        update = {"update_id": next(self._update_ids), **body}
        await self.requeue(update)
        return update

    async def requeue(self, update: Json) -> None:
        """Queue an update (again: a repeat delivery keeps its update_id)."""
        async with self._changed:
            self.pending.append(update)
            self._changed.notify_all()

    def new_update(self, body: Json) -> Json:
        """An update with a fresh id, not queued (for ``push``)."""
        return {"update_id": next(self._update_ids), **body}

    async def push(self, update: Json, secret: str | None = "", raw: bytes | None = None) -> int:
        """POST an update to the webhook as Telegram does; the HTTP status.

        ``secret`` "" sends the registered secret, None sends no header, anything else as is.
        """
        assert self.webhook is not None, "no webhook set"
        url, registered = self.webhook
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret or registered
        if self._client is None:
            self._client = aiohttp.ClientSession()
        body = raw if raw is not None else json.dumps(update).encode()
        async with self._client.post(url, data=body, headers=headers) as response:
            await response.read()
            return response.status

    def fail(
        self,
        method: str,
        status: int,
        description: str = "",
        *,
        retry_after: int | None = None,
        times: int = 1,
        chat_id: int | None = None,
        when_offset: bool = False,
        offset_above: int | None = None,
    ) -> None:
        """Script an error for the next ``times`` matching calls."""
        text = description or {429: f"Too Many Requests: retry after {retry_after}"}.get(
            status, "Internal Server Error"
        )
        failure = Failure(
            method, status, text, retry_after, times, chat_id, when_offset, offset_above
        )
        self.failures.append(failure)

    def add_file(self, data: bytes, file_id: str = "") -> str:
        """A file a user sent (its bytes on Telegram's servers); its file_id."""
        file_id = file_id or f"file-{len(self.files) + 1}"
        self.files[file_id] = data
        return file_id

    def uploaded(self, chat_id: int) -> list[tuple[str, Uploaded]]:
        """Files accepted for a chat, in order: ("photo" or "document", the upload)."""
        return [
            (kind, c.params[kind])
            for c in self.delivered(chat_id)
            for kind in ("photo", "document")
            if isinstance(c.params.get(kind), Uploaded)
        ]

    def delete_topic(self, chat_id: int, thread_id: int) -> None:
        """A topic deleted in the app (its messages go with it)."""
        del self.topics[chat_id][thread_id]

    def in_topic(self, chat_id: int, thread_id: int) -> list[str]:
        """Texts delivered to one topic of a group, in order."""
        return [
            c.params["text"]
            for c in self.delivered(chat_id)
            if _int(c.params.get("message_thread_id")) == thread_id and "text" in c.params
        ]

    def called(self, method: str) -> list[Call]:
        """The calls of one method, in order."""
        return [c for c in self.calls if c.method.lower() == method.lower()]

    def sent(self, chat_id: int) -> list[Call]:
        """Successful-or-not sendMessage/sendVenue calls to a chat, in the order received."""
        sends = ("sendmessage", "sendvenue", "sendphoto", "senddocument")
        return [
            c
            for c in self.calls
            if c.method.lower() in sends and _int(c.params.get("chat_id")) == chat_id
        ]

    def texts(self, chat_id: int) -> list[str]:
        """Texts delivered to a chat (scripted failures excluded), in order."""
        return [c.params["text"] for c in self.delivered(chat_id) if "text" in c.params]

    def delivered(self, chat_id: int) -> list[Call]:
        """Sends to a chat that the server accepted."""
        return [c for c in self.sent(chat_id) if c.params.get("_ok")]

    async def wait_until(self, condition: Callable[[], bool], timeout: float = 30.0) -> None:
        """Poll ``condition`` until true; AssertionError after ``timeout`` seconds (only so
        that a broken test does not hang: it is never what a passing test waits for)."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError("condition not met in time")
            await asyncio.sleep(0.01)

    # -- the server ----------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        params = await _params(request)
        call = Call(method, params, self.clock())
        self.calls.append(call)
        handler = getattr(self, f"_m_{method.lower()}", None)
        if handler is None:
            return _error(404, "Not Found")
        try:
            if self._scripted(method, params):
                return web.json_response({"ok": True, "result": "garbled"})
            result = await handler(params)
        except ApiFail as exc:
            retry = {"retry_after": exc.retry_after} if isinstance(exc, _Flood) else None
            return _error(exc.status, exc.description, retry)
        params["_ok"] = True
        return web.json_response({"ok": True, "result": result})

    def _scripted(self, method: str, params: Json) -> bool:
        """Raise the scripted error for this call; True for a garbled answer instead."""
        for f in self.failures:
            if f.method.lower() != method.lower() or f.times <= 0:
                continue
            if f.chat_id is not None and _int(params.get("chat_id")) != f.chat_id:
                continue
            if f.when_offset and not params.get("offset"):
                continue
            if f.offset_above is not None and _int(params.get("offset")) <= f.offset_above:
                continue
            f.times -= 1
            if f.garbled:
                return True
            if f.retry_after is not None:
                raise _Flood(f.status, f.description, f.retry_after)
            raise ApiFail(f.status, f.description)
        return False

    def garble(self, method: str, times: int = 1) -> None:
        """Answer the next ``times`` calls with ok: true and a result of the wrong shape."""
        self.failures.append(Failure(method, 200, "", times=times, garbled=True))

    async def _m_getme(self, p: Json) -> Json:
        return BOT_USER

    async def _m_getfile(self, p: Json) -> Json:
        file_id = str(p.get("file_id") or "")
        data = self.files.get(file_id)
        if data is None:
            raise ApiFail(400, "Bad Request: invalid file_id")
        found: Json = {"file_id": file_id, "file_unique_id": f"u-{file_id}"}
        if file_id not in self.sizeless:  # the size is optional in the Bot API
            found["file_size"] = len(data)
        if len(data) <= DOWNLOAD_MAX:  # larger: "file is too big" in Telegram's words
            found["file_path"] = f"documents/{file_id}.bin"
        else:
            raise ApiFail(400, "Bad Request: file is too big")
        return found

    async def _download(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        path = request.match_info["path"]
        self.downloads.append(path)
        file_id = path.removeprefix("documents/").removesuffix(".bin")
        data = self.files.get(file_id)
        if data is None or not path.startswith("documents/"):
            return web.Response(status=404)
        return web.Response(body=data, content_type="application/octet-stream")

    async def _m_sendphoto(self, p: Json) -> Json:
        upload = self._upload(p, "photo")
        size = {"file_unique_id": "p", "width": 32, "height": 16, "file_size": len(upload.data)}
        sizes = [{"file_id": f"sent-{len(self.calls)}", **size}]
        return self._message(p, {"photo": sizes, **_caption(p)})

    async def _m_senddocument(self, p: Json) -> Json:
        upload = self._upload(p, "document")
        document = {"file_id": f"sent-{len(self.calls)}", "file_unique_id": "d"}
        document |= {"file_name": upload.name, "file_size": len(upload.data)}
        return self._message(p, {"document": document, **_caption(p)})

    def _upload(self, p: Json, field_name: str) -> Uploaded:
        upload = p.get(field_name)
        if not isinstance(upload, Uploaded) or not upload.data:
            raise ApiFail(400, f"Bad Request: there is no {field_name} in the request")
        if len(p.get("caption") or "") > 1024:
            raise ApiFail(400, "Bad Request: message caption is too long")
        return upload

    async def _m_getupdates(self, p: Json) -> list[Json]:
        if self.webhook is not None:
            raise ApiFail(409, "Conflict: can't use getUpdates method while webhook is active")
        offset, limit = _int(p.get("offset")), _int(p.get("limit")) or 100
        timeout = float(_int(p.get("timeout")) or 0)
        # held: no timeout (None); asyncio.timeout, not wait_for: on Python 3.11 wait_for may
        # swallow the cancellation of a handler whose client hung up, which then waits on
        limit_s = None if self.hold_polls and timeout else timeout
        try:
            async with self._changed:
                while self.stall_updates and not self._closing:
                    await self._changed.wait()
                if offset:  # confirmed: Telegram forgets them
                    self.pending = [u for u in self.pending if u["update_id"] >= offset]
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(limit_s):
                        while not self.pending and not self._closing:
                            await self._changed.wait()
                return sorted(self.pending, key=lambda u: u["update_id"])[:limit]
        except asyncio.CancelledError:  # the client closed the connection (handler_cancellation)
            p["_abandoned"] = True
            raise

    def abandoned(self) -> list[Call]:
        """getUpdates calls whose client closed the connection before the answer."""
        return [c for c in self.called("getUpdates") if c.params.get("_abandoned")]

    async def _m_sendmessage(self, p: Json) -> Json:
        text = p.get("text") or ""
        if not text.strip():
            raise ApiFail(400, "Bad Request: message text is empty")
        if len(text.encode("utf-16-le")) // 2 > 4096:
            raise ApiFail(400, "Bad Request: message is too long")
        return self._message(p, {"text": text})

    async def _m_sendvenue(self, p: Json) -> Json:
        location = {"latitude": float(p["latitude"]), "longitude": float(p["longitude"])}
        venue = {"location": location, "title": p["title"], "address": p["address"]}
        return self._message(p, {"venue": venue, "location": location})

    async def _m_answercallbackquery(self, p: Json) -> bool:
        return True

    async def _m_editmessagereplymarkup(self, p: Json) -> bool:
        return True

    async def _m_setmycommands(self, p: Json) -> bool:
        commands = p.get("commands") or []
        for c in commands:
            name = c.get("command", "")
            if not (1 <= len(name) <= 32 and name.replace("_", "").isalnum() and name.islower()):
                raise ApiFail(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(c.get("description", "")) <= 256:
                raise ApiFail(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[p.get("language_code") or ""] = commands
        return True

    async def _m_setwebhook(self, p: Json) -> bool:
        self.webhook = (p["url"], p.get("secret_token") or "")
        return True

    async def _m_deletewebhook(self, p: Json) -> bool:
        self.webhook = None
        return True

    async def _m_getchatmember(self, p: Json) -> Json:
        user_id = _int(p["user_id"])
        if _int(p["chat_id"]) >= 0:
            raise ApiFail(400, "Bad Request: chat not found")
        user = (
            BOT_USER if user_id == BOT_ID else {"id": user_id, "is_bot": False, "first_name": "X"}
        )
        return member_json(self.members.get(user_id, "left"), user)

    async def _m_createforumtopic(self, p: Json) -> Json:
        chat_id, name = _int(p["chat_id"]), p.get("name") or ""
        if chat_id >= 0:
            raise ApiFail(400, "Bad Request: the chat is not a forum")
        if not 1 <= len(name.encode("utf-16-le")) // 2 <= 128:
            raise ApiFail(400, "Bad Request: TOPIC_NAME_INVALID")
        thread_id = next(self._topic_ids)
        self.topics.setdefault(chat_id, {})[thread_id] = name
        return {"message_thread_id": thread_id, "name": name, "icon_color": 7322096}

    async def _m_deleteforumtopic(self, p: Json) -> bool:
        chat_id, thread_id = _int(p["chat_id"]), _int(p["message_thread_id"])
        if self.topics.get(chat_id, {}).pop(thread_id, None) is None:
            raise ApiFail(400, "Bad Request: TOPIC_ID_INVALID")
        return True

    def _message(self, p: Json, content: Json) -> Json:
        chat_id = _int(p["chat_id"])
        if chat_id in self.blocked:
            raise ApiFail(403, "Forbidden: bot was blocked by the user")
        markup = p.get("reply_markup")
        for row in (markup or {}).get("inline_keyboard", []):
            for button in row:
                if len(button.get("callback_data", "").encode()) > 64:
                    raise ApiFail(400, "Bad Request: BUTTON_DATA_INVALID")
        message: Json = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat_json(chat_id),
            "from": BOT_USER,
            **content,
        }
        if markup:
            message["reply_markup"] = markup
        if p.get("message_thread_id"):
            thread_id = _int(p["message_thread_id"])
            if thread_id not in self.topics.get(chat_id, {}):
                raise ApiFail(400, "Bad Request: message thread not found")
            message["message_thread_id"] = thread_id
            message["is_topic_message"] = True
        return message


class _Flood(ApiFail):
    def __init__(self, status: int, description: str, retry_after: int) -> None:
        super().__init__(status, description)
        self.retry_after = retry_after


def member_json(status: str, user: Json) -> Json:
    """A ChatMember object of the given status, with the fields both libraries require."""
    member: Json = {"status": status, "user": user}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        rights = [
            "can_be_edited",
            "is_anonymous",
            "can_manage_chat",
            "can_delete_messages",
            "can_manage_video_chats",
            "can_restrict_members",
            "can_promote_members",
            "can_change_info",
            "can_invite_users",
            "can_post_stories",
            "can_edit_stories",
            "can_delete_stories",
            "can_send_welcome_messages",
            "can_pin_messages",
            "can_manage_topics",
        ]
        member |= {right: right in ("can_manage_topics", "can_pin_messages") for right in rights}
    elif status == "restricted":
        rights = [
            "can_send_messages",
            "can_send_audios",
            "can_send_documents",
            "can_send_photos",
            "can_send_videos",
            "can_send_video_notes",
            "can_send_voice_notes",
            "can_send_polls",
            "can_send_other_messages",
            "can_add_web_page_previews",
            "can_react_to_messages",
            "can_edit_tag",
            "can_change_info",
            "can_invite_users",
            "can_pin_messages",
            "can_manage_topics",
        ]
        member |= {right: False for right in rights} | {"is_member": True, "until_date": 0}
    elif status == "kicked":
        member["until_date"] = 0
    return member


def chat_json(chat_id: int) -> Json:
    """A chat object: private for users (positive ids), a forum supergroup otherwise."""
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": f"Merchant {chat_id}"}
    return {"id": chat_id, "type": "supergroup", "title": "Staff", "is_forum": True}


async def _params(request: web.Request) -> Json:
    """Parameters as the Bot API accepts them: query string, form, multipart or JSON."""
    params: Json = dict(request.query)
    if request.content_type == "application/json":
        params.update(await request.json())
    elif request.can_read_body:
        form = await request.post()
        parts: dict[str, Uploaded] = {}
        for key, value in form.items():
            if isinstance(value, str):
                params[key] = value
            else:  # a file part: kept, for tests to compare with what was stored
                parts[key] = Uploaded(value.filename or "", value.file.read())
        params.update(parts)
        for key, value in list(params.items()):  # "attach://<part>" names a part (aiogram's way)
            if isinstance(value, str) and value.startswith("attach://"):
                params[key] = parts.pop(value.removeprefix("attach://"), value)
                params.pop(value.removeprefix("attach://"), None)
    for key in _JSON_FIELDS & params.keys():
        if isinstance(params[key], str):
            params[key] = json.loads(params[key])
    return params


def _caption(p: Json) -> Json:
    return {"caption": p["caption"]} if p.get("caption") else {}


def _int(value: Any) -> int:
    return int(value) if value not in (None, "") else 0


def _error(status: int, description: str, parameters: Json | None = None) -> web.Response:
    body: Json = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=status)
