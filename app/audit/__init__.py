"""Append-only trail of every change to a business record."""
