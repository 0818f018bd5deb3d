"""Logins, roles, and the one rule that decides which rows a login may touch."""
