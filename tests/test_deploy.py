"""deploy/compose.yaml: it parses, its topology is the documented one, every variable it sets on
the bot is a real setting (a typo would be ignored silently at run time), and replicas share
one bucket for files."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Any

import yaml

from bot.settings import Settings

# boto3 reads these itself (its credential chain); they are no settings of the bot
BOTO3_ENV = frozenset({"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"})
# uvicorn reads this itself (``merchant-bot serve`` passes no forwarded_allow_ips): the proxy
# addresses whose X-Forwarded-For it believes; no setting of the bot either
UVICORN_ENV = frozenset({"FORWARDED_ALLOW_IPS"})
NOT_SETTINGS = BOTO3_ENV | UVICORN_ENV
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
    assert set(services) == {"postgres", "redis", "minio", "bucket", "migrate", "bot", "proxy"}
    bot, migrate = services["bot"], services["migrate"]
    assert migrate["command"] == ["merchant-bot", "db", "upgrade"]
    assert migrate["restart"] == "no"
    assert bot["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert bot["depends_on"]["bucket"]["condition"] == "service_completed_successfully"
    assert bot["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert bot["depends_on"]["redis"]["condition"] == "service_healthy"
    assert int(interpolated(bot["deploy"]["replicas"])) >= 2
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
        allowed = NOT_SETTINGS if name == "bot" else frozenset()
        unknown = [key for key in environment if key.lower() not in fields and key not in allowed]
        assert unknown == [], f"{name}: not settings: {unknown}"
    environment = services["bot"]["environment"]
    assert "REDIS_URL" in environment
    assert environment["DATABASE_URL"].startswith("postgresql://")
    # and their values (defaults taken) are valid settings
    values = {
        key.lower(): interpolated(value)
        for key, value in environment.items()
        if key not in NOT_SETTINGS
    }
    settings = Settings.model_validate(values)
    assert settings.database_pool_size == 5 and settings.database_max_overflow == 5
    assert settings.metrics_enabled and settings.faq_dir == Path("/app/faq")


def test_the_replicas_believe_the_forwarded_address_from_the_proxy_only() -> None:
    services = compose()["services"]
    trusted = [
        ipaddress.ip_network(part.strip())
        for part in str(services["bot"]["environment"]["FORWARDED_ALLOW_IPS"]).split(",")
    ]
    # Caddy's address on the compose network is one Docker picks from its private pools
    for proxy in ("172.18.0.5", "192.168.16.3", "10.0.1.7"):
        assert any(ipaddress.ip_address(proxy) in net for net in trusted), proxy
    assert all(net.is_private for net in trusted)  # never an address of the Internet
    # that is safe only while the replicas are out of reach of anyone but the proxy
    assert "ports" not in services["bot"] and services["bot"]["expose"] == ["8080"]
    assert services["proxy"]["ports"]


def serving(services: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The services that run ``merchant-bot serve``, by name."""
    return {
        name: service
        for name, service in services.items()
        if "serve" in service.get("command", []) and "merchant-bot" in service.get("command", [])
    }


def test_every_replica_of_serve_keeps_files_in_the_same_bucket() -> None:
    services = compose()["services"]
    servers = serving(services)
    assert servers, "no service runs serve"
    replicas = sum(
        int(interpolated(service.get("deploy", {}).get("replicas", 1)))
        for service in servers.values()
    )
    assert replicas >= 2
    # A folder (FILES_DIR) is each container's own: with more than one replica, a file sent to
    # one would be missing on the others. Every replica names one bucket on one server.
    where = {
        name: tuple(
            interpolated(service["environment"].get(key, ""))
            for key in ("FILES_S3_BUCKET", "FILES_S3_URL", "FILES_S3_PREFIX")
        )
        for name, service in servers.items()
    }
    assert len(set(where.values())) == 1, f"replicas keep files apart: {where}"
    bucket, url, _ = next(iter(where.values()))
    assert bucket, "several replicas without FILES_S3_BUCKET keep files per container"
    # on the bucket server of this compose file, which the one-shot step fills in first
    assert url == "http://minio:9000"
    minio = services["minio"]
    assert minio["command"] == ["minio", "server", "/data"]
    assert re.fullmatch(r"minio/minio:RELEASE\.[0-9TZ-]+", minio["image"])  # pinned
    assert "minio-data:/data" in minio["volumes"]
    step = services["bucket"]
    assert re.fullmatch(r"minio/mc:RELEASE\.[0-9TZ-]+", step["image"])
    assert step["restart"] == "no"
    assert step["depends_on"]["minio"]["condition"] == "service_healthy"
    assert interpolated(step["environment"]["FILES_S3_BUCKET"]) == bucket
    script = " ".join(step["command"])
    assert 'mc mb --ignore-existing "minio/$$FILES_S3_BUCKET"' in script
    for service in servers.values():
        assert service["depends_on"]["bucket"]["condition"] == "service_completed_successfully"
        # the replicas log in as the server's user (boto3 reads these from the environment)
        environment = service["environment"]
        assert environment["AWS_ACCESS_KEY_ID"] == minio["environment"]["MINIO_ROOT_USER"]
        assert environment["AWS_SECRET_ACCESS_KEY"] == minio["environment"]["MINIO_ROOT_PASSWORD"]
        assert step["environment"]["MINIO_ROOT_USER"] == environment["AWS_ACCESS_KEY_ID"]
        assert step["environment"]["MINIO_ROOT_PASSWORD"] == environment["AWS_SECRET_ACCESS_KEY"]


def faq_mounts(service: dict[str, Any]) -> list[tuple[str, str]]:
    """The service's mounts on its FAQ_DIR, as (source, options), short or long syntax."""
    target = str(service["environment"]["FAQ_DIR"])
    found: list[tuple[str, str]] = []
    for volume in service.get("volumes", []):
        if isinstance(volume, dict):
            if volume.get("target") == target:
                found.append((str(volume["source"]), "ro" if volume.get("read_only") else "rw"))
            continue
        source, _, rest = str(volume).partition(":")
        where, _, options = rest.partition(":")
        if where == target:
            found.append((source, options or "rw"))
    return found


def test_every_replica_of_serve_mounts_the_same_faq_read_write() -> None:
    servers = serving(compose()["services"])
    assert servers, "no service runs serve"
    mounts = {name: faq_mounts(service) for name, service in servers.items()}
    for name, found in mounts.items():
        # one mount: a folder of the image's own would be each container's, edits not shared
        assert len(found) == 1, f"{name}: FAQ_DIR mounted {len(found)} times"
        _, options = found[0]
        # the workbench writes these files: a read-only mount would refuse every edit
        assert "ro" not in options.split(","), f"{name}: FAQ mounted read-only"
    sources = {found[0][0] for found in mounts.values()}
    assert sources == {"../faq"}, f"replicas read different FAQ folders: {sources}"
