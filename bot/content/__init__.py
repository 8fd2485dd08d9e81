"""Content files: YAML with line numbers, problems as ``file:line``, texts per language, and
the hot-reload holder the FAQ, the centres and the staff macros share.

Below the content engines: it imports nothing from ``bot`` but the text toolkit.
"""
