"""The channel-agnostic conversation core: events in, replies out. No channel, web or DB imports."""
