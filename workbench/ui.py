"""Notebook controls that work in marimo *and* in the exported Jupyter copies.

The chapters are marimo notebooks; ``notebooks/jupyter/*.ipynb`` are generated
from them. marimo's ``mo.ui`` elements only react inside a marimo kernel: in
JupyterLab they render as static HTML (their ``_repr_html_``) and their
``.value`` never changes. ipywidgets are the reverse: live in JupyterLab,
unknown to marimo's reactive runtime.

So a chapter never builds a control directly. It calls the helpers below, which
return

* a ``mo.ui`` element when the code runs under marimo (``marimo edit``,
  ``marimo run`` or ``python notebook.py``), so dragging a slider re-runs the
  dependent cells, and
* an ipywidgets widget when the code runs in an IPython/Jupyter kernel
  (JupyterLab, nbmake), so the control is live there too.

Both kinds expose ``.value``, which is all a compute cell reads. Jupyter has no
reactivity: after moving a control, re-run the cells below it (Run > Run
Selected Cell and All Below). :func:`controls` lays a group of controls out
and, in Jupyter, adds that hint.

Re-running a cell in JupyterLab returns the *same* widget for the same control
(same cell code, line, label and bounds), so a control shown elsewhere never
loses its model and keeps the value the learner set.

The Jupyter copies import :data:`jupyter_marimo` as ``mo`` (the exporter writes
that line): marimo's API, except that ``mo.md``, ``mo.vstack``/``mo.hstack`` and
``mo.stop`` produce output JupyterLab can render (markdown, tables, figures and
widgets instead of marimo's web components).

Example (inside a marimo cell)::

    k = ui.slider(1, 25, value=10, label="k")
    run = ui.run_button("Run simulation")
    ui.controls(k, run)
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "JUPYTER_HINT",
    "button_value",
    "checkbox",
    "controls",
    "dropdown",
    "in_jupyter",
    "jupyter_marimo",
    "multiselect",
    "number",
    "run_button",
    "slider",
    "text",
]

JUPYTER_HINT = "Jupyter: after changing a control, run the cells below again (Run > Run Selected Cell and All Below)."
"""Shown under every control panel when the notebook runs in Jupyter."""


def in_jupyter() -> bool:
    """True when the code runs in an IPython kernel (JupyterLab, nbmake) rather than under marimo.

    marimo executes cells in its own runtime, where ``IPython.get_ipython()``
    returns ``None``; a Jupyter kernel has a ``ZMQInteractiveShell``.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # IPython is not installed: certainly not Jupyter
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def _widgets():
    import ipywidgets

    return ipywidgets


def _mo():
    import marimo

    return marimo


_STYLE = {"description_width": "initial"}

_WIDGETS: dict[tuple, Any] = {}
"""Jupyter widgets made so far, by :func:`_widget_key`. Holding them also keeps ipywidgets from
closing a widget (its ``__del__``) whose view is still on the page ("model not found")."""

_THIS_FILE = Path(__file__).resolve()


def _caller() -> tuple[str, int]:
    """``(file, line)`` of the first frame outside this module: the notebook cell (or library code) that asked.

    ipykernel names a cell's code after a hash of its source, so the same cell run again
    gives the same file and line; an edited cell gives a new one.
    """
    frame = sys._getframe(1)
    while frame is not None and Path(frame.f_code.co_filename).resolve() == _THIS_FILE:
        frame = frame.f_back
    if frame is None:  # pragma: no cover - always called from somewhere
        return ("?", 0)
    return (frame.f_code.co_filename, frame.f_lineno)


def _widget_key(kind: str, *parts: Any) -> tuple:
    return (kind, *_caller(), *(repr(p) for p in parts))


def _cached(key: tuple, make: Callable[[], Any]) -> Any:
    """The widget stored under ``key``, made (and stored) on first use."""
    widget = _WIDGETS.get(key)
    if widget is None or getattr(widget, "comm", True) is None:  # never hand out a closed widget
        widget = _WIDGETS[key] = make()
    return widget


def _numeric(kind: str, start: float, stop: float, value: float | None, step: float | None, label: str):
    """``(integer, step, value)`` of a numeric control: defaults filled in, ``value`` checked against the bounds."""
    integer = all(isinstance(v, int) for v in (start, stop)) and (step is None or isinstance(step, int))
    if step is None:
        step = 1 if integer else (stop - start) / 100
    value = start if value is None else value
    if not start <= value <= stop:
        raise ValueError(f"{kind} {label!r}: value {value} is outside [{start}, {stop}].")
    return integer, step, value


def slider(
    start: float,
    stop: float,
    *,
    value: float | None = None,
    step: float | None = None,
    label: str = "",
) -> Any:
    """A numeric slider; integers stay integers when ``start``, ``stop`` and ``step`` are ints.

    Args:
        start: smallest value.
        stop: largest value (inclusive).
        value: initial value (default ``start``).
        step: increment (default 1 for integer bounds, ``(stop - start) / 100`` otherwise).
        label: text shown next to the control.
    """
    if stop < start:
        raise ValueError(f"slider {label!r}: stop ({stop}) is below start ({start}); swap them.")
    integer, step, value = _numeric("slider", start, stop, value, step, label)
    if in_jupyter():
        w = _widgets()
        cls = w.IntSlider if integer else w.FloatSlider
        return _cached(
            _widget_key("slider", start, stop, step, value, label),
            lambda: cls(value=value, min=start, max=stop, step=step, description=label, style=_STYLE),
        )
    return _mo().ui.slider(start, stop, step=step, value=value, label=label, show_value=True)


def slider_over(values: Sequence[float], *, value: float | None = None, label: str = "") -> Any:
    """A slider that stops only at ``values`` (e.g. ``1, 2, 3, 5, 7, 14, 30`` days); ``.value`` is one of them.

    Use it when only some values are worth playing, e.g. so that every position of the
    slider can be computed ahead and re-render from a cache.

    Args:
        values: the stops, in increasing order.
        value: the initial stop (default: the first).
        label: text shown next to the control.
    """
    stops = list(values)
    if not stops:
        raise ValueError(f"slider {label!r} has no values.")
    if any(b <= a for a, b in zip(stops, stops[1:])):
        raise ValueError(f"slider {label!r}: values must increase, got {stops}.")
    value = stops[0] if value is None else value
    if value not in stops:
        raise ValueError(f"slider {label!r}: value {value} is not one of {stops}.")
    if in_jupyter():
        w = _widgets()
        return _cached(
            _widget_key("slider_over", stops, value, label),
            lambda: w.SelectionSlider(options=stops, value=value, description=label, style=_STYLE),
        )
    return _mo().ui.slider(steps=stops, value=value, label=label, show_value=True)


def number(
    start: float,
    stop: float,
    *,
    value: float | None = None,
    step: float | None = None,
    label: str = "",
) -> Any:
    """A bounded number box (same arguments as :func:`slider`)."""
    integer, step, value = _numeric("number", start, stop, value, step, label)
    if in_jupyter():
        w = _widgets()
        cls = w.BoundedIntText if integer else w.BoundedFloatText
        return _cached(
            _widget_key("number", start, stop, step, value, label),
            lambda: cls(value=value, min=start, max=stop, step=step, description=label, style=_STYLE),
        )
    return _mo().ui.number(start=start, stop=stop, step=step, value=value, label=label)


def dropdown(options: Sequence[str] | Mapping[str, Any], *, value: str | None = None, label: str = "") -> Any:
    """Pick one option. With a mapping, the keys are shown and ``.value`` is the mapped value.

    Args:
        options: the choices (a list of strings or a ``{label: value}`` mapping).
        value: the initially selected label (default: the first).
        label: text shown next to the control.
    """
    labels = list(options.keys() if isinstance(options, Mapping) else options)
    if not labels:
        raise ValueError(f"dropdown {label!r} has no options.")
    value = labels[0] if value is None else value
    if value not in labels:
        raise ValueError(f"dropdown {label!r}: {value!r} is not one of {labels}.")
    if in_jupyter():
        w = _widgets()
        pairs = list(options.items()) if isinstance(options, Mapping) else [(o, o) for o in labels]
        initial = dict(pairs)[value]
        return _cached(
            _widget_key("dropdown", pairs, value, label),
            lambda: w.Dropdown(options=pairs, value=initial, description=label, style=_STYLE),
        )
    return _mo().ui.dropdown(options=options, value=value, label=label)


def multiselect(options: Sequence[str], *, value: Sequence[str] | None = None, label: str = "") -> Any:
    """Pick any number of options; ``.value`` is the tuple/list of chosen labels (in option order in Jupyter).

    Args:
        options: the choices.
        value: the initially chosen labels (default: none).
        label: text shown next to the control.
    """
    labels = list(options)
    chosen = list(value or [])
    unknown = [v for v in chosen if v not in labels]
    if unknown:
        raise ValueError(f"multiselect {label!r}: {unknown} are not among {labels}.")
    if in_jupyter():
        return _cached(
            _widget_key("multiselect", labels, chosen, label),
            lambda: _widgets().SelectMultiple(options=labels, value=tuple(chosen), description=label, style=_STYLE),
        )
    return _mo().ui.multiselect(options=labels, value=chosen, label=label)


def checkbox(*, value: bool = False, label: str = "") -> Any:
    """An on/off switch."""
    if in_jupyter():
        return _cached(
            _widget_key("checkbox", value, label),
            # width "auto": the fixed default width cuts long labels with an ellipsis
            lambda: _widgets().Checkbox(value=value, description=label, indent=False,
                                        layout=_widgets().Layout(width="auto")),
        )
    return _mo().ui.checkbox(value=value, label=label)


def text(*, value: str = "", label: str = "", placeholder: str = "") -> Any:
    """A one-line text box (used for filter expressions and free-form ids)."""
    if in_jupyter():
        w = _widgets()
        return _cached(
            _widget_key("text", value, label, placeholder),
            lambda: w.Text(value=value, description=label, placeholder=placeholder, style=_STYLE),
        )
    return _mo().ui.text(value=value, label=label, placeholder=placeholder, full_width=True)


def run_button(label: str = "Run") -> Any:
    """A button that gates an expensive cell.

    Use it with ``mo.stop(mo.running_in_notebook() and not run.value)``: in the
    marimo editor the cell waits for a click; as a script, under nbmake and in
    Jupyter (where ``mo.running_in_notebook()`` is False) the cell simply runs.
    In Jupyter the button is a toggle that only documents the step.
    """
    if in_jupyter():
        return _cached(
            _widget_key("run_button", label),
            # width "auto": ipywidgets' fixed default width cuts long labels ("Play both retraini...")
            lambda: _widgets().ToggleButton(value=True, description=label, tooltip="cells run top to bottom in Jupyter",
                                            layout=_widgets().Layout(width="auto")),
        )
    return _mo().ui.run_button(label=label)


def button_value(button: Any) -> bool:
    """``True`` once a :func:`run_button` was clicked (always ``True`` in Jupyter)."""
    return bool(getattr(button, "value", False))


def controls(*elements: Any, title: str | None = None, direction: str = "horizontal") -> Any:
    """Lay out a group of controls (returned by the helpers above) for display.

    Args:
        *elements: controls, in display order.
        title: optional bold heading above the group.
        direction: ``"horizontal"`` (one row, wrapping) or ``"vertical"``.

    Returns:
        A marimo layout under marimo, an ``ipywidgets.VBox`` in Jupyter (with the
        re-run hint underneath).
    """
    if direction not in ("horizontal", "vertical"):
        raise ValueError(f"direction must be 'horizontal' or 'vertical', got {direction!r}")
    if in_jupyter():
        w = _widgets()
        box = w.HBox if direction == "horizontal" else w.VBox

        def make():
            children = []
            if title:
                children.append(w.HTML(f"<b>{title}</b>"))
            children.append(box(list(elements), layout=w.Layout(flex_flow="row wrap")))
            children.append(w.HTML(f"<small><i>{JUPYTER_HINT}</i></small>"))
            return w.VBox(children)

        return _cached(_widget_key("controls", [id(e) for e in elements], title, direction), make)
    mo = _mo()
    stack = mo.hstack(list(elements), wrap=True, justify="start", gap=1.5) if direction == "horizontal" else mo.vstack(list(elements))
    if title:
        return mo.vstack([mo.md(f"**{title}**"), stack])
    return stack


# --------------------------------------------------------------------------------------------
# marimo's output API, as the Jupyter copies see it
# --------------------------------------------------------------------------------------------


class StopCell(Exception):
    """Raised by ``mo.stop(True, ...)`` in a Jupyter copy: the cell ends, *Run All* halts, no traceback."""

    def _render_traceback_(self) -> list[str]:  # IPython shows this instead of a traceback
        return [f"Stopped: {self}" if str(self) else "Stopped."]


def _figure_class():
    if "matplotlib" not in sys.modules:  # nothing can be a figure if matplotlib was never imported
        return None
    from matplotlib.figure import Figure

    return Figure


def _show_figures_inline() -> None:
    """Make IPython render matplotlib figures as PNG, even when pyplot was never imported.

    The inline backend registers its figure formatter when pyplot loads; a chapter whose
    figures come from library code (``matplotlib.figure.Figure()``) would otherwise show
    only ``<Figure size ...>``.
    """
    try:
        from IPython import get_ipython
        from IPython.core.pylabtools import select_figure_formats
    except ImportError:  # pragma: no cover - IPython ships with ipykernel
        return
    shell = get_ipython()
    if shell is not None:
        select_figure_formats(shell, {"png"}, bbox_inches="tight")


def _html_of(item: Any) -> str | None:
    """``item`` as an HTML fragment Jupyter renders, or ``None`` (widgets, unknown objects)."""
    import base64
    import html

    figure = _figure_class()
    if figure is not None and isinstance(item, figure):
        import io

        buffer = io.BytesIO()
        item.savefig(buffer, format="png", bbox_inches="tight")
        data = base64.b64encode(buffer.getvalue()).decode("ascii")
        return f'<img src="data:image/png;base64,{data}" style="max-width:100%"/>'
    if isinstance(item, str):
        item = _Markdown(item)
    for method in ("_repr_html_", "_repr_markdown_"):
        render = getattr(item, method, None)
        if callable(render):
            out = render()
            if out is None:
                continue
            if method == "_repr_markdown_":
                out = _mo().md(out).text  # marimo's markdown renderer: plain HTML
            return out
    if hasattr(item, "_repr_mimebundle_") or hasattr(item, "_ipython_display_"):
        return None  # ipywidgets and other live objects
    return f"<pre>{html.escape(repr(item))}</pre>"


class _Markdown:
    """``mo.md`` in Jupyter: the text as markdown, which JupyterLab renders (with its maths)."""

    def __init__(self, text: str) -> None:
        self.text = inspect.cleandoc(text)

    def _repr_markdown_(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"Markdown({self.text[:60]!r}{'...' if len(self.text) > 60 else ''})"


class _Stack:
    """``mo.vstack``/``mo.hstack`` in Jupyter.

    A vertical stack shows each item with IPython's own display (tables as tables,
    figures as PNG, widgets live). A horizontal stack of static items becomes one
    row of HTML; one that holds a widget falls back to showing the items in turn.
    """

    def __init__(self, items: Sequence[Any], direction: str) -> None:
        self.items = list(items)
        self.direction = direction

    def _ipython_display_(self) -> None:
        from IPython.display import HTML, display

        if self.direction == "row":
            parts = [_html_of(item) for item in self.items]
            if all(part is not None for part in parts):
                cells = "".join(f"<div style='flex:1;min-width:0'>{part}</div>" for part in parts)
                display(HTML(f"<div style='display:flex;gap:1rem;flex-wrap:wrap'>{cells}</div>"))
                return
        for item in self.items:
            if isinstance(item, _Stack):
                item._ipython_display_()
            elif isinstance(item, str):
                display(_Markdown(item))
            else:
                display(item)

    def __repr__(self) -> str:
        return f"{'vstack' if self.direction == 'column' else 'hstack'}({len(self.items)} items)"


class JupyterMarimo:
    """The ``mo`` of the Jupyter copies: marimo's module, with the output calls JupyterLab cannot show replaced.

    marimo draws ``mo.vstack`` and data frames inside it with its own web components
    (``<marimo-table>``), which JupyterLab leaves blank. Here

    * ``md(text)`` is markdown,
    * ``vstack(items)``/``hstack(items)`` show their items with IPython's display,
    * ``stop(predicate, output)`` shows ``output`` and ends the cell (raising
      :class:`StopCell`, so *Run All* halts there, as marimo skips the cells below),
    * ``running_in_notebook()`` is ``False`` (no marimo runtime),

    and every other name is marimo's.
    """

    def __init__(self) -> None:
        _show_figures_inline()

    def md(self, text: str) -> _Markdown:
        return _Markdown(text)

    def vstack(self, items: Sequence[Any], **_layout: Any) -> _Stack:
        return _Stack(items, "column")

    def hstack(self, items: Sequence[Any], **_layout: Any) -> _Stack:
        return _Stack(items, "row")

    def stop(self, predicate: bool, output: Any = None) -> None:
        if not predicate:
            return
        if output is not None:
            from IPython.display import display

            display(output)
        raise StopCell("the cells below need the condition above; change the controls and run again")

    def running_in_notebook(self) -> bool:
        return False

    def __getattr__(self, name: str) -> Any:
        return getattr(_mo(), name)



jupyter_marimo = JupyterMarimo()
"""What the Jupyter copies import as ``mo`` (see :class:`JupyterMarimo`)."""
