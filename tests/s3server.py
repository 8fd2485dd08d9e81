"""A real S3 HTTP server on 127.0.0.1 for the bucket file store: moto's server on a free port.

``s3_server`` (one per test module) speaks the S3 protocol as a bucket would; ``s3_bucket`` gives
each test a bucket of its own, with the credentials boto3 reads from the environment set for
the test, so that tests running side by side never see each other's objects.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import boto3
import pytest
from moto.server import ThreadedMotoServer

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

REGION: Final = "eu-west-1"
KEY_ID, SECRET = "test-key-id", "test-secret"


@dataclass(frozen=True)
class Bucket:
    """One test's bucket on the server: its address, name and a client to look inside."""

    url: str
    name: str
    client: S3Client

    def keys(self) -> list[str]:
        """Every key in the bucket."""
        listed = self.client.list_objects_v2(Bucket=self.name)
        return [entry["Key"] for entry in listed.get("Contents", [])]


@pytest.fixture(scope="module")
def s3_server() -> Iterator[str]:
    """The server's address (http://127.0.0.1:PORT), up for the module's tests."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3_bucket(s3_server: str, monkeypatch: pytest.MonkeyPatch) -> Bucket:
    """A new, empty bucket; AWS_* credentials in the environment as an operator would set."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")  # no profile of the machine's
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    client = boto3.session.Session().client(
        "s3",
        endpoint_url=s3_server,
        region_name=REGION,
        aws_access_key_id=KEY_ID,
        aws_secret_access_key=SECRET,
    )
    name = f"files-{uuid.uuid4().hex[:16]}"
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    return Bucket(s3_server, name, client)
