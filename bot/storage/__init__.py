"""Storage: the core's ports implemented with async SQLAlchemy, and Alembic migrations."""

from bot.storage.database import DEFAULT_DATABASE_URL, StorageError, normalize_url
from bot.storage.migrate import upgrade
from bot.storage.uow import SqlStore, SqlUnitOfWork

__all__ = [
    "DEFAULT_DATABASE_URL",
    "SqlStore",
    "SqlUnitOfWork",
    "StorageError",
    "normalize_url",
    "upgrade",
]
