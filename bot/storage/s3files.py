"""Files in an S3-compatible bucket (``S3FileStore``, FILES_S3_BUCKET): the ``FileStore`` port for
deployments with several replicas, where a local folder would be one replica's only.

The only module that imports boto3 (import-linter says so), and it is imported only when
FILES_S3_BUCKET is set. boto3 is synchronous: every call runs in a worker thread, off the event
loop (its clients are thread-safe). An object's key is ``<prefix><file id>``: the id is a random
256-bit token, the bucket stays private and files reach people only through the app's access
checks, as with the folder. The kind is the object's Content-Type; the time it was written, by
the service's clock, is in its metadata, so that the retention sweep reads one clock.

``health`` (for /healthz) asks the server for the bucket (HEAD), on a client of its own with short
timeouts and no retries, at most once every ``HEALTH_TTL`` seconds: a fleet's probes never
hammer the server, and a server that hangs never holds /healthz past its own timeout.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError, NoCredentialsError

from bot.core.clock import Clock, system_clock
from bot.core.files import EXTENSIONS, FILE_ID_RE

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

log = logging.getLogger(__name__)

WRITTEN = "written"  # user metadata: the service clock's POSIX time when the object was put
MISSING = frozenset({"NoSuchKey", "404", "NotFound"})
NO_BUCKET = frozenset({"NoSuchBucket", "404", "NotFound"})
DENIED = frozenset({"403", "AccessDenied", "Forbidden", "InvalidAccessKeyId",
                    "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken"})  # fmt: skip
HEALTH_TTL = 30.0  # seconds a bucket check is reused (compose probes each replica every 15 s)
HEALTH_TIMEOUT = 3.0  # seconds: a failed check beyond; inside the compose probe's 4 s timeout


def _config(endpoint_url: str, *, probe: bool) -> Config:
    return Config(
        # most S3-compatible servers do not serve a bucket as a host name
        s3={"addressing_style": "path" if endpoint_url else "auto"},
        # the health probe answers fast or not at all: one try, inside /healthz's own timeout
        connect_timeout=2 if probe else 5,
        read_timeout=2 if probe else 30,
        retries={"max_attempts": 1 if probe else 3, "mode": "standard"},
    )


class S3FileStore:
    """Files as objects in one bucket, under ``prefix``.

    ``endpoint_url``: an S3-compatible server (MinIO, Ceph, a cloud's own), addressed by path;
    empty for AWS. Credentials come from boto3's usual chain: AWS_ACCESS_KEY_ID and
    AWS_SECRET_ACCESS_KEY, a profile, or the instance's role. ``health_ttl`` and ``monotonic``:
    how long, by which clock, a health check's answer is reused.
    """

    def __init__(
        self,
        bucket: str,
        *,
        prefix: str = "",
        endpoint_url: str = "",
        region: str = "",
        clock: Clock = system_clock,
        client: S3Client | None = None,
        health_ttl: float = HEALTH_TTL,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix
        self._clock = clock
        self._health_ttl = health_ttl
        self._monotonic = monotonic
        self._checked: tuple[float, dict[str, object]] | None = None  # (when, answer)
        self._checking = asyncio.Lock()  # one check at a time; the others wait for its answer
        if client is None:
            session = boto3.session.Session()  # one session: both clients share its models
            client = session.client(
                "s3",
                endpoint_url=endpoint_url or None,
                region_name=region or None,
                config=_config(endpoint_url, probe=False),
            )
            probe = session.client(
                "s3",
                endpoint_url=endpoint_url or None,
                region_name=region or None,
                config=_config(endpoint_url, probe=True),
            )
        else:
            probe = client
        self._client: S3Client = client
        self._probe: S3Client = probe

    def _key(self, file_id: str) -> str:
        return f"{self.prefix}{file_id}"

    async def put(self, data: bytes, kind: str) -> str:
        """Write the bytes under a new random id (256 bits)."""
        if kind not in EXTENSIONS:
            raise ValueError(f"not a file kind: {kind}")
        file_id = secrets.token_urlsafe(32)
        written = self._clock().timestamp()
        await asyncio.to_thread(
            self._client.put_object,
            Bucket=self.bucket,
            Key=self._key(file_id),
            Body=data,
            ContentType=kind,
            Metadata={WRITTEN: repr(written)},
        )
        return file_id

    async def get(self, file_id: str) -> tuple[bytes, str] | None:
        """The bytes and kind, None for an unknown (or malformed) id."""
        if not FILE_ID_RE.fullmatch(file_id):
            return None

        def read() -> tuple[bytes, str] | None:
            try:
                found = self._client.get_object(Bucket=self.bucket, Key=self._key(file_id))
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") in MISSING:
                    return None
                raise
            kind = found.get("ContentType", "")
            data = found["Body"].read()
            # an object someone else put in the prefix is not one of ours
            return (data, kind) if kind in EXTENSIONS else None

        return await asyncio.to_thread(read)

    async def delete(self, file_id: str) -> None:
        """Remove a file, if it is there (S3 answers the same for a missing key)."""
        if not FILE_ID_RE.fullmatch(file_id):
            return
        await asyncio.to_thread(
            self._client.delete_object, Bucket=self.bucket, Key=self._key(file_id)
        )

    async def delete_older_than(self, cutoff: datetime) -> int:
        """Remove files written before ``cutoff`` (by the store's clock); how many.

        The listing gives only the server's time: an object the server saw after the cutoff is
        left alone, an older one is deleted when its own metadata (the service's clock) says
        so too, so a replica's clock ahead of the server's never takes a file a row still needs.
        """
        limit = cutoff.timestamp()

        def written(key: str) -> float | None:
            try:
                head = self._client.head_object(Bucket=self.bucket, Key=key)
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") in MISSING:
                    return None
                raise
            try:
                return float(head.get("Metadata", {}).get(WRITTEN, ""))
            except ValueError:
                return head["LastModified"].timestamp()  # put by hand: the server's time

        def sweep() -> int:
            removed = 0
            pages = self._client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=self.prefix
            )
            for page in pages:
                for entry in page.get("Contents", []):
                    key = entry["Key"]
                    if not FILE_ID_RE.fullmatch(key.removeprefix(self.prefix)):
                        continue  # not a file of ours (another prefix's, or put by hand)
                    if entry["LastModified"].timestamp() >= limit:
                        continue
                    stamp = written(key)
                    if stamp is not None and stamp < limit:
                        self._client.delete_object(Bucket=self.bucket, Key=key)
                        removed += 1
            return removed

        return await asyncio.to_thread(sweep)

    async def health(self) -> dict[str, object]:
        """``{"ok": True}`` while the bucket answers, else ``{"ok": False, "problem": why}``
        (missing bucket, refused credentials, unreachable server); reused ``health_ttl`` s."""
        if (fresh := self._fresh()) is not None:
            return fresh
        async with self._checking:
            if (fresh := self._fresh()) is not None:  # answered while this one waited
                return fresh
            try:
                await asyncio.wait_for(
                    asyncio.to_thread(self._probe.head_bucket, Bucket=self.bucket),
                    HEALTH_TIMEOUT,
                )
                answer: dict[str, object] = {"ok": True}
            except Exception as exc:  # every failure is "degraded", never an error of /healthz
                answer = {"ok": False, "problem": self._problem(exc)}
                if self._checked is None or self._checked[1]["ok"]:  # once per outage
                    log.warning(
                        "files bucket unreachable",
                        extra={
                            "bucket": self.bucket,
                            "problem": answer["problem"],
                            "error": repr(exc),
                        },
                    )
            self._checked = (self._monotonic(), answer)
            return dict(answer)

    def _fresh(self) -> dict[str, object] | None:
        if self._checked is None:
            return None
        when, answer = self._checked
        return dict(answer) if self._monotonic() - when < self._health_ttl else None

    def _problem(self, exc: Exception) -> str:
        """Why the bucket check failed, in words naming the setting to look at."""
        if isinstance(exc, ClientError):
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code in NO_BUCKET:
                return f"no bucket {self.bucket!r} on the server (FILES_S3_BUCKET)"
            if code in DENIED:
                return (
                    f"access to bucket {self.bucket!r} denied: check the credentials "
                    "(AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)"
                )
            return f"bucket {self.bucket!r}: the server answers {code or 'an error'}"
        if isinstance(exc, NoCredentialsError):
            return "no credentials for the bucket (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)"
        if isinstance(exc, TimeoutError):
            return f"the bucket's server did not answer within {HEALTH_TIMEOUT:g} s (FILES_S3_URL)"
        return f"the bucket's server cannot be reached (FILES_S3_URL): {type(exc).__name__}"
