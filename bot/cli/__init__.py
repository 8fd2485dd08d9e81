"""The ``merchant-bot`` command line."""
