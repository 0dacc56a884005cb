"""Errors every layer may raise and every interface maps the same way."""


class ConflictError(Exception):
    """The write conflicts with the stored state (a locked round, a stale version): HTTP 409, nothing saved."""

    message = "Xung đột dữ liệu."

    def __str__(self):
        return self.args[0] if self.args else self.message
