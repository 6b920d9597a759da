"""benchmarks/bench_peers.py: the table on a tiny generated MovieLens folder (peers skipped when they
cannot be imported), the Cornac list adapter by hand, the validation-only choice of EASE's reg."""

from __future__ import annotations

import sys
from types import SimpleNamespace

import numpy as np
import pytest
import scipy.sparse as sp

from tests.scripts import load_script
from workbench.constants import ITEM_ID, RANK, USER_ID


@pytest.fixture(scope="module")
def bench():
    return load_script("benchmarks/bench_peers.py", "bench_peers")


@pytest.fixture(scope="module")
def folder(bench, tmp_path_factory):
    return bench.bench_quality.write_synthetic_movielens(tmp_path_factory.mktemp("ml") / "ml-tiny", n_users=80,
                                                         n_items=120, mean_ratings=25)


def _table(out: str, n_rows: int) -> dict[str, list[float]]:
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.split()[:1] == ["NDCG@10"])
    assert lines[header].split() == ["NDCG@10", "Precision@10", "Recall@10", "MAP@10", "fit", "s", "recommend", "s"]
    rows = {}
    for line in lines[header + 2: header + 2 + n_rows]:
        name, *values = line.rsplit(maxsplit=6)
        rows[name.strip()] = [float(v) for v in values]
    return rows


def test_without_peers_it_says_which_it_skipped_and_still_runs_ease(bench, folder, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "cornac", None)  # makes `import cornac` fail, whatever is installed
    monkeypatch.setitem(sys.modules, "torch", None)
    assert bench.main(["--movielens", str(folder), "--reg-grid", "20,100,400", "--val-seeds", "2"]) == 0
    out = capsys.readouterr().out
    assert f"MovieLens folder {folder}" in out and "SYNTHETIC" not in out
    assert "SKIPPED peer BiVAE: cannot import cornac" in out and "torch" in out.split("SKIPPED peer BiVAE")[1]
    assert "SKIPPED peer BPR: cannot import cornac" in out
    assert "(not run: BiVAE, BPR)" in out
    chosen = float(out.split("chosen reg: ")[1].split()[0])
    assert chosen in (20.0, 100.0, 400.0)
    rows = _table(out, 2)
    assert list(rows) == ["EASE[reg=400, default]", f"EASE[reg={chosen:g}, validation]"]
    for name, (ndcg, precision, recall, map_, fit_s, rec_s) in rows.items():
        assert 0.0 < ndcg <= 1.0 and 0.0 < precision <= 1.0 and 0.0 < recall <= 1.0 and 0.0 < map_ <= 1.0, name
        assert fit_s > 0 and rec_s > 0, name
    assert "BiVAE was not measured in this run, so no comparison" in out


def test_the_default_ease_row_is_bench_qualitys_ease(bench, folder, capsys):
    # same split and scoring as bench_quality: its EASE row and ours agree to the printed digit
    assert bench.bench_quality.main(["--movielens", str(folder), "--only", "EASE", "--no-speed"]) == 0
    quality = _table(capsys.readouterr().out, 1)["EASE"]
    assert bench.main(["--movielens", str(folder), "--peers", "", "--no-tune"]) == 0
    ours = _table(capsys.readouterr().out, 1)["EASE[reg=400, default]"]
    assert ours[:4] == quality[:4]


def test_reg_is_chosen_on_validation_carved_from_train_only(bench, folder):
    interactions = bench.load_movielens(folder).interactions
    train, test = bench.bench_quality.recommenders_stratified_split(interactions)
    reg, table = bench.tune_ease_reg(train, grid=(10, 200, 5000), seeds=(42, 43))
    assert list(table.index) == [10.0, 200.0, 5000.0]
    assert list(table.columns) == ["validation NDCG@10", "seed 42", "seed 43"]
    np.testing.assert_allclose(table["validation NDCG@10"], table[["seed 42", "seed 43"]].mean(axis=1))
    assert reg == table["validation NDCG@10"].idxmax()
    # one validation score by hand: EASE fitted on the inner part of train, scored on its held-out part
    inner, validation = bench.bench_quality.recommenders_stratified_split(train, seed=43)
    assert set(zip(inner[USER_ID], inner[ITEM_ID])) | set(zip(validation[USER_ID], validation[ITEM_ID])) == \
        set(zip(train[USER_ID], train[ITEM_ID]))
    recs = bench.EASE(reg=200.0).fit(inner).recommend(validation[USER_ID].unique(), n=10, exclude_seen=True)
    assert table.loc[200.0, "seed 43"] == bench.bench_quality.score_lists(recs, validation)["NDCG@10"]
    with pytest.raises(ValueError, match="reg grid is empty"):
        bench.tune_ease_reg(train, grid=())


def test_cornac_lists_by_hand(bench):
    # 2 known users, 4 items; user "a" has seen item "x2", user "b" items "x0" and "x3"
    train_set = SimpleNamespace(
        num_items=4, uid_map={"a": 0, "b": 1}, iid_map={"x0": 0, "x1": 1, "x2": 2, "x3": 3},
        matrix=sp.csr_matrix(np.array([[0, 0, 1, 0], [1, 0, 0, 1]], dtype=float)))
    scores = {0: [0.1, 0.5, 0.9, 0.5], 1: [0.9, 0.2, 0.3, 0.8]}
    model = SimpleNamespace(score=lambda u: np.array(scores[u]))
    recs = bench.cornac_lists(model, train_set, np.array(["a", "b", "stranger"]), k=2)
    # a: x2 is seen; x1 and x3 tie at 0.5 and keep the item order; b: x0, x3 seen, x2 (0.3) before x1 (0.2)
    assert recs[[USER_ID, ITEM_ID, RANK]].values.tolist() == [["a", "x1", 1], ["a", "x3", 2],
                                                              ["b", "x2", 1], ["b", "x1", 2]]
    # a list never runs past the unseen items; an unknown user gets none
    only_b = bench.cornac_lists(model, train_set, np.array(["b"]), k=10)
    assert only_b[ITEM_ID].tolist() == ["x2", "x1"]


def test_verdict_says_plainly_who_wins(bench):
    rows = [{"model": "EASE", "NDCG@10": 0.480}, {"model": "BiVAE", "NDCG@10": 0.483}]
    assert bench.verdict(rows, "EASE") == \
        "EASE does NOT beat BiVAE in this run: NDCG@10 0.4800 vs 0.4830 (difference -0.0030)."
    rows[0]["NDCG@10"] = 0.483  # a tie is not a win
    assert "does NOT beat" in bench.verdict(rows, "EASE")
    rows[0]["NDCG@10"] = 0.490
    assert bench.verdict(rows, "EASE").startswith("EASE beats BiVAE in this run")


def test_unknown_peers_and_bad_grids_are_refused(bench, tmp_path):
    with pytest.raises(SystemExit):
        bench.main(["--movielens", str(tmp_path), "--peers", "Magic"])
    with pytest.raises(SystemExit):
        bench.main(["--movielens", str(tmp_path), "--reg-grid", "10,lots"])


def test_real_peers_when_installed(bench, folder, capsys):
    pytest.importorskip("cornac", reason="the peers live in .venv-peers (make bench-peers)")
    pytest.importorskip("torch", reason="the peers live in .venv-peers (make bench-peers)")
    assert bench.main(["--movielens", str(folder), "--bivae-epochs", "3", "--no-tune"]) == 0
    out = capsys.readouterr().out
    rows = _table(out, 3)
    assert list(rows) == ["EASE[reg=400, default]", "BiVAE", "BPR"]
    assert all(0.0 <= v <= 1.0 for values in rows.values() for v in values[:4])
    assert "SKIPPED" not in out
