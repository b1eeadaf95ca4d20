"""Moderation: reports, the moderators' queue and the append-only moderation log."""
