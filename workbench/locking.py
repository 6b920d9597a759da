"""Objects that guard their state with a lock and can still be copied or pickled.

A ``threading`` lock cannot be deep-copied or pickled. :class:`Locked` drops the lock
from the pickled state and gives the copy a fresh, unlocked one, so trackers,
campaigns and their histories stay copyable (a notebook may ``copy.deepcopy`` a
campaign to try something) while concurrent callers are serialised.
"""

from __future__ import annotations

import threading
from typing import Any


class Locked:
    """Mixin: ``self._lock`` is created by :meth:`_new_lock` and left out of pickles and copies."""

    _reentrant = True
    """Whether the lock is an ``RLock`` (the holder may take it again) or a plain ``Lock``."""

    def _new_lock(self) -> None:
        self._lock = threading.RLock() if self._reentrant else threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.pop("_lock", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._new_lock()
