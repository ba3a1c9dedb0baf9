"""Statistics of candidate terms: how often the corpus quotes a string, and how much it behaves
like a word (the new-word discovery statistics for Chinese).

For each term (by default the quoted terms of the corpus, ``tokenize.quoting_documents``):

``occurrences``, ``documents``         where the character string occurs, quoted or not
``quoted``, ``quoting_documents``      where it stands in Chinese quotation marks
``quoted_share``                       ``quoting_documents / documents``: the harvest's statistic
                                       (``tokenize.select_slogans``)
``pmi``                                cohesion: the smallest pointwise mutual information over the
                                       ways to cut the string in two,
                                       ``log(f(w) N / (f(a) f(b)))`` with ``f`` the string counts and
                                       ``N`` the characters of the corpus. High: the halves occur
                                       together far more than chance (两个确立); low: two common
                                       pieces that happen to meet (一劳永逸 + 地).
``left_entropy``, ``right_entropy``    boundary freedom: the entropy (nats) of the character before
                                       and after each occurrence. A word is used in many contexts;
                                       a fragment of a longer word always has the same neighbour.
                                       Punctuation, quotation marks and the text's edges are free
                                       boundaries: each counts as a neighbour of its own.

Cost: two streaming passes over the texts (Aho-Corasick over the terms and their halves);
memory holds the counters, not the texts."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

import numpy as np

from workbench.text.tokenize import quoting_documents

_OPEN, _CLOSE = "“「『", "”」』"
_WORDCHAR = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")


@dataclass(frozen=True)
class TermStats:
    """One term's counts and statistics (see the module docstring); ``examples``: up to a few
    contexts ``left【term】right``, quoted occurrences first."""

    term: str
    occurrences: int
    quoted: int
    documents: int
    quoting_documents: int
    quoted_share: float
    pmi: float
    left_entropy: float
    right_entropy: float
    examples: tuple[str, ...]


def _entropy(counts: Counter, free: int) -> float:
    """Entropy of the neighbour distribution; each of ``free`` boundaries is a neighbour of its own."""
    total = sum(counts.values()) + free
    if total == 0:
        return 0.0
    h = -sum(n / total * math.log(n / total) for n in counts.values())
    return h + free * (math.log(total) / total)  # ``free`` symbols seen once each


def _char_counts(texts: Iterable[str], chars: set[str]) -> tuple[Counter, int]:
    """Counts of ``chars`` in ``texts`` and the total number of characters (code points
    counted in numpy, batch by batch)."""
    want = np.array(sorted(ord(c) for c in chars), dtype=np.int64)
    counts = np.zeros(len(want), dtype=np.int64)
    total = 0
    batch: list[str] = []

    def flush():
        nonlocal total
        joined = "".join(batch)
        total += len(joined)
        cps = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        if len(want):
            idx = np.searchsorted(want, cps)
            idx[idx == len(want)] = 0
            hit = want[idx] == cps
            counts[:] += np.bincount(idx[hit], minlength=len(want))
        batch.clear()

    size = 0
    for t in texts:
        batch.append(t)
        size += len(t)
        if size > 2_000_000:
            flush()
            size = 0
    if batch:
        flush()
    return Counter({chr(int(c)): int(n) for c, n in zip(want, counts)}), total


def term_statistics(texts: Callable[[], Iterable[str]], terms: Sequence[str] | None = None,
                    examples: int = 2, width: int = 15) -> list[TermStats]:
    """The statistics of ``terms`` (default: every quoted term of the corpus) over the documents
    ``texts()`` yields (called twice, or three times when ``terms`` is None), in ``terms`` order
    (default: sorted). ``examples`` contexts of ``width`` characters either side per term."""
    import ahocorasick_rs

    quoting = quoting_documents(texts())
    terms = sorted(quoting) if terms is None else list(dict.fromkeys(terms))
    if not terms:
        return []
    splits = {w: [(w[:i], w[i:]) for i in range(1, len(w))] for w in terms}
    pieces = sorted({p for s in splits.values() for ab in s for p in ab if len(p) > 1} | set(terms))
    index = {p: i for i, p in enumerate(pieces)}
    is_term = np.zeros(len(pieces), dtype=bool)
    is_term[[index[w] for w in terms]] = True
    ac = ahocorasick_rs.AhoCorasick(pieces, implementation=ahocorasick_rs.Implementation.ContiguousNFA)
    freq = np.zeros(len(pieces), dtype=np.int64)
    docs, quoted = Counter(), Counter()
    left: dict[str, Counter] = {w: Counter() for w in terms}
    right: dict[str, Counter] = {w: Counter() for w in terms}
    free_left, free_right = Counter(), Counter()
    shown: dict[str, list[tuple[bool, str]]] = {w: [] for w in terms}
    for text in texts():
        found = ac.find_matches_as_indexes(text, overlapping=True)
        if not found:
            continue
        ids = np.fromiter((i for i, _, _ in found), dtype=np.int64, count=len(found))
        freq += np.bincount(ids, minlength=len(pieces))
        seen = set()
        for i, a, b in found:
            if not is_term[i]:
                continue
            w = pieces[i]
            seen.add(w)
            before = text[a - 1] if a else ""
            after = text[b] if b < len(text) else ""
            q = bool(before and after) and before in _OPEN and after in _CLOSE
            quoted[w] += q
            if before and _WORDCHAR.match(before):
                left[w][before] += 1
            else:
                free_left[w] += 1
            if after and _WORDCHAR.match(after):
                right[w][after] += 1
            else:
                free_right[w] += 1
            ex = shown[w]
            if len(ex) < examples or (q and not all(e[0] for e in ex)):
                context = f"{text[max(0, a - width):a]}【{w}】{text[b:b + width]}".replace("\n", " ")
                if len(ex) >= examples:  # a quoted use replaces an unquoted one
                    ex.remove(next(e for e in ex if not e[0]))
                ex.append((q, context))
        docs.update(seen)
    singles = {p for s in splits.values() for ab in s for p in ab if len(p) == 1}
    chars, n_chars = _char_counts(texts(), singles)

    def f(p: str) -> int:
        return chars[p] if len(p) == 1 else int(freq[index[p]])

    out = []
    for w in terms:
        fw = int(freq[index[w]])
        pmi = min((math.log(fw * n_chars / (f(a) * f(b))) for a, b in splits[w] if fw and f(a) and f(b)),
                  default=float("nan"))
        d = docs[w]
        out.append(TermStats(
            term=w, occurrences=fw, quoted=quoted[w], documents=d, quoting_documents=quoting[w],
            quoted_share=round(quoting[w] / d, 4) if d else 0.0, pmi=round(pmi, 3),
            left_entropy=round(_entropy(left[w], free_left[w]), 3),
            right_entropy=round(_entropy(right[w], free_right[w]), 3),
            examples=tuple(c for _, c in sorted(shown[w], key=lambda e: not e[0]))))
    return out
