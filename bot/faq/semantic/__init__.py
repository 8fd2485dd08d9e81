"""The semantic side of the matcher: a sentence encoder, its vector cache and its index."""
