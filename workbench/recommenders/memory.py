"""Memory checks for models whose size grows with the catalogue.

Some models hold a matrix whose size is fixed by the number of items (EASE's dense
``n_items x n_items`` weights) or by the number of items times the number of
neighbours kept (the top-N neighbourhood models). Rather than let NumPy die half way
with a bare ``MemoryError``, such a model estimates the bytes it needs *before*
allocating and refuses with :class:`ModelTooLargeError`, whose message names the
model, the size that drives the estimate, the estimated bytes and the limit.

The limit is ``max_bytes`` when a model's config sets it, otherwise half of the
memory the operating system reports as available right now (:func:`memory_limit`).
"""

from __future__ import annotations

import os

from ..errors import WorkbenchError

__all__ = ["ModelTooLargeError", "available_memory_bytes", "check_memory", "format_bytes", "memory_limit"]


class ModelTooLargeError(WorkbenchError, ValueError, MemoryError):
    """A model would need more memory than allowed; raised before anything large is allocated.

    It is a ``MemoryError`` (so code that guards against running out of memory catches it) and a
    ``ValueError`` (the configuration does not fit the data). ``needed_bytes`` and ``limit_bytes``
    hold the two numbers of the message.
    """

    def __init__(self, message: str, *, needed_bytes: int, limit_bytes: int) -> None:
        super().__init__(message)
        self.needed_bytes = int(needed_bytes)
        self.limit_bytes = int(limit_bytes)


def format_bytes(n: float) -> str:
    """``1536`` -> ``'1.5 KiB'``; binary units up to TiB."""
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(value) < 1024:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TiB"


def available_memory_bytes() -> int | None:
    """Memory the operating system reports as available (Linux ``MemAvailable``), or ``None`` if unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return None


def memory_limit(max_bytes: int | None) -> tuple[int, str]:
    """The byte limit to check against and where it comes from (for the error message)."""
    if max_bytes is not None:
        if max_bytes <= 0:
            raise ValueError(f"max_bytes must be positive, got {max_bytes}")
        return int(max_bytes), "max_bytes"
    available = available_memory_bytes()
    if available is None:  # pragma: no cover - platforms without /proc/meminfo nor sysconf
        return 8 * 1024**3, "an assumed 8 GiB (available memory unknown)"
    return available // 2, f"half the memory available now ({format_bytes(available)})"


def check_memory(model: str, what: str, needed_bytes: int, max_bytes: int | None, fix: str) -> None:
    """Raise :class:`ModelTooLargeError` when ``needed_bytes`` is above the limit.

    Args:
        model: model name for the message (``"EASE"``).
        what: the size that drives the estimate (``"a dense 92,000 x 92,000 float64 matrix"``).
        needed_bytes: the estimate.
        max_bytes: the config's explicit limit, or ``None`` for half the available memory.
        fix: what the user can change.
    """
    limit, source = memory_limit(max_bytes)
    if needed_bytes > limit:
        raise ModelTooLargeError(
            f"{model} needs {what}: about {int(needed_bytes):,} bytes ({format_bytes(needed_bytes)}), above the "
            f"limit of {limit:,} bytes ({format_bytes(limit)}, {source}). How to fix: {fix}",
            needed_bytes=needed_bytes, limit_bytes=limit,
        )
