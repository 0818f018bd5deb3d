"""A real SMTP server for the reminder tests: aiosmtpd on 127.0.0.1 at a free
port, optionally slow, and the app pointed at it (``smtp`` fixture)."""
import asyncio
import socket

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import delete, update

from app.extensions import db
from app.reminders.models import Delivery, Message, ReminderRule


class Inbox:
    def __init__(self):
        self.mails, self.delay = [], 0.0

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)   # a slow server: answers only after the delay
        self.mails.append((tuple(envelope.rcpt_tos), envelope.content.decode("utf-8", "replace")))
        return "250 OK"

    @property
    def recipients(self):
        return [r for rcpts, _ in self.mails for r in rcpts]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Smtp:
    def __init__(self, port):
        self.inbox, self.port, self.controller = Inbox(), port, None

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None


@pytest.fixture()
def smtp(app):
    server = Smtp(free_port())
    saved = {k: app.config[k] for k in ("MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS", "MAIL_USERNAME")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_USE_TLS=False, MAIL_USERNAME=None)
    server.start()
    yield server
    server.stop()
    app.config.update(saved)
    with app.app_context():   # leave the shared database as the demo made it
        db.session.execute(delete(Message))
        db.session.execute(delete(Delivery))
        db.session.execute(update(ReminderRule).values(last_run_at=None, enabled=True))
        db.session.commit()
