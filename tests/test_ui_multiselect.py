"""ui.multiselect: a marimo multiselect outside Jupyter, an ipywidgets SelectMultiple inside, same values."""

from __future__ import annotations

import ipywidgets
import marimo as mo
import pytest

from workbench import ui


def test_marimo_multiselect_keeps_the_initial_choice():
    control = ui.multiselect(["EASE", "Popularity", "SVD"], value=["Popularity", "EASE"], label="models")
    assert isinstance(control, mo.ui.multiselect)
    assert sorted(control.value) == ["EASE", "Popularity"]
    assert list(ui.multiselect(["a", "b"]).value) == []


def test_jupyter_multiselect_is_select_multiple(monkeypatch):
    monkeypatch.setattr(ui, "in_jupyter", lambda: True)
    control = ui.multiselect(["EASE", "Popularity", "SVD"], value=["SVD"], label="models")
    assert isinstance(control, ipywidgets.SelectMultiple)
    assert control.value == ("SVD",)


def test_unknown_initial_choice_is_named():
    with pytest.raises(ValueError, match=r"\['kNN'\] are not among"):
        ui.multiselect(["EASE"], value=["kNN"], label="models")
