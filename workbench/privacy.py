"""Privacy tools for interaction data: pseudonymisation, data minimisation, opt-out.

Three habits, each a small function that returns a new frame plus a report of
what changed (nothing is dropped silently):

* :func:`pseudonymize` replaces identifiers with keyed tokens (HMAC-SHA256).
  The same id and key always give the same token, so a model trained on the
  tokens still works; whoever holds the key can re-link tokens to people
  (:func:`pseudonym_table`). That is *pseudonymisation*, not anonymisation.
* :func:`minimize` keeps only the columns a stated purpose needs, and can make
  the kept ones coarser (:func:`coarsen_timestamps`, :func:`age_bands`).
* :func:`apply_opt_out` removes every trace of users who withdrew, from the
  interactions and from the users and (optionally) recommendation frames.

:func:`reidentification_risk` shows why pseudonymised data can still identify
people: rows that are unique on a few ordinary attributes (age, gender, city)
single a person out even without a name.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from .constants import SECONDS_PER_DAY, SECONDS_PER_HOUR, TIMESTAMP, USER_ID
from .errors import DatasetError

__all__ = [
    "MinimizationReport",
    "OptOutReport",
    "age_bands",
    "apply_opt_out",
    "coarsen_timestamps",
    "minimize",
    "pseudonym_table",
    "pseudonymize",
    "reidentification_risk",
]

_MIN_KEY_BYTES = 16


def _key_bytes(key: str | bytes) -> bytes:
    raw = key.encode("utf-8") if isinstance(key, str) else bytes(key)
    if len(raw) < _MIN_KEY_BYTES:
        raise ValueError(
            f"the pseudonymisation key has {len(raw)} bytes; use at least {_MIN_KEY_BYTES} "
            "(e.g. secrets.token_hex(16)) and store it apart from the data."
        )
    return raw


def _token(value: str, key: bytes, prefix: str, length: int) -> str:
    digest = hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()
    return f"{prefix}{digest[:length]}"


def pseudonym_table(ids: Iterable[object], key: str | bytes, *, prefix: str = "p_", length: int = 16) -> pd.DataFrame:
    """The re-linking table ``original -> token`` for some ids (what the key holder can rebuild).

    Args:
        ids: raw identifiers (converted to ``str``; duplicates collapse).
        key: secret key, at least 16 bytes.
        prefix: text put in front of every token (helps spot tokens in logs).
        length: hex characters kept from the 64-character HMAC digest (8..64).

    Raises:
        ValueError: short key, bad length, or two ids mapping to one token
            (only possible with a very short ``length``; raise it).
    """
    if not 8 <= length <= 64:
        raise ValueError(f"length must be between 8 and 64 hex characters, got {length}")
    secret = _key_bytes(key)
    originals = pd.unique(pd.Series(list(ids), dtype=object).astype(str))
    tokens = [_token(v, secret, prefix, length) for v in originals]
    table = pd.DataFrame({"original": originals, "token": tokens})
    if table["token"].duplicated().any():
        raise ValueError(f"two ids share a token at length={length}; use a longer token length.")
    return table


def pseudonymize(
    frame: pd.DataFrame,
    key: str | bytes,
    columns: Sequence[str] = (USER_ID,),
    *,
    prefix: str = "p_",
    length: int = 16,
) -> pd.DataFrame:
    """Replace identifier columns with keyed tokens; every other column is kept as is.

    The mapping is deterministic (same id + same key -> same token), so joins
    between the interactions, users and recommendation frames still work when all
    of them are pseudonymised with the same key. Missing values stay missing.

    Args:
        frame: any frame holding the columns.
        key: secret key (>= 16 bytes). Keep it out of the dataset: with the key, the
            tokens can be linked back to the original ids.
        columns: columns to replace (default USER_ID).
        prefix, length: token format, see :func:`pseudonym_table`.

    Raises:
        DatasetError: a column is missing.
    """
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DatasetError(
            "column to pseudonymise is missing.", column=missing[0], fix=f"pass columns among {list(frame.columns)}."
        )
    out = frame.copy()
    for column in columns:
        values = out[column]
        present = values.notna()
        table = pseudonym_table(values[present], key, prefix=prefix, length=length)
        mapping = dict(zip(table["original"], table["token"]))
        out[column] = values.astype(object).where(~present, values[present].astype(str).map(mapping))
    return out


@dataclasses.dataclass
class MinimizationReport:
    """What :func:`minimize` removed and why."""

    kept: list[str]
    """Columns kept, in their original order."""

    dropped: list[str]
    """Columns removed because the purpose does not need them."""

    purpose: str
    """The purpose the kept columns serve (shown in notebooks)."""

    def to_frame(self) -> pd.DataFrame:
        """One row per column: name and decision."""
        rows = [(c, "kept") for c in self.kept] + [(c, "dropped") for c in self.dropped]
        return pd.DataFrame(rows, columns=["column", "decision"])


def minimize(frame: pd.DataFrame, keep: Sequence[str], *, purpose: str = "") -> tuple[pd.DataFrame, MinimizationReport]:
    """Keep only the columns a purpose needs.

    Args:
        frame: the data.
        keep: columns the purpose needs (every one must exist).
        purpose: a short statement of the purpose, stored in the report.

    Returns:
        ``(minimised frame, report)``; the report lists every dropped column.

    Raises:
        DatasetError: a column in ``keep`` does not exist (a typo would otherwise
            silently drop the column you meant to keep).
    """
    unknown = [c for c in keep if c not in frame.columns]
    if unknown:
        raise DatasetError(
            "a column to keep does not exist.", column=unknown[0], fix=f"choose among {list(frame.columns)}."
        )
    kept = [c for c in frame.columns if c in set(keep)]
    dropped = [c for c in frame.columns if c not in set(keep)]
    return frame[kept].copy(), MinimizationReport(kept=kept, dropped=dropped, purpose=purpose)


def coarsen_timestamps(frame: pd.DataFrame, resolution: str = "hour", column: str = TIMESTAMP) -> pd.DataFrame:
    """Round epoch-second timestamps down to the hour or day (order within the bucket is lost).

    Args:
        frame: frame with an integer epoch-seconds column.
        resolution: ``"hour"`` or ``"day"``.
        column: the timestamp column.
    """
    step = {"hour": SECONDS_PER_HOUR, "day": SECONDS_PER_DAY}.get(resolution)
    if step is None:
        raise ValueError(f"resolution must be 'hour' or 'day', got {resolution!r}")
    if column not in frame.columns:
        raise DatasetError("timestamp column is missing.", column=column, fix="pass the epoch-seconds column name.")
    out = frame.copy()
    values = pd.to_numeric(out[column], errors="raise").astype(np.int64)
    out[column] = (values // step) * step
    return out


def age_bands(ages: pd.Series, edges: Sequence[int] = (0, 18, 25, 35, 45, 55, 65, 200)) -> pd.Series:
    """Replace exact ages with bands such as ``"25-34"`` (missing ages stay missing).

    Raises:
        ValueError: an age falls outside the edges (widen them rather than lose the row).
    """
    values = pd.to_numeric(ages, errors="coerce")
    outside = values.notna() & ((values < edges[0]) | (values >= edges[-1]))
    if outside.any():
        raise ValueError(f"ages {sorted(values[outside].unique())[:5]} fall outside the band edges {list(edges)}")
    labels = [f"{lo}-{hi - 1}" if hi < edges[-1] else f"{lo}+" for lo, hi in zip(edges[:-1], edges[1:])]
    return pd.cut(values, bins=list(edges), right=False, labels=labels).astype(object).where(values.notna())


@dataclasses.dataclass
class OptOutReport:
    """Rows removed by :func:`apply_opt_out`, per frame."""

    users: int
    """Number of opted-out users requested."""

    removed: dict[str, int]
    """Frame name -> rows removed."""

    unknown_users: list[str]
    """Requested ids that appear in none of the frames (maybe a typo, maybe already removed)."""

    def to_frame(self) -> pd.DataFrame:
        """Rows removed per frame."""
        return pd.DataFrame({"frame": list(self.removed), "rows removed": list(self.removed.values())})


def apply_opt_out(
    interactions: pd.DataFrame,
    opted_out: Iterable[object],
    *,
    users: pd.DataFrame | None = None,
    recommendations: pd.DataFrame | None = None,
) -> tuple[dict[str, pd.DataFrame], OptOutReport]:
    """Remove every row that belongs to users who opted out.

    Args:
        interactions: interactions frame with USER_ID.
        opted_out: ids of the users who withdrew consent.
        users: optional users frame (rows for those users are removed).
        recommendations: optional stored recommendation lists (rows removed too).

    Returns:
        ``({"interactions": ..., "users": ..., "recommendations": ...}, report)``; frames
        not given are absent from the dict.
    """
    gone = set(pd.Series(list(opted_out), dtype=object).astype(str))
    frames = {"interactions": interactions, "users": users, "recommendations": recommendations}
    out: dict[str, pd.DataFrame] = {}
    removed: dict[str, int] = {}
    seen: set[str] = set()
    for name, frame in frames.items():
        if frame is None:
            continue
        if USER_ID not in frame.columns:
            raise DatasetError(f"the {name} frame has no user column.", column=USER_ID, fix="rename it to USER_ID.")
        ids = frame[USER_ID].astype(str)
        mask = ids.isin(gone)
        seen |= set(ids[mask])
        out[name] = frame.loc[~mask].reset_index(drop=True)
        removed[name] = int(mask.sum())
    report = OptOutReport(users=len(gone), removed=removed, unknown_users=sorted(gone - seen))
    return out, report


def reidentification_risk(frame: pd.DataFrame, quasi_identifiers: Sequence[str]) -> pd.DataFrame:
    """How many rows are singled out by a combination of ordinary attributes.

    For each prefix of ``quasi_identifiers`` (first column, first two, ...) the
    table gives the number of distinct combinations, the size of the smallest
    group (the dataset's *k* in k-anonymity) and the share of rows that are
    unique on those columns (risk 1.0 = everyone can be singled out).

    Edge cases: an empty frame gives NaN shares and k = 0; missing values count as
    one value of their own.
    """
    unknown = [c for c in quasi_identifiers if c not in frame.columns]
    if unknown:
        raise DatasetError("quasi-identifier column is missing.", column=unknown[0], fix="check the column names.")
    rows = []
    for i in range(1, len(quasi_identifiers) + 1):
        cols = list(quasi_identifiers[:i])
        sizes = frame[cols].astype(str).value_counts()
        unique_rows = int((sizes == 1).sum())
        rows.append(
            {
                "columns": " + ".join(cols),
                "combinations": int(len(sizes)),
                "smallest group (k)": int(sizes.min()) if len(sizes) else 0,
                "unique rows share": unique_rows / len(frame) if len(frame) else float("nan"),
            }
        )
    return pd.DataFrame(rows)

