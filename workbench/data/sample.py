"""The bundled sample shop: ``load_sample``.

The simulator writes a small shop (``interactions.csv``, ``items.csv``,
``users.csv`` and, optionally, their ``*_schema.json`` files) into
``data/sample/`` of the repository (``make data``). ``load_sample`` reads that
folder through the same loaders a learner uses for their own files.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import DatasetError
from .loaders import PersonalizeData, load_folder

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "data" / "sample"
"""Folder of the bundled sample shop."""


def load_sample(folder: str | Path | None = None) -> PersonalizeData:
    """Load the bundled sample shop (or a folder with the same layout).

    Args:
        folder: Folder to read instead of ``data/sample`` (e.g. one written by
            :func:`~workbench.data.to_personalize`).

    Returns:
        Interactions, items and users with their load reports.

    Raises:
        DatasetError: If the folder has no ``interactions.csv`` (run ``make data`` to create it).
    """
    folder = Path(folder) if folder is not None else SAMPLE_DIR
    if not (folder / "interactions.csv").exists() and not (folder / "interactions.parquet").exists():
        raise DatasetError("the sample shop has not been generated yet.", file=str(folder / "interactions.csv"),
                           fix="Run `make data` in the repository (it writes data/sample/*.csv).")
    return load_folder(folder)
