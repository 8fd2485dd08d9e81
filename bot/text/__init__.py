"""The text toolkit: scripts, normalisation, languages and Chinese conversion.

The lowest layer: it imports nothing else from ``bot``.
"""
