"""Alembic migrations for merchant-bot's database (run them with ``merchant-bot db upgrade``)."""
