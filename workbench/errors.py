"""One exception family for bad input, with messages that say where and how to fix."""

from __future__ import annotations


class WorkbenchError(Exception):
    """Base class for every error the workbench raises on purpose."""


class DatasetError(WorkbenchError, ValueError):
    """A data file or DataFrame does not follow the Personalize format.

    The message always names the file (or says the data was in memory), the row (1-based data
    row, header excluded, when one row is to blame) and the column, and ends with a
    hint on how to fix the input.
    """

    def __init__(
        self,
        problem: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.problem = problem
        self.file = file
        self.row = row
        self.column = column
        self.fix = fix
        where = [_where_from(file)]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column}")
        message = f"{', '.join(where)}: {problem}"
        if fix:
            message += f" How to fix: {fix}"
        super().__init__(message)


def _where_from(file: str | None) -> str:
    """``file NAME``, or ``in-memory KIND (no file)`` for a placeholder such as ``<DataFrame>``.

    Angle brackets are avoided on purpose: notebooks render messages as HTML, where
    ``<DataFrame>`` is an unknown tag and vanishes ("file , column TIMESTAMP").
    """
    name = str(file) if file else "<DataFrame>"
    if name.startswith("<") and name.endswith(">"):
        return f"in-memory {name[1:-1]} (no file)"
    return f"file {name}"


class SchemaError(DatasetError):
    """An Avro schema file is invalid or does not match its data."""


class ModelNotFittedError(WorkbenchError, RuntimeError):
    """A recommender was asked for recommendations before ``fit``."""


class FilterExpressionError(WorkbenchError, ValueError):
    """A Personalize-style filter expression could not be parsed or is unsupported."""
