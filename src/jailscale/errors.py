"""The one exception type for a user's mistake: the CLI prints its message and exits 2."""

from __future__ import annotations


class UserError(Exception):
    """Bad input from the user (a file, a flag, a vector). The message quotes the input and says
    what to do; the CLI prints it on one line with no traceback and exits with ``exit_code``."""

    exit_code = 2

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code
