"""The one exception for a change the rules refuse; its message is for the user."""


class Refused(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field
