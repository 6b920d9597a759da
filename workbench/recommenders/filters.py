"""Personalize-style filter expressions, parsed once and applied as boolean masks.

Amazon Personalize lets you narrow recommendations with a *filter expression*
(fact sheet section 4.1), for example::

    EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase")
    INCLUDE ItemID WHERE Items.CATEGORY_L1 IN ($CATEGORY)
    INCLUDE ItemID WHERE Items.PRICE <= $PRICE
    EXCLUDE ItemID WHERE Items.GENRE IN ($GENRE) IF CurrentUser.AGE = $AGE
    INCLUDE ItemID WHERE Items.CATEGORY IN ("shoe") | EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("click")

:func:`parse_filter` turns such a string into a :class:`Filter`; ``Filter.mask``
answers, for a batch of users and the model's items, which (user, item) pairs
are *allowed* (True) -- the recommender then drops the others. Every model gets
filters for free through ``Recommender.recommend(filter=...)``.

What the workbench implements (and how it mirrors the documented behaviour):

* ``Items.<FIELD> IN (...)`` / ``NOT IN (...)`` on categorical fields. Multi-value
  fields hold ``|``-separated values (``"running|trail"``); an item matches ``IN``
  when *any* of its values is in the list, and matches ``NOT IN`` when none is.
  Values are compared case-sensitively (Personalize ignores case only for event
  types).
* ``Items.<FIELD> = < <= > >= <number>`` on numerical fields. ``=`` with a quoted
  string is accepted as a one-value ``IN`` (a workbench convenience).
* ``Interactions.EVENT_TYPE IN (...)``: the items this user interacted with
  through one of those event types. Event types are matched case-insensitively,
  ``"*"`` means every type, and only the **100 most recent interactions per user
  per event type** count, like the service's filters.
* ``$PARAM`` placeholders, filled from ``filter_values`` at request time.
* ``AND`` / ``OR`` between conditions on the **same** dataset (``AND`` binds
  tighter than ``OR``, as usual in boolean algebra).
* ``|`` chains independent expressions: INCLUDE parts are united, EXCLUDE parts
  are united, and the excluded set is subtracted from the included one, whatever
  the order (``INCLUDE A | EXCLUDE B`` = ``A - B``).
* ``IF CurrentUser.<FIELD> <op> <value>`` once at the end of an expression: the
  expression applies only to users (looked up in the users frame) meeting it.

Rejected with :class:`~workbench.errors.FilterExpressionError`, the message
pointing at the offending part: conditions on EVENT_VALUE or any other
interaction field (Personalize interaction filters use only the event type),
textual item fields, boolean fields, ``CurrentItem`` (only meaningful for
related-items recipes, which ``recommend`` is not), ``UserID`` filters (user
segments belong to batch segment jobs), and mixing Items and Interactions
conditions inside one expression (chain them with ``|``).

User-segment filters (``INCLUDE|EXCLUDE UserID WHERE Users.<FIELD> IN (...)``) select the users
of a batch segment job instead of items: :func:`parse_user_filter` reads them (Users conditions
only) and :meth:`Filter.user_mask` applies them; ``parse_filter`` refuses them.

Missing parameters: an INCLUDE expression needs every ``$PARAM``; in an EXCLUDE
expression a condition whose parameter is missing is ignored (the documented
"that part of the expression is ignored"), and an expression left without
conditions does nothing. Parameters of an ``IF`` part are always required.
"""

from __future__ import annotations

import dataclasses
import re
import warnings
from array import array
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..constants import EVENT_TYPE, ITEM_ID, TIMESTAMP, USER_ID
from ..errors import FilterExpressionError
from ..locking import Locked

__all__ = [
    "Condition",
    "Clause",
    "Filter",
    "parse_filter",
    "parse_user_filter",
    "is_user_filter",
    "as_filter",
    "exclude_purchased",
    "exclude_interacted",
    "include_category",
    "INTERACTIONS_PER_EVENT_TYPE",
    "TEXTUAL_FIELDS",
    "EventHistory",
]

INTERACTIONS_PER_EVENT_TYPE = 100
"""Interaction filters look at this many most recent interactions per user and event type."""

TEXTUAL_FIELDS = frozenset({"DESCRIPTION", "PRODUCT_DESCRIPTION"})
"""Item fields treated as ``textual`` (unfilterable) even without a schema. A frame can
name more in ``items.attrs["textual_fields"]``."""

MAX_FIELDS_PER_FILTER = 5
"""Default Personalize quota of distinct dataset fields in one filter (a warning above it)."""

_DATASETS = {"items": "Items", "interactions": "Interactions", "users": "Users",
             "currentuser": "CurrentUser", "currentitem": "CurrentItem"}
_KEYWORDS = {"EXCLUDE", "INCLUDE", "WHERE", "IN", "NOT", "AND", "OR", "IF"}
_COMPARISONS = ("<=", ">=", "=", "<", ">")

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<string>"[^"]*"|'[^']*')
  | (?P<number>-?\d+(?:\.\d+)?)
  | (?P<param>\$[A-Za-z_][A-Za-z0-9_]*)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)
  | (?P<op><=|>=|=|<|>)
  | (?P<punct>[(),|])
    """,
    re.VERBOSE,
)


# ---------------------------------------------------------------------- values
@dataclasses.dataclass(frozen=True)
class Param:
    """A ``$NAME`` placeholder, filled from ``filter_values`` at request time."""

    name: str
    """Parameter name without the dollar sign."""


Value = str | float | Param


@dataclasses.dataclass(frozen=True)
class Condition:
    """One ``Dataset.FIELD <op> <values>`` test."""

    dataset: str
    """``"Items"``, ``"Interactions"``, ``"CurrentUser"`` or (user-segment filters) ``"Users"``."""

    field: str
    """Column name in that dataset."""

    op: str
    """``"IN"``, ``"NOT IN"``, ``"="``, ``"<"``, ``"<="``, ``">"`` or ``">="``."""

    values: tuple[Value, ...]
    """Literal strings / numbers and :class:`Param` placeholders."""

    text: str
    """The source text of the condition (quoted in error messages)."""

    @property
    def params(self) -> tuple[str, ...]:
        """Names of the parameters this condition needs."""
        return tuple(v.name for v in self.values if isinstance(v, Param))


@dataclasses.dataclass(frozen=True)
class Clause:
    """One ``EXCLUDE|INCLUDE ItemID WHERE ... [IF ...]`` expression of a chain."""

    action: str
    """``"INCLUDE"`` or ``"EXCLUDE"``."""

    any_of: tuple[tuple[Condition, ...], ...]
    """The WHERE part in disjunctive form: OR over groups, AND inside a group."""

    if_all: tuple[Condition, ...]
    """``IF CurrentUser...`` conditions (all must hold); empty = applies to everyone."""

    text: str
    """The source text of this expression."""

    target: str = "ITEMID"
    """What the expression selects: ``"ITEMID"`` (recommendation filters) or ``"USERID"``
    (user-segment filters of batch segment jobs, :func:`parse_user_filter`)."""

    @property
    def dataset(self) -> str:
        """The dataset of the WHERE conditions."""
        return self.any_of[0][0].dataset


# ---------------------------------------------------------------------- filter
@dataclasses.dataclass(frozen=True)
class Filter:
    """A parsed filter: a chain of INCLUDE / EXCLUDE expressions.

    Build one with :func:`parse_filter` (or :func:`exclude_purchased`,
    :func:`include_category`); chain two with ``a | b``.
    """

    clauses: tuple[Clause, ...]
    """The chained expressions, in the order written."""

    expression: str
    """The whole expression string."""

    def __str__(self) -> str:
        return self.expression

    def __or__(self, other: Filter | str) -> Filter:
        other = as_filter(other)
        if self.selects_users != other.selects_users:
            raise FilterExpressionError(f"{self.expression!r} | {other.expression!r}: one part selects users "
                                        "(UserID), the other items (ItemID); a filter selects one or the other.")
        return Filter(self.clauses + other.clauses, f"{self.expression} | {other.expression}")

    @property
    def selects_users(self) -> bool:
        """True for a user-segment filter (``INCLUDE|EXCLUDE UserID WHERE Users...``)."""
        return bool(self.clauses) and self.clauses[0].target == "USERID"

    def user_mask(self, user_ids: Sequence[object] | np.ndarray, users: pd.DataFrame | None,
                  filter_values: Mapping[str, Any] | None = None) -> np.ndarray:
        """Which users a user-segment filter keeps (a bool array over ``user_ids``).

        INCLUDE parts are united, EXCLUDE parts subtracted, as for item filters; each condition
        is read from ``users`` (USER_ID + metadata), a user missing there matches no condition.
        """
        if not self.selects_users:
            raise FilterExpressionError(f"{self.expression!r} selects items, not users; a batch segment job "
                                        "takes an INCLUDE|EXCLUDE UserID WHERE Users.<FIELD> ... filter.")
        return self._mask(user_ids, ["_"], None, None, users, filter_values)[:, 0]

    @property
    def parameters(self) -> tuple[str, ...]:
        """Names of every ``$PARAMETER`` in the expression (without ``$``), in order of appearance."""
        names: list[str] = []
        for clause in self.clauses:
            for cond in [c for group in clause.any_of for c in group] + list(clause.if_all):
                names.extend(p for p in cond.params if p not in names)
        return tuple(names)

    def missing_parameters(self, filter_values: Mapping[str, Any] | None) -> tuple[str, ...]:
        """``$PARAMETERS`` a request must fill but ``filter_values`` leaves out.

        Every parameter of an INCLUDE expression and of an ``IF`` part is required;
        in an EXCLUDE expression a missing one only switches its condition off (the
        documented "that part of the expression is ignored"), so it is not listed.
        """
        given = _normalise_values(filter_values)
        missing: list[str] = []
        for clause in self.clauses:
            required = [c for g in clause.any_of for c in g] if clause.action == "INCLUDE" else []
            for cond in required + list(clause.if_all):
                missing.extend(p for p in cond.params if p not in given and p not in missing)
        return tuple(missing)

    def check_schema(self, items: pd.DataFrame | None = None, users: pd.DataFrame | None = None) -> None:
        """Check the fields the expression names against the datasets it will run on.

        What CreateFilter can decide before any request: every ``Items.<FIELD>``
        is a column of ``items`` and every ``CurrentUser.<FIELD>`` a column of
        ``users`` (a frame that is None is not checked); textual and boolean fields
        can't be filtered on (fact sheet section 4.1); ``< <= > >=`` need a
        numerical field, and ``=`` / ``IN`` with a number on a text field are
        refused too (``CATEGORY_L1 = 3`` never matches ``"3"`` reliably).

        Raises:
            FilterExpressionError: naming the condition, the field and the fix.
        """
        for clause in self.clauses:
            for cond in [c for g in clause.any_of for c in g] + list(clause.if_all):
                frame, key, name = (items, ITEM_ID, "Items") if cond.dataset == "Items" else (users, USER_ID, "Users")
                if cond.dataset not in ("Items", "CurrentUser", "Users") or frame is None:
                    continue
                _check_field(frame, key, name, cond)

    def mask(
        self,
        user_ids: Sequence[object] | np.ndarray,
        item_ids: Sequence[object] | np.ndarray,
        interactions: pd.DataFrame | None = None,
        items: pd.DataFrame | None = None,
        users: pd.DataFrame | None = None,
        filter_values: Mapping[str, Any] | None = None,
    ) -> np.ndarray:
        """Which (user, item) pairs the filter allows.

        Args:
            user_ids: raw ids of the users asking (rows of the mask).
            item_ids: raw ids of the candidate items (columns of the mask).
            interactions: the interaction history known to the model (USER_ID,
                ITEM_ID, TIMESTAMP, EVENT_TYPE); needed by ``Interactions.`` conditions.
            items: the items frame (ITEM_ID + metadata); needed by ``Items.`` conditions.
            users: the users frame (USER_ID + metadata); needed by ``IF CurrentUser.``.
            filter_values: values for ``$PARAMETERS`` -- a list/tuple of values, one
                value, or a Personalize-style string such as ``'"boots","sandals"'``.
                Keys may be written with or without the ``$``.

        Returns:
            A bool array of shape ``(len(user_ids), len(item_ids))``; True = allowed.

        Raises:
            FilterExpressionError: for a user-segment filter (it selects users: :meth:`user_mask`).
        """
        if self.selects_users:
            raise FilterExpressionError(f"{self.expression!r} selects users (UserID), not items: it applies to batch "
                                        "segment jobs (Filter.user_mask), not to recommendation lists.")
        return self._mask(user_ids, item_ids, interactions, items, users, filter_values)

    def _mask(self, user_ids, item_ids, interactions, items, users, filter_values) -> np.ndarray:
        context = _MaskContext(user_ids, item_ids, interactions, items, users, _normalise_values(filter_values))
        n_users, n_items = len(context.user_ids), len(context.item_ids)
        included: np.ndarray | None = None
        excluded = np.zeros((n_users, n_items), dtype=bool)
        for clause in self.clauses:
            matched = context.clause_matches(clause)
            if matched is None:  # every condition lacked its (optional) parameter
                continue
            applies = context.applies(clause)
            if clause.action == "INCLUDE":
                allowed = matched | ~applies
                included = allowed if included is None else included | allowed
            else:
                excluded |= matched & applies
        result = np.ones((n_users, n_items), dtype=bool) if included is None else np.broadcast_to(
            included, (n_users, n_items)).copy()
        result &= ~excluded
        return result


# -------------------------------------------------------------- event history
class EventHistory(Locked):
    """The interactions a model's filters read: its training frame plus tracked events.

    Real-time traffic appends a few events thousands of times. Keeping one
    DataFrame per call costs kilobytes per event and a long concatenation at the
    next filtered request; here tracked events go into growable columns (a list
    of id strings per column, shared string objects, and an ``array`` of int64
    timestamps), about 30 bytes per event plus the ids themselves. :meth:`frame`
    builds the Personalize-format frame (training rows first, tracked rows in
    arrival order) on demand and caches it until the next :meth:`append`.

    :meth:`append` and :meth:`frame` hold a lock, so concurrent callers never
    lose an event or see a half-built frame.

    Args:
        base: the training interactions (USER_ID, ITEM_ID, TIMESTAMP, optional EVENT_TYPE, ...), a frame
            or a :class:`~workbench.recommenders.coded.CodedInteractions` (whose frame is built only
            when :meth:`frame` is first called).
    """

    _reentrant = False  # a plain Lock: nothing takes it twice

    def __init__(self, base: pd.DataFrame) -> None:
        self._base = base
        self._users: list[str] = []
        self._items: list[str] = []
        self._times = array("q")
        self._types: list[object] = []
        self._shared: dict[str, str] = {}
        self._frame: pd.DataFrame = base
        self._in_frame = 0
        self._coded: list[tuple[np.ndarray, ...]] = []  # batches of append_codes, not yet strings
        self._n_coded = 0
        self._new_lock()

    def __len__(self) -> int:
        return len(self._base) + self.n_tracked

    @property
    def n_tracked(self) -> int:
        """How many events were appended since the training frame."""
        return len(self._users) + self._n_coded

    def append_codes(self, user_ids: np.ndarray, users: np.ndarray, item_ids: np.ndarray, items: np.ndarray,
                     timestamps: np.ndarray, event_types: np.ndarray | None = None) -> None:
        """Add tracked events given as codes into id arrays: event ``k`` is ``user_ids[users[k]]``, ...

        The fast path of simulations: nothing is turned into strings until :meth:`frame`
        (or a later :meth:`append`) needs them. ``user_ids`` / ``item_ids`` are kept by
        reference, so they must not be modified in place afterwards (a growing vocabulary
        replaces its id array, it never rewrites it).
        """
        users, items = np.asarray(users, dtype=np.int64), np.asarray(items, dtype=np.int64)
        times = np.asarray(timestamps, dtype=np.int64)
        if not len(users) == len(items) == len(times):
            raise ValueError(f"append_codes needs as many users, items and timestamps, got {len(users)}, "
                             f"{len(items)} and {len(times)}")
        if len(users) == 0:
            return
        types = None if event_types is None else np.asarray(event_types, dtype=object)
        with self._lock:
            self._coded.append((user_ids, users, item_ids, items, times, types))
            self._n_coded += len(users)

    def _flush_codes(self) -> None:
        """Turn the coded batches into the string columns (in arrival order); caller holds the lock."""
        for user_ids, users, item_ids, items, times, types in self._coded:
            self._users.extend(user_ids[users].tolist())
            self._items.extend(item_ids[items].tolist())
            self._times.extend(times.tolist())
            self._types.extend([None] * len(users) if types is None else types.tolist())
        self._coded = []
        self._n_coded = 0

    def append(self, users, items, timestamps, event_types=None) -> None:
        """Add tracked events (one entry per event in each sequence; ``event_types`` None = no type)."""
        share = self._shared.setdefault
        users = [share(u, u) for u in map(str, users)]
        items = [share(i, i) for i in map(str, items)]
        times = [int(t) for t in timestamps]
        if not len(users) == len(items) == len(times):
            raise ValueError(f"append needs as many users, items and timestamps, got {len(users)}, "
                             f"{len(items)} and {len(times)}")
        types = [None] * len(users) if event_types is None else [
            None if t is None else share(str(t), str(t)) for t in event_types]
        with self._lock:
            if self._coded:  # keep arrival order
                self._flush_codes()
            self._users.extend(users)
            self._items.extend(items)
            self._times.extend(times)
            self._types.extend(types)

    def frame(self) -> pd.DataFrame:
        """Training rows, then every tracked event, as one Personalize-format frame (cached)."""
        with self._lock:
            if self._coded:
                self._flush_codes()
            n = len(self._users)
            if not isinstance(self._frame, pd.DataFrame):  # training codes, not yet a frame
                self._frame = self._frame.frame()
            if n == self._in_frame:
                return self._frame
            start = self._in_frame
            tail = pd.DataFrame({
                USER_ID: np.asarray(self._users[start:n], dtype=object),
                ITEM_ID: np.asarray(self._items[start:n], dtype=object),
                TIMESTAMP: np.frombuffer(self._times, dtype=np.int64, count=n, offset=0)[start:n].copy(),
                EVENT_TYPE: np.asarray(self._types[start:n], dtype=object),
            })
            if EVENT_TYPE not in self._base.columns and tail[EVENT_TYPE].isna().all():
                tail = tail.drop(columns=EVENT_TYPE)
            self._frame = pd.concat([self._frame, tail], ignore_index=True) if len(self._frame) else tail
            self._in_frame = n
            return self._frame

    def nbytes(self) -> int:
        """Approximate bytes held for the tracked events (column storage, not the shared id strings)."""
        coded = sum(b[1].nbytes + b[3].nbytes + b[4].nbytes + (0 if b[5] is None else b[5].nbytes)
                    for b in self._coded)
        return (self._times.itemsize * len(self._times)
                + 8 * (len(self._users) + len(self._items) + len(self._types)) + coded)


# ---------------------------------------------------------------- constructors
def parse_filter(expression: str) -> Filter:
    """Parse a Personalize filter expression into a :class:`Filter`.

    Args:
        expression: e.g. ``'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase")'``;
            several expressions can be chained with ``|``.

    Raises:
        FilterExpressionError: the expression is malformed or uses something the
            workbench (or Personalize) does not support; the message quotes the
            expression and marks the offending position.
    """
    if isinstance(expression, Filter):
        return expression
    if not isinstance(expression, str) or not expression.strip():
        raise FilterExpressionError("a filter expression must be a non-empty string such as "
                                    "'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN (\"purchase\")'.")
    clauses = _Parser(expression).parse()
    _warn_about_fields(clauses)
    return Filter(tuple(clauses), expression.strip())


def _warn_about_fields(clauses: list[Clause]) -> None:
    fields = {(c.dataset, c.field) for cl in clauses for g in cl.any_of for c in g} | {
        (c.dataset, c.field) for cl in clauses for c in cl.if_all}
    if len(fields) > MAX_FIELDS_PER_FILTER:
        warnings.warn(
            f"the filter uses {len(fields)} distinct dataset fields; Personalize's default quota is "
            f"{MAX_FIELDS_PER_FILTER} per filter.", stacklevel=3)


def parse_user_filter(expression: str) -> Filter:
    """Parse a user-segment filter: ``INCLUDE|EXCLUDE UserID WHERE Users.<FIELD> IN (...)``.

    Such filters select the users of a batch segment job (fact sheet §4.1:
    ``INCLUDE UserID WHERE Users.MEMBERSHIP_STATUS IN ($MEMBERSHIP)``). Conditions use the
    Users dataset with the operators of item filters; ``|`` chains expressions. The workbench
    plays only Users conditions in them.

    Raises:
        FilterExpressionError: the expression is malformed, selects items, or names another dataset.
    """
    if isinstance(expression, Filter):
        if not expression.selects_users:
            raise FilterExpressionError(f"{expression.expression!r} selects items, not users.")
        return expression
    if not isinstance(expression, str) or not expression.strip():
        raise FilterExpressionError("a user filter must be a non-empty string such as "
                                    "'INCLUDE UserID WHERE Users.MEMBERSHIP_STATUS IN (\"gold\")'.")
    clauses = _Parser(expression, select_users=True).parse()
    _warn_about_fields(clauses)
    return Filter(tuple(clauses), expression.strip())


def is_user_filter(expression: str) -> bool:
    """Whether an expression's first part selects users (``INCLUDE|EXCLUDE UserID``), by its first two words."""
    words = expression.split(None, 2) if isinstance(expression, str) else []
    return len(words) >= 2 and words[1].upper() == "USERID"


def as_filter(obj: Filter | str) -> Filter:
    """Return ``obj`` as a :class:`Filter` (strings are parsed)."""
    if isinstance(obj, Filter):
        return obj
    if isinstance(obj, str):
        return parse_user_filter(obj) if is_user_filter(obj) else parse_filter(obj)
    raise TypeError(f"a filter must be a Filter or an expression string, not {type(obj).__name__}")


def exclude_purchased(event_type: str = "purchase") -> Filter:
    """``EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase")`` -- don't re-recommend purchases."""
    return parse_filter(f'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ({_quote(event_type)})')


def exclude_interacted() -> Filter:
    """``EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("*")`` -- hide everything the user touched."""
    return parse_filter('EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("*")')


def include_category(field: str, values: str | Iterable[str]) -> Filter:
    """``INCLUDE ItemID WHERE Items.<field> IN ("v1", "v2", ...)``.

    Args:
        field: a categorical column of the items frame, e.g. ``"CATEGORY_L1"``.
        values: one value or several.
    """
    if isinstance(values, str):
        values = [values]
    values = list(values)
    if not values:
        raise FilterExpressionError(f"include_category({field!r}, ...) needs at least one value.")
    return parse_filter(f"INCLUDE ItemID WHERE Items.{field} IN ({', '.join(_quote(v) for v in values)})")


def _quote(value: object) -> str:
    text = str(value)
    if '"' in text:
        raise FilterExpressionError(f"filter values cannot contain double quotes: {text!r}")
    return f'"{text}"'


# ---------------------------------------------------------------------- parser
@dataclasses.dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    pos: int


class _Parser:
    """Recursive-descent parser over the token list of one expression string."""

    def __init__(self, expression: str, select_users: bool = False) -> None:
        self.source = expression
        self.tokens = self._tokenise(expression)
        self.i = 0
        self.select_users = select_users

    # -- errors -----------------------------------------------------------
    def error(self, message: str, pos: int | None = None) -> FilterExpressionError:
        if pos is None:
            pos = self.tokens[self.i].pos if self.i < len(self.tokens) else len(self.source)
        pointer = " " * pos + "^"
        return FilterExpressionError(f"{message}\n    {self.source}\n    {pointer}")

    def _tokenise(self, text: str) -> list[_Token]:
        tokens, pos = [], 0
        while pos < len(text):
            match = _TOKEN.match(text, pos)
            if match is None:
                self.source, self.tokens = text, []
                raise self.error(f"unexpected character {text[pos]!r} in the filter expression", pos)
            kind = match.lastgroup or ""
            if kind != "space":
                tokens.append(_Token(kind, match.group(), pos))
            pos = match.end()
        return tokens

    # -- token helpers --------------------------------------------------------
    def peek(self) -> _Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def peek_word(self) -> str:
        tok = self.peek()
        return tok.text.upper() if tok is not None and tok.kind == "name" else ""

    def take(self) -> _Token:
        tok = self.peek()
        if tok is None:
            raise self.error("the expression ends too early")
        self.i += 1
        return tok

    def expect_word(self, *words: str) -> str:
        tok = self.peek()
        if tok is None or tok.kind != "name" or tok.text.upper() not in words:
            found = "the end of the expression" if tok is None else repr(tok.text)
            raise self.error(f"expected {' or '.join(words)} but found {found}")
        self.i += 1
        return tok.text.upper()

    def expect_punct(self, char: str) -> None:
        tok = self.peek()
        if tok is None or tok.text != char:
            found = "the end of the expression" if tok is None else repr(tok.text)
            raise self.error(f"expected {char!r} but found {found}")
        self.i += 1

    # -- grammar --------------------------------------------------------------
    def parse(self) -> list[Clause]:
        clauses = [self.clause()]
        while self.peek() is not None:
            self.expect_punct("|")
            clauses.append(self.clause())
        return clauses

    def clause(self) -> Clause:
        start = self.peek().pos if self.peek() else len(self.source)
        action = self.expect_word("EXCLUDE", "INCLUDE")
        target_tok = self.peek()
        target = self.expect_word("ITEMID", "USERID", "ACTIONID")
        if self.select_users and target != "USERID":
            raise self.error(f"a user-segment filter selects users: write {action} UserID WHERE Users.<FIELD> ..., "
                             f"not {target_tok.text}.", target_tok.pos)
        if not self.select_users and target != "ITEMID":
            raise self.error(
                f"{target_tok.text} filters are not supported here: recommend() filters items, so use ItemID "
                "(UserID filters select user segments in batch segment jobs).", target_tok.pos)
        self.expect_word("WHERE")
        groups = self.where()
        if_all: tuple[Condition, ...] = ()
        if self.peek_word() == "IF":
            self.take()
            if_all = self.if_part()
        end = self.peek().pos if self.peek() is not None else len(self.source)
        text = self.source[start:end].strip()
        return Clause(action, groups, if_all, text, target)

    def where(self) -> tuple[tuple[Condition, ...], ...]:
        first = self.condition(where=True)
        groups = [[first]]
        while self.peek_word() in ("AND", "OR"):
            word = self.take().text.upper()
            pos = self.peek().pos if self.peek() is not None else len(self.source)
            cond = self.condition(where=True)
            if cond.dataset != first.dataset:
                raise self.error(
                    f"one expression cannot mix {first.dataset} and {cond.dataset} conditions with {word}; "
                    "write them as separate expressions chained with '|'.", pos)
            if word == "AND":
                groups[-1].append(cond)
            else:
                groups.append([cond])
        return tuple(tuple(g) for g in groups)

    def if_part(self) -> tuple[Condition, ...]:
        conds = [self.condition(where=False)]
        while self.peek_word() == "AND":
            self.take()
            conds.append(self.condition(where=False))
        if self.peek_word() == "OR":
            raise self.error("only AND may join CurrentUser conditions after IF")
        if self.peek_word() == "IF":
            raise self.error("IF may appear only once, at the end of an expression")
        return tuple(conds)

    def condition(self, where: bool) -> Condition:
        tok = self.take()
        if tok.kind != "name" or "." not in tok.text:
            raise self.error(f"expected a Dataset.FIELD reference such as Items.CATEGORY, found {tok.text!r}", tok.pos)
        raw_dataset, field = tok.text.split(".", 1)
        dataset = _DATASETS.get(raw_dataset.lower())
        if dataset is None:
            raise self.error(
                f"unknown dataset {raw_dataset!r}: use Items, Interactions (or CurrentUser after IF)", tok.pos)
        self._check_dataset(dataset, field, tok, where)
        op_tok = self.peek()
        op = self.operator()
        values = self.values(op)
        end = self.tokens[self.i - 1].pos + len(self.tokens[self.i - 1].text)
        cond = Condition(dataset, field, op, values, self.source[tok.pos:end])
        self._check_condition(cond, tok, op_tok)
        return cond

    def _check_dataset(self, dataset: str, field: str, tok: _Token, where: bool) -> None:
        if dataset == "CurrentItem":
            raise self.error(
                "CurrentItem.<field> works only with related-items recipes (an item is the query); "
                "recommend() has no current item.", tok.pos)
        if where and dataset == "CurrentUser":
            raise self.error("CurrentUser conditions go after IF at the end of the expression", tok.pos)
        if self.select_users:
            if not where or dataset != "Users":
                raise self.error(f"a user-segment filter tests the Users dataset (Users.<FIELD>); the workbench "
                                 f"does not play {dataset} conditions in it.", tok.pos)
            return
        if where and dataset == "Users":
            raise self.error(
                "Users conditions select users (INCLUDE UserID ... for batch segment jobs); to condition an item "
                "filter on the user, append IF CurrentUser.<FIELD> = $VALUE.", tok.pos)
        if not where and dataset != "CurrentUser":
            raise self.error(f"after IF only CurrentUser.<FIELD> conditions are allowed, not {dataset}", tok.pos)
        if dataset == "Interactions" and field.upper() != EVENT_TYPE:
            detail = ("event values" if field.upper() == "EVENT_VALUE" else f"the field {field!r}")
            raise self.error(
                f"interaction filters can use only EVENT_TYPE, not {detail} "
                "(Personalize does not filter on event value or contextual metadata).", tok.pos)

    def operator(self) -> str:
        tok = self.peek()
        if tok is None:
            raise self.error("expected IN, NOT IN or a comparison (= < <= > >=)")
        if tok.kind == "op":
            self.i += 1
            return tok.text
        word = self.peek_word()
        if word == "IN":
            self.i += 1
            return "IN"
        if word == "NOT":
            self.i += 1
            self.expect_word("IN")
            return "NOT IN"
        raise self.error(f"expected IN, NOT IN or a comparison (= < <= > >=) but found {tok.text!r}")

    def values(self, op: str) -> tuple[Value, ...]:
        if op in ("IN", "NOT IN"):
            tok = self.peek()
            if tok is not None and tok.kind == "param":
                return (self.value(),)
            self.expect_punct("(")
            values = [self.value()]
            while self.peek() is not None and self.peek().text == ",":
                self.i += 1
                values.append(self.value())
            self.expect_punct(")")
            return tuple(values)
        return (self.value(),)

    def value(self) -> Value:
        tok = self.take()
        if tok.kind == "string":
            return tok.text[1:-1]
        if tok.kind == "number":
            return float(tok.text)
        if tok.kind == "param":
            return Param(tok.text[1:])
        if tok.kind == "name" and tok.text.split(".")[0].lower() == "currentitem":
            raise self.error("CurrentItem.<field> works only with related-items recipes; recommend() has no "
                             "current item.", tok.pos)
        raise self.error(f"expected a quoted value, a number or a $PARAMETER but found {tok.text!r}", tok.pos)

    def _check_condition(self, cond: Condition, field_tok: _Token, op_tok: _Token | None) -> None:
        pos = op_tok.pos if op_tok is not None else field_tok.pos
        if cond.dataset == "Interactions" and cond.op != "IN":
            raise self.error("interaction filters support only EVENT_TYPE IN (...)", pos)
        if cond.op in ("<", "<=", ">", ">="):
            if any(isinstance(v, str) for v in cond.values):
                raise self.error(f"{cond.op} compares numbers; {cond.field} was given a quoted text value", pos)
        if cond.dataset != "Interactions" and any(v == "*" for v in cond.values):
            raise self.error('"*" (all event types) is allowed only in Interactions.EVENT_TYPE', pos)


# ----------------------------------------------------------------- evaluation
def _normalise_values(filter_values: Mapping[str, Any] | None) -> dict[str, tuple[str, ...]]:
    """``{"$GENRE": '"a","b"'}`` / ``{"GENRE": ["a", "b"]}`` -> ``{"GENRE": ("a", "b")}``."""
    out: dict[str, tuple[str, ...]] = {}
    for key, value in (filter_values or {}).items():
        name = str(key).lstrip("$")
        if isinstance(value, str):
            quoted = re.findall(r'"([^"]*)"', value)
            parts = quoted if quoted else [p.strip() for p in value.split(",") if p.strip()]
        elif isinstance(value, Iterable):
            parts = [str(v) for v in value]
        else:
            parts = [str(value)]
        out[name] = tuple(parts)
    return out


class _MaskContext:
    """Everything one ``Filter.mask`` call needs, with per-call caches."""

    def __init__(self, user_ids, item_ids, interactions, items, users, values: dict[str, tuple[str, ...]]) -> None:
        self.user_ids = np.asarray([str(u) for u in user_ids], dtype=object)
        self.item_ids = np.asarray([str(i) for i in item_ids], dtype=object)
        self.item_index = pd.Index(self.item_ids)
        self.interactions = interactions
        self.items = items
        self.users = users
        self.values = values
        self._recent: pd.DataFrame | None = None
        self._unique_users, self._user_inverse = np.unique(self.user_ids.astype(str), return_inverse=True)

    # -- clause level ---------------------------------------------------------
    def clause_matches(self, clause: Clause) -> np.ndarray | None:
        """Pairs matched by the WHERE part, broadcastable to (n_users, n_items); None = clause ignored."""
        result = None
        for group in clause.any_of:
            group_mask = None
            for cond in group:
                missing = [p for p in cond.params if p not in self.values]
                if missing:
                    if clause.action == "INCLUDE":
                        raise FilterExpressionError(
                            f"INCLUDE filters need a value for every parameter: ${missing[0]} in {cond.text!r} "
                            f"has none. Pass filter_values={{'{missing[0]}': [...]}}.")
                    continue  # EXCLUDE: the part with a missing parameter is ignored
                cond_mask = self.condition(cond)
                group_mask = cond_mask if group_mask is None else group_mask & cond_mask
            if group_mask is not None:
                result = group_mask if result is None else result | group_mask
        return result

    def applies(self, clause: Clause) -> np.ndarray:
        """(n_users, 1) bool: users the clause applies to (its IF part)."""
        applies = np.ones((len(self.user_ids), 1), dtype=bool)
        for cond in clause.if_all:
            missing = [p for p in cond.params if p not in self.values]
            if missing:
                raise FilterExpressionError(
                    f"the IF part {cond.text!r} needs a value for ${missing[0]}; pass it in filter_values.")
            applies &= self.user_condition(cond)[:, None]
        return applies

    # -- conditions -------------------------------------------------------------
    def condition(self, cond: Condition) -> np.ndarray:
        if cond.dataset == "Items":
            return self.item_condition(cond)[None, :]
        if cond.dataset == "Users":  # user-segment filters: one value per user, whatever the item
            return self.user_condition(cond)[:, None]
        return self.interaction_condition(cond)

    def resolve(self, cond: Condition) -> list[str | float]:
        out: list[str | float] = []
        for v in cond.values:
            out.extend(self.values[v.name] if isinstance(v, Param) else [v])
        return out

    def item_condition(self, cond: Condition) -> np.ndarray:
        if self.items is None or ITEM_ID not in getattr(self.items, "columns", []):
            raise FilterExpressionError(
                f"{cond.text!r} needs an items frame with ITEM_ID: fit the model with items=...")
        column = _metadata_column(self.items, ITEM_ID, cond, "items")
        textual = TEXTUAL_FIELDS | set(self.items.attrs.get("textual_fields", ()))
        if cond.field in textual:
            raise FilterExpressionError(
                f"{cond.text!r}: {cond.field} is a textual field and Personalize cannot filter on textual "
                "metadata; filter on a categorical field instead.")
        aligned = column.reindex(self.item_index)
        return _evaluate(aligned, cond, self.resolve(cond))

    def user_condition(self, cond: Condition) -> np.ndarray:
        if self.users is None or USER_ID not in getattr(self.users, "columns", []):
            raise FilterExpressionError(f"{cond.text!r} needs a users frame with USER_ID: fit the model with users=...")
        column = _metadata_column(self.users, USER_ID, cond, "users")
        aligned = column.reindex(pd.Index(self.user_ids))
        return _evaluate(aligned, cond, self.resolve(cond))

    def recent_interactions(self) -> pd.DataFrame:
        """The requested users' history, capped at the newest N events per user per event type."""
        if self._recent is not None:
            return self._recent
        frame = self.interactions
        if frame is None or len(frame) == 0:
            self._recent = pd.DataFrame({USER_ID: [], ITEM_ID: [], "_type": []})
            return self._recent
        cols = [USER_ID, ITEM_ID] + [c for c in (TIMESTAMP, EVENT_TYPE) if c in frame.columns]
        frame = frame[cols]
        frame = frame[frame[USER_ID].astype(str).isin(self._unique_users)]
        types = frame[EVENT_TYPE].astype(str).str.lower() if EVENT_TYPE in frame.columns else pd.Series(
            "", index=frame.index)
        recent = pd.DataFrame({USER_ID: frame[USER_ID].astype(str).to_numpy(),
                               ITEM_ID: frame[ITEM_ID].astype(str).to_numpy(),
                               "_type": types.to_numpy(),
                               "_time": frame[TIMESTAMP].to_numpy() if TIMESTAMP in frame.columns
                               else np.arange(len(frame))})
        # newest first; for equal timestamps the later row counts as newer
        recent["_order"] = np.arange(len(recent))
        recent = recent.sort_values(["_time", "_order"], ascending=False, kind="stable")
        keep = recent.groupby([USER_ID, "_type"], sort=False).cumcount() < INTERACTIONS_PER_EVENT_TYPE
        self._recent = recent[keep]
        self._has_event_type = EVENT_TYPE in self.interactions.columns
        return self._recent

    def interaction_condition(self, cond: Condition) -> np.ndarray:
        recent = self.recent_interactions()
        wanted = {str(v).lower() for v in self.resolve(cond)}
        if "*" in wanted:
            rows = recent
        else:
            if len(recent) and not self._has_event_type:
                raise FilterExpressionError(
                    f"{cond.text!r}: the interactions have no EVENT_TYPE column, so only \"*\" (all types) can match.")
            rows = recent[recent["_type"].isin(wanted)]
        mask = np.zeros((len(self._unique_users), len(self.item_ids)), dtype=bool)
        if len(rows):
            u = pd.Index(self._unique_users).get_indexer(rows[USER_ID])
            i = self.item_index.get_indexer(rows[ITEM_ID]) if self.item_index.is_unique else \
                pd.Index(pd.unique(self.item_ids)).get_indexer(rows[ITEM_ID])
            ok = (u >= 0) & (i >= 0)
            mask[u[ok], i[ok]] = True
        return mask[self._user_inverse]


def _metadata_column(frame: pd.DataFrame, key: str, cond: Condition, name: str) -> pd.Series:
    if cond.field not in frame.columns:
        choices = ", ".join(str(c) for c in frame.columns if c != key)
        raise FilterExpressionError(
            f"{cond.text!r}: the {name} frame has no column {cond.field!r} (available: {choices}).")
    column = frame[cond.field]
    if pd.api.types.is_bool_dtype(column):
        raise FilterExpressionError(
            f"{cond.text!r}: {cond.field} is boolean and Personalize cannot filter on boolean fields; "
            'store it as the strings "True"/"False" or as 0/1.')
    # the last row of a duplicated id wins (like a later PutItems overwriting an item)
    keys = frame[key].astype(str)
    keep = ~keys.duplicated(keep="last").to_numpy()
    return pd.Series(column.to_numpy()[keep], index=pd.Index(keys.to_numpy()[keep]), name=cond.field)


def _check_field(frame: pd.DataFrame, key: str, name: str, cond: Condition) -> None:
    """Schema rules of one condition on one dataset frame (see :meth:`Filter.check_schema`)."""
    if cond.field not in frame.columns:
        choices = ", ".join(str(c) for c in frame.columns if c != key) or "none"
        raise FilterExpressionError(
            f"{cond.text!r}: the {name} dataset has no field {cond.field!r}. Its fields: {choices}.")
    textual = TEXTUAL_FIELDS | set(frame.attrs.get("textual_fields", ()))
    if name == "Items" and cond.field in textual:
        raise FilterExpressionError(
            f"{cond.text!r}: {cond.field} is a textual field; Personalize can't filter on textual metadata. "
            "Filter on a categorical field (e.g. CATEGORY_L1) instead.")
    column = frame[cond.field]
    if pd.api.types.is_bool_dtype(column):
        raise FilterExpressionError(
            f"{cond.text!r}: {cond.field} is boolean and Personalize can't filter on boolean fields; "
            'store it as the strings "True"/"False" or as 0/1.')
    numeric = pd.api.types.is_numeric_dtype(column)
    if not numeric and cond.op in ("<", "<=", ">", ">="):
        raise FilterExpressionError(
            f"{cond.text!r}: {cond.op} compares numbers but {cond.field} is a categorical (text) field. "
            f"Use IN (\"value\", ...) on {cond.field}, or compare a numerical field such as PRICE.")
    literals = [v for v in cond.values if not isinstance(v, Param)]
    if not numeric and any(isinstance(v, float) for v in literals):
        raise FilterExpressionError(
            f"{cond.text!r}: {cond.field} is a categorical (text) field but is compared with a bare number; "
            f"quote the value (\"{_as_text(next(v for v in literals if isinstance(v, float)))}\").")


def _evaluate(column: pd.Series, cond: Condition, values: list[str | float]) -> np.ndarray:
    """Evaluate one condition on a metadata column aligned with the mask axis; missing values never match."""
    present = column.notna().to_numpy()
    numeric_column = pd.api.types.is_numeric_dtype(column)
    if cond.op in ("<", "<=", ">", ">=") or (cond.op == "=" and numeric_column and _all_numbers(values)):
        if not numeric_column:
            converted = pd.to_numeric(column, errors="coerce")
            if (converted.isna() & column.notna()).any():
                raise FilterExpressionError(
                    f"{cond.text!r}: {cond.op} needs a numerical field but {cond.field} holds text values.")
            column = converted
        if not _all_numbers(values) or len(values) != 1:
            raise FilterExpressionError(f"{cond.text!r}: {cond.op} needs exactly one number, got {values!r}.")
        target = float(values[0])
        data = column.to_numpy(dtype=float, na_value=np.nan)
        with np.errstate(invalid="ignore"):
            result = {"<": data < target, "<=": data <= target, ">": data > target,
                      ">=": data >= target, "=": data == target}[cond.op]
        return result & present
    # IN / NOT IN / = on categorical values; multi-value fields are '|'-separated
    if numeric_column and _all_numbers(values):
        data = column.to_numpy(dtype=float, na_value=np.nan)
        hit = np.isin(data, np.asarray([float(v) for v in values]))
    else:
        wanted = {_as_text(v) for v in values}
        texts = pd.Series([None if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) else _as_text(v)
                           for v in column.to_numpy(dtype=object)], dtype=object)
        exploded = texts.str.split("|").explode()  # index = row position, one row per value
        hit = (exploded.isin(wanted).groupby(level=0).any()
               .reindex(range(len(texts)), fill_value=False).to_numpy(dtype=bool))
    hit = np.asarray(hit, dtype=bool) & present
    if cond.op == "NOT IN":
        return ~hit & present
    return hit


def _all_numbers(values: list[str | float]) -> bool:
    for v in values:
        try:
            float(v)
        except (TypeError, ValueError):
            return False
    return True


def _as_text(value: object) -> str:
    """Text form used to compare categorical values (``3.0`` and ``"3"`` compare equal)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
