"""The timings of delivery and scheduling: from the app's config, else the
environment (so a test or a city's machines can shorten them), else these defaults."""
import os

from flask import current_app

DEFAULTS = {
    "REMINDER_CLAIM_SECONDS": 300,             # a sender's hold on a delivery, renewed while it sends
    "REMINDER_MAX_ATTEMPTS": 8,                # e-mail attempts before a delivery is 发送失败
    "REMINDER_SCHEDULER_LEASE_SECONDS": 30,    # the active scheduler's lease; a standby takes over after it
    "REMINDER_RUN_RETRY_SECONDS": 30,          # first wait before a failed run is tried again (doubling)
}


def setting(name: str, app=None) -> float:
    value = (app or current_app).config.get(name, os.environ.get(name))
    return float(value) if value not in (None, "") else DEFAULTS[name]
