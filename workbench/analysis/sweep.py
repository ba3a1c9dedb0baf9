"""Choosing K: train one model per (K, seed), score each, and say which K the evidence favours.

``workbench sweep SOURCE --topics 5,10,15,20,30 [--seeds 0,1,2]`` calls :func:`sweep`:

    corpus = preprocess.prepare(sources, ...)
    result = run_sweep(corpus, ks=[5, 10, 15, 20, 30], seeds=[0, 1, 2])   # one model per (K, seed)
    folder = write_sweep(result, "runs/")                                 # runs/sweep-<time>-<hash>/

The corpus is split once by article (:func:`held_out_split`, 10 % of the articles held out); every
model is trained on the training articles and scored with

* ``c_npmi`` and ``c_v``: topic coherence of each topic's top 10 terms (gensim's CoherenceModel,
  :func:`workbench.models.coherence`) over the training units as reference texts;
* ``perplexity``: held-out perplexity on the held-out articles (:func:`held_out_perplexity`);
* ``diversity``: share of unique words among all topics' top 25 terms (:func:`topic_diversity`);
* ``stability``: per K, how closely the seeds' models re-find the same topics
  (:func:`workbench.analysis.compare.stability`); NaN with a single seed.

:func:`recommend_k` turns the table into one K and a sentence that gives the figures behind it
(the rule is written out there).  Cost: one LDA fit per (K, seed) plus two coherence passes;
the 134 government work reports cut into 2,334 sections (374,000 tokens) took 6 minutes for
K = 5..30 x 3 seeds at 1,000 Gibbs iterations on 2 cores (``bench/sweep_gov_reports.py``)."""

from __future__ import annotations

import hashlib
import json
import math
import time
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from workbench import files, models, paths, runfolder
from workbench.analysis import compare
from workbench.models.lda import ModelConfig
from workbench.text.vocabulary import Vocabulary, to_dictionary

COLUMNS = ["num_topics", "seed", "c_npmi", "c_v", "perplexity", "diversity", "stability"]
DEFAULT_KS = (5, 10, 15, 20, 30)

DIVERSITY_TOPN = 25          # Dieng, Ruiz & Blei (2020) measure diversity on the top 25 words
COHERENCE_TOPN = 10          # as in every run folder's manifest
HELD_OUT_FRACTION = 0.1      # share of articles held out for perplexity
INFER_ITERATIONS = 100       # tomotopy's own default for ``infer``

# The recommendation rule's guards (see ``recommend_k``).
MIN_DIVERSITY = 0.7
# A K whose average topic is not re-found by the other seeds with a similarity of 0.5 (the median
# same-topic similarity across seeds on the evening news, bench/compare_rule.py: 0.52) does not give
# reproducible topics. A mean over all topics, stricter than compare's one-pair threshold.
MIN_STABILITY = 0.5


# --------------------------------------------------------------------------------------------
# Metrics


def topic_diversity(topic_term: np.ndarray, topn: int = DIVERSITY_TOPN) -> float:
    """Topic diversity (Dieng, Ruiz & Blei 2020, "Topic modeling in embedding spaces"): the number
    of distinct words among all topics' ``topn`` most probable words, divided by ``K * topn``.

    Input: ``topic_term`` (K, V), rows p(term | topic).  Output in [1/K, 1]: 1 when no two topics
    share a top word, 1/K when every topic has the same top words.  With V < ``topn`` the top
    list is the whole vocabulary.  Cost: one argsort, O(K V log V).
    """
    tt = np.asarray(topic_term, dtype=float)
    if tt.ndim != 2 or tt.shape[0] == 0 or tt.shape[1] == 0:
        raise ValueError(f"topic_term must be a non-empty (K, V) matrix, got shape {tt.shape}")
    n = min(int(topn), tt.shape[1])
    top = models.top_term_ids(tt, n)
    return float(len(np.unique(top)) / top.size)


def article_id(unit_id: str) -> str:
    """The article (``doc_id``) a unit belongs to: the part of ``unit_id`` before the last "-"."""
    return unit_id.rsplit("-", 1)[0]


def _hash_unit_interval(seed: int, key: str) -> float:
    digest = hashlib.sha256(f"{seed}\x00{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2.0**64


def held_out_split(unit_ids: Sequence[str], fraction: float = HELD_OUT_FRACTION,
                   seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Split units into training and held-out positions, by article, without a random generator.

    Each article (:func:`article_id` of its units) gets a number in [0, 1) from the sha256 of
    ``seed`` and its id; articles below ``fraction`` are held out.  So the split of an article
    never depends on which other articles are in the corpus: adding documents (or units to an
    existing article) does not move anyone across, and all paragraphs of an article sit on the
    same side.  About ``fraction`` of the articles are held out (not of the units).

    Small corpora: if no article falls below ``fraction``, the article with the smallest number is
    held out; if every article does, the one with the largest stays in training.  Only then can
    a new article change the split (when it takes over one of those two places).

    Inputs: ``unit_ids`` (``<doc_id>-<kind><index>``), ``fraction`` in (0, 1), ``seed``.
    Output: ``(train_idx, test_idx)``, sorted int arrays of positions in ``unit_ids``.
    Raises ``ValueError`` with fewer than two articles (an article split across both sides
    would leak its vocabulary into the held-out score).  Cost: one hash per article.
    """
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"fraction must be between 0 and 1, got {fraction}")
    articles = [article_id(u) for u in unit_ids]
    draw = {a: _hash_unit_interval(seed, a) for a in dict.fromkeys(articles)}
    if len(draw) < 2:
        raise ValueError(f"a held-out split needs at least two articles, the corpus has {len(draw)}")
    held = {a for a, x in draw.items() if x < fraction}
    if not held:
        held = {min(draw, key=lambda a: (draw[a], a))}
    elif len(held) == len(draw):
        held.discard(max(draw, key=lambda a: (draw[a], a)))
    is_test = np.array([a in held for a in articles], dtype=bool)
    return np.flatnonzero(~is_test), np.flatnonzero(is_test)


def held_out_perplexity(fitted: models.Fitted, test_bows: Sequence[list[tuple[int, int]]],
                        vocab: Vocabulary, config: ModelConfig) -> float:
    """Perplexity of held-out units under a fitted model: lower is a better fit to unseen text.

    Inputs: ``fitted`` from :func:`workbench.models.fit` trained over ``vocab`` (its
    ``Fitted.model`` is used), ``test_bows`` bags of words over ``vocab``'s ids (terms the model
    never saw must already be dropped: both engines would ignore them), ``config`` the
    ``ModelConfig`` it was trained with.  Output: a float > 1, NaN when ``test_bows`` has no token.

    * tomotopy: each unit becomes ``model.make_doc(words)``; ``model.infer(docs,
      iterations=INFER_ITERATIONS, together=False, workers=1)`` samples its topics with the
      topic-word counts frozen and returns per unit log p(words, sampled topics) under the model
      (tomotopy's own log-likelihood; each unit seeds its own generator, so the figure repeats).
      perplexity = exp(-sum ll / sum of token weights).  With ``term_weight="one"`` the weights
      are 1 and the denominator is the number of tokens.  With ``"idf"`` tomotopy models
      IDF-weighted pseudo-counts: every token counts log(N_train / df) and the
      log-likelihood is of those weighted counts, so the denominator is the same weighted count
      (``used_vocab_weighted_freq / used_vocab_freq`` per word).  The IDF weights come from the
      training units only, which every K and seed of a sweep share, so the figure is comparable
      across K within one sweep; it is not a perplexity of raw counts and not comparable with a
      run at another ``term_weight``.  ``"pmi"`` is handled the same way with tomotopy's PMI
      weights.  It is a single-sample estimate of the joint p(w, z), not
      the marginal p(w) (Wallach et al. 2009 give better estimators), so it is biased upwards by
      about the same for every K.
    * gensim: ``LdaModel.log_perplexity(test_bows)`` returns the per-word variational bound in
      natural-log units; perplexity = exp(-bound).  gensim's own log line prints 2**(-bound),
      which mixes bases (gensim issue #2623); the order across K is the same either way.  The
      bound includes the whole topic-word term, not scaled to the held-out size, which is why it
      often rises with K (gensim issue #951).

    The two engines' values are not comparable with each other (different estimators of
    different quantities), only across K within one engine and one sweep.
    Cost: tomotopy, ``INFER_ITERATIONS`` Gibbs sweeps over the held-out tokens; gensim, one
    E-step over them.
    """
    test_bows = [b for b in test_bows if b]
    if not test_bows:
        return float("nan")
    if config.engine == "tomotopy":
        return _tomotopy_perplexity(fitted.model, test_bows, vocab, config)
    if config.engine == "gensim":
        bound = fitted.model.log_perplexity(test_bows)
        return float(math.exp(-bound))
    raise ValueError(f"unknown engine '{config.engine}'")


def _tomotopy_perplexity(mdl, test_bows, vocab: Vocabulary, config: ModelConfig) -> float:
    freq = np.asarray(mdl.used_vocab_freq, dtype=float)
    if config.term_weight == "idf":
        per_word = np.asarray(mdl.used_vocab_weighted_freq, dtype=float) / np.maximum(freq, 1.0)
        weight_of = dict(zip(mdl.used_vocabs, per_word))
    elif config.term_weight == "pmi":
        p_word = dict(zip(mdl.used_vocabs, freq / freq.sum()))
    docs, total = [], 0.0
    for bow in test_bows:
        words = [vocab.terms[tid] for tid, n in bow for _ in range(n)]
        docs.append(mdl.make_doc(words))
        if config.term_weight == "idf":
            total += sum(weight_of[vocab.terms[tid]] * n for tid, n in bow)
        elif config.term_weight == "pmi":
            # tomotopy's PMI weight of a token: max(log(tf / p(word) / doc length), 0)
            length = len(words)
            total += sum(n * max(math.log(n / p_word[vocab.terms[tid]] / length), 0.0) for tid, n in bow)
        else:
            total += len(words)
    _, ll = mdl.infer(docs, iterations=INFER_ITERATIONS, together=False, workers=1)
    if total <= 0:
        return float("nan")
    return float(math.exp(-float(np.sum(ll)) / total))


# --------------------------------------------------------------------------------------------
# The recommendation


def summarize(table: pd.DataFrame) -> pd.DataFrame:
    """One row per K from a sweep table: mean and standard deviation (ddof=1; NaN with one seed)
    of ``c_npmi``, ``c_v``, ``perplexity``, ``diversity`` over the seeds, ``stability`` and the
    number of seeds.  Columns ``num_topics, n_seeds, <metric>_mean, <metric>_sd ..., stability``.
    """
    g = table.groupby("num_topics", sort=True)
    out = pd.DataFrame({"num_topics": sorted(table["num_topics"].unique())}).set_index("num_topics")
    out["n_seeds"] = g["seed"].nunique()
    for m in ("c_npmi", "c_v", "perplexity", "diversity"):
        if m in table.columns:
            out[f"{m}_mean"] = g[m].mean()
            out[f"{m}_sd"] = g[m].std(ddof=1)
    out["stability"] = g["stability"].first() if "stability" in table.columns else np.nan
    return out.reset_index()


def recommend_k(table: pd.DataFrame, *, min_diversity: float = MIN_DIVERSITY,
                min_stability: float = MIN_STABILITY) -> tuple[int, str]:
    """The K the sweep favours, and a sentence that states the rule and the figures that decided.

    Input: a sweep table (one row per (num_topics, seed), columns ``c_npmi``, ``diversity`` and,
    with several seeds, ``stability``; others are ignored).  Output: ``(k, reason)``.

    The rule, per K with its seeds' mean c_npmi ``m_K`` and standard deviation ``s_K``:

    1. Eligible Ks: mean topic diversity >= ``min_diversity`` (0.7: at most 30 % of the top-25
       slots repeat another topic's words; redundant topics are the usual sign of too many topics,
       Dieng et al. 2020) and, with two or more seeds, stability >= ``min_stability`` (0.5,
       ``MIN_STABILITY``; Greene et al. 2014 choose K by the agreement of topics
       across repeated fits).  If no K is eligible, every K with a finite c_npmi is a candidate
       and the reason says so.
    2. K_best: the candidate with the highest ``m_K`` (ties: the smaller K).  NPMI coherence
       correlates well with human ratings of topic interpretability (Aletras & Stevenson 2013;
       Lau, Newman & Baldwin 2014).
    3. With two or more seeds: the smallest candidate K whose ``m_K`` is at least
       ``m_best - s_best / sqrt(n_seeds)`` (the one-standard-error rule, Breiman et al. 1984,
       Hastie et al. 2009 §7.10): differences within seed noise do not justify more topics.
       With one seed: K_best.

    c_v and held-out perplexity are reported but do not vote: perplexity keeps improving (or,
    with gensim's bound, worsening) with K and does not track interpretability (Chang et al.
    2009); c_v's own authors no longer recommend it (they cannot reproduce its published
    results and it correlates negatively with other measures on some topic sets: Palmetto issues
    #12 and #76).  Automated coherence is a guide, not a verdict (Hoyle et al. 2021): read the
    topics of the recommended K and its neighbours.
    """
    if table.empty:
        raise ValueError("the sweep table is empty")
    s = summarize(table).set_index("num_topics")
    n_seeds = int(table.groupby("num_topics")["seed"].nunique().min()) if "seed" in table else 1
    several = n_seeds >= 2
    scored = s[np.isfinite(s["c_npmi_mean"])]
    if scored.empty:
        raise ValueError("no K has a finite c_npmi; cannot recommend one")

    def fails(k) -> list[str]:
        row = s.loc[k]
        why = []
        if not row["diversity_mean"] >= min_diversity:
            why.append(f"diversity {row['diversity_mean']:.2f}")
        if several and not row["stability"] >= min_stability:
            why.append(f"stability {row['stability']:.2f}")
        return why

    guards = f"diversity >= {min_diversity:.2f}" + (f" and stability >= {min_stability:.2f}" if several else "")
    eligible = [k for k in scored.index if not fails(k)]
    excluded = [f"K={k} ({', '.join(fails(k))})" for k in scored.index if fails(k)]
    if eligible:
        candidates = eligible
        head = (f"Eligible Ks ({guards}): {', '.join(str(k) for k in eligible)}"
                + (f"; excluded: {'; '.join(excluded)}" if excluded else "") + ".")
    else:
        candidates = list(scored.index)
        head = (f"No K met {guards} ({'; '.join(excluded)}), so every K stays a candidate; "
                f"read the topics before trusting any K from this sweep.")
    m = scored.loc[candidates, "c_npmi_mean"]
    k_best = int(min(candidates, key=lambda k: (-m[k], k)))
    best = m[k_best]
    if several:
        se = float(s.loc[k_best, "c_npmi_sd"]) / math.sqrt(n_seeds)
        se = se if math.isfinite(se) else 0.0
        floor = best - se
        k = int(min(k for k in candidates if m[k] >= floor))
        body = (f"K={k_best} has the highest mean c_npmi ({best:.4f}, standard error {se:.4f} over "
                f"{n_seeds} seeds)")
        if k == k_best:
            body += "; no smaller candidate K is within one standard error of it."
        else:
            body += (f"; K={k} is the smallest candidate within one standard error of it "
                     f"(c_npmi {m[k]:.4f} >= {floor:.4f}), so the extra topics are not worth it.")
    else:
        k = k_best
        body = f"K={k} has the highest c_npmi ({best:.4f}; one seed, so no stability or error bar)."
    row = s.loc[k]
    facts = f" At K={k}: diversity {row['diversity_mean']:.2f}"
    if several:
        facts += f", stability {row['stability']:.2f}"
    if "c_v_mean" in row and math.isfinite(row["c_v_mean"]):
        facts += f", c_v {row['c_v_mean']:.3f}"
    facts += "."
    edge = ""
    all_ks = list(s.index)
    if len(all_ks) > 1 and k == max(all_ks):
        edge = f" K={k} is the largest K tried: the best K may lie above it; extend --topics."
    elif len(all_ks) > 1 and k == min(all_ks):
        edge = f" K={k} is the smallest K tried: the best K may lie below it; extend --topics."
    rule = (" Rule: among eligible Ks, the highest mean c_npmi, then the smallest K within one "
            "standard error of it (one seed: the highest); c_v and perplexity are reported, not used.")
    return k, f"Recommended K={k}. {head} {body}{facts}{edge}{rule}"


# --------------------------------------------------------------------------------------------
# Running a sweep


@dataclass(frozen=True)
class SweepResult:
    """The outcome of :func:`run_sweep`.

    ``table``: one row per (num_topics, seed) with ``COLUMNS`` (``stability`` repeats the K's
    value on each of its rows); ``recommended_k`` and ``reason`` from :func:`recommend_k`;
    ``split``: what was trained on and held out (unit and article counts, held-out article
    ids); ``corpus``: fingerprint and sizes of the whole corpus.
    """

    table: pd.DataFrame = field(repr=False)
    recommended_k: int
    reason: str
    ks: tuple[int, ...]
    seeds: tuple[int, ...]
    model_config: ModelConfig
    split: dict = field(default_factory=dict, repr=False)
    corpus: dict = field(default_factory=dict, repr=False)
    seconds: float = 0.0

    @property
    def summary(self) -> pd.DataFrame:
        return summarize(self.table)


@dataclass(frozen=True)
class _Split:
    vocab: Vocabulary
    train_ids: list
    test_ids: list
    info: dict


def _bows(token_ids):
    from workbench.text.preprocess import Bows

    return Bows(token_ids)


def _split_corpus(corpus, fraction: float, seed: int) -> _Split:
    """Training and held-out units as term-id arrays over the training vocabulary: the corpus
    vocabulary minus the terms no training unit holds (no model could learn them; the held-out
    tokens of those terms are dropped for both engines)."""
    unit_ids = list(corpus.unit_ids)
    token_ids = corpus.token_ids
    try:
        train_idx, test_idx = held_out_split(unit_ids, fraction, seed)
    except ValueError:
        # One article: no honest held-out set; train on everything, perplexity stays NaN.
        train_idx, test_idx = np.arange(len(unit_ids)), np.arange(0)
    terms = corpus.vocab.terms
    seen = np.zeros(len(terms), dtype=bool)
    for i in train_idx:
        seen[token_ids[i]] = True
    remap = np.cumsum(seen) - 1
    remap[~seen] = -1
    train_ids = [remap[token_ids[i]].astype(np.int32) for i in train_idx]
    test_ids = []
    for i in test_idx:
        ids = remap[token_ids[i]]
        ids = ids[ids >= 0].astype(np.int32)
        if len(ids):
            test_ids.append(ids)

    kept = tuple(t for t, s in zip(terms, seen) if s)
    v = len(kept)
    df = np.zeros(v, dtype=np.int64)
    cf = np.zeros(v, dtype=np.int64)
    for ids in train_ids:
        np.add.at(cf, ids, 1)
        df[np.unique(ids)] += 1
    dictionary = to_dictionary(kept, df, len(train_ids), corpus_freq=cf)
    vocab = Vocabulary(dictionary, kept, df, cf)

    test_articles = sorted({article_id(unit_ids[i]) for i in test_idx})
    info = {
        "held_out_fraction": fraction, "split_seed": seed,
        "n_train_units": len(train_ids), "n_test_units": len(test_ids),
        "n_train_articles": len({article_id(unit_ids[i]) for i in train_idx}),
        "n_test_articles": len(test_articles), "test_doc_ids": test_articles,
        "n_train_tokens": int(cf.sum()), "n_test_tokens": int(sum(len(x) for x in test_ids)),
        "n_terms": v, "n_terms_dropped": int((~seen).sum()),
    }
    return _Split(vocab, train_ids, test_ids, info)


def run_sweep(corpus, ks: Sequence[int], seeds: Sequence[int] = (0,),
              model_config: ModelConfig = ModelConfig(), progress: bool = True, *,
              held_out: float = HELD_OUT_FRACTION, split_seed: int = 0) -> SweepResult:
    """Train one model per (K, seed) on the training articles and score it.

    Inputs: ``corpus`` from :func:`workbench.text.preprocess.prepare` (uses ``unit_ids``,
    ``token_ids``, ``vocab``); ``ks`` the numbers of topics (each >= 2); ``seeds`` the
    ``random_state`` of each fit; ``model_config`` every other setting (its ``num_topics`` and
    ``random_state`` are replaced); ``held_out`` the share of articles held out
    (:func:`held_out_split` with ``split_seed``).  Output: :class:`SweepResult`.

    Per model: c_npmi and c_v of the top 10 terms against the training units, perplexity on the
    held-out units, diversity of the top 25 terms; per K: ``compare.stability(...)["pairwise_mean"]``
    of its seeds' topic-term matrices (the mean over every pair of seeds of the mean similarity
    of one-to-one matched topics, so no seed is the reference).  A corpus of one article gets no
    held-out set (perplexity NaN).  Cost: len(ks) * len(seeds) fits plus two coherence passes
    over the training texts per fit; memory holds one topic-term matrix per fit.
    """
    from tqdm import tqdm

    ks = tuple(dict.fromkeys(int(k) for k in ks))
    seeds = tuple(dict.fromkeys(int(s) for s in seeds))
    if not ks or min(ks) < 2:
        raise ValueError(f"a sweep needs numbers of topics of at least 2, got {list(ks)}")
    if not seeds:
        raise ValueError("a sweep needs at least one seed")
    t0 = time.perf_counter()
    split = _split_corpus(corpus, held_out, split_seed)
    vocab = split.vocab
    models.check_topics(max(ks), len(split.train_ids), len(vocab.terms))  # every K, before the first fit
    train_bows = _bows(split.train_ids)
    test_bows = _bows(split.test_ids)
    texts = [[vocab.terms[j] for j in ids] for ids in split.train_ids]

    rows = []
    bar = tqdm(total=len(ks) * len(seeds), desc="sweep", unit="model", disable=not progress, leave=False)
    for k in ks:
        topic_terms = []
        for seed in seeds:
            bar.set_postfix_str(f"K={k} seed={seed}")
            cfg = replace(model_config, num_topics=k, random_state=seed)
            fitted = models.fit(train_bows, vocab, cfg, progress=False, token_ids=split.train_ids)
            topic_terms.append(fitted.topic_term)
            c_npmi, _ = models.coherence(fitted.topic_term, vocab.terms, texts, vocab.dictionary,
                                         measure="c_npmi", topn=COHERENCE_TOPN)
            c_v, _ = models.coherence(fitted.topic_term, vocab.terms, texts, vocab.dictionary,
                                      measure="c_v", topn=COHERENCE_TOPN)
            rows.append({"num_topics": k, "seed": seed, "c_npmi": c_npmi, "c_v": c_v,
                         "perplexity": held_out_perplexity(fitted, test_bows, vocab, cfg),
                         "diversity": topic_diversity(fitted.topic_term, DIVERSITY_TOPN)})
            bar.update(1)
        stab = (compare.stability(topic_terms, vocab.terms)["pairwise_mean"] if len(topic_terms) > 1
                else float("nan"))
        for r in rows[-len(seeds):]:
            r["stability"] = float(stab)
    bar.close()
    table = pd.DataFrame(rows, columns=COLUMNS)
    k_rec, reason = recommend_k(table)
    corpus_info = {
        "fingerprint": runfolder.corpus_fingerprint(corpus.unit_ids, corpus.token_ids, corpus.vocab.terms),
        "n_documents": len(corpus.doc_ids), "n_units": len(corpus.unit_ids),
        "n_terms": len(corpus.vocab.terms), "n_tokens": int(sum(len(t) for t in corpus.token_ids)),
    }
    return SweepResult(table, k_rec, reason, ks, seeds, model_config, split.info, corpus_info,
                       round(time.perf_counter() - t0, 1))


# --------------------------------------------------------------------------------------------
# Writing


def format_table(table: pd.DataFrame) -> str:
    """The sweep table as aligned plain text (for the terminal and ``recommendation.txt``)."""
    return table.to_string(index=False, float_format=lambda x: f"{x:.4f}", na_rep="NaN")


def write_sweep(result: SweepResult, out_dir: Path, config: dict | None = None) -> Path:
    """Write ``<out_dir>/sweep-<UTC time>-<8 hex>/`` whole or not at all (a hidden temporary
    folder beside it, then ``os.replace``); return its path.

    Files: ``sweep.csv`` (the table, UTF-8 with BOM), ``sweep.png`` (``charts.plot_sweep``),
    ``recommendation.txt`` (the reason, then the per-K summary and the full table) and
    ``manifest.json`` (``config`` as given plus the model settings, ks, seeds, the rule's
    thresholds, the split, corpus fingerprint, package versions, the recommendation and the
    sha256 of every other file).  The 8 hex digits hash the config and corpus fingerprint.
    """
    from workbench.outputs import charts

    out_dir = Path(out_dir)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    config = {**(config or {}), "model": asdict(result.model_config), "ks": list(result.ks),
              "seeds": list(result.seeds)}
    name = "sweep-" + runfolder.run_name(config, result.corpus.get("fingerprint", ""), now)
    with files.StagedFolder(out_dir, name) as stage:
        tmp = stage.tmp
        files.write_csv(result.table, tmp / "sweep.csv")
        charts.plot_sweep(result.table, path=tmp / "sweep.png")
        summary = result.summary
        text = (result.reason + "\n\nPer K (mean and sd over seeds):\n" + format_table(summary)
                + "\n\nEvery model:\n" + format_table(result.table) + "\n")
        (tmp / "recommendation.txt").write_text(text, encoding="utf-8")
        manifest = {
            "sweep_id": name,
            "kind": "sweep",
            "created": now.isoformat(),
            "config": config,
            "ks": list(result.ks),
            "seeds": list(result.seeds),
            "rule": {"min_diversity": MIN_DIVERSITY, "min_stability": MIN_STABILITY,
                     "diversity_topn": DIVERSITY_TOPN, "coherence_topn": COHERENCE_TOPN,
                     "infer_iterations": INFER_ITERATIONS, "stability": "compare.stability pairwise_mean",
                     "coherence_reference": "training units"},
            "recommendation": {"num_topics": result.recommended_k, "reason": result.reason},
            "summary": json.loads(summary.to_json(orient="records")),
            "split": result.split,
            "corpus": result.corpus,
            "seconds": result.seconds,
            "versions": runfolder.package_versions(),
        }
        manifest["files"] = {p.name: files.sha256_file(p) for p in sorted(tmp.iterdir()) if p.is_file()}
        (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                           encoding="utf-8")
    return stage.path


def sweep(sources: Sequence[Path] | None = None, ks: Sequence[int] = DEFAULT_KS, seeds: Sequence[int] = (0,),
          corpus_config=None, model_config: ModelConfig = ModelConfig(), out_dir: Path | None = None,
          progress: bool = True, *, corpus_name: str | None = None, store_path: Path | None = None,
          store_wait: float | None = None) -> Path:
    """Prepare the corpus (``sources``, default the bundled seeds, or the store's ``corpus_name``),
    run the sweep and write its folder under ``out_dir`` (default ``runs/``); return the folder.

    ``model_config.no_below`` / ``no_above`` shape the vocabulary, as in ``workbench train``.
    Raises ``errors.PipelineError`` for unusable input, ``ValueError`` for bad ``ks``/``seeds``.
    """
    from workbench.text import preprocess

    corpus_config = corpus_config or preprocess.CorpusConfig()
    sources = preprocess.default_sources(sources, corpus_name)
    if sources is not None:
        sources = [Path(s) for s in sources]
    corpus = preprocess.prepare(sources, corpus_config, corpus_name=corpus_name, no_below=model_config.no_below,
                              no_above=model_config.no_above, store_path=store_path, progress=progress,
                              store_wait=store_wait)
    result = run_sweep(corpus, ks, seeds, model_config, progress)
    config = {"sources": [str(s) for s in sources] if sources else None, "corpus_name": corpus_name,
              "corpus": asdict(corpus_config)}
    return write_sweep(result, out_dir or paths.runs_dir(), config=config)
