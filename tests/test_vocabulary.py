"""The id vocabulary: raw ids outside, inner indices inside."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
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


@pytest.mark.parametrize("kind", ["object", "arrow", "list"])
def test_a_long_query_is_factorised_and_gives_the_same_indices(kind):
    from workbench.recommenders.user_personalization import _GrowingVocabulary
    from workbench.vocabulary import _FACTORIZE_ABOVE

    rng = np.random.default_rng(3)
    ids = [f"u{k}" for k in range(50)]
    query = [f"u{k}" for k in rng.integers(0, 70, _FACTORIZE_ABOVE + 500)]  # u50..u69 are unknown
    values = {"object": np.asarray(query, dtype=object), "arrow": pd.Series(query, dtype="str"), "list": query}[kind]
    expected = np.array([int(q[1:]) if int(q[1:]) < 50 else -1 for q in query])
    for vocab in (Vocabulary(ids), _GrowingVocabulary(ids)):
        np.testing.assert_array_equal(vocab.to_inner(values), expected)


def test_a_long_query_with_missing_values_maps_them_to_minus_one():
    from workbench.vocabulary import _FACTORIZE_ABOVE, inner_of_many

    values = pd.Series(["a", None, "b"] * (_FACTORIZE_ABOVE // 3 + 1), dtype=object)
    out = inner_of_many(values, lambda distinct: [{"a": 0, "b": 1}.get(d, -1) for d in distinct])
    np.testing.assert_array_equal(out[:3], [0, -1, 1])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["add", "extend", "copy"]),
                          st.lists(st.integers(0, 300).map(lambda k: f"u{k}"), max_size=40)), max_size=25))
def test_growing_vocabulary_matches_a_plain_list_through_adds_extends_and_copies(steps):
    """Each vocabulary, grown in place or extended into a new one, keeps first-seen order;
    ids views taken earlier never change (the shared growth buffer is only written past them)."""
    import copy

    from workbench.recommenders.user_personalization import _GrowingVocabulary

    vocabs = [(_GrowingVocabulary(["u0"]), ["u0"])]
    views = []
    for action, ids in steps:
        k = len(ids) % len(vocabs)
        vocab, expected = vocabs[k]
        if action == "add":
            added = vocab.add(ids)
            fresh = list(dict.fromkeys(x for x in ids if x not in expected))
            assert added == len(fresh)
            expected.extend(fresh)
        elif action == "extend":
            out = vocab.extend(ids)
            vocabs.append((out, expected + list(dict.fromkeys(x for x in ids if x not in expected))))
        else:
            vocabs.append((copy.deepcopy(vocab), list(expected)))
        views.append((vocab.ids, list(vocab.ids)))
        for v, e in vocabs:
            assert v.ids.tolist() == e
            assert v.to_inner(e).tolist() == list(range(len(e)))
    for view, was in views:
        assert view.tolist() == was
