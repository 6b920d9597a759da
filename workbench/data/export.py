"""Write frames as import-ready Personalize files: ``to_personalize``.

For each dataset the folder gets ``<kind>.csv`` (UTF-8, header row, columns in
schema order, multi-values joined with ``|``, booleans as ``true``/``false``,
missing values as empty fields) and ``<kind>_schema.json`` (the Avro schema to
pass to CreateSchema). Loading the folder again with
:func:`~workbench.data.load_folder` gives back equal frames.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DatasetError
from .loaders import PersonalizeData, coerce_types, schema_file_name
from .schemas import KINDS, check_columns, load_schema, require_valid_schema, schema_from_frame
from .validate import raise_first, row_problems


def _join_multi(series: pd.Series, separator: str = "|") -> pd.Series:
    if series.dtype != object:
        return series
    is_list = series.map(lambda v: isinstance(v, list | tuple | set))
    if not is_list.any():
        return series
    return series.map(lambda v: separator.join(str(x) for x in v) if isinstance(v, list | tuple | set) else v)


def to_personalize(frames: PersonalizeData | Mapping[str, pd.DataFrame | None], out_dir: str | Path, *,
                   schemas: Mapping[str, object] | None = None, domain: str | None = None) -> dict[str, dict[str, Path]]:
    """Write import-ready CSV files plus their Avro schemas.

    Args:
        frames: A :class:`PersonalizeData` or a mapping ``{"interactions": df, "items": df, "users": df}``
            (None values are skipped).
        out_dir: Folder to write to (created if needed).
        schemas: Optional schema per kind (path, JSON, dict or DatasetSchema); a schema is
            derived from the frame (lists in a column count as ``|`` multi-values) when absent.
        domain: None, ``"ECOMMERCE"`` or ``"VIDEO_ON_DEMAND"``; the schema rules of that domain apply.

    Returns:
        ``{kind: {"data": csv_path, "schema": schema_path}}`` for each written dataset.

    Raises:
        DatasetError: If a frame breaks a row rule (first bad row named) or lacks a schema field.
        SchemaError: If a given or derived schema breaks a Personalize rule.
    """
    if isinstance(frames, PersonalizeData):
        frames = frames.frames()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    schemas = dict(schemas or {})
    written: dict[str, dict[str, Path]] = {}
    for kind, frame in frames.items():
        if kind not in KINDS:
            raise ValueError(f"unknown dataset kind {kind!r}; use one of {KINDS}")
        if frame is None:
            continue
        label = f"<{kind} DataFrame>"
        frame = frame.copy()
        for name in frame.columns:
            frame[name] = _join_multi(frame[name])
        if kind in schemas and schemas[kind] is not None:
            schema = load_schema(schemas[kind])
            if any(n not in frame.columns for n in schema.names):
                check_columns(list(frame.columns), schema, label)  # raises, naming the first missing field
            frame = frame[schema.names]
        else:
            schema = schema_from_frame(frame, kind)
        require_valid_schema(schema, kind, domain, data_file=label)
        problems = row_problems(frame, kind, schema, domain)
        raise_first(problems, frame.reset_index(drop=True), _rows(frame), label)
        frame = coerce_types(frame.reset_index(drop=True), schema)
        for field in schema.fields:
            if field.type == "boolean":
                frame[field.name] = frame[field.name].map({True: "true", False: "false"})
        if frame.empty:
            raise DatasetError("the frame has no rows; Personalize imports need data rows.", file=label,
                               fix="Pass a non-empty frame or leave this dataset out.")
        data_path = out / f"{kind}.csv"
        schema_path = out / schema_file_name(kind)
        frame.to_csv(data_path, index=False, encoding="utf-8", lineterminator="\n")
        schema_path.write_text(schema.to_json() + "\n", encoding="utf-8")
        written[kind] = {"data": data_path, "schema": schema_path}
    return written


def _rows(frame: pd.DataFrame) -> np.ndarray:
    return np.arange(1, len(frame) + 1, dtype=np.int64)
