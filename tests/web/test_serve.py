"""``merchant-bot serve``: options, start-up errors, and the real server end to end."""

from __future__ import annotations

import argparse
import json
import logging
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.cli import serve
from bot.logs import JsonFormatter
from tests.web.serving import free_port, start_server, stop

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def root_logger_restored() -> Iterator[None]:
    """``serve.run`` in this process sets up the root logger: a handler on this test's
    captured stderr, closed after it. Undone after each test, or any later test in the same
    process (in whatever order pytest-xdist hands them out) logs "--- Logging error ---"."""
    root = logging.getLogger()
    level = root.level
    yield
    for handler in root.handlers[:]:
        if isinstance(handler.formatter, JsonFormatter):
            root.removeHandler(handler)
    root.setLevel(level)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="merchant-bot")
    serve.register(p.add_subparsers(dest="command"))
    return p


def test_defaults_and_options() -> None:
    args = parser().parse_args(["serve"])
    assert (args.host, args.port, args.run) == ("127.0.0.1", 8080, serve.run)
    args = parser().parse_args(["serve", "--host", "0.0.0.0", "--port", "9000"])
    assert (args.host, args.port) == ("0.0.0.0", 9000)


@pytest.mark.parametrize("bad", ["http", "-1", "65536"])
def test_a_bad_port_is_a_usage_error(bad: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        parser().parse_args(["serve", "--port", bad])
    assert exc.value.code == 2
    assert "port" in capsys.readouterr().err


def test_bad_setting_stops_start_up_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LOG_LEVEL", "chatty")
    assert serve.run(argparse.Namespace(host="127.0.0.1", port=0)) == 1
    err = capsys.readouterr().err
    assert err.startswith("merchant-bot serve: LOG_LEVEL:") and err.count("\n") == 1


def test_missing_faq_stops_start_up_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("FAQ_DIR", str(tmp_path / "nope"))
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'b.db'}")
    assert serve.run(argparse.Namespace(host="127.0.0.1", port=0)) == 1
    last = capsys.readouterr().err.strip().splitlines()[-1]  # after the FAQ's own log lines
    assert last.startswith("merchant-bot serve: no valid FAQ") and "FAQ folder not found" in last


def post(port: int, body: dict[str, object], cookie: str | None) -> tuple[dict[str, Any], str]:
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/chat", data=json.dumps(body).encode(), method="POST",
        headers={"content-type": "application/json", **({"cookie": cookie} if cookie else {})},
    )  # fmt: skip
    with urllib.request.urlopen(req, timeout=10) as r:
        got = r.headers.get("set-cookie", "").split(";")[0]
        return json.loads(r.read()), got or (cookie or "")


def test_serve_end_to_end_with_sqlite_and_a_restart(tmp_path: Path) -> None:
    port = free_port()
    proc = start_server(tmp_path, port)
    try:
        health = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz").read())
        assert health["ok"] and health["database"]["ok"] and health["faq"]["entries"] >= 40
        greeting, cookie = post(port, {"type": "start", "id": "client-0001", "lang": "ko-KR"}, None)
        assert greeting["messages"][0]["buttons"] and cookie
        answer, _ = post(
            port, {"type": "text", "text": "보증금 얼마예요?", "id": "client-0002"}, cookie
        )
        assert "500" in answer["messages"][0]["text"]
    finally:
        out = stop(proc)
    assert (tmp_path / "data" / "bot.db").exists()  # created and migrated by serve itself
    assert "보증금" not in out  # logs carry ids, never the merchant's words
    assert '"event": "reply sent"' in out
    proc = start_server(tmp_path, port)
    try:
        req = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/history", headers={"cookie": cookie}
        )
        history = json.loads(urllib.request.urlopen(req).read())
        texts = [m["text"] for m in history["messages"]]
        assert "보증금 얼마예요?" in texts and any("500" in t for t in texts)
        health = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz").read())
        assert health["centres"]["ok"] and health["centres"]["centres"] == 8
        busan = {"type": "text", "text": "저는 부산에 있어요", "id": "client-0003"}
        centre, _ = post(port, busan, cookie)
        assert "km" in centre["messages"][0]["text"]  # the nearest centre, how far
        ask = {"type": "text", "text": "상담원 연결", "id": "client-0004"}
        human, _ = post(port, ask, cookie)
        assert len(human["messages"]) == 2  # handed over, and who will answer when
        # While people hold the thread the merchant is not left in silence (issue 17).
        more = {"type": "text", "text": "계정 문제예요", "id": "client-0005"}
        (ack,) = post(port, more, cookie)[0]["messages"]
        assert ack["text"].startswith("요청에 이 메시지를 추가했어요.") and "팀" in ack["text"]
        assert [b["payload"].split(":")[0] for b in ack["buttons"]] == ["close"]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/staff/login") as r:
            assert r.status == 200 and "password" in r.read().decode()
    finally:
        stop(proc)
