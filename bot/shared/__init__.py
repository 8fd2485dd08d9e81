"""Shared state for the replicas of one bot (``bot.core.shared.Shared``) on Redis."""
