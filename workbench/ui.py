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

Example (inside a marimo cell)::

    k = ui.slider(1, 25, value=10, label="k")
    run = ui.run_button("Run simulation")
    ui.controls(k, run)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "JUPYTER_HINT",
    "button_value",
    "checkbox",
    "controls",
    "dropdown",
    "in_jupyter",
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
        return cls(value=value, min=start, max=stop, step=step, description=label, style=_STYLE)
    return _mo().ui.slider(start, stop, step=step, value=value, label=label, show_value=True)


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
        return cls(value=value, min=start, max=stop, step=step, description=label, style=_STYLE)
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
        return w.Dropdown(options=pairs, value=initial, description=label, style=_STYLE)
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
        return _widgets().SelectMultiple(options=labels, value=tuple(chosen), description=label, style=_STYLE)
    return _mo().ui.multiselect(options=labels, value=chosen, label=label)


def checkbox(*, value: bool = False, label: str = "") -> Any:
    """An on/off switch."""
    if in_jupyter():
        return _widgets().Checkbox(value=value, description=label, indent=False)
    return _mo().ui.checkbox(value=value, label=label)


def text(*, value: str = "", label: str = "", placeholder: str = "") -> Any:
    """A one-line text box (used for filter expressions and free-form ids)."""
    if in_jupyter():
        w = _widgets()
        return w.Text(value=value, description=label, placeholder=placeholder, style=_STYLE)
    return _mo().ui.text(value=value, label=label, placeholder=placeholder, full_width=True)


def run_button(label: str = "Run") -> Any:
    """A button that gates an expensive cell.

    Use it with ``mo.stop(mo.running_in_notebook() and not run.value)``: in the
    marimo editor the cell waits for a click; as a script, under nbmake and in
    Jupyter (where ``mo.running_in_notebook()`` is False) the cell simply runs.
    In Jupyter the button is a toggle that only documents the step.
    """
    if in_jupyter():
        return _widgets().ToggleButton(value=True, description=label, tooltip="cells run top to bottom in Jupyter")
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
        children = []
        if title:
            children.append(w.HTML(f"<b>{title}</b>"))
        children.append(box(list(elements), layout=w.Layout(flex_flow="row wrap")))
        children.append(w.HTML(f"<small><i>{JUPYTER_HINT}</i></small>"))
        return w.VBox(children)
    mo = _mo()
    stack = mo.hstack(list(elements), wrap=True, justify="start", gap=1.5) if direction == "horizontal" else mo.vstack(list(elements))
    if title:
        return mo.vstack([mo.md(f"**{title}**"), stack])
    return stack
