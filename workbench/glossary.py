"""Korean-English glossary of the terms the chapters use.

The source documents of the curriculum are Korean; the service documentation and
the code are English. Each :class:`Term` pairs the two spellings with a one-line
definition and the curriculum concept IDs where the term matters, so notebooks
can show the glossary as a table (:func:`glossary_frame`), look a term up in
either language (:func:`lookup`) or write ``이벤트 추적기 (event tracker)``
inline (:func:`bilingual`).

Korean spellings follow the source documents where they use the term (for
example 이벤트 추적기, 협업 필터링, 클릭률, 이탈률, 가명화); elsewhere they follow
common Korean usage in the industry.
"""

from __future__ import annotations

import dataclasses
import re

import pandas as pd

__all__ = ["GLOSSARY", "Term", "bilingual", "glossary_frame", "lookup", "search", "to_markdown"]


@dataclasses.dataclass(frozen=True)
class Term:
    """One glossary entry."""

    english: str
    """English term as used in code, the Personalize guide and the notebooks."""

    korean: str
    """Korean term (the source documents' spelling where they use one)."""

    definition: str
    """One sentence in plain English."""

    concepts: tuple[str, ...] = ()
    """Curriculum concept IDs (``/work/shared/curriculum.md``) where the term is central."""

    aliases: tuple[str, ...] = ()
    """Other spellings or abbreviations that :func:`lookup` also accepts (e.g. ``"CTR"``)."""


GLOSSARY: tuple[Term, ...] = (
    # --- data and the Personalize format -------------------------------------------------
    Term("interaction", "상호작용", "One recorded event between a user and an item (view, click, purchase, rating).",
         ("PZ-05", "GN-02"), ("item interaction",)),
    Term("interactions dataset", "상호작용 데이터셋",
         "The table of interactions (USER_ID, ITEM_ID, TIMESTAMP, ...); the one dataset every Personalize model needs.",
         ("PZ-05",), ("item interactions dataset",)),
    Term("items dataset", "아이템 데이터셋", "Item metadata keyed by ITEM_ID (category, price, description, creation time).",
         ("PZ-05",)),
    Term("users dataset", "사용자 데이터셋", "User metadata keyed by USER_ID (age group, membership, ...).", ("PZ-05",)),
    Term("schema", "스키마", "An Avro record listing the columns of a dataset, their types and flags such as categorical.",
         ("PZ-05", "RT-06")),
    Term("dataset group", "데이터셋 그룹", "The container that holds a project's datasets, models and event tracker.",
         ("PZ-06",)),
    Term("event type", "이벤트 유형", "The EVENT_TYPE column: what kind of interaction a row records (click, purchase, ...).",
         ("RT-05",), ("EVENT_TYPE",)),
    Term("event value", "이벤트 값", "The EVENT_VALUE column: a number attached to an event, e.g. the fraction of a video watched.",
         ("RT-05",), ("EVENT_VALUE",)),
    Term("timestamp", "타임스탬프", "When an event happened, as Unix epoch seconds (10 digits today; 13 digits means milliseconds).",
         ("RT-06",), ("TIMESTAMP",)),
    Term("impression", "노출", "The list of items that were on screen when the user acted, whether or not they were chosen.",
         ("GN-16",), ("IMPRESSION",)),
    Term("metadata", "메타데이터", "Descriptive attributes of items or users that a model can learn from.", ("GN-13",)),
    Term("explicit feedback", "명시적 피드백", "Feedback the user states on purpose, such as a star rating or a review.",
         ("GN-02",)),
    Term("implicit feedback", "암묵적 피드백", "Feedback inferred from behaviour: clicks, views, cart adds, dwell time.",
         ("GN-02",)),
    Term("context", "컨텍스트", "Facts about the moment of an interaction: time, place, device, session.",
         ("GN-02", "GN-08")),
    Term("session", "세션", "One visit; the events between arriving and leaving, tied together by a session id.",
         ("PZ-04", "DH-06"), ("sessionId", "SESSION_ID")),
    Term("data quality", "데이터 품질", "Whether the data is complete, correctly typed and free of duplicates and impossible values.",
         ("RT-06", "GN-17")),
    Term("preprocessing", "전처리", "Cleaning and reshaping raw logs before training: outliers, ordering, merging, features.",
         ("GN-03",)),
    Term("feature engineering", "피처 엔지니어링", "Deriving new inputs from raw data, such as purchase cycle or activity level.",
         ("GN-19",)),
    # --- pipeline and service -------------------------------------------------------------
    Term("recipe", "레시피", "A Personalize algorithm template (User-Personalization, SIMS, Popularity-Count, ...).",
         ("RT-04", "PZ-06")),
    Term("solution", "솔루션", "A recipe plus its training configuration; each training run makes a solution version.",
         ("PZ-06",)),
    Term("solution version", "솔루션 버전", "One trained model produced from a solution.", ("PZ-06",)),
    Term("campaign", "캠페인", "A deployed solution version that answers real-time recommendation requests.",
         ("PZ-07",)),
    Term("recommender", "추천기", "A domain (e-commerce or video) use case that Personalize trains and serves for you; "
         "also any model that produces recommendation lists.", ("RT-05", "PZ-06")),
    Term("event tracker", "이벤트 추적기", "The resource whose trackingId PutEvents calls name: it directs the live events into "
         "the item interactions dataset, so real-time recipes can use them within seconds.", ("RT-02", "RT-07"), ("PutEvents",)),
    Term("filter", "필터", "A rule that removes or keeps items in a recommendation list, e.g. exclude purchased items.",
         ("GN-08",)),
    Term("batch recommendation", "배치 추천", "Recommendations computed offline for many users at once and stored.",
         ("PZ-07", "GN-09"), ("batch inference",)),
    Term("user segment", "사용자 세그먼트", "The users most likely to interact with an item or a kind of item, best first "
         "(Personalize: a USER_SEGMENTATION solution version and a batch segment job).", ("PZ-07", "DH-10"),
         ("batch segment job",)),
    Term("real-time recommendation", "실시간 추천", "Recommendations computed on request, using the user's latest events.",
         ("PZ-07", "GN-09", "DH-06")),
    Term("retraining", "재학습", "Training a new model version on newer data.", ("RT-01", "RT-04")),
    Term("automatic training", "자동 학습", "Personalize training a new solution version of a custom solution on a "
         "schedule: every 7 days by default, rate(N days) with N from 1 to 30.", ("RT-04", "GN-17"),
         ("performAutoTraining", "schedulingExpression")),
    Term("managed service", "관리형 서비스", "A cloud service that runs training and serving for you (Personalize) "
         "instead of a model you build and host yourself (SageMaker).", ("RT-08",)),
    Term("feedback loop", "피드백 루프", "Recommendations shape what users click, and those clicks train the next model.",
         ("GN-01", "GN-21")),
    Term("feature store", "피처 저장소", "A shared store that serves the same features to training and to live inference.",
         ("GN-17",)),
    # --- models ----------------------------------------------------------------------------
    Term("personalization", "개인화", "Tailoring what each user sees to that user.", ("GN-01",)),
    Term("popularity", "인기도", "How many users interacted with an item; the simplest non-personal ranking.",
         ("PZ-02", "DH-14")),
    Term("collaborative filtering", "협업 필터링", "Recommending from the behaviour of similar users or of items used together.",
         ("PZ-03", "GN-04", "DH-11"), ("CF",)),
    Term("matrix factorization", "행렬 분해", "Explaining the user-item matrix with a few hidden factors per user and per item.",
         ("PZ-03", "GN-06")),
    Term("latent factor", "잠재 요인", "A hidden dimension learned by matrix factorization (an embedding coordinate).",
         ("GN-06",), ("embedding",)),
    Term("content-based recommendation", "콘텐츠 기반 추천", "Recommending items whose attributes resemble what the user liked.",
         ("GN-05", "DH-12"), ("content-based",)),
    Term("hybrid recommender", "하이브리드 추천", "A system that combines several approaches, e.g. collaborative plus content-based.",
         ("GN-07",)),
    Term("association rule", "연관 규칙", "If an order contains A it often contains B; measured by support, confidence and lift.",
         ("DH-07",)),
    Term("bought together", "함께 구매한 상품", "Items that appear in the same orders.", ("DH-07",)),
    Term("viewed together", "함께 본 상품", "Items viewed in the same sessions.", ("DH-07",)),
    Term("substitute", "대체재", "An item that can replace another (two similar shoes); shown on the product page.",
         ("DH-13",)),
    Term("complement", "보완재", "An item used with another (socks with shoes); shown in the cart as a cross-sell.",
         ("DH-13",), ("cross-sell",)),
    Term("customer segment", "고객 그룹", "A group of similar customers (heavy, VIP, normal) that share one recommendation list.",
         ("DH-10",), ("segment",)),
    Term("recency", "최신성", "How recently something happened; recent events can be weighted more.", ("PZ-08",)),
    Term("candidate generation", "후보 생성", "A cheap first stage that narrows the catalogue before a precise ranking stage.",
         ("DH-16",), ("two-stage",)),
    # --- evaluation and experiments ----------------------------------------------------------
    Term("offline metric", "오프라인 지표", "A score computed on held-out historical data (precision, recall, NDCG, ...).",
         ("GN-10",)),
    Term("precision", "정밀도", "Share of the top-k recommendations that were relevant.", ("GN-10",), ("precision@k",)),
    Term("recall", "재현율", "Share of the relevant items that made it into the top-k.", ("GN-10",), ("recall@k",)),
    Term("normalized discounted cumulative gain", "정규화 할인 누적 이득",
         "A ranking score that rewards relevant items near the top, scaled so a perfect list scores 1.",
         ("GN-10",), ("NDCG",)),
    Term("mean reciprocal rank", "평균 역순위", "Average of 1 / rank of the first relevant item.", ("GN-10",), ("MRR",)),
    Term("holdout", "홀드아웃", "Data kept out of training to test the model.", ("GN-10",), ("test set",)),
    Term("online metric", "온라인 지표", "A score measured on live traffic (CTR, conversion, retention, revenue).",
         ("GN-11",)),
    Term("click-through rate", "클릭률", "Clicks divided by impressions.", ("GN-11", "DH-04"), ("CTR",)),
    Term("conversion rate", "구매 전환율", "Purchases (or buyers) divided by visits (or clicks).", ("GN-11", "DH-04"),
         ("CVR",)),
    Term("bounce rate", "이탈률", "Share of visits that leave after the first page.", ("DH-04",)),
    Term("retention", "리텐션", "Share of users who come back after a given period.", ("GN-11",)),
    Term("lifetime value", "고객 생애 가치", "Total revenue a customer brings over the whole relationship.", ("GN-11",),
         ("LTV",)),
    Term("sales funnel", "세일즈 퍼널", "The chain visit -> click -> cart -> purchase, each step losing visitors.",
         ("DH-01", "DH-02")),
    Term("A/B test", "A/B 테스트", "Randomly split users between two variants and compare a KPI with a statistical test.",
         ("GN-12",)),
    Term("multi-armed bandit", "멀티 암드 밴딧", "An experiment that shifts traffic toward the better variant while it learns.",
         ("GN-12", "GN-16"), ("bandit",)),
    Term("exploration", "탐색", "Showing items the model knows little about in order to learn.", ("GN-16", "PZ-01")),
    Term("exploitation", "활용", "Showing the items the model already believes are best.", ("GN-16",)),
    # --- risks, ethics, operations ---------------------------------------------------------
    Term("cold start", "콜드 스타트", "A new user or item with too little history for a personal model.",
         ("GN-13", "RT-09")),
    Term("sparsity", "희소성", "Most user-item pairs have no interaction, which makes similarities noisy.", ("GN-04",)),
    Term("popularity bias", "인기 편향", "Popular items get recommended more and so become still more popular.",
         ("GN-14",)),
    Term("diversity", "다양성", "How different the items in one list are from each other.", ("GN-14",)),
    Term("novelty", "참신성", "How unfamiliar the recommended items are to the user (often: how unpopular).",
         ("GN-14", "PZ-01")),
    Term("serendipity", "세렌디피티", "A recommendation that is both unexpected and useful.", ("GN-05",)),
    Term("fairness", "공정성", "Whether items or user groups receive a fair share of exposure and quality.",
         ("GN-15",)),
    Term("drift", "드리프트", "The data a model sees in production moves away from the data it was trained on.",
         ("RT-01", "GN-17")),
    Term("monitoring", "모니터링", "Watching model inputs, outputs and KPIs over time to catch drift and breakage.",
         ("GN-17",)),
    Term("latency", "지연 시간", "Time between a recommendation request and its answer.", ("GN-17",)),
    Term("caching", "캐싱", "Keeping recent answers in memory so repeated requests are served without recomputing.",
         ("GN-17",)),
    Term("explainable recommendation", "설명 가능한 추천", "A recommendation shown with its reason: 'because you viewed ...'.",
         ("GN-23",), ("explanation",)),
    Term("data minimisation", "데이터 최소화", "Collect and keep only the fields a purpose really needs.", ("GN-24",),
         ("data minimization",)),
    Term("anonymisation", "익명화", "Removing identifiers so that no person can be re-identified, even with other data.",
         ("GN-24",), ("anonymization",)),
    Term("pseudonymisation", "가명화", "Replacing identifiers with tokens; whoever holds the key can still re-link them.",
         ("GN-24",), ("pseudonymization",)),
    Term("opt-in", "옵트인", "Personal data is used only after the user agrees.", ("GN-24",)),
    Term("opt-out", "옵트아웃", "The user can withdraw, and their data then stops being used.", ("GN-24",)),
)
"""Every term, grouped by topic (data, pipeline, models, evaluation, risks and operations)."""


def _key(text: str) -> str:
    return re.sub(r"[\s_\-]+", " ", text.strip().lower())


_INDEX: dict[str, Term] = {}
for _term in GLOSSARY:
    for _name in (_term.english, _term.korean, *_term.aliases):
        _INDEX.setdefault(_key(_name), _term)


def lookup(term: str) -> Term:
    """The entry for an English term, its Korean spelling or an alias (case and hyphens ignored).

    Raises:
        KeyError: the term is not in the glossary; the message suggests close matches.
    """
    found = _INDEX.get(_key(term))
    if found is None:
        close = [t.english for t in search(term)][:5]
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        raise KeyError(f"{term!r} is not in the workbench glossary.{hint}")
    return found


def search(text: str) -> list[Term]:
    """Terms whose English, Korean, alias or definition contains ``text`` (case-insensitive)."""
    needle = _key(text)
    if not needle:
        return []
    return [
        t
        for t in GLOSSARY
        if any(needle in _key(s) for s in (t.english, t.korean, t.definition, *t.aliases))
    ]


def bilingual(term: str) -> str:
    """``"이벤트 추적기 (event tracker)"`` for ``"event tracker"`` (or for its Korean spelling)."""
    entry = lookup(term)
    return f"{entry.korean} ({entry.english})"


def glossary_frame(concepts: list[str] | None = None) -> pd.DataFrame:
    """The glossary as a table with columns English, 한국어, Definition, Concepts.

    Args:
        concepts: keep only terms tagged with at least one of these concept IDs
            (``None`` keeps every term).
    """
    rows = [
        {"English": t.english, "한국어": t.korean, "Definition": t.definition, "Concepts": ", ".join(t.concepts)}
        for t in GLOSSARY
        if concepts is None or set(t.concepts) & set(concepts)
    ]
    return pd.DataFrame(rows, columns=["English", "한국어", "Definition", "Concepts"])


def to_markdown(terms: list[str]) -> str:
    """A short markdown table of the given terms, for a notebook's "words of this chapter" box."""
    lines = ["| English | 한국어 | Meaning |", "|:---|:---|:---|"]  # explicitly left: long meanings read badly right-aligned
    for name in terms:
        t = lookup(name)
        lines.append(f"| {t.english} | {t.korean} | {t.definition} |")
    return "\n".join(lines)
