from __future__ import annotations

from pathlib import Path

import pytest

from workbench.sim import Policy, ScenarioConfig, ShopConfig, load_scenario

ROOT = Path(__file__).resolve().parents[2]


def test_scenario_round_trips_through_dict():
    config = ScenarioConfig(
        shop=ShopConfig(n_users=50, campaign={"start_day": 3, "days": 2, "brand": "Kestrel", "boost": 0.5}),
        policy=Policy(kind="retrain+event_tracker", retrain_every_days=3, training_event_types=["purchase"]),
        name="x",
    )
    again = ScenarioConfig.from_dict(config.to_dict())
    assert again == config
    assert again.policy.parts == ("retrain", "event_tracker")
    assert again.policy.has("retrain") and not again.policy.has("auto_update")


def test_missing_parts_take_defaults():
    config = ScenarioConfig.from_dict({"policy": {"kind": "stale"}})
    assert config.shop == ShopConfig()
    assert config.policy.model == "user_personalization"


@pytest.mark.parametrize(
    "data, message",
    [
        ({"shop": {"n_user": 5}}, "valid settings"),
        ({"policy": {"kind": "weekly"}}, "stale, retrain, auto_update, event_tracker"),
        ({"policy": {"kind": "stale+event_tracker"}}, "cannot be combined"),
        ({"policy": {"exploration_weight": 1.5}}, r"\[0, 1\]"),
        ({"policy": {"exclude": "bought"}}, "purchased"),
        ({"shop": {"slices_per_day": 5}}, "divide 24"),
        ({"extra": 1}, "valid keys"),
        ({"policy": {"kind": "retrain", "training_window_days": 0}}, "whole number of days >= 1"),
        ({"policy": {"kind": "retrain", "training_window_days": 2.5}}, "whole number of days >= 1"),
        ({"policy": {"kind": "retrain+event_tracker", "training_window_days": 28}}, "PutEvents stay"),
        ({"policy": {"kind": "random", "training_window_days": 28}}, "no model to train"),
        ({"policy": {"kind": "retrain", "send_impressions": True}}, "needs 'event_tracker'"),
        ({"policy": {"kind": "event_tracker", "model": "similar_items", "send_impressions": True}},
         "does not read impressions"),
    ],
)
def test_bad_settings_raise_clear_errors(data, message):
    with pytest.raises(ValueError, match=message):
        ScenarioConfig.from_dict(data)


def test_replace_accepts_partial_dicts():
    base = ScenarioConfig(name="a")
    changed = base.replace(policy={"kind": "stale"}, shop={"days": 5}, name="b")
    assert (changed.policy.kind, changed.shop.days, changed.name) == ("stale", 5, "b")
    assert changed.policy.model == base.policy.model and base.shop.days != 5


def test_footwear_yaml_loads_and_names_every_field():
    path = ROOT / "data" / "scenarios" / "footwear.yaml"
    config = load_scenario(path)
    assert config.name == "footwear"
    text = path.read_text()
    for field in list(config.to_dict()["shop"]) + list(config.to_dict()["policy"]):
        assert f"{field}:" in text, f"footwear.yaml should spell out {field}"


def test_load_scenario_names_the_file_on_error(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("shop: {n_items: 0}\n")
    with pytest.raises(ValueError, match="bad.yaml"):
        load_scenario(path)
