"""Reading aids for a fitted topic model, computed from plain arrays and tables.

Nothing here needs the model object: every function takes what a run folder holds
(``topic_term.npy``, ``terms.csv``, ``doc_topics.csv``, ``labels.json``, see
``docs/run-folder.md``), so the same aids work for tomotopy, gensim or any other engine.

- :func:`relevance` -- Sievert & Shirley (2014) relevance, as pyLDAvis computes it.
- :func:`frex` -- FREX words as in R's stm (``calcfrex``, Bischof & Airoldi 2012).
- :func:`top_terms`, :func:`topic_table` -- one row of top words per topic.
- :func:`representative_units` -- stm's ``findThoughts``: the units most about a topic;
  :func:`excerpt` cuts their text for a line.
- :func:`kwic` -- keyword in context over raw (unsegmented) Chinese text.

Topic ids start at 0 everywhere, as in the run-folder tables."""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from workbench.runfolder.schema import topic_columns_of

__all__ = [
    "TERM_SEPARATOR",
    "RELEVANCE_FLOOR",
    "relevance",
    "frex",
    "top_terms",
    "topic_table",
    "representative_units",
    "excerpt",
    "kwic",
]

#: Joins the top terms of a topic in :func:`topic_table`; the Chinese enumeration
#: comma reads naturally between Chinese words and never occurs inside a token.
TERM_SEPARATOR = "、"

#: Relevance given to a term whose p(w|k) or corpus frequency is zero. pyLDAvis
#: would produce -inf (or nan); a finite floor keeps such terms last in every
#: ranking without putting -inf into tables that go to Excel or Stata.
RELEVANCE_FLOOR = float(np.finfo(np.float64).min)

def _as_topic_term(topic_term) -> np.ndarray:
    beta = np.asarray(topic_term, dtype=np.float64)
    if beta.ndim != 2 or beta.shape[0] == 0 or beta.shape[1] == 0:
        raise ValueError(f"topic_term must be a non-empty (K, V) array, got shape {beta.shape}")
    if not np.all(np.isfinite(beta)) or np.any(beta < 0):
        raise ValueError("topic_term must hold finite, non-negative probabilities")
    return beta


def _as_term_vector(values, n_terms: int, name: str) -> np.ndarray:
    vec = np.asarray(values, dtype=np.float64).reshape(-1)
    if vec.shape[0] != n_terms:
        raise ValueError(f"{name} has {vec.shape[0]} entries, topic_term has {n_terms} terms")
    if not np.all(np.isfinite(vec)) or np.any(vec < 0):
        raise ValueError(f"{name} must hold finite, non-negative counts")
    return vec


def relevance(topic_term, term_frequency, lam: float = 0.6) -> np.ndarray:
    """Term relevance per topic (Sievert & Shirley 2014, "LDAvis").

    ``relevance(w, k) = lam * log p(w|k) + (1 - lam) * log(p(w|k) / p(w))`` with
    ``p(w) = term_frequency / term_frequency.sum()``, exactly as pyLDAvis'
    ``_topic_info`` computes ``log_ttd`` and ``log_lift``. ``lam=1`` ranks by
    probability within the topic, ``lam=0`` by lift; the LDAvis user study found
    ``lam`` about 0.6 best for reading topics.

    Inputs: ``topic_term`` (K, V) p(w|k) (``topic_term.npy``); ``term_frequency`` (V,)
    corpus counts of each term (``terms.csv`` ``corpus_freq``); ``lam`` in [0, 1].
    Output: float64 array (K, V). Entries where p(w|k) = 0 or p(w) = 0 are set to
    :data:`RELEVANCE_FLOOR` (finite, below every real value) instead of -inf/nan,
    and no numpy warning is raised for them.
    """
    if not 0.0 <= lam <= 1.0:
        raise ValueError(f"lam must be in [0, 1], got {lam}")
    beta = _as_topic_term(topic_term)
    freq = _as_term_vector(term_frequency, beta.shape[1], "term_frequency")
    total = freq.sum()
    if total <= 0:
        raise ValueError("term_frequency sums to zero")
    p_w = freq / total
    valid = (beta > 0) & (p_w > 0)[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        log_ttd = np.log(beta)
        log_lift = log_ttd - np.log(p_w)[None, :]
        scores = lam * log_ttd + (1.0 - lam) * log_lift
    return np.where(valid, scores, RELEVANCE_FLOOR)


def _js_shrink(excl: np.ndarray, wordcounts: np.ndarray) -> np.ndarray:
    """stm's ``js.estimate`` applied to every column of p(k|w), vectorised.

    James-Stein shrinkage of each word's topic distribution towards uniform
    (Hausser & Strimmer 2009), so that rare words are not "exclusive" by accident.
    """
    n_topics = excl.shape[0]
    unif = 1.0 / n_topics
    ct = wordcounts[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        mlvar = excl * (1.0 - excl) / (ct - 1.0)
        deviation = ((excl - unif) ** 2).sum(axis=0)
        lam = mlvar.sum(axis=0) / deviation
    lam = np.clip(lam, 0.0, 1.0)
    shrunk = lam[None, :] * unif + (1.0 - lam[None, :]) * excl
    # The special cases in stm's js.estimate, in its order of precedence.
    shrunk = np.where(np.isnan(lam)[None, :], unif, shrunk)
    shrunk = np.where((deviation == 0)[None, :], excl, shrunk)
    shrunk = np.where((wordcounts <= 1)[None, :], unif, shrunk)
    return shrunk


def frex(topic_term, w: float = 0.5, wordcounts=None) -> np.ndarray:
    """FREX score of every term in every topic, as R's stm computes it (``calcfrex``).

    Following stm (Roberts, Stewart & Tingley; after Bischof & Airoldi 2012):

    - frequency ``F[k, v]`` = ECDF of p(v|k) among the V terms of topic k
      (average rank / V, ties averaged like ``data.table::frank``);
    - exclusivity ``E[k, v]`` = ECDF, within topic k, of
      ``p(v|k) / sum_j p(v|j)`` (the topic-given-word distribution);
    - ``FREX = 1 / (w / F + (1 - w) / E)``, a weighted harmonic mean, so a term must
      rank high on both to score high.

    Note on ``w``: stm's code (and its documentation: "the proportion of the weight
    assigned to frequency") puts ``w`` on frequency, ``w / F``. We keep stm's meaning
    so a ``w`` reported in a paper means the same in both tools; ``1 - w`` weighs
    exclusivity. At the default 0.5 the two are weighted equally.

    Inputs: ``topic_term`` (K, V) p(w|k); ``w`` in [0, 1]; ``wordcounts`` (V,) corpus
    counts, optional: when given, exclusivity uses stm's James-Stein shrinkage
    (``js.estimate``), as ``labelTopics`` does by default. Output: float64 array
    (K, V) in (0, 1]; higher is more frequent-and-exclusive. stm returns the word
    order instead; ``top_terms(frex(...), vocab)`` gives that order.

    A term with zero probability in every topic gets uniform exclusivity 1/K
    (stm's log-space version would give nan there).
    """
    if not 0.0 <= w <= 1.0:
        raise ValueError(f"w must be in [0, 1], got {w}")
    beta = _as_topic_term(topic_term)
    n_topics, n_terms = beta.shape
    colsum = beta.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        excl = np.where(colsum > 0, beta / colsum, 1.0 / n_topics)
    if wordcounts is not None:
        excl = _js_shrink(excl, _as_term_vector(wordcounts, n_terms, "wordcounts"))
    # Ranks are invariant to stm's log transform, so probabilities rank the same as
    # its logbeta; ranks are >= 1, so the division below never meets a zero.
    freq_score = rankdata(beta, method="average", axis=1) / n_terms
    excl_score = rankdata(excl, method="average", axis=1) / n_terms
    return 1.0 / (w / freq_score + (1.0 - w) / excl_score)


def top_terms(scores, vocab, n: int = 10) -> list[list[str]]:
    """The ``n`` best terms of each topic by a (K, V) score matrix.

    Inputs: ``scores`` (K, V), higher is better (p(w|k), :func:`relevance`,
    :func:`frex`); ``vocab`` the V terms in column order (``terms.csv`` ``term``);
    ``n`` terms per topic. Output: K lists of up to ``n`` strings, best first. Ties
    go to the lower term id (model order), so the lists are reproducible; nan
    scores come last.
    """
    arr = np.asarray(scores, dtype=np.float64)
    if arr.ndim != 2:
        raise ValueError(f"scores must be (K, V), got shape {arr.shape}")
    terms = [str(t) for t in vocab]
    if len(terms) != arr.shape[1]:
        raise ValueError(f"vocab has {len(terms)} terms, scores has {arr.shape[1]} columns")
    if n < 0:
        raise ValueError("n must be >= 0")
    keyed = np.where(np.isnan(arr), np.inf, -arr)
    order = np.argsort(keyed, axis=1, kind="stable")[:, :n]
    return [[terms[j] for j in row] for row in order]


def _doc_topic_matrix(doc_topic, doc_lengths) -> tuple[np.ndarray, np.ndarray | None]:
    if isinstance(doc_topic, pd.DataFrame):
        cols = topic_columns_of(doc_topic)
        if doc_lengths is None and "n_tokens" in doc_topic.columns:
            doc_lengths = doc_topic["n_tokens"].to_numpy(dtype=np.float64)
        theta = doc_topic[cols].to_numpy(dtype=np.float64)
    else:
        theta = np.asarray(doc_topic, dtype=np.float64)
    if doc_lengths is not None:
        doc_lengths = np.asarray(doc_lengths, dtype=np.float64).reshape(-1)
    return theta, doc_lengths


def topic_table(
    topic_term,
    term_frequency,
    vocab,
    *,
    n: int = 10,
    lam: float = 0.6,
    labels: Mapping[int, str] | None = None,
    doc_topic=None,
    doc_lengths=None,
    frex_weight: float = 0.5,
) -> pd.DataFrame:
    """One row per topic with its top terms three ways, for reading and labelling.

    Columns: ``topic`` (0-based id), ``label`` ("" when unlabelled), ``prob`` (top
    ``n`` terms by p(w|k)), ``relevance`` (by :func:`relevance` at ``lam``, the
    pyLDAvis list), ``frex`` (by :func:`frex` with ``term_frequency`` as stm's
    ``wordcounts``, the stm ``labelTopics`` list); terms joined with "、". When
    ``doc_topic`` is given, also ``share``: the topic's share of the corpus.

    Inputs: ``topic_term`` (K, V); ``term_frequency`` (V,) corpus counts; ``vocab``
    (V,) terms; ``labels`` {topic id: label}; ``doc_topic`` either an (N, K) array of
    unit shares or a ``doc_topics`` DataFrame (its ``topic_k`` columns, and its
    ``n_tokens`` as ``doc_lengths`` unless given); ``doc_lengths`` (N,) tokens per
    unit. ``share`` is token-weighted, ``sum_d len_d * theta_dk / sum_d len_d``, as
    pyLDAvis sizes its topic circles; without lengths every unit counts equally.
    """
    from workbench import checks

    checks.POSITIVE_INT.check("n", n)
    checks.UNIT_INTERVAL.check("lam", lam)
    beta = _as_topic_term(topic_term)
    n_topics = beta.shape[0]
    labels = dict(labels or {})
    table = pd.DataFrame(
        {
            "topic": np.arange(n_topics, dtype=np.int64),
            "label": [str(labels.get(k, "")) for k in range(n_topics)],
            "prob": [TERM_SEPARATOR.join(t) for t in top_terms(beta, vocab, n)],
            "relevance": [
                TERM_SEPARATOR.join(t)
                for t in top_terms(relevance(beta, term_frequency, lam), vocab, n)
            ],
            "frex": [
                TERM_SEPARATOR.join(t)
                for t in top_terms(
                    frex(beta, w=frex_weight, wordcounts=term_frequency), vocab, n
                )
            ],
        }
    )
    if doc_topic is not None:
        theta, lengths = _doc_topic_matrix(doc_topic, doc_lengths)
        if theta.ndim != 2 or theta.shape[1] != n_topics:
            raise ValueError(f"doc_topic must be (N, {n_topics}), got shape {theta.shape}")
        if lengths is None:
            lengths = np.ones(theta.shape[0])
        if lengths.shape[0] != theta.shape[0]:
            raise ValueError(f"doc_lengths has {lengths.shape[0]} entries, doc_topic {theta.shape[0]} rows")
        mass = lengths @ theta
        total = mass.sum()
        table["share"] = mass / total if total > 0 else np.full(n_topics, np.nan)
    return table


def representative_units(doc_topics: pd.DataFrame, topic: int, n: int = 3, *,
                         one_per_document: bool = False) -> pd.DataFrame:
    """The ``n`` units with the highest share of ``topic`` (stm's ``findThoughts``).

    Input: a ``doc_topics`` table (``doc_id``, ``unit_id``, ``text``, optional ``title``,
    ``date`` and ``source_file``, ``topic_0..``). With ``one_per_document``, an article gives at
    most one unit, its unit with the highest share: the ``n`` rows come from ``n`` different
    articles (with paragraph units, findThoughts' list is often one article's paragraphs).
    Output: DataFrame with ``doc_id``, ``unit_id``, ``share``, then ``title``, ``date``,
    ``source_file`` (those the input has) and ``text``, highest share first; equal shares are
    ordered by ``unit_id`` so the selection is reproducible (findThoughts keeps input order
    instead). Fewer rows when the table is smaller. Cost: one sort of the table.
    """
    column = f"topic_{int(topic)}"
    if column not in doc_topics.columns:
        raise KeyError(f"no column {column!r}; the table has {topic_columns_of(doc_topics)}")
    if n < 0:
        raise ValueError("n must be >= 0")
    keep = ["doc_id", "unit_id"] + [c for c in ("title", "date", "source_file") if c in doc_topics.columns] + ["text"]
    missing = [c for c in keep if c not in doc_topics.columns]
    if missing:
        raise KeyError(f"doc_topics lacks columns {missing}")
    ranked = (
        doc_topics[keep]
        .assign(share=doc_topics[column].astype(np.float64))
        .sort_values(["share", "unit_id"], ascending=[False, True], kind="stable")
    )
    if one_per_document:
        ranked = ranked.drop_duplicates("doc_id", keep="first")
    ordered = ["doc_id", "unit_id", "share"] + [c for c in keep if c not in ("doc_id", "unit_id")]
    return ranked.head(n)[ordered].reset_index(drop=True)


def excerpt(text, max_chars: int | None = 200) -> str:
    """``text`` on one line (runs of white space become one space), cut to ``max_chars``
    characters with "…" at the end when longer; ``None`` keeps it whole."""
    text = " ".join(str(text).split())
    if max_chars is None or len(text) <= max_chars:
        return text
    return text[: max(max_chars - 1, 0)] + "…"


def kwic(texts, term: str, width: int = 20, ids=None) -> pd.DataFrame:
    """Keyword in context over raw Chinese text, by characters.

    Chinese has no spaces, so the context is ``width`` characters either side of
    each match rather than words, and matching is on the raw string (no
    tokenizer: a term that jieba would split still matches). ``term`` is matched
    literally (regex-escaped).

    Inputs: ``texts`` an iterable of strings or a pandas Series (None/NaN skipped);
    ``term`` non-empty; ``width`` >= 0; ``ids`` one id per text (default: the
    Series index, else the position). Output: DataFrame with columns ``id``,
    ``left``, ``term``, ``right``, one row per occurrence in text order. Occurrences
    are found left to right without overlap, so the count per text equals
    ``text.count(term)``. Context is cut short at the start and end of a text.
    """
    if not isinstance(term, str) or not term:
        raise ValueError("term must be a non-empty string")
    if width < 0:
        raise ValueError("width must be >= 0")
    if isinstance(texts, pd.Series):
        values = texts.tolist()
        default_ids = texts.index.tolist()
    else:
        values = list(texts)
        default_ids = list(range(len(values)))
    id_list = default_ids if ids is None else list(ids)
    if len(id_list) != len(values):
        raise ValueError(f"{len(id_list)} ids for {len(values)} texts")
    pattern = re.compile(re.escape(term))
    rows = []
    for text_id, text in zip(id_list, values):
        if not isinstance(text, str):
            continue
        for match in pattern.finditer(text):
            start, end = match.span()
            rows.append((text_id, text[max(0, start - width):start], match.group(), text[end:end + width]))
    return pd.DataFrame(rows, columns=["id", "left", "term", "right"])
