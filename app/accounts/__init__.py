"""Accounts: users, invitation-only membership, sessions, password and email changes."""
