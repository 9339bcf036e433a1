"""Errors raised for bad requests.

Every message is one line saying what is wrong and what is allowed; the CLI prints it as is and
exits non-zero. The classes subclass the built-in exceptions a Python user expects to catch.
"""


class FastmapError(ValueError):
    """A malformed request: a bad value, axis, format, path or chunk size."""


class UnknownNameError(FastmapError, KeyError):
    """An unknown model, parameter, output or figure name."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""
