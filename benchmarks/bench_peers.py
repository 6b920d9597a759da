"""EASE beside peer libraries (Cornac BiVAE and BPR) on one split, in one run.

Same protocol as ``bench_quality.py`` (its split and its scoring are imported, not copied):
per user a seeded 75/25 split (Microsoft Recommenders' ``python_stratified_split`` rule,
seed 42), top 10 per test user with the items seen in training removed, every rating an
interaction whatever its value, NDCG / Precision / Recall / MAP at 10 with the
``"recommenders"`` convention.

Models:

* **EASE** -- ``workbench.recommenders.EASE`` with its default ``reg``;
* **EASE[reg=R, validation]** -- EASE with the ``reg`` chosen on a *validation split carved
  from the training part* (the same per-user 75/25 rule applied to the training rows, on
  ``--val-seeds`` seeds, mean NDCG@10 over them). The test rows are never looked at while
  choosing; the chosen ``reg`` is then fitted on the whole training part and scored on the
  test part like every other row. The validation grid is printed;
* **BiVAE** (Cornac ``BiVAECF``) with the settings of Microsoft Recommenders' BiVAE
  notebook: ``k=100``, encoder ``[200]``, ``tanh``, Poisson likelihood, 500 epochs, batch
  128, learning rate 0.001, seed 42 (``--bivae-epochs`` shortens it for a smoke run;
  ``--bivae-batch 1024`` is the batch of Microsoft's benchmark notebook);
* **BPR** (Cornac ``BPR``) with Microsoft's benchmark settings: ``k=200``, 200 iterations,
  learning rate 0.01, ``lambda_reg`` 0.001, seed 42. Microsoft's newer benchmark keeps only
  ratings >= 3.5 for BPR; here BPR sees the same interactions as every other model, so all
  rows are scored on the same test rows.

Cornac models receive every training rating as an interaction of value 1 (BiVAE binarises
its input anyway) and score every known item; seen items are removed before the top 10.

Peers are optional: install them with ``make bench-peers`` (a separate ``.venv-peers`` from
``benchmarks/requirements-peers.txt``, never the project's lock file). Without ``cornac`` (or
``torch`` for BiVAE) the script says which peers it skipped and why, and still runs EASE.
Every fit runs on ``--threads`` threads (BLAS, torch), 1 by default, so fit seconds compare
like with like on a shared machine.

Run: ``python benchmarks/bench_peers.py [--movielens DIR] [--bivae-epochs 500] [--threads 1]``
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import bench_quality  # noqa: E402  (the split, the scoring and the synthetic folder of bench_quality)

from workbench.constants import ITEM_ID, RANK, SCORE, USER_ID  # noqa: E402
from workbench.data import load_movielens  # noqa: E402
from workbench.recommenders import EASE  # noqa: E402

K = bench_quality.K
SEED = 42
REG_GRID = (50, 100, 150, 200, 250, 300, 400, 500, 600, 800, 1000, 1500, 2000)
"""EASE ``reg`` values tried on the validation split."""

BIVAE_SETTINGS = {"k": 100, "encoder_structure": [200], "act_fn": "tanh", "likelihood": "pois",
                  "n_epochs": 500, "batch_size": 128, "learning_rate": 0.001, "seed": SEED, "use_gpu": False}
"""Microsoft Recommenders' BiVAE notebook settings (on the CPU)."""

BPR_SETTINGS = {"k": 200, "max_iter": 200, "learning_rate": 0.01, "lambda_reg": 0.001, "seed": SEED}
"""Microsoft Recommenders' benchmark settings for Cornac BPR."""


class Peer(NamedTuple):
    """A peer model from another library: the modules it needs and how to build it."""

    name: str
    needs: tuple[str, ...]
    build: Callable[[argparse.Namespace], object]


def _bivae(args: argparse.Namespace):
    import cornac

    settings = {**BIVAE_SETTINGS, "n_epochs": args.bivae_epochs, "batch_size": args.bivae_batch}
    return cornac.models.BiVAECF(**settings, verbose=False)


def _bpr(args: argparse.Namespace):
    import cornac

    return cornac.models.BPR(**BPR_SETTINGS, verbose=False)


PEERS = {"BiVAE": Peer("BiVAE", ("cornac", "torch"), _bivae), "BPR": Peer("BPR", ("cornac",), _bpr)}


def missing_modules(peer: Peer) -> list[str]:
    """The modules of ``peer.needs`` that cannot be imported here (with the import error)."""
    missing = []
    for module in peer.needs:
        try:
            importlib.import_module(module)
        except ImportError as exc:
            missing.append(f"{module} ({type(exc).__name__}: {exc})")
    return missing


def cornac_lists(model, train_set, users: np.ndarray, k: int = K) -> pd.DataFrame:
    """Top-``k`` unseen items of a fitted Cornac model for ``users`` (raw ids), as USER_ID, ITEM_ID, SCORE, RANK.

    Users the model does not know get no list (the 'recommenders' convention drops them)."""
    item_ids = np.empty(train_set.num_items, dtype=object)
    for raw, inner in train_set.iid_map.items():
        item_ids[inner] = raw
    seen = train_set.matrix.tocsr()
    rows = []
    for user in users:
        inner = train_set.uid_map.get(user)
        if inner is None:
            continue
        scores = np.asarray(model.score(inner), dtype=np.float64).copy()
        scores[seen.indices[seen.indptr[inner]:seen.indptr[inner + 1]]] = -np.inf
        n = min(k, int(np.isfinite(scores).sum()))
        top = np.argpartition(-scores, n - 1)[:n] if n else np.array([], dtype=int)
        top = top[np.lexsort((top, -scores[top]))]
        rows.append(pd.DataFrame({USER_ID: user, ITEM_ID: item_ids[top], SCORE: scores[top],
                                  RANK: np.arange(1, len(top) + 1)}))
    columns = [USER_ID, ITEM_ID, SCORE, RANK]
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=columns)


def evaluate_peer(peer: Peer, args: argparse.Namespace, train: pd.DataFrame, test: pd.DataFrame) -> dict[str, object]:
    """Fit a Cornac peer on the training rows, time fit and lists, score them like bench_quality does."""
    import cornac

    triples = zip(train[USER_ID].astype(str), train[ITEM_ID].astype(str), np.ones(len(train)))
    train_set = cornac.data.Dataset.from_uir(triples, seed=SEED)
    model = peer.build(args)
    start = time.perf_counter()
    model.fit(train_set)
    fit_s = time.perf_counter() - start
    start = time.perf_counter()
    recs = cornac_lists(model, train_set, test[USER_ID].astype(str).unique())
    recommend_s = time.perf_counter() - start
    return {"model": peer.name, **bench_quality.score_lists(recs, test), "fit s": fit_s, "recommend s": recommend_s}


def tune_ease_reg(train: pd.DataFrame, grid=REG_GRID, seeds=(SEED,)) -> tuple[float, pd.DataFrame]:
    """Choose EASE's ``reg`` on validation splits carved from ``train`` only.

    For each seed the training rows are split again with bench_quality's per-user 75/25 rule;
    EASE is fitted on the inner part for every ``reg`` in ``grid`` and scored on the
    validation part. Returns the ``reg`` with the best mean NDCG@10 (the smaller one on a
    tie) and the grid (one row per ``reg``: mean and per-seed NDCG@10)."""
    if not grid:
        raise ValueError("the reg grid is empty: pass at least one value (--reg-grid 100,400)")
    label = f"NDCG@{K}"
    table = pd.DataFrame(index=pd.Index([float(r) for r in grid], name="reg"))
    for seed in seeds:
        inner, validation = bench_quality.recommenders_stratified_split(train, seed=seed)
        users = validation[USER_ID].unique()
        scores = []
        for reg in table.index:
            model = EASE(reg=reg).fit(inner)
            scores.append(bench_quality.score_lists(model.recommend(users, n=K, exclude_seen=True), validation)[label])
        table[f"seed {seed}"] = scores
    table.insert(0, f"validation {label}", table.mean(axis=1))
    best = float(table[f"validation {label}"].idxmax())  # idxmax keeps the first (smallest) reg on a tie
    return best, table


def verdict(rows: list[dict[str, object]], ours: str, peer: str = "BiVAE") -> str:
    """One plain sentence: does ``ours`` beat ``peer`` on NDCG@10 in this run?"""
    by_name = {row["model"]: row for row in rows}
    label = f"NDCG@{K}"
    if peer not in by_name or label not in by_name[peer] or label not in by_name.get(ours, {}):
        return f"{ours} vs {peer}: {peer} was not measured in this run, so no comparison."
    a, b = float(by_name[ours][label]), float(by_name[peer][label])
    word = "beats" if a > b else "does NOT beat"
    return f"{ours} {word} {peer} in this run: {label} {a:.4f} vs {b:.4f} (difference {a - b:+.4f})."


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--movielens", type=Path, default=None,
                        help="folder of an extracted ml-100k (u.data) or ml-1m (ratings.dat) archive; "
                             "without it a synthetic MovieLens-like folder is generated")
    parser.add_argument("--peers", default=",".join(PEERS), help=f"comma-separated peers (default: {','.join(PEERS)})")
    parser.add_argument("--bivae-epochs", type=int, default=BIVAE_SETTINGS["n_epochs"],
                        help="BiVAE epochs (Microsoft's setting: 500)")
    parser.add_argument("--bivae-batch", type=int, default=BIVAE_SETTINGS["batch_size"],
                        help="BiVAE batch size (the notebook's setting: 128; Microsoft's benchmark notebook uses 1024)")
    parser.add_argument("--threads", type=int, default=1, help="BLAS and torch threads for every fit (default 1)")
    parser.add_argument("--reg-grid", default=",".join(str(r) for r in REG_GRID), help="EASE reg values to validate")
    parser.add_argument("--val-seeds", type=int, default=3,
                        help="validation splits carved from the training part (seeds 42, 43, ...)")
    parser.add_argument("--no-tune", action="store_true", help="skip choosing EASE's reg on validation")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.peers.split(",") if n.strip()]
    unknown = sorted(set(names) - set(PEERS))
    if unknown:
        parser.error(f"unknown peer(s) {unknown}; choose from {sorted(PEERS)}")
    try:
        grid = [float(r) for r in args.reg_grid.split(",") if r.strip()]
    except ValueError:
        parser.error(f"--reg-grid must be comma-separated numbers, got {args.reg_grid!r}")
    if min(args.threads, args.val_seeds, args.bivae_epochs, args.bivae_batch) < 1:
        parser.error("--threads, --val-seeds, --bivae-epochs and --bivae-batch must be at least 1")

    with tempfile.TemporaryDirectory() as tmp:
        if args.movielens is None:
            folder = bench_quality.write_synthetic_movielens(Path(tmp) / "synthetic-ml")
            label = "SYNTHETIC MovieLens-like data (generated, seeded; not MovieLens)"
        else:
            folder = args.movielens
            label = f"MovieLens folder {folder}"
        interactions = load_movielens(folder).interactions
    train, test = bench_quality.recommenders_stratified_split(interactions)
    print(f"{label}: {len(interactions):,} ratings, {interactions[USER_ID].nunique():,} users, "
          f"{interactions[ITEM_ID].nunique():,} items; train {len(train):,} / test {len(test):,} "
          f"(bench_quality's split: stratified 75/25 per user, seed 42, seen items removed, k={K}, "
          "convention 'recommenders')")
    print(f"threads per fit: {args.threads}; load average at start: {os.getloadavg()[0]:.1f} "
          "(timings are wall-clock, shared machine)")

    runnable, skipped = [], []
    for name in names:
        missing = missing_modules(PEERS[name])
        if missing:
            skipped.append((name, missing))
        else:
            runnable.append(PEERS[name])
    for name, missing in skipped:
        print(f"SKIPPED peer {name}: cannot import {'; '.join(missing)}. "
              "Install the peers with `make bench-peers` (a separate .venv-peers).")

    rows: list[dict[str, object]] = []
    tuned_name = None
    with threadpool_limits(args.threads), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if any("torch" in peer.needs for peer in runnable):
            import torch

            torch.set_num_threads(args.threads)
        rows.append(bench_quality.evaluate_model("EASE", train, test))
        rows[-1]["model"] = f"EASE[reg={EASE.Config().reg:g}, default]"
        if not args.no_tune:
            seeds = tuple(SEED + i for i in range(args.val_seeds))
            reg, table = tune_ease_reg(train, grid, seeds)
            print(f"\nEASE reg on validation (carved from the training part only, per-user 75/25, seeds "
                  f"{', '.join(map(str, seeds))}; mean NDCG@{K}):")
            print(table.to_string(float_format=lambda v: f"{v:.4f}"))
            print(f"chosen reg: {reg:g} (best mean validation NDCG@{K}; the test rows were not used)")
            tuned_name = f"EASE[reg={reg:g}, validation]"
            rows.append(bench_quality.evaluate_model("EASE", train, test, model=EASE(reg=reg)))
            rows[-1]["model"] = tuned_name
        for peer in runnable:
            rows.append(evaluate_peer(peer, args, train, test))
    print(f"\nTest split, top {K} (BiVAE: {args.bivae_epochs} epochs, batch {args.bivae_batch}, seed {SEED}; BPR: "
          f"{BPR_SETTINGS['max_iter']} iterations, seed {SEED}):")
    print(bench_quality.format_table(rows))
    if skipped:
        print(f"(not run: {', '.join(name for name, _ in skipped)})")
    print(verdict(rows, rows[0]["model"]))
    if tuned_name:
        print(verdict(rows, tuned_name))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
