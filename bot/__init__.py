"""merchant-bot: a multilingual support bot for first-time cross-border sellers."""

__version__ = "0.1.0"
