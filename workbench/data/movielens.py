"""MovieLens ratings in the Personalize format: ``load_movielens``.

GroupLens publishes two classic archives the workbench reads:

* **ml-100k**: ``u.data`` (tab-separated user, item, rating, timestamp),
  ``u.item`` (``|``-separated, latin-1: id, title, release date, video release
  date, IMDb URL, then 19 genre flags), ``u.user`` (``|``-separated: id, age,
  gender, occupation, zip code).
* **ml-1m**: ``ratings.dat``, ``movies.dat``, ``users.dat`` with ``::`` between
  fields (latin-1); genres are already ``|``-joined; age and occupation are codes.

Ratings become interactions with EVENT_TYPE ``"rating"`` and the rating (1-5) as
EVENT_VALUE; timestamps are already Unix epoch seconds. Items get a categorical
GENRES field and the title as the textual field (plus, for ml-100k, the release
date as CREATION_TIMESTAMP); users keep their demographics as metadata.

Nothing is downloaded unless ``download=True`` is passed.
"""

from __future__ import annotations

import dataclasses
import io
import os
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from ..constants import CREATION_TIMESTAMP, EVENT_RATING, EVENT_TYPE, EVENT_VALUE, ITEM_ID, TIMESTAMP, USER_ID
from ..errors import DatasetError
from .loaders import PersonalizeData, finish_frame
from .schemas import schema_from_frame

GROUPLENS_URL = "https://files.grouplens.org/datasets/movielens/{variant}.zip"
"""Where ``download=True`` fetches an archive from."""

VARIANTS = {"ml-100k": "ml-100k", "100k": "ml-100k", "ml-1m": "ml-1m", "1m": "ml-1m"}
"""Accepted variant names and the archive each one means."""

ML100K_GENRES = ("unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary",
                 "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller",
                 "War", "Western")
"""Genre flag columns of ``u.item`` in file order (used when ``u.genre`` is absent)."""


def cache_dir() -> Path:
    """Folder where downloaded archives are extracted (``$WORKBENCH_DATA_DIR`` or ``~/.cache/recsys-workbench``)."""
    return Path(os.environ.get("WORKBENCH_DATA_DIR", Path.home() / ".cache" / "recsys-workbench"))


def _layout_of(folder: Path) -> _Layout | None:
    """The layout whose ratings file ``folder`` holds (ml-100k first)."""
    return next((layout for layout in _LAYOUTS if (folder / layout.ratings).exists()), None)


def _data_folder(folder: Path) -> Path | None:
    for candidate in [folder, *sorted(p for p in folder.iterdir() if p.is_dir())]:
        if _layout_of(candidate) is not None:
            return candidate
    return None


def download_movielens(variant: str, target: Path | None = None) -> Path:
    """Download and extract a GroupLens archive (needs network access).

    Args:
        variant: ``"ml-100k"`` or ``"ml-1m"``.
        target: Folder to extract into (default :func:`cache_dir`).

    Returns:
        The folder holding the extracted files.

    Raises:
        DatasetError: When the download fails (offline, proxy, server error).
    """
    name = VARIANTS[variant]
    target = Path(target) if target is not None else cache_dir()
    target.mkdir(parents=True, exist_ok=True)
    url = GROUPLENS_URL.format(variant=name)
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            payload = response.read()
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise DatasetError(f"could not download {url} ({exc}).", file=url,
                           fix="Check the network, or download and extract the zip yourself and pass its folder.") from exc
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(io.BytesIO(payload)) as archive:
        archive.extractall(tmp)
        extracted = _data_folder(Path(tmp))
        if extracted is None:
            raise DatasetError("the archive holds no u.data or ratings.dat.", file=url,
                               fix="Check the variant name.")
        final = target / name
        final.mkdir(parents=True, exist_ok=True)
        for path in extracted.iterdir():
            if path.is_file():
                (final / path.name).write_bytes(path.read_bytes())
    return final


def _read_delimited(path: Path, names: list[str], delimiter: str, string_columns: list[str]) -> pd.DataFrame:
    """Read a header-less latin-1 file whose fields are separated by ``delimiter`` (which may be ``::``)."""
    text = path.read_bytes().decode("latin-1")
    if delimiter == "::":
        text = text.replace("::", "\t")
        delimiter = "\t"
    try:
        table = pacsv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            read_options=pacsv.ReadOptions(column_names=names),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, quote_char=False),
            convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in string_columns},
                                                 null_values=[""], strings_can_be_null=True, timestamp_parsers=[]),
        )
    except pa.ArrowInvalid as exc:
        raise DatasetError(f"could not be parsed as {len(names)} fields separated by {delimiter!r} ({exc}).",
                           file=str(path), fix="Check the file is from an unmodified MovieLens archive.") from exc
    return table.to_pandas()


def _ratings_to_interactions(frame: pd.DataFrame, file: Path) -> pd.DataFrame:
    ratings = pd.to_numeric(frame["RATING"], errors="coerce").astype("float64")
    bad = ratings.isna().to_numpy()
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        value = frame["RATING"].iloc[first]
        raise DatasetError(f"the rating (third field) is {'missing' if pd.isna(value) else repr(value)}, not a number.",
                           file=str(file), row=first + 1, column="RATING",
                           fix="MovieLens ratings are whole numbers 1-5; restore the line from the original archive.")
    return pd.DataFrame({
        USER_ID: frame[USER_ID],
        ITEM_ID: frame[ITEM_ID],
        TIMESTAMP: frame[TIMESTAMP],
        EVENT_TYPE: pd.Series(EVENT_RATING, index=frame.index, dtype="str"),
        EVENT_VALUE: ratings,
    })


def _items_100k(item_path: Path) -> pd.DataFrame:
    """``u.item``: the 19 genre flags joined into GENRES, the release date as CREATION_TIMESTAMP."""
    genre_path = item_path.parent / "u.genre"
    genres = ML100K_GENRES
    if genre_path.exists():
        listed = [line.split("|")[0] for line in genre_path.read_text(encoding="latin-1").splitlines() if line]
        genres = tuple(listed) if listed else genres
    names = [ITEM_ID, "TITLE", "RELEASE_DATE", "VIDEO_RELEASE_DATE", "IMDB_URL", *[f"G{i}" for i in range(len(genres))]]
    raw = _read_delimited(item_path, names, "|", [ITEM_ID, "TITLE", "RELEASE_DATE", "VIDEO_RELEASE_DATE", "IMDB_URL"])
    flags = raw[[f"G{i}" for i in range(len(genres))]].fillna(0).to_numpy(dtype=np.int64) == 1
    joined = ["|".join(g for g, on in zip(genres, row) if on) for row in flags]
    released = pd.to_datetime(raw["RELEASE_DATE"], format="%d-%b-%Y", errors="coerce")
    seconds = (released - pd.Timestamp("1970-01-01")) // pd.Timedelta("1s")
    return pd.DataFrame({
        ITEM_ID: raw[ITEM_ID],
        "GENRES": pd.Series(joined, index=raw.index, dtype="str").replace("", np.nan),
        CREATION_TIMESTAMP: seconds.astype("Int64"),
        "TITLE": raw["TITLE"],
    })


def _items_1m(item_path: Path) -> pd.DataFrame:
    """``movies.dat``: genres are already ``|``-joined."""
    raw = _read_delimited(item_path, [ITEM_ID, "TITLE", "GENRES"], "::", [ITEM_ID, "TITLE", "GENRES"])
    return raw[[ITEM_ID, "GENRES", "TITLE"]]


@dataclasses.dataclass(frozen=True)
class _Layout:
    """File names, separators and column order of one MovieLens archive."""

    ratings: str
    ratings_delimiter: str
    items: str
    read_items: Callable[[Path], pd.DataFrame]
    users: str
    users_delimiter: str
    user_columns: tuple[str, ...]


_LAYOUTS = (
    _Layout("u.data", "\t", "u.item", _items_100k, "u.user", "|", (USER_ID, "AGE", "GENDER", "OCCUPATION", "ZIP_CODE")),
    _Layout("ratings.dat", "::", "movies.dat", _items_1m, "users.dat", "::",
            (USER_ID, "GENDER", "AGE", "OCCUPATION", "ZIP_CODE")),
)
"""ml-100k, then ml-1m."""


def _load_archive(folder: Path, layout: _Layout) -> PersonalizeData:
    data_path = folder / layout.ratings
    ratings = _read_delimited(data_path, [USER_ID, ITEM_ID, "RATING", TIMESTAMP], layout.ratings_delimiter,
                              [USER_ID, ITEM_ID])
    interactions, report = finish_frame(_ratings_to_interactions(ratings, data_path), "interactions",
                                        file=str(data_path))
    reports = {"interactions": report}
    items = users = None
    item_path = folder / layout.items
    if item_path.exists():
        frame = layout.read_items(item_path)
        items, reports["items"] = finish_frame(frame, "items", file=str(item_path),
                                               schema=schema_from_frame(frame, "items", textual="TITLE"))
    user_path = folder / layout.users
    if user_path.exists():
        raw = _read_delimited(user_path, list(layout.user_columns), layout.users_delimiter,
                              [USER_ID, "GENDER", "OCCUPATION", "ZIP_CODE"])
        users, reports["users"] = finish_frame(raw, "users", file=str(user_path))
    return PersonalizeData(interactions, items, users, reports)


def load_movielens(path_or_variant: str | Path, *, download: bool = False) -> PersonalizeData:
    """Load MovieLens ml-100k or ml-1m as Personalize-format frames.

    Args:
        path_or_variant: The folder of an extracted archive (the folder holding
            ``u.data`` or ``ratings.dat``, or its parent), or a variant name
            (``"ml-100k"``, ``"ml-1m"``) looked up in :func:`cache_dir`.
        download: Fetch the archive from GroupLens when the variant is not cached.
            Off by default: nothing touches the network unless asked.

    Returns:
        Interactions (EVENT_TYPE ``"rating"``, EVENT_VALUE = rating), items and users
        (when their files are present) with one load report per file.

    Raises:
        DatasetError: When the folder or variant is unknown, not downloaded, or a file is malformed.
    """
    candidate = Path(path_or_variant)
    if candidate.exists():
        if not candidate.is_dir():
            raise DatasetError("expected the folder of an extracted MovieLens archive, not a file.",
                               file=str(candidate), fix="Unzip the archive and pass the folder holding u.data "
                               "or ratings.dat.")
        folder = _data_folder(candidate)
        if folder is None:
            raise DatasetError("no u.data (ml-100k) or ratings.dat (ml-1m) in this folder.", file=str(candidate),
                               fix="Pass the folder of an extracted ml-100k or ml-1m archive.")
    elif str(path_or_variant) in VARIANTS:
        name = VARIANTS[str(path_or_variant)]
        cached = cache_dir() / name
        folder = _data_folder(cached) if cached.exists() else None
        if folder is None:
            if not download:
                raise DatasetError(f"{name} is not downloaded yet.", file=str(cached),
                                   fix=f"Call load_movielens({name!r}, download=True) once you are online, or "
                                   "pass the folder of an extracted archive.")
            folder = download_movielens(name)
    else:
        raise DatasetError("neither an existing folder nor a known MovieLens variant.", file=str(path_or_variant),
                           fix=f"Pass a folder or one of {sorted(set(VARIANTS.values()))}.")
    return _load_archive(folder, _layout_of(folder))
