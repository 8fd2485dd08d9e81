"""The whole bot process: chat round trips over HTTP and the process's peak RSS.

Run: ``python -m benchmarks.serve`` (``--rounds`` passes over the case file). It starts
``merchant-bot serve`` on a fresh SQLite database, sends every question of
``tests/data/faq_cases.yaml`` through ``POST /api/chat`` (a new merchant every 20 questions),
plus a centre lookup and a hand-over per merchant, and reads the server's peak RSS (VmHWM) at
the end. Baseline in the same run: ``GET /healthz`` round trips (HTTP and a database ping, no
conversation), so the chat figure is read as a ratio over the bare server.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "data" / "faq_cases.yaml"
PER_MERCHANT = 20


def _free_port() -> int:
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

    def chat(self, body: dict[str, object]) -> float:
        self.sent += 1
        payload = json.dumps({**body, "id": f"bench-{self.sent:06d}"}).encode()
        headers = {"content-type": "application/json"}
        if self.cookie:
            headers["cookie"] = self.cookie
        start = time.perf_counter()
        self.conn.request("POST", "/api/chat", payload, headers)
        response = self.conn.getresponse()
        response.read()
        elapsed = time.perf_counter() - start
        if response.status != 200:
            raise RuntimeError(f"chat answered {response.status}")
        self.cookie = self.cookie or (response.getheader("set-cookie") or "").split(";")[0]
        return elapsed

    def health(self) -> float:
        start = time.perf_counter()
        self.conn.request("GET", "/healthz")
        self.conn.getresponse().read()
        return time.perf_counter() - start


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


def main() -> int:
    """Run the benchmark and print one table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1, help="passes over the case file")
    args = parser.parse_args()
    texts = [str(c["text"]) for c in yaml.safe_load(CASES.read_text("utf-8"))["cases"]]
    with tempfile.TemporaryDirectory() as tmp:
        port = _free_port()
        env = dict(os.environ, DATABASE_URL=f"sqlite+aiosqlite:///{tmp}/bench.db",
                   FAQ_DIR=str(ROOT / "faq"), LOG_LEVEL="WARNING")  # fmt: skip
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--port", str(port)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            _wait_healthy(port, proc)
            started = _peak_rss_mb(proc.pid)
            chats: list[float] = []
            health: list[float] = []
            for _ in range(args.rounds):
                for first in range(0, len(texts), PER_MERCHANT):
                    merchant = Client(port)
                    merchant.chat({"type": "start", "lang": "en"})
                    for text in texts[first : first + PER_MERCHANT]:
                        chats.append(merchant.chat({"type": "text", "text": text[:2000]}))
                        health.append(merchant.health())
                    chats.append(merchant.chat({"type": "text", "text": "I'm in Ningbo"}))
                    chats.append(merchant.chat({"type": "text", "text": "talk to a person"}))
            peak = _peak_rss_mb(proc.pid)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    chats.sort()
    health.sort()
    p99 = chats[int(len(chats) * 0.99) - 1]
    print(f"{len(chats)} chat round trips, {len(health)} /healthz round trips (baseline)")
    print("| what | median (ms) | p99 (ms) |\n|---|---|---|")
    print(f"| POST /api/chat | {statistics.median(chats) * 1000:.1f} | {p99 * 1000:.1f} |")
    hp99 = health[int(len(health) * 0.99) - 1]
    print(f"| GET /healthz | {statistics.median(health) * 1000:.1f} | {hp99 * 1000:.1f} |")
    print(f"chat/healthz median ratio: {statistics.median(chats) / statistics.median(health):.1f}x")
    print(f"serve RSS: {started:.0f} MB after start-up, peak {peak:.0f} MB (goal <= 250 MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
