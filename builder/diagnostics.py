"""Problems found in the user's input, reported as `path:line: severity[code]: message`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from builder.record import Record


class Severity(StrEnum):
    """How bad a problem is; `--strict` treats warnings as errors."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True, slots=True, order=True)
class Diagnostic(Record):
    """One problem with the user's input, tied to a file and line."""

    path: str
    """File the problem is in, as shown to the user."""
    line: int
    """1-based line number; 0 when the problem concerns the whole file."""
    severity: Severity
    """How bad the problem is."""
    code: str
    """Short stable identifier, e.g. `no-answer`, for filtering and docs."""
    message: str
    """What is wrong and, where possible, how to fix it."""

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.severity}[{self.code}]: {self.message}"

    def to_json(self) -> dict[str, str | int]:
        return {
            "path": self.path,
            "line": self.line,
            "severity": str(self.severity),
            "code": self.code,
            "message": self.message,
        }


def fails_build(diagnostics: Iterable[Diagnostic], *, strict: bool) -> bool:
    """True when the diagnostics make the build fail: any error, or any warning under --strict."""
    failing = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
    return any(d.severity in failing for d in diagnostics)


class BuildError(Exception):
    """The build cannot go on at all (as opposed to a problem in one input file)."""


class UsageError(BuildError):
    """The command line asks for something impossible, e.g. a source folder that does not exist."""
