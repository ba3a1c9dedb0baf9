"""Names of a run folder's columns, shared by its writer and its readers."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

META_ORDER = ("title", "date", "author", "source")


def topic_columns(k: int) -> list[str]:
    return [f"topic_{i}" for i in range(k)]


KEYWORD_COLUMNS = ("level", "doc_id", "unit_id", "rank", "term", "score")

#: What a column of doc_topics.csv holds, recorded beside it (:func:`columns_file`) so a reader
#: restores each value as it went in: "string" (text as the source gave it, leading zeros and
#: all), "integer", "number", "boolean" (typed in the source: a JSON or XLSX number ...).
COLUMN_TYPES = ("string", "integer", "number", "boolean")


def columns_file(table: Path) -> Path:
    """Where the column types of a run-folder table are kept: ``doc_topics.csv`` ->
    ``doc_topics.columns.json``."""
    return table.with_suffix(".columns.json")


_TOPIC_COLUMN = re.compile(r"^topic_(\d+)$")


def topic_columns_of(doc_topics: pd.DataFrame) -> list[str]:
    """Names of the ``topic_<k>`` share columns of a doc-topic table, ordered by k.

    Input: a DataFrame shaped like ``doc_topics.csv``. Output: e.g.
    ``["topic_0", "topic_1", ..., "topic_10"]`` (numeric order, not string order).
    Raises ValueError when there is none, or when the ids are not exactly 0..K-1.
    """
    found = []
    for name in doc_topics.columns:
        match = _TOPIC_COLUMN.match(str(name))
        if match:
            found.append((int(match.group(1)), str(name)))
    if not found:
        raise ValueError("no topic_<k> columns in the table")
    found.sort()
    ids = [k for k, _ in found]
    if ids != list(range(len(ids))):
        raise ValueError(f"topic columns must be topic_0..topic_{len(ids) - 1}, got ids {ids}")
    return [name for _, name in found]
