"""The id vocabulary: raw ids outside, inner indices inside."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from workbench.vocabulary import Vocabulary

ids = st.lists(st.one_of(st.text(min_size=1, max_size=6), st.integers(-5, 50)), max_size=60)


@given(ids, ids)
def test_round_trip_and_unknowns(known, queried):
    vocab = Vocabulary(known)
    distinct = list(dict.fromkeys(str(x) for x in known))
    assert list(vocab.ids) == distinct  # first-seen order, as strings
    inner = vocab.to_inner(queried)
    expected = [distinct.index(str(q)) if str(q) in distinct else -1 for q in queried]
    assert inner.tolist() == expected
    # the same answer whichever container the ids come in (small lists take a dict path)
    assert vocab.to_inner(pd.Series([str(q) for q in queried], dtype=object)).tolist() == expected
    assert vocab.to_inner(np.asarray([str(q) for q in queried], dtype=object)).tolist() == expected
    hits = inner[inner >= 0]
    assert vocab.to_raw(hits).tolist() == [str(q) for q, i in zip(queried, inner) if i >= 0]


@given(ids, ids)
def test_extend_keeps_existing_indices(first, more):
    vocab = Vocabulary(first)
    grown = vocab.extend(more)
    assert grown.to_inner(list(vocab.ids)).tolist() == list(range(len(vocab)))
    assert set(grown.ids) == {str(x) for x in [*first, *more]}
    assert len(vocab) == len(set(map(str, first)))  # the original is unchanged


def test_hand_worked_lookup():
    vocab = Vocabulary(["u2", "u1", "u2", 7])
    assert vocab.ids.tolist() == ["u2", "u1", "7"]
    assert vocab.to_inner(["u1", "nobody", 7, "7"]).tolist() == [1, -1, 2, 2]
    assert "7" in vocab and 7 in vocab and "u3" not in vocab
