"""Intermediate results that several check families of one run compute from the same data.

``near_duplicates`` and ``leakage`` both normalise a split's texts and MinHash-sketch them;
``duplicates`` and ``conflicting_labels`` both normalise the same columns. A family asks
``ctx.shared.get_or_compute(kind, split, params, compute)`` instead of computing such a value
itself, and the first family to ask computes it for the others.

An entry is keyed by its ``kind`` (what it is), the split's name, the *identity* of the split's
frame (a frame that is replaced, e.g. a table view or a corrected copy, never reuses a value
computed from another frame; frames are not modified in place during a run) and ``params``: a
hashable tuple of everything else that shapes the value (columns, normalisation, shingles,
permutations, seed). Two families share an entry only when all of that coincides, so sharing
never changes a result.

Memory: the runner tells the memo, before each check, which kinds that check and the checks
after it declare (``Check.shares``). Entries of a kind no remaining check declares are dropped;
a value is kept only when a later check declares its kind, and the last check to use a kind
takes its entries out of the memo as it reads them. :meth:`SharedWork.clear` frees everything at
the end of the run. Without a runner (a context built by hand) every value is kept until
:meth:`clear`. The largest entries are MinHash signatures: ``num_perm`` uint32 values per unique
text, 512 bytes at the default 128 permutations, so about 512 MB for a 1M-row split of distinct
texts (102 MB at 200k rows), held from the family that computes them to the last one that reads
them; normalised texts are about the size of the text column.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class WorkKey:
    kind: str  # what the value is ("normalized", "signatures", …)
    split: str
    frame: int  # id() of the frame it was computed from (the entry holds the frame, so the id is not reused)
    params: Hashable  # everything else that shapes the value


class SharedWork:
    """The per-run memo of shared intermediate results (``RunContext.shared``)."""

    def __init__(self) -> None:
        self._entries: dict[WorkKey, tuple[Any, Any]] = {}
        self._keep: frozenset[str] | None = None  # kinds a later check reads; None: keep every kind
        self.computed: Counter[str] = Counter()
        self.reused: Counter[str] = Counter()

    def get_or_compute(self, kind: str, split: str, frame: Any, params: Hashable, compute: Callable[[], T]) -> T:
        """The value of ``kind`` for this split's ``frame`` and ``params``: from the memo when an
        earlier family computed it, else ``compute()`` (kept when a later family declares ``kind``)."""
        key = WorkKey(kind, split, id(frame), params)
        entry = self._entries.get(key)
        if entry is not None and entry[0] is frame:
            self.reused[kind] += 1
            if self._keep is not None and kind not in self._keep:  # the last reader: let it go with the caller
                del self._entries[key]
            return entry[1]
        value = compute()
        self.computed[kind] += 1
        if self._keep is None or kind in self._keep:
            self._entries[key] = (frame, value)
        return value

    def plan(self, now: Iterable[str], later: Iterable[str]) -> None:
        """Before a check runs: drop the kinds neither it (``now``) nor a later check reads, and keep
        new values only of the kinds a later check reads."""
        later = frozenset(later)
        needed = later | frozenset(now)
        for key in [k for k in self._entries if k.kind not in needed]:
            del self._entries[key]
        self._keep = later

    def clear(self) -> None:
        """Free every entry (the end of the run)."""
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
