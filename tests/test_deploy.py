"""deploy/compose.yaml: it parses, its topology is the documented one, and every variable it
sets on the bot is a real setting (a typo would be ignored silently at run time)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from bot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"


def compose() -> dict[str, Any]:
    data = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def interpolated(value: object) -> str:
    """A value as compose would pass it, ``${NAME:-default}`` taking its default."""
    return re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", str(value))


def test_the_topology() -> None:
    services = compose()["services"]
    assert set(services) == {"postgres", "redis", "migrate", "bot", "proxy"}
    bot, migrate = services["bot"], services["migrate"]
    assert migrate["command"] == ["merchant-bot", "db", "upgrade"]
    assert migrate["restart"] == "no"
    assert bot["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert bot["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert bot["depends_on"]["redis"]["condition"] == "service_healthy"
    assert int(interpolated(bot["deploy"]["replicas"])) >= 2
    assert "../faq:/app/faq:ro" in bot["volumes"]  # the same FAQ, read-only, on every replica
    assert any("/healthz" in part for part in bot["healthcheck"]["test"])
    assert any("/healthz" in part for part in services["proxy"]["healthcheck"]["test"])
    assert services["proxy"]["depends_on"]["bot"]["condition"] == "service_healthy"
    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in services["proxy"]["volumes"]
    caddy = (DEPLOY / "Caddyfile").read_text(encoding="utf-8")
    assert "dynamic a bot 8080" in caddy and "health_uri /healthz" in caddy


def test_every_variable_set_on_the_bot_is_a_setting() -> None:
    services = compose()["services"]
    fields = set(Settings.model_fields)
    for name in ("bot", "migrate"):
        environment = services[name]["environment"]
        unknown = [key for key in environment if key.lower() not in fields]
        assert unknown == [], f"{name}: not settings: {unknown}"
    environment = services["bot"]["environment"]
    assert "REDIS_URL" in environment
    assert environment["DATABASE_URL"].startswith("postgresql://")
    # and their values (defaults taken) are valid settings
    values = {key.lower(): interpolated(value) for key, value in environment.items()}
    settings = Settings.model_validate(values)
    assert settings.database_pool_size == 5 and settings.database_max_overflow == 5
    assert settings.metrics_enabled and settings.faq_dir == Path("/app/faq")
