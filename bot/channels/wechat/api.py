"""WeChat's customer-service API: a cached access token, ``custom/send`` for text and images,
``media/get`` for the files merchants send and ``media/upload`` for the images staff send
(temporary media, kept by WeChat for three days).

The token is fetched from ``/cgi-bin/token``, kept until shortly before it expires, and fetched
again at once when the API calls it invalid or expired (40001, 40014, 42001). Each fetch voids
the token fetched before, so with ``shared`` (REDIS_URL) the replicas keep one token in it: one
replica fetches under a shared lock, the others wait for it and use it until it expires.
Failures that may pass (a busy system, a refused connection) are retried with backoff, then
raised as ``DeliveryError(permanent=False)``; answers that cannot change (45015: the merchant
has not written for too long) as ``permanent=True``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import httpx

from bot.core.outbound import DeliveryError
from bot.core.shared import Shared

TOKEN_PATH = "/cgi-bin/token"
SEND_PATH = "/cgi-bin/message/custom/send"
MEDIA_PATH = "/cgi-bin/media/get"
UPLOAD_PATH = "/cgi-bin/media/upload"
TOKEN_ERRORS = frozenset({40001, 40014, 42001})  # invalid, malformed or expired access token
TRANSIENT_ERRORS = frozenset({-1, 45009, 45011})  # system busy, over a (daily/minute) quota
WINDOW_ERRORS = frozenset({45015, 45047})  # window closed; too many messages since last contact
REFRESH_MARGIN_SECONDS = 300
BACKOFF_SECONDS = (0.5, 1.0, 2.0)
TIMEOUT_SECONDS = 10.0
TOKEN_LOCK_SECONDS = 15.0  # a replica fetching the shared token holds its lock at most this long
TOKEN_POLL_SECONDS = 0.1  # how often a replica waiting for another one's fetch looks again

log = logging.getLogger(__name__)
_T = TypeVar("_T")


class ApiError(DeliveryError):
    """The API refused a call; ``errcode`` is WeChat's code (0 when it was not an API answer)."""

    def __init__(self, reason: str, *, errcode: int = 0, permanent: bool) -> None:
        super().__init__(reason, permanent=permanent)
        self.errcode = errcode


class _Retry(ApiError):
    """A failure that may pass: retried here before it is raised as ``ApiError``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, permanent=False)


class CustomerServiceApi:
    """Sends customer-service messages on behalf of one Official Account."""

    def __init__(
        self,
        app_id: str,
        app_secret: str,
        base_url: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        backoff: Sequence[float] = BACKOFF_SECONDS,
        shared: Shared | None = None,
    ) -> None:
        self._app_id, self._secret = app_id, app_secret
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"), transport=transport, timeout=TIMEOUT_SECONDS
        )
        # httpx logs every URL at INFO, and these URLs carry the app secret or the token.
        logging.getLogger("httpx").setLevel(logging.WARNING)
        self._clock, self._sleep, self._backoff = clock, sleep, tuple(backoff)
        self._token = ""
        self._expires_at = 0.0
        self._lock = asyncio.Lock()
        self._shared = shared
        self._refused = ""  # the last token the API refused: never taken from ``shared`` again
        self.fetches = 0  # calls to /cgi-bin/token made by this client

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        await self._http.aclose()

    async def send_text(self, openid: str, text: str) -> None:
        """Send one text message; raise ``DeliveryError`` when it cannot be delivered."""
        body = {"touser": openid, "msgtype": "text", "text": {"content": text}}
        await self._retrying("custom/send", lambda: self._send_once(body))

    async def send_image(self, openid: str, media_id: str) -> None:
        """Send an uploaded image (``upload_image``'s media id) as an image message."""
        body = {"touser": openid, "msgtype": "image", "image": {"media_id": media_id}}
        await self._retrying("custom/send", lambda: self._send_once(body))

    async def upload_image(self, data: bytes, kind: str, name: str) -> str:
        """Upload a JPEG or PNG as temporary media; its media id (valid for three days).

        Retried on any failure that may pass: an upload sent twice only leaves a second copy
        on WeChat's side, which expires unused."""
        form = {"media": (name, data, kind)}
        return await self._retrying("media/upload", lambda: self._upload_once(form))

    async def media(self, media_id: str, limit: int) -> bytes:
        """A temporary media's bytes, at most ``limit`` + 1 of them (more is too large anyway);
        ``ApiError`` when it cannot be had (permanent for 40007: an unknown or expired id)."""
        return await self._retrying("media/get", lambda: self._media_once(media_id, limit))

    async def _retrying(self, what: str, call: Callable[[], Awaitable[_T]]) -> _T:
        """``call`` again with backoff while it fails in a way that may pass."""
        reason = ""
        for attempt in range(len(self._backoff) + 1):
            try:
                return await call()
            except _Retry as exc:
                reason = str(exc)
                if attempt < len(self._backoff):
                    log.warning("wechat api: retrying %s", what, extra={"reason": reason})
                    await self._sleep(self._backoff[attempt])
        raise ApiError(f"{what} failed: {reason}", permanent=False)

    async def token(self) -> str:
        """A valid access token, fetched when there is none or it is about to expire."""
        if self._token and self._clock() < self._expires_at:
            return self._token
        async with self._lock:  # one fetch for everyone waiting: each fetch voids the last
            if self._token and self._clock() < self._expires_at:
                return self._token
            if self._shared is not None:
                return await self._shared_token(self._shared)
            token, usable = await self._fetch()
            return self._keep(token, usable)

    async def _fetch(self) -> tuple[str, float]:
        """A new token from WeChat and the seconds it may be used (its lifetime less a margin)."""
        params = {"grant_type": "client_credential", "appid": self._app_id}
        self.fetches += 1
        data = await self._call("GET", TOKEN_PATH, params | {"secret": self._secret})
        token, expires_in = data.get("access_token"), data.get("expires_in", 7200)
        if not isinstance(token, str) or not token:
            raise self._refusal("token", data)
        lifetime = float(expires_in) if isinstance(expires_in, int | float) else 7200.0
        return token, lifetime - min(REFRESH_MARGIN_SECONDS, lifetime / 5)

    def _keep(self, token: str, usable: float) -> str:
        self._token = token
        self._expires_at = self._clock() + usable
        return token

    async def _shared_token(self, shared: Shared) -> str:
        """The fleet's token: taken from ``shared``, or fetched by one replica under a lock."""
        key = f"wechat:token:{self._app_id}"
        lock = f"{key}:lock"
        for _ in range(int(TOKEN_LOCK_SECONDS / TOKEN_POLL_SECONDS)):
            held = await shared.get(key)
            if held is not None and held.value == self._refused:
                await shared.delete(key, held.value)  # refused: nobody may use it again
                held = None
            if held is not None:
                return self._keep(held.value, held.ttl)
            if await shared.claim(lock, TOKEN_LOCK_SECONDS):
                try:
                    held = await shared.get(key)  # fetched by another replica meanwhile?
                    if held is not None and held.value != self._refused:
                        return self._keep(held.value, held.ttl)
                    token, usable = await self._fetch()
                    await shared.set(key, token, usable)
                    return self._keep(token, usable)
                finally:
                    await shared.delete(lock)
            await self._sleep(TOKEN_POLL_SECONDS)  # another replica is fetching: wait for it
        log.warning("wechat api: the shared token's lock was held too long; fetching")
        token, usable = await self._fetch()
        await shared.set(key, token, usable)
        return self._keep(token, usable)

    def _forget(self, token: str) -> None:
        self._refused = token
        if self._token == token:
            self._token, self._expires_at = "", 0.0

    async def _authorised(
        self, what: str, call: Callable[[str], Awaitable[bytes | dict[str, Any]]]
    ) -> bytes | dict[str, Any]:
        """``call`` with the access token, once more with a fresh one when WeChat refuses it;
        a file's bytes or an answer with errcode 0, else the refusal is raised."""
        for fresh in (False, True):
            token = await self.token()
            data = await call(token)
            if isinstance(data, bytes):
                return data
            code = _errcode(data)
            if code == 0:
                return data
            if code not in TOKEN_ERRORS:
                raise self._refusal(what, data)
            self._forget(token)
            if fresh:
                raise _Retry(f"access token refused again ({code})")
        raise AssertionError("unreachable")

    async def _send_once(self, body: dict[str, Any]) -> None:
        await self._authorised(
            "custom/send",
            lambda token: self._call("POST", SEND_PATH, {"access_token": token}, body),
        )

    async def _upload_once(self, form: dict[str, tuple[str, bytes, str]]) -> str:
        data = await self._authorised(
            "media/upload",
            lambda token: self._post_form({"access_token": token, "type": "image"}, form),
        )
        media_id = data.get("media_id") if isinstance(data, dict) else None
        if not isinstance(media_id, str) or not media_id:
            raise ApiError("media/upload: answer without a media_id", permanent=True)
        return media_id

    async def _post_form(
        self, params: dict[str, str], form: dict[str, tuple[str, bytes, str]]
    ) -> dict[str, Any]:
        """A multipart POST to media/upload; its JSON answer."""
        try:
            response = await self._http.post(UPLOAD_PATH, params=params, files=form)
        except httpx.HTTPError as exc:  # sent twice, an upload only leaves an unused copy
            raise _Retry(f"{UPLOAD_PATH}: {type(exc).__name__}") from None
        return _json_answer(UPLOAD_PATH, response)

    async def _media_once(self, media_id: str, limit: int) -> bytes:
        data = await self._authorised(
            "media/get",
            lambda token: self._download({"access_token": token, "media_id": media_id}, limit),
        )
        if isinstance(data, bytes):
            return data
        raise self._refusal("media/get", data)  # a JSON answer instead of the file

    async def _download(self, params: dict[str, str], limit: int) -> bytes | dict[str, Any]:
        """The body of a media/get (cut after ``limit`` + 1 bytes), or its JSON error."""
        body = bytearray()
        try:
            async with self._http.stream("GET", MEDIA_PATH, params=params) as response:
                if response.status_code >= 500:
                    raise _Retry(f"{MEDIA_PATH}: HTTP {response.status_code}")
                if response.status_code != 200:
                    raise ApiError(f"{MEDIA_PATH}: HTTP {response.status_code}", permanent=True)
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > limit:
                        break
        except httpx.HTTPError as exc:  # a GET: asking again changes nothing on WeChat's side
            raise _Retry(f"{MEDIA_PATH}: {type(exc).__name__}") from None
        # Errors come back as JSON (whatever the content type says); no image or PDF starts
        # with "{", so a body that does and parses as an object is WeChat's answer, not a file.
        if body[:1] == b"{":
            try:
                data = json.loads(bytes(body))
            except ValueError:
                data = None
            if isinstance(data, dict):
                return data
        return bytes(body)

    async def _call(
        self, method: str, path: str, params: dict[str, str], body: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        content = json.dumps(body, ensure_ascii=False).encode("utf-8") if body else None
        headers = {"content-type": "application/json; charset=utf-8"} if body else {}
        try:
            response = await self._http.request(
                method, path, params=params, content=content, headers=headers
            )
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise _Retry(f"{path}: {type(exc).__name__}") from None  # never reached WeChat
        except httpx.HTTPError as exc:  # it may have arrived: sending again could double it
            raise ApiError(f"{path}: {type(exc).__name__}", permanent=False) from None
        return _json_answer(path, response)

    def _refusal(self, what: str, data: dict[str, Any]) -> Exception:
        code = _errcode(data)
        reason = f"{what}: {code} {data.get('errmsg', '')}".strip()
        if code in TRANSIENT_ERRORS:
            return _Retry(reason)
        return ApiError(reason, errcode=code, permanent=True)


def _json_answer(path: str, response: httpx.Response) -> dict[str, Any]:
    """WeChat's JSON answer; a 5xx may pass (retried), a body that is not JSON is refused."""
    if response.status_code >= 500:
        raise _Retry(f"{path}: HTTP {response.status_code}")
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise ApiError(f"{path}: HTTP {response.status_code}, not JSON", permanent=False)
    return data


def _errcode(data: dict[str, Any]) -> int:
    code = data.get("errcode", 0)
    return code if isinstance(code, int) else -1
