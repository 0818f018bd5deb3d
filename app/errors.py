"""The one exception for a change the rules refuse (its message is for the user), and
two kinds of it the API answers with their own status (422 and 409)."""


class Refused(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class Invalid(Refused):
    """Input that no record may hold (a control character, too long, out of range)."""


class Stale(Refused):
    """A save built on a version of the record that someone else has changed since."""
