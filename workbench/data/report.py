"""What a loader or validator found: :class:`LoadReport` and :class:`ValidationReport`.

A loader never drops a row without saying so. It returns a :class:`LoadReport`
next to the frame: how many data rows the file had, how many were kept, and one
line per rejected (row, column, reason). A validator never raises; it returns a
:class:`ValidationReport` with errors (Amazon Personalize would refuse the data)
and warnings (it would accept it, but something is probably not what you meant).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pandas as pd

REJECTED_COLUMNS = ("row", "column", "reason")


def empty_rejected() -> pd.DataFrame:
    """An empty ``rejected`` frame with the documented columns."""
    return pd.DataFrame(
        {
            "row": pd.Series(dtype="int64"),
            "column": pd.Series(dtype="str"),
            "reason": pd.Series(dtype="str"),
        }
    )


@dataclasses.dataclass(frozen=True)
class Issue:
    """One finding of a validator."""

    level: str
    """``"error"`` (Personalize would refuse it) or ``"warning"`` (accepted, but suspicious)."""

    check: str
    """Short machine-readable name of the rule, e.g. ``"min_interactions"``."""

    message: str
    """What is wrong and how to fix it, in one or two sentences."""

    column: str | None = None
    """The column concerned, when one column is to blame."""

    row: int | None = None
    """First offending data row (1-based, header excluded), when rows are to blame."""

    count: int | None = None
    """How many rows have the problem, when rows are to blame."""


@dataclasses.dataclass(repr=False)
class ValidationReport:
    """Result of ``validate_interactions`` / ``validate_items`` / ``validate_users``."""

    dataset: str
    """``"interactions"``, ``"items"`` or ``"users"``."""

    errors: list[Issue] = dataclasses.field(default_factory=list)
    """Problems that make Amazon Personalize refuse the data (import or training)."""

    warnings: list[Issue] = dataclasses.field(default_factory=list)
    """Accepted by Personalize, but probably not what was intended."""

    stats: dict[str, Any] = dataclasses.field(default_factory=dict)
    """Numbers the checks were based on (e.g. ``n_interactions``, ``users_with_2_plus``)."""

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not self.errors

    def add(self, level: str, check: str, message: str, **where: Any) -> None:
        """Record one issue; ``level`` is ``"error"`` or ``"warning"``."""
        issue = Issue(level, check, message, **where)
        (self.errors if level == "error" else self.warnings).append(issue)

    def to_frame(self) -> pd.DataFrame:
        """One row per issue: level, check, column, row, count, message (errors first)."""
        rows = [dataclasses.asdict(issue) for issue in [*self.errors, *self.warnings]]
        columns = ["level", "check", "column", "row", "count", "message"]
        return pd.DataFrame(rows, columns=columns)

    def __str__(self) -> str:
        head = f"{self.dataset}: {'OK' if self.ok else 'NOT OK'} ({len(self.errors)} errors, {len(self.warnings)} warnings)"
        lines = [head] + [f"  [{i.level}] {i.check}: {i.message}" for i in [*self.errors, *self.warnings]]
        return "\n".join(lines)

    __repr__ = __str__


@dataclasses.dataclass(repr=False)
class LoadReport:
    """What happened while one file was loaded."""

    file: str
    """Path of the file that was read."""

    rows_read: int
    """Data rows in the file (header excluded)."""

    rows_kept: int
    """Rows in the returned frame."""

    rows_rejected: int
    """Distinct rows removed because they were invalid (only with ``errors="reject"``)."""

    rejected: pd.DataFrame = dataclasses.field(default_factory=empty_rejected)
    """One line per problem of a rejected row: ``row`` (1-based data row), ``column``, ``reason``."""

    schema: Any = None
    """The :class:`~workbench.data.schemas.DatasetSchema` the data was checked against."""

    validation: ValidationReport | None = None
    """Dataset-level checks (minimum data, quotas); None for files that are not Personalize datasets."""

    def __str__(self) -> str:
        text = f"{self.file}: read {self.rows_read} rows, kept {self.rows_kept}, rejected {self.rows_rejected}"
        if self.validation is not None and not self.validation.ok:
            text += f" ({len(self.validation.errors)} dataset-level errors; see .validation)"
        return text

    __repr__ = __str__
