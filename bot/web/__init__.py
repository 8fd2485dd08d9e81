"""The web chat channel and the HTTP app that ``merchant-bot serve`` runs (Starlette)."""

from __future__ import annotations

from bot.web.app import create_app
from bot.web.service import HealthCheck

__all__ = ["HealthCheck", "create_app"]
