"""/healthz and the files' bucket (FILES_S3_BUCKET) through the real composition root, on a real
S3 server at 127.0.0.1 (moto's): a bucket that cannot be reached makes the bot "degraded" (files
are a part), never down; the chat keeps answering."""

from __future__ import annotations

from pathlib import Path

from tests.s3server import Bucket, s3_bucket, s3_server
from tests.web.test_files import chat, stack_on

__all__ = ["s3_bucket", "s3_server"]  # the fixtures, used by name


def test_healthz_says_files_are_fine_while_the_bucket_answers(
    tmp_path: Path, s3_bucket: Bucket
) -> None:
    for stack in stack_on(tmp_path, s3_bucket):
        response = stack.client.get("/healthz")
        assert response.status_code == 200
        health = response.json()
        assert health["ok"] is True and health["files"] == {"ok": True}
        assert "files" not in health["degraded"]


def test_healthz_says_files_are_degraded_when_the_bucket_is_missing(
    tmp_path: Path, s3_bucket: Bucket
) -> None:
    s3_bucket.client.delete_bucket(Bucket=s3_bucket.name)
    for stack in stack_on(tmp_path, s3_bucket):
        response = stack.client.get("/healthz")
        assert response.status_code == 200  # up: the bot answers without its files
        health = response.json()
        assert health["ok"] is True and "files" in health["degraded"]
        assert health["files"] == {
            "ok": False,
            "problem": f"no bucket {s3_bucket.name!r} on the server (FILES_S3_BUCKET)",
        }
        stack.client.get("/")  # the chat's cookie
        reply = chat(stack.client, "How much is the security deposit?", 1)
        assert "500" in str(reply["messages"])  # the FAQ's answer
