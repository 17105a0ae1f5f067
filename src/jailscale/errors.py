"""Two kinds of failure, kept apart: a user's mistake (bad input, exit 2; a 4xx from the server) and a
broken environment (database unreachable, disk full, a service down: exit 3; a 503 from the server).
The CLI prints either as one line with no traceback."""

from __future__ import annotations


class UserError(Exception):
    """Bad input from the user (a file, a flag, a vector). The message quotes the input and says
    what to do; the CLI prints it on one line with no traceback and exits with ``exit_code``."""

    exit_code = 2

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class EnvironmentFault(Exception):
    """The environment failed, not the input: the database cannot be reached or is locked past its
    timeout, the disk is full, a service is down. Retrying later, or fixing the machine, may help;
    changing the input will not. The CLI prints one line and exits with ``exit_code`` (3); the
    server answers 503. Messages never include credentials or SQL parameters."""

    exit_code = 3

    def __init__(self, message: str, exit_code: int = 3) -> None:
        super().__init__(message)
        self.exit_code = exit_code
