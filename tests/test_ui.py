"""workbench.ui returns marimo elements under marimo/scripts and ipywidgets inside a Jupyter kernel."""

from __future__ import annotations

import ipywidgets
import marimo as mo
import pytest

from workbench import ui


@pytest.fixture
def jupyter(monkeypatch):
    monkeypatch.setattr(ui, "in_jupyter", lambda: True)


def test_outside_jupyter_controls_are_marimo_elements():
    assert not ui.in_jupyter()  # pytest is not a Jupyter kernel
    k = ui.slider(1, 25, value=10, label="k")
    assert isinstance(k, mo.ui.slider) and k.value == 10
    choice = ui.dropdown({"five": 5, "ten": 10}, value="ten")
    assert isinstance(choice, mo.ui.dropdown) and choice.value == 10
    assert ui.text(value="2, 5").value == "2, 5"
    assert ui.checkbox(value=True).value is True
    assert ui.number(0.0, 1.0, value=0.3).value == pytest.approx(0.3)
    assert ui.button_value(ui.run_button("Go")) is False


def test_in_jupyter_controls_are_ipywidgets_with_the_same_values(jupyter):
    k = ui.slider(1, 25, value=10, label="k")
    assert isinstance(k, ipywidgets.IntSlider) and (k.min, k.max, k.value) == (1, 25, 10)
    w = ui.slider(0.0, 1.0, value=0.25, label="weight")
    assert isinstance(w, ipywidgets.FloatSlider) and w.value == pytest.approx(0.25)
    choice = ui.dropdown({"five": 5, "ten": 10}, value="ten")
    assert isinstance(choice, ipywidgets.Dropdown) and choice.value == 10
    plain = ui.dropdown(["a", "b"], value="b")
    assert plain.value == "b"
    assert ui.button_value(ui.run_button("Go")) is True
    assert ui.run_button("Play both retraining schedules").layout.width == "auto"  # a long label is not cut
    assert ui.checkbox(label="also train Spark ALS (starts a Java VM, 20-45 s)").layout.width == "auto"
    panel = ui.controls(k, w, title="Settings")
    assert isinstance(panel, ipywidgets.VBox)
    assert ui.JUPYTER_HINT in panel.children[-1].value


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match="outside"):
        ui.slider(1, 5, value=9, label="k")
    with pytest.raises(ValueError, match="stop"):
        ui.slider(5, 1)
    with pytest.raises(ValueError, match="not one of"):
        ui.dropdown(["a", "b"], value="c")
    with pytest.raises(ValueError, match="direction"):
        ui.controls(direction="diagonal")


def test_multiselect_in_both_environments(monkeypatch):
    marimo_version = ui.multiselect(["a", "b", "c"], value=["c"], label="pick")
    assert isinstance(marimo_version, mo.ui.multiselect) and list(marimo_version.value) == ["c"]
    monkeypatch.setattr(ui, "in_jupyter", lambda: True)
    widget = ui.multiselect(["a", "b", "c"], value=["a", "c"], label="pick")
    assert isinstance(widget, ipywidgets.SelectMultiple) and widget.value == ("a", "c")
    with pytest.raises(ValueError, match="not among"):
        ui.multiselect(["a"], value=["z"])


def test_jupyter_controls_are_reused_when_their_cell_runs_again(jupyter):
    def control_cell(label="k"):  # one cell's code, run several times
        return ui.slider(1, 25, value=10, label=label), ui.dropdown(["a", "b"], label="pick")

    first_k, first_pick = control_cell()
    first_k.value = 17  # the learner moves the slider
    again_k, again_pick = control_cell()
    assert again_k is first_k and again_pick is first_pick
    assert again_k.value == 17  # the moved value survives the re-run
    assert again_k.comm is not None  # still open: its view on the page keeps its model
    other, _ = control_cell(label="n")
    assert other is not first_k  # another label is another control
    assert ui.controls(first_k, first_pick) is ui.controls(first_k, first_pick)  # same line, same children


def test_jupyter_marimo_markdown_and_stop():
    jmo = ui.jupyter_marimo
    text = jmo.md("""
        # Title
        body""")
    assert text._repr_markdown_() == "# Title\nbody"
    assert jmo.running_in_notebook() is False
    assert jmo.stop(False) is None
    with pytest.raises(ui.StopCell):
        jmo.stop(True)
    assert jmo.callout is mo.callout  # everything else is marimo's


def test_a_slider_over_fixed_values_stops_only_there(monkeypatch):
    days = ui.slider_over([1, 2, 3, 7, 30], value=7, label="days")
    assert isinstance(days, mo.ui.slider) and days.value == 7
    assert list(days.steps) == [1, 2, 3, 7, 30]
    with pytest.raises(ValueError, match="not one of"):
        ui.slider_over([1, 2, 3], value=5, label="days")
    with pytest.raises(ValueError, match="increase"):
        ui.slider_over([3, 1], label="days")
    monkeypatch.setattr(ui, "in_jupyter", lambda: True)
    widget = ui.slider_over([0.0, 0.5, 1.0], value=0.5, label="weight")
    assert isinstance(widget, ipywidgets.SelectionSlider) and widget.value == 0.5
    assert list(widget.options) == [0.0, 0.5, 1.0]
