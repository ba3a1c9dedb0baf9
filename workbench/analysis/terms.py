"""Candidate terms for the dictionary: what the corpus quotes that the dictionary lacks.

Political-discourse researchers build their lexicons by reading what their sources put in
quotation marks (“两个确立”, “千万工程”). :func:`terms_report` lists those terms with their counts,
the statistics of ``workbench.text.terms`` (quoted share, cohesion, boundary entropy), example
contexts and whether the harvest takes them, as a table to review in a spreadsheet: a term worth
keeping goes into a file of ``dictionaries/`` (one ``term nz`` per line)."""

from __future__ import annotations

from collections import Counter
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Sequence

import pandas as pd

from workbench import checks, files, paths
from workbench.corpus import store
from workbench.corpus.ingest import Problem
from workbench.text import preprocess
from workbench.text.terms import term_statistics
from workbench.text.tokenize import quoting_documents, read_user_dict

COLUMNS = ("term", "harvested", "occurrences", "quoted_occurrences", "documents", "quoting_documents",
           "quoted_share", "pmi", "left_entropy", "right_entropy")


@dataclass(frozen=True)
class TermsConfig:
    """What the report lists. ``min_quoting_documents``: leave out terms fewer documents quote;
    ``examples`` contexts of ``width`` characters either side per term; ``corpus`` decides the
    candidates and the harvest rule (``CorpusConfig.harvest_candidates``, ``harvested_terms``)
    exactly as training would."""

    min_quoting_documents: int = 1
    examples: int = 2
    width: int = 15
    corpus: preprocess.CorpusConfig = field(default_factory=preprocess.CorpusConfig)

    BOUNDS: ClassVar[dict] = {"min_quoting_documents": checks.POSITIVE_INT, "examples": checks.COUNT,
                              "width": checks.COUNT}

    def __post_init__(self):
        checks.check_fields(self, self.BOUNDS)


@dataclass(frozen=True)
class TermsReport:
    table: pd.DataFrame
    problems: tuple[Problem, ...] = ()
    path: Path | None = None


def dictionary_words(user_dicts: Sequence[Path] | None = None) -> set[str]:
    """The words of the user dictionaries (default: the workbench's ``dictionaries/``)."""
    return {w for d in (paths.user_dict_files() if user_dicts is None else user_dicts) for w, _ in read_user_dict(d)}


def candidate_table(texts, config: TermsConfig = TermsConfig(), known: set[str] | None = None) -> pd.DataFrame:
    """The report's table for the documents ``texts()`` yields (called several times): the quoted
    terms that are neither in ``known`` (default: the user dictionaries) nor one kept token of
    jieba's dictionary already, most-quoted first. Columns: :data:`COLUMNS`, then ``example_1`` ..."""
    known = dictionary_words() if known is None else known
    cc = config.corpus
    norm = cc.normalize if cc.to_simplified is not False else None

    def read():
        return map(norm, texts()) if norm else texts()

    quoting = quoting_documents(read())
    candidates = [w for w in cc.harvest_candidates(quoting)
                  if w not in known and quoting[w] >= config.min_quoting_documents]
    stats = term_statistics(read, candidates, examples=config.examples, width=config.width)
    harvested = set(cc.harvested_terms(quoting, Counter({s.term: s.documents for s in stats})))
    rows = [{"term": s.term, "harvested": s.term in harvested, "occurrences": s.occurrences,
             "quoted_occurrences": s.quoted, "documents": s.documents, "quoting_documents": s.quoting_documents,
             "quoted_share": s.quoted_share, "pmi": s.pmi, "left_entropy": s.left_entropy,
             "right_entropy": s.right_entropy,
             **{f"example_{i + 1}": (s.examples[i] if i < len(s.examples) else "") for i in range(config.examples)}}
            for s in stats]
    table = pd.DataFrame(rows, columns=[*COLUMNS, *(f"example_{i + 1}" for i in range(config.examples))])
    return table.sort_values(["quoting_documents", "occurrences", "term"], ascending=[False, False, True],
                             ignore_index=True)


def terms_report(sources: Sequence[Path] | None = None, config: TermsConfig = TermsConfig(), *,
                 corpus_name: str | None = None, out: Path | None = None,
                 store_path: Path | None = None, store_wait: float | None = None) -> TermsReport:
    """Ingest ``sources`` (or take the named corpus of the store), build :func:`candidate_table`
    and, with ``out``, write it as CSV for Excel (``files.write_csv``, whole or not at all).
    Cost: about four streaming passes over the texts (a few seconds per year of xinwenlianbo)."""
    store_path = Path(store_path or store.default_path())
    with closing(store.connect(store_path, store_wait)) as conn, closing(store.connect(store_path)) as reader:
        records, problems = preprocess.source_records(conn, sources, corpus_name, config.corpus.text_column,
                                                      config.corpus.follow_links)
        doc_ids = list(dict.fromkeys(doc_id for _, doc_id in records))  # each text once
        table = candidate_table(lambda: (text for _, text in store.iter_texts(reader, doc_ids)), config)
    if out is not None:
        out = Path(out)
        with files.atomic_file(out) as tmp:
            files.write_csv(table, tmp)
    return TermsReport(table, tuple(problems), out)
