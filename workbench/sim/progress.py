"""A progress bar that works in a terminal, in Jupyter and in marimo (or stays silent)."""

from __future__ import annotations

from types import TracebackType
from typing import Any


class Progress:
    """Context manager with ``update(n=1)``.

    In a running marimo notebook it shows ``mo.status.progress_bar``; elsewhere
    ``tqdm.auto`` (a widget in Jupyter, text in a terminal); with ``enabled=False``
    it does nothing.
    """

    def __init__(self, total: int, title: str, enabled: bool = True) -> None:
        self.total = total
        self.title = title
        self.enabled = enabled
        self._bar: Any = None
        self._context: Any = None

    def __enter__(self) -> Progress:
        if not self.enabled:
            return self
        marimo = _marimo_in_notebook()
        if marimo is not None:
            self._context = marimo.status.progress_bar(total=self.total, title=self.title)
            self._bar = self._context.__enter__()
        else:
            from tqdm.auto import tqdm

            self._bar = tqdm(total=self.total, desc=self.title, leave=False)
        return self

    def update(self, n: int = 1) -> None:
        """Advance by ``n`` steps."""
        if self._bar is not None:
            self._bar.update(n)

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        if self._context is not None:
            self._context.__exit__(kind, value, tb)
        elif self._bar is not None:
            self._bar.close()


def _marimo_in_notebook() -> Any:
    import sys

    marimo = sys.modules.get("marimo")  # only if the caller already imported marimo
    try:
        if marimo is not None and marimo.running_in_notebook():
            return marimo
    except Exception:  # pragma: no cover - marimo internals differ between versions
        return None
    return None
