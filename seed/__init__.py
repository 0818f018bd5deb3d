"""Deterministic demo data for the back-office."""
