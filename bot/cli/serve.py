"""``merchant-bot serve``: one HTTP server process (uvicorn) for the web chat and the webhooks."""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import logging
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the server stack is imported only when serving: `ask` stays quick
    from starlette.applications import Starlette

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080


def register(subparsers: Any) -> None:
    """Add ``serve [--host H] [--port P]`` to the command line's sub-commands."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "serve", help="run the web chat, /healthz and the channel webhooks over HTTP"
    )
    p.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on ({DEFAULT_HOST})")
    p.add_argument("--port", type=port, default=DEFAULT_PORT, help=f"TCP port ({DEFAULT_PORT})")
    p.set_defaults(run=run)


def port(value: str) -> int:
    """A TCP port number (0 picks a free one)."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {value!r}") from None
    if not 0 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"port out of range 0-65535: {number}")
    return number


async def build_app() -> Starlette:
    """The real app, built by the composition root (``bot.bootstrap``) from the settings.

    Runs inside the server's event loop, so the database engine belongs to that loop.
    """
    from bot import bootstrap, logs
    from bot.settings import load_settings
    from bot.storage.database import display_url, is_sqlite
    from bot.storage.migrate import upgrade_apart

    settings = load_settings()
    logs.configure(settings.log_level, settings.log_format)  # uvicorn runs with log_config=None
    if is_sqlite(settings.database_url):  # bootstrap then finds it at head: no Alembic here
        await upgrade_apart(settings.database_url)
    services = await bootstrap.build(settings)
    log.info(
        "serving",
        extra={
            "database": display_url(settings.database_url),
            "faq_entries": services.faq.state.entries,
            "channels": [channel.name for channel in services.channels],
        },
    )
    return bootstrap.app(services)


M_MMAP_THRESHOLD = -3  # glibc's mallopt parameters (malloc.h)
M_ARENA_MAX = -8
MMAP_THRESHOLD = 128 * 1024  # glibc's initial value, kept fixed
ARENA_MAX = 2


def tune_malloc() -> bool:
    """Keep glibc's heap small in a long-running server; False where there is no glibc.

    Encoding and calibration run in worker threads, and glibc gives threads arenas of their own
    (up to 8 per core) whose freed memory is rarely returned; and after the first large block is
    freed, glibc raises its mmap threshold, so later large arrays land in those heaps and stay.
    Two arenas and a fixed threshold (large blocks mmapped, unmapped when freed) keep it down.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
        return bool(
            libc.mallopt(M_ARENA_MAX, ARENA_MAX) and libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
        )
    except (OSError, AttributeError):  # not glibc (musl, macOS): its allocator as it is
        return False


def run(args: argparse.Namespace) -> int:
    """Start the server and block until it is stopped (Ctrl-C or SIGTERM)."""
    tune_malloc()  # before anything large is allocated
    return asyncio.run(serve(args.host, args.port))


async def serve(host: str, port: int) -> int:
    """Build the app in this event loop and serve it with uvicorn until stopped."""
    import uvicorn

    from bot.bootstrap import StartupError
    from bot.settings import SettingsError
    from bot.storage.database import StorageError

    try:
        app = await build_app()
    except (SettingsError, StartupError, StorageError, OSError) as exc:
        print(f"merchant-bot serve: {exc}", file=sys.stderr)
        return 1
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        proxy_headers=True,  # trust X-Forwarded-Proto from FORWARDED_ALLOW_IPS (default: local)
        server_header=False,
        timeout_graceful_shutdown=10,
        log_config=None,  # keep the process's own logging setup
    )
    await uvicorn.Server(config).serve()
    return 0
