"""Reminder rules, their scheduler, e-mail and in-app delivery with a log that sends nothing twice."""
