"""Business-expansion centres: the YAML list, opening hours, place names and the nearest centre.

Pure domain code: no channel, web or database imports (the conversation core uses it).
"""
