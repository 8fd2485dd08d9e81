"""What the web app needs besides the conversation core's port: a health check."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

HealthCheck = Callable[[], Awaitable[dict[str, Any]]]
