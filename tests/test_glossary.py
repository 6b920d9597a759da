from __future__ import annotations

import pytest

from workbench import glossary
from workbench.curriculum import CONCEPTS


def test_required_terms_have_the_agreed_korean_spelling():
    # spellings named in the project brief and used by the source documents
    assert glossary.lookup("event tracker").korean == "이벤트 추적기"
    assert glossary.lookup("recipe").korean == "레시피"
    assert glossary.lookup("interaction").korean == "상호작용"
    assert glossary.lookup("cold start").korean == "콜드 스타트"
    assert glossary.lookup("click-through rate").korean == "클릭률"


def test_lookup_accepts_korean_aliases_and_ignores_case_and_hyphens():
    assert glossary.lookup("이벤트 추적기").english == "event tracker"
    assert glossary.lookup("CTR").english == "click-through rate"
    assert glossary.lookup("Click Through Rate").english == "click-through rate"
    assert glossary.lookup("ndcg").korean == "정규화 할인 누적 이득"


def test_unknown_term_raises_with_suggestions():
    with pytest.raises(KeyError, match="Did you mean: .*event tracker"):
        glossary.lookup("event track")
    with pytest.raises(KeyError, match="not in the workbench glossary"):
        glossary.lookup("zzz-unknown")


def test_no_name_is_shared_by_two_entries():
    owner: dict[str, str] = {}
    clashes = []
    for term in glossary.GLOSSARY:
        for name in {glossary._key(n) for n in (term.english, term.korean, *term.aliases)}:
            if owner.setdefault(name, term.english) != term.english:
                clashes.append((name, owner[name], term.english))
    assert not clashes


def test_concept_tags_are_curriculum_ids():
    tags = {c for t in glossary.GLOSSARY for c in t.concepts}
    assert tags <= set(CONCEPTS), sorted(tags - set(CONCEPTS))


def test_frame_filter_and_markdown():
    frame = glossary.glossary_frame(["GN-24"])
    assert {"data minimisation", "pseudonymisation", "opt-out"} <= set(frame["English"])
    assert all("GN-24" in c for c in frame["Concepts"])
    assert len(glossary.glossary_frame()) == len(glossary.GLOSSARY)
    table = glossary.to_markdown(["recipe", "CTR"])
    assert table.splitlines()[2].startswith("| recipe | 레시피 |")
    assert "| click-through rate | 클릭률 |" in table
    assert glossary.bilingual("event tracker") == "이벤트 추적기 (event tracker)"
