"""Real-time chat: channels, direct messages, presence."""
