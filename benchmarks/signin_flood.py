"""Sign-in flood: 100 wrong staff sign-ins at once, and what they cost the web chat and memory.

Run: ``python -m benchmarks.signin_flood``. It starts ``merchant-bot serve`` on a fresh SQLite
database (one staff account, ``admin``), then, on loopback only:

1. before (after a warm-up): web chat round trips (``POST /api/chat``) from ``--chatters``
   merchants at once;
2. a flood: ``--signins`` wrong sign-ins released at the same instant from one address, each
   with its form's cookie and CSRF token (half for ``admin``, half for unknown names), while the
   same merchants keep chatting;
3. another flood: the same from as many distinct addresses (an ``X-Forwarded-For`` per request, as a
   reverse proxy on this machine would send; uvicorn trusts it from 127.0.0.1), which the
   per-address limit cannot stop: only the hash gate stands between them and the memory;
4. after: chat again.

Each phase starts from a reset peak (``/proc/PID/clear_refs``), so its "peak RSS" is that
phase's own. Chat latencies of every phase come from the same run, side by side.
"""

from __future__ import annotations

import argparse
import http.client
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import yaml

from benchmarks.serve import (
    CASES,
    Client,
    _wait_healthy,
    free_port,
    serve_env,
    start_serve,
)

PASSWORD = "the admin's real password"
Form = tuple[http.client.HTTPConnection, str, str]  # a connection, its cookie, its CSRF token
CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')


def _status_kb(pid: int, field_name: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field_name}:"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field_name} for {pid}")


def rss_mb(pid: int) -> float:
    """The process's resident memory now."""
    return _status_kb(pid, "VmRSS") / 1024


def peak_mb(pid: int) -> float:
    """The process's peak resident memory since the last ``reset_peak``."""
    return _status_kb(pid, "VmHWM") / 1024


def reset_peak(pid: int) -> bool:
    """Start a new peak at the current RSS (Linux: "5" to clear_refs); False if not allowed."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        return True
    except OSError:
        return False


@dataclass
class Phase:
    """What one phase measured."""

    name: str
    chats: list[float] = field(default_factory=list)
    signins: Counter[int] = field(default_factory=Counter)
    signin_times: list[float] = field(default_factory=list)
    seconds: float = 0.0
    peak: float = 0.0
    sampled_peak: float = 0.0

    def row(self) -> str:
        """A Markdown table row."""
        chats = sorted(self.chats)
        median = statistics.median(chats) * 1000 if chats else float("nan")
        p99 = chats[max(0, round(len(chats) * 0.99) - 1)] * 1000 if chats else float("nan")
        total = sum(self.signins.values())
        if total:
            counts = f"{total}: {self.signins[401]} x 401, {self.signins[429]} x 429"
            others = {s: n for s, n in self.signins.items() if s not in (401, 429)}
            counts += "".join(f", {n} x {s}" for s, n in sorted(others.items()))
            times = sorted(self.signin_times)
            answered = f"{statistics.median(times) * 1000:.0f} / {times[-1] * 1000:.0f}"
        else:
            counts, answered = "-", "-"
        return (
            f"| {self.name} | {self.seconds:.2f} | {counts} | {answered} | {len(chats)} | "
            f"{median:.1f} | {p99:.1f} | {self.peak:.0f} |"
        )


class Chatter(threading.Thread):
    """A merchant asking FAQ questions back to back until told to stop."""

    def __init__(self, port: int, texts: list[str], seed: int) -> None:
        super().__init__(daemon=True)
        self.client = Client(port)
        self.client.chat({"type": "start", "lang": "en"})
        self.texts = texts
        self.random = random.Random(seed)
        self.phase: Phase | None = None
        self.lock = threading.Lock()
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            with self.lock:
                phase = self.phase
            if phase is None:
                time.sleep(0.005)
                continue
            text = self.random.choice(self.texts)
            took = self.client.chat({"type": "text", "text": text[:2000]})
            with self.lock:
                if self.phase is phase:  # a round trip that ended in its own phase
                    phase.chats.append(took)

    def measure(self, phase: Phase | None) -> None:
        with self.lock:
            self.phase = phase


def sign_in_form(port: int) -> Form:
    """A connection that has fetched the sign-in form: it, the form's cookie and CSRF token."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request("GET", "/staff/login")
    response = conn.getresponse()
    page = response.read().decode()
    cookie = (response.getheader("set-cookie") or "").split(";")[0]
    found = CSRF_RE.search(page)
    if response.status != 200 or not cookie or found is None:
        raise RuntimeError(f"the sign-in form answered {response.status} without a token")
    return conn, cookie, found.group(1)


def flood(forms: list[Form], address: Callable[[int], str], phase: Phase) -> None:
    """A wrong sign-in through each form, released together; statuses and times into ``phase``."""
    count = len(forms)
    start = threading.Barrier(count + 1)
    lock = threading.Lock()

    def one(i: int) -> None:
        conn, cookie, csrf = forms[i]
        username = "admin" if i % 2 else f"nobody{i}"
        body = urllib.parse.urlencode(
            {"username": username, "password": f"wrong guess {i}", "csrf": csrf}
        )
        headers = {"cookie": cookie, "content-type": "application/x-www-form-urlencoded"}
        forwarded = address(i)
        if forwarded:
            headers["x-forwarded-for"] = forwarded
        start.wait()
        began = time.perf_counter()
        conn.request("POST", "/staff/login", body, headers)
        response = conn.getresponse()
        response.read()
        took = time.perf_counter() - began
        conn.close()
        with lock:
            phase.signins[response.status] += 1
            phase.signin_times.append(took)

    threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    start.wait()
    for thread in threads:
        thread.join()


class Sampler(threading.Thread):
    """VmRSS every few milliseconds (a cross-check of VmHWM)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak = pid, 0.0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(0.002):
            self.peak = max(self.peak, rss_mb(self.pid))


def run_phase(pid: int, chatters: list[Chatter], phase: Phase, work: Callable[[], None]) -> Phase:
    """Chat (and ``work``) from a fresh peak; the phase's figures."""
    resettable = reset_peak(pid)
    sampler = Sampler(pid)
    sampler.start()
    for chatter in chatters:
        chatter.measure(phase)
    began = time.perf_counter()
    work()
    phase.seconds = time.perf_counter() - began
    for chatter in chatters:
        chatter.measure(None)
    sampler.stopped.set()
    sampler.join()
    phase.sampled_peak = sampler.peak
    phase.peak = peak_mb(pid) if resettable else sampler.peak
    return phase


def add_admin(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "-m", "bot", "staff", "add", "admin", "--role", "admin"],
        input=PASSWORD + "\n", env=env, text=True, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip


def main() -> int:
    """Run the benchmark and print one table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signins", type=int, default=100, help="sign-ins per flood")
    parser.add_argument("--chatters", type=int, default=4, help="merchants chatting throughout")
    parser.add_argument("--quiet-seconds", type=float, default=3.0, help="before/after phases")
    args = parser.parse_args()
    texts = [str(c["text"]) for c in yaml.safe_load(CASES.read_text("utf-8"))["cases"]]
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        # Lexical: the encoder's background encoding would blur what sign-ins cost.
        env = serve_env(tmp, "none")
        add_admin(env)
        proc = start_serve(port, env)
        try:
            _wait_healthy(port, proc)
            chatters = [Chatter(port, texts, seed) for seed in range(args.chatters)]
            for chatter in chatters:
                chatter.start()
            started = rss_mb(proc.pid)

            def quiet() -> None:
                time.sleep(args.quiet_seconds)

            run_phase(proc.pid, chatters, Phase("warm-up"), quiet)  # first answers, caches
            phases = [run_phase(proc.pid, chatters, Phase("before: chat only"), quiet)]
            for name, address in (("one address", _same), (f"{args.signins} addresses", _each)):
                forms = [sign_in_form(port) for _ in range(args.signins)]  # not in the phase
                flooded = Phase(f"flood: {args.signins} at once, {name}")
                phases.append(
                    run_phase(proc.pid, chatters, flooded, partial(flood, forms, address, flooded))
                )
            phases.append(run_phase(proc.pid, chatters, Phase("after: chat only"), quiet))
            settled = rss_mb(proc.pid)
            for chatter in chatters:
                chatter.stopped.set()
            for chatter in chatters:
                chatter.join()
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    from argon2 import extract_parameters

    from bot.staff.passwords import Passwords

    made = extract_parameters(Passwords().hash(PASSWORD))  # what this checkout hashes with
    print(
        f"argon2id m={made.memory_cost // 1024} MiB t={made.time_cost} p={made.parallelism}; "
        f"{args.chatters} merchants chatting throughout; serve RSS {started:.0f} MB after start-up"
    )
    print(
        "| phase | seconds | sign-ins | sign-in answer median / max (ms) | chat round trips "
        "| chat median (ms) | chat p99 (ms) | peak RSS (MB) |\n|---|---|---|---|---|---|---|---|"
    )
    for phase in phases:
        print(phase.row())
    print(f"serve RSS at the end: {settled:.0f} MB")
    return 0


def _same(i: int) -> str:
    return ""  # every request from 127.0.0.1 itself


def _each(i: int) -> str:
    return f"198.18.{i // 250}.{i % 250 + 1}"  # benchmarking range (RFC 2544), never routed


if __name__ == "__main__":
    sys.exit(main())
