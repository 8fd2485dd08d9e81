"""The whole bot process: chat round trips over HTTP and the process's peak RSS, in both modes.

Run: ``python -m benchmarks.serve`` (``--rounds`` passes over the case file). It starts
``merchant-bot serve`` on a fresh SQLite database, once lexical (``MATCHER_ENCODER=none``) and
once with the default encoder (``e5``, a fresh empty vector cache unless ``--vectors``; the
server encodes in the background after start-up and answers lexically meanwhile, so the
benchmark polls ``/healthz`` until ``faq.matcher.mode`` is ``fused``). It then sends every
question of ``tests/data/faq_cases.yaml`` through ``POST /api/chat`` (a new merchant every 20
questions, and a new one to ask again when a question went to people, who hold a merchant's
thread after a hand-over), plus a centre lookup and a hand-over per merchant, and reads the
server's peak RSS (VmHWM) after start-up, once the fused index is ready, and at the end.
Baseline in the same run: ``GET /healthz`` round trips (HTTP and a database ping, no
conversation), so the chat figure is read as a ratio over the bare server.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import itertools
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
import yaml

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "data" / "faq_cases.yaml"
PER_MERCHANT = 20
# Message ids are the web channel's delivery keys, unique per channel: one shared counter, or a
# second merchant's "bench-000001" would be a repeat of the first's and get its stored reply.
_IDS = itertools.count(1)
FUSED_READY_TIMEOUT_S = 900  # a cold cache encodes the shipped FAQ and pools (~3,200 texts)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Client:
    """One keep-alive connection with a merchant cookie."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookie = ""
        self.sent = 0
        self.replied = False  # whether the last chat got a reply (not when people hold the thread)

    def chat(self, body: dict[str, object]) -> float:
        self.sent += 1
        payload = json.dumps({**body, "id": f"bench-{next(_IDS):06d}"}).encode()
        headers = {"content-type": "application/json"}
        if self.cookie:
            headers["cookie"] = self.cookie
        start = time.perf_counter()
        self.conn.request("POST", "/api/chat", payload, headers)
        response = self.conn.getresponse()
        data = response.read()
        elapsed = time.perf_counter() - start
        if response.status != 200:
            raise RuntimeError(f"chat answered {response.status}")
        reply = json.loads(data)
        if reply.get("duplicate"):
            raise RuntimeError("a chat was taken for a repeat delivery (message ids collide)")
        self.replied = bool(reply.get("messages"))
        self.cookie = self.cookie or (response.getheader("set-cookie") or "").split(";")[0]
        return elapsed

    def health(self) -> float:
        start = time.perf_counter()
        self.conn.request("GET", "/healthz")
        self.conn.getresponse().read()
        return time.perf_counter() - start

    def status(self) -> dict[str, Any]:
        """The /healthz body (503 while something is not ok still has one)."""
        self.conn.request("GET", "/healthz")
        body: dict[str, Any] = json.loads(self.conn.getresponse().read())
        return body


def serve_env(tmp: str, encoder: str, vectors: Path | None = None) -> dict[str, str]:
    """Default settings for a benchmark's `serve`, with its files in ``tmp``."""
    return dict(
        os.environ,
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp}/bench.db",
        FAQ_DIR=str(ROOT / "faq"),
        LOG_LEVEL="WARNING",
        MATCHER_ENCODER=encoder,
        VECTOR_CACHE_DIR=str(vectors or Path(tmp) / "vectors"),
        SNAPSHOT_DIR=f"{tmp}/snapshots",
    )


def start_serve(port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """`merchant-bot serve` in its own process, quiet."""
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


async def until_healthy(
    session: aiohttp.ClientSession,
    base: str,
    proc: subprocess.Popen[bytes],
    seconds: float = 60,
    name: str = "serve",
    detail: str = "",
) -> None:
    """Poll ``base``/healthz until it answers; raise when ``proc`` exits or time runs out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited during start-up{detail}")
        try:
            async with session.get(f"{base}/healthz") as response:
                await response.read()
                return
        except aiohttp.ClientError:
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{name} did not start")


def kill_serve(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL, as a crash: nothing in flight is finished."""
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()


def stop_serve(proc: subprocess.Popen[bytes] | None) -> None:
    """SIGTERM (a clean shutdown), SIGKILL after 30 s; nothing when it is not running."""
    if proc is not None and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_healthy(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("serve exited during start-up")
        try:
            Client(port).health()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("serve did not start")


def _next_merchant(port: int, done: Client | None, chats: list[float]) -> Client:
    """Say goodbye for ``done`` (a centre lookup and a hand-over), then start a new merchant."""
    if done is not None:
        chats.append(done.chat({"type": "text", "text": "I'm in Ningbo"}))
        chats.append(done.chat({"type": "text", "text": "talk to a person"}))
    merchant = Client(port)
    merchant.chat({"type": "start", "lang": "en"})
    return merchant


def _wait_fused(port: int, proc: subprocess.Popen[bytes]) -> None:
    """Poll /healthz until the fused matcher serves (the encoder works in the background)."""
    client = Client(port)
    deadline = time.monotonic() + FUSED_READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("serve exited while encoding")
        matcher = client.status().get("faq", {}).get("matcher", {})
        if matcher.get("mode") == "fused":
            return
        detail = str(matcher.get("detail", ""))
        if matcher.get("encoder") != "loading" and detail and not detail.startswith("encoding"):
            raise RuntimeError(f"the fused matcher will not come: {detail}")
        time.sleep(0.25)
    raise RuntimeError("the fused matcher was not ready in time")


def measure(encoder: str, vectors: Path | None = None, rounds: int = 1) -> dict[str, Any]:
    """Start serve with MATCHER_ENCODER=``encoder``, chat through the cases, read its RSS."""
    texts = [str(c["text"]) for c in yaml.safe_load(CASES.read_text("utf-8"))["cases"]]
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        env = serve_env(tmp, encoder, vectors)
        start = time.monotonic()
        proc = start_serve(port, env)
        try:
            _wait_healthy(port, proc)
            started = _peak_rss_mb(proc.pid)
            ready = ready_s = None
            if encoder != "none":
                _wait_fused(port, proc)
                ready_s = time.monotonic() - start
                ready = _peak_rss_mb(proc.pid)
            chats: list[float] = []
            health: list[float] = []
            answered = 0
            for _ in range(rounds):
                merchant: Client | None = None
                for text in texts:
                    if merchant is None or merchant.sent > PER_MERCHANT:
                        merchant = _next_merchant(port, merchant, chats)
                    chats.append(merchant.chat({"type": "text", "text": text[:2000]}))
                    health.append(merchant.health())
                    if not merchant.replied:
                        # People hold this merchant's thread since a hand-over and the bot
                        # stays quiet: a new merchant asks again, so every case is answered.
                        merchant = _next_merchant(port, merchant, chats)
                        chats.append(merchant.chat({"type": "text", "text": text[:2000]}))
                    answered += merchant.replied
                if merchant is not None:
                    _next_merchant(port, merchant, chats)
            mode = Client(port).status()["faq"]["matcher"]["mode"]
            peak = _peak_rss_mb(proc.pid)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    chats.sort()
    health.sort()
    return {
        "mode": mode,
        "encoder": encoder,
        "vectors": "none" if encoder == "none" else ("given" if vectors else "empty (cold)"),
        "started_mb": started,
        "ready_mb": ready,
        "ready_s": ready_s,
        "peak_mb": peak,
        "chats": len(chats),
        "health_checks": len(health),
        "answered": answered,
        "cases": len(texts) * rounds,
        "chat_p50_ms": statistics.median(chats) * 1000,
        "chat_p99_ms": chats[int(len(chats) * 0.99) - 1] * 1000,
        "health_p50_ms": statistics.median(health) * 1000,
        "health_p99_ms": health[int(len(health) * 0.99) - 1] * 1000,
    }


def main() -> int:
    """Run the benchmark in both modes and print one table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1, help="passes over the case file")
    parser.add_argument("--vectors", type=Path, help="vector cache folder (default: empty)")
    args = parser.parse_args()
    runs = [measure(enc, args.vectors, args.rounds) for enc in ("none", "e5")]
    print("| mode | what | median (ms) | p99 (ms) | round trips |\n|---|---|---|---|---|")
    for r in runs:
        print(f"| {r['mode']} | POST /api/chat | {r['chat_p50_ms']:.1f} | "
              f"{r['chat_p99_ms']:.1f} | {r['chats']} |")  # fmt: skip
        print(f"| {r['mode']} | GET /healthz (baseline) | {r['health_p50_ms']:.1f} | "
              f"{r['health_p99_ms']:.1f} | {r['health_checks']} |")  # fmt: skip
    for r in runs:
        ready = (
            f", {r['ready_mb']:.0f} MB once fused ({r['ready_s']:.0f} s after start, vector "
            f"cache {r['vectors']})"
            if r["ready_mb"]
            else ""
        )
        print(
            f"serve RSS ({r['mode']}): {r['started_mb']:.0f} MB after start-up{ready}, peak "
            f"{r['peak_mb']:.0f} MB after the chats (goal <= 300 MB); chat/healthz median "
            f"{r['chat_p50_ms'] / r['health_p50_ms']:.1f}x; {r['answered']} of {r['cases']} "
            "cases answered by the bot"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
