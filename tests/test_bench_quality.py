"""benchmarks/bench_quality.py: the split rule by hand, and the table on a tiny generated MovieLens folder."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.scripts import load_script
from workbench.constants import ITEM_ID, USER_ID


@pytest.fixture(scope="module")
def bench():
    return load_script("benchmarks/bench_quality.py", "bench_quality")


def test_split_follows_the_recommenders_rule_by_hand(bench):
    # user 1 has 4 ratings, user 2 one, user 10 three (ids are numbers, as in u.data)
    frame = pd.DataFrame({USER_ID: ["1", "10", "1", "2", "10", "1", "10", "1"],
                          ITEM_ID: ["a", "b", "c", "d", "e", "f", "g", "h"]})
    draw = np.random.RandomState(42).rand(8)  # one draw per row, in file order
    train, test = bench.recommenders_stratified_split(frame)
    # position p of c ratings trains when p / c <= 0.75: user 1 keeps 3 of 4, user 10 keeps 2 of 3,
    # and user 2's single rating (1 / 1 > 0.75) is a test rating
    assert sorted(test[ITEM_ID]) == sorted(
        [frame[ITEM_ID][np.flatnonzero(frame[USER_ID] == u)[np.argmax(draw[frame[USER_ID] == u])]]
         for u in ("1", "2", "10")])
    assert train.groupby(USER_ID).size().to_dict() == {"1": 3, "10": 2}
    assert len(train) + len(test) == len(frame)
    # users are ordered numerically (1, 2, 10), as pandas sorts the integer ids of MovieLens
    assert train[USER_ID].tolist() == ["1"] * 3 + ["10"] * 2
    with pytest.raises(ValueError, match="ratio"):
        bench.recommenders_stratified_split(frame, ratio=1.0)


def test_table_on_a_tiny_movielens_folder(bench, tmp_path, capsys):
    folder = bench.write_synthetic_movielens(tmp_path / "ml-tiny", n_users=80, n_items=120, mean_ratings=25)
    assert (folder / "u.data").read_text().count("\n") > 1_000
    assert bench.main(["--movielens", str(folder), "--no-speed"]) == 0
    out = capsys.readouterr().out
    assert f"MovieLens folder {folder}" in out and "SYNTHETIC" not in out
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.split()[:1] == ["NDCG@10"])
    assert lines[header].split() == ["NDCG@10", "Precision@10", "Recall@10", "MAP@10", "fit", "s", "recommend", "s"]
    rows = {}
    for line in lines[header + 2: header + 2 + len(bench.MODELS)]:
        name, *values = line.split()
        rows[name] = [float(v) for v in values]
    assert list(rows) == list(bench.MODELS)  # every top-N model, none failed
    for name, (ndcg, precision, recall, map_, fit_s, rec_s) in rows.items():
        assert 0.0 <= min(ndcg, precision, recall, map_) and max(ndcg, precision, recall, map_) <= 1.0, name
        assert fit_s > 0 and rec_s > 0, name
    # the folder has taste clusters: collaborative models must beat the same list for everyone
    for name in ("ItemNeighborhood", "UserNeighborhood", "EASE", "ImplicitALS"):
        assert rows[name][0] > rows["Popularity"][0] + 0.05, name


def test_unknown_model_names_are_refused(bench, tmp_path):
    with pytest.raises(SystemExit):
        bench.main(["--movielens", str(tmp_path), "--only", "Magic"])
