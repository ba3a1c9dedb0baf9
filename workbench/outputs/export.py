"""Export the document-topic table for Excel, Stata, R and pandas users.

The input is the ``doc_topics`` table of a run folder (``docs/run-folder.md``) as
:func:`workbench.runfolder.load_run` reads it: one row per unit, metadata, ``text``,
``n_tokens``, ``dominant_topic``, ``topic_0..topic_{K-1}``, every value as the source gave it
(text as text, "041100" with its zero; numbers where the source was typed: a JSON or XLSX number).

- :func:`export_table` writes it as csv, xlsx, parquet or Stata ``.dta``;
  :func:`export_run` does so for a loaded run, with its labels and the sources' headers.
- :func:`aggregate_to_articles` turns unit rows into one row per article (``doc_id``).
- :func:`apply_labels` adds a ``dominant_label`` column from ``labels.json`` labels.
- :func:`export_run` writes a run folder's table (units or articles) under ``<run>/exports/``.

Round trip: reading an export back gives every value of the table (text, ids, metadata, topic
shares to float64 precision) with these documented exceptions, each there to protect the person
opening the file or forced by the format:

- csv: a text cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return (after any
  ``'``) gets a leading ``'`` so a spreadsheet cannot run it as a formula (OWASP, "CSV
  Injection"; :func:`workbench.files.unguard` undoes it). Numeric columns are never touched (-1
  stays a number). Read it back with ``encoding="utf-8-sig"``, ``dtype=str`` and
  ``keep_default_na=False``: pandas would otherwise parse "041100" as a number and "#N/A" as
  missing. A spreadsheet opening the CSV guesses types itself: prefer xlsx there (README).
- xlsx: the guard is the cell type: every text cell is stored as a string, so "=SUM(1,2)" is
  that text, never a formula, and "041100" keeps its zero. Characters XML 1.0 forbids (control
  characters other than tab, newline, carriage return) are dropped, and a cell longer than
  Excel's 32,767-character limit is cut there with a warning (csv, parquet and dta keep the
  full text). A second sheet ``columns`` lists each column's label (the source's header, a
  topic's label) and type; the header cells carry the same label as a comment.
- parquet and dta keep the source text exactly (no guard: neither format executes a cell);
  ``date`` is a real date (parquet ``date32``, Stata ``%td``): a full date is that day, a year
  or a month alone its first day, other text missing; when some value did not parse fully,
  ``date_text`` beside it holds every row's original string. Missing values are missing (null;
  Stata's ``.``, and ``""`` for strings, as Stata stores them).
- parquet: column labels (the source's header, topic labels) are in each field's metadata
  (``label``), the run's id in the file metadata (``workbench``).
- dta: column names are made valid Stata names (:func:`stata_names`; the original name, or
  the source's header, is the variable label), topic shares are labelled with their topic's
  label or top terms, ``dominant_topic`` carries value labels, the dataset label names the
  run, long text becomes strL."""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.files import atomic_file, neutralize_formulas, text_columns
from workbench.runfolder.labels import topic_names
from workbench.runfolder.merges import absorbed
from workbench.runfolder.schema import topic_columns_of

__all__ = [
    "FORMATS",
    "export_table",
    "export_run",
    "export_path",
    "aggregate_to_articles",
    "apply_labels",
    "stata_names",
    "to_dates",
]

FORMATS = ("csv", "xlsx", "parquet", "dta")
#: File stem of each level of a run's exported table: one row per unit, or per article.
LEVELS = {"unit": "doc_topics", "article": "articles"}
EXPORTS_DIR = "exports"

_EXCEL_MAX_CHARS = 32_767
_EXCEL_MAX_ROWS = 1_048_576
# XML 1.0 forbids these; openpyxl raises IllegalCharacterError on them.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_STATA_NAME_MAX = 32
_STATA_LABEL_MAX = 80
# Stata's reserved names plus those pandas' StataWriter refuses (Mata keywords).
_STATA_RESERVED = frozenset(
    """
    _all _b byte _coef _cons double float if in int long _n _N _pi _pred _rc _se _skip
    strL using with aggregate array boolean break case catch class colvector complex
    const continue default delegate delete do else eltypedef end enum explicit export
    external for friend function global goto inline local NULL pragma protected quad
    rowvector short typedef typename virtual
    """.split()
)
_STATA_STR_TYPE = re.compile(r"^str\d+$")


def _stata_char(c: str) -> bool:
    # Stata 14+ (format 118) takes Unicode letters in names; digits are ASCII ones.
    return c == "_" or c.isalpha() or c in "0123456789"


def _is_stata_name(name: str) -> bool:
    return (0 < len(name) <= _STATA_NAME_MAX and len(name.encode("utf-8")) <= 128
            and (name[0] == "_" or name[0].isalpha()) and all(map(_stata_char, name)))


def _stata_identifier(name: str) -> str:
    cleaned = "".join(c if _stata_char(c) else "_" for c in name)
    # A name of nothing but punctuation carries no information once cleaned; the caller replaces
    # it with a positional name.
    if not any(c.isalnum() for c in cleaned):
        return ""
    if not (cleaned[0] == "_" or cleaned[0].isalpha()):
        cleaned = "v" + cleaned
    return cleaned


def stata_names(columns) -> dict[str, str]:
    """Map column names to valid, unique Stata variable names.

    Rules (Stata manual, [U] 11.3, Stata 14+): letters (Unicode letters, so 区划代码 stays
    区划代码), ASCII digits and underscores; starts with a letter or underscore; at most 32
    characters (and 128 bytes of UTF-8); not a reserved word (nor ``str#``); unique. Valid
    names are kept as they are; others are cleaned (invalid characters become ``_``), names of
    punctuation only become ``v<position>``, reserved words get a trailing ``_``, and clashes get
    ``_2``, ``_3``... Input: the column names in order. Output: {original: stata name}.
    """
    originals = [str(c) for c in columns]
    if len(set(originals)) != len(originals):
        raise ValueError("column names must be unique before export")
    result: dict[str, str] = {}
    taken: set[str] = set()

    def acceptable(candidate: str) -> bool:
        return (
            candidate not in taken
            and candidate not in _STATA_RESERVED
            and not _STATA_STR_TYPE.match(candidate)
        )

    # Names that are already valid keep priority, so "topic_0" never becomes "topic_0_2".
    already_valid = {
        name
        for name in originals
        if _is_stata_name(name)
        and name not in _STATA_RESERVED
        and not _STATA_STR_TYPE.match(name)
    }
    taken.update(already_valid)
    for position, name in enumerate(originals):
        if name in already_valid:
            result[name] = name
            continue
        base = _stata_identifier(name) or f"v{position}"
        base = base[:_STATA_NAME_MAX]
        if base in _STATA_RESERVED or _STATA_STR_TYPE.match(base):
            base = (base + "_")[:_STATA_NAME_MAX]
        candidate, suffix = base, 2
        while not acceptable(candidate):
            tail = f"_{suffix}"
            candidate = base[: _STATA_NAME_MAX - len(tail)] + tail
            suffix += 1
        taken.add(candidate)
        result[name] = candidate
    return result


def _clip_label(text: str, limit: int = _STATA_LABEL_MAX) -> str:
    # Stata 118 labels hold 80 characters; pandas raises past that.
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------------------
# labels and aggregation


def apply_labels(doc_topics: pd.DataFrame, labels: Mapping[int, str] | None) -> pd.DataFrame:
    """Copy of ``doc_topics`` with a ``dominant_label`` column right after ``dominant_topic``.

    The label is the :func:`workbench.runfolder.topic_names` form, ``"0 脱贫攻坚"``
    (``"3"`` for an unlabelled topic): the id leads so that two topics given the same
    label, or unlabelled topics, are never merged in a cross-tabulation. Topic share
    columns keep their stable names ``topic_k``; labels never rename them. When
    ``dominant_topic`` is missing it is computed (argmax of the shares, ties to the
    lower id) and inserted before the first topic column.
    """
    cols = topic_columns_of(doc_topics)
    out = doc_topics.copy()
    if "dominant_topic" not in out.columns:
        dominant = out[cols].to_numpy(dtype=np.float64).argmax(axis=1)
        out.insert(out.columns.get_loc(cols[0]), "dominant_topic", dominant.astype(np.int64))
    if "dominant_label" in out.columns:
        out = out.drop(columns="dominant_label")
    names = topic_names(len(cols), labels)
    dominant = out["dominant_topic"]
    mapped = [
        names[int(k)] if pd.notna(k) and 0 <= int(k) < len(names) else None for k in dominant
    ]
    position = out.columns.get_loc("dominant_topic") + 1
    out.insert(position, "dominant_label", pd.Series(mapped, index=out.index, dtype="str"))
    return out


def aggregate_to_articles(doc_topics: pd.DataFrame, weight: str | None = "n_tokens") -> pd.DataFrame:
    """One row per article (``doc_id``) from unit rows.

    Weighting: an article's share of topic k is the token-weighted mean of its units'
    shares, ``sum_u n_u * theta_uk / sum_u n_u`` with ``n_u`` the ``weight`` column
    (``n_tokens``: the article-level topic mix of all its tokens, so a one-line unit
    does not count as much as a long paragraph). When ``weight`` is None, or is the
    default ``"n_tokens"`` and the table has no such column, or every unit of an
    article has weight 0, the units of that article are weighted equally. Rows are
    renormalised so they sum to 1 despite rounding.

    Output columns: ``doc_id``; every other non-topic column whose value is the same
    for all units of every article (first value kept: ``title``, ``date``,
    ``source_file``...); ``n_tokens`` (and the weight column) summed per article;
    ``n_units``;
    ``dominant_topic`` recomputed (ties to the lower id); ``topic_0..``. Columns that
    vary within an article (``unit_id``, ``text``, ``record``...) are dropped. Articles
    keep their order of first appearance.
    """
    if "doc_id" not in doc_topics.columns:
        raise KeyError("doc_topics has no doc_id column")
    cols = topic_columns_of(doc_topics)
    theta = doc_topics[cols].to_numpy(dtype=np.float64)
    if not np.all(np.isfinite(theta)):
        raise ValueError("topic shares must be finite")
    if weight is not None and weight in doc_topics.columns:
        weights = doc_topics[weight].to_numpy(dtype=np.float64)
        if not np.all(np.isfinite(weights)) or np.any(weights < 0):
            raise ValueError(f"weight column {weight!r} must be finite and non-negative")
    elif weight is None or weight == "n_tokens":
        weights = np.ones(len(doc_topics))
    else:
        raise KeyError(f"no weight column {weight!r}")

    codes, uniques = pd.factorize(doc_topics["doc_id"], sort=False)
    if np.any(codes < 0):
        raise ValueError("doc_id has missing values")
    n_docs = len(uniques)
    weight_sum = np.bincount(codes, weights=weights, minlength=n_docs)
    # Articles whose units all weigh 0 fall back to equal weights.
    weights = np.where(weight_sum[codes] > 0, weights, 1.0)
    weight_sum = np.bincount(codes, weights=weights, minlength=n_docs)
    mass = np.zeros((n_docs, theta.shape[1]))
    np.add.at(mass, codes, theta * weights[:, None])
    shares = mass / weight_sum[:, None]
    shares = shares / shares.sum(axis=1, keepdims=True)

    # Counts add up over an article's units: tokens per article, not per unit.
    summed_cols = [c for c in doc_topics.columns if c in {weight, "n_tokens"}]
    skip = set(cols) | set(summed_cols) | {"doc_id", "dominant_topic", "dominant_label", "n_units"}
    meta_cols = [c for c in doc_topics.columns if c not in skip]
    constant = []
    if meta_cols:
        counts = doc_topics[meta_cols].groupby(codes, sort=True).nunique(dropna=False)
        constant = [c for c in meta_cols if (counts[c] <= 1).all()]
    # factorize numbers articles by first appearance, so the first row of each
    # article, in code order, is where return_index points.
    _, first_row = np.unique(codes, return_index=True)
    out = doc_topics[["doc_id", *constant]].iloc[first_row].reset_index(drop=True)
    for col in summed_cols:
        out[col] = doc_topics[col].groupby(codes, sort=True).sum().to_numpy()
    out["n_units"] = np.bincount(codes, minlength=n_docs).astype(np.int64)
    out["dominant_topic"] = shares.argmax(axis=1).astype(np.int64)
    for k, col in enumerate(cols):
        out[col] = shares[:, k]
    return out


# writers

# Dates as ingest leaves them (``normalize_date``): "2020-01-15" (full, a time may follow), a month
# ("2020-05", "2020年5月") or a year ("2020", "2020年"); anything else does not parse.
_FULL_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_MONTH = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?")
_YEAR = re.compile(r"(\d{4})\s*年?")


def to_dates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse a ``date`` column: (``datetime64[s]`` dates, True where a value parsed fully).

    A full date is that day; a month or a year alone is its first day (so ``year(date)`` holds
    for every parsed row) and is not full; a value that is no date is NaT and not full; a
    missing value is NaT and counts as full (nothing was lost). Impossible days (2020-02-30) do
    not parse."""
    days, full = [], []
    for value in values:
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            days.append(None)
            full.append(True)
            continue
        text = str(value).strip()
        parts, whole = None, False
        if m := _FULL_DATE.fullmatch(text):
            parts, whole = (int(m[1]), int(m[2]), int(m[3])), True
        elif m := _MONTH.fullmatch(text):
            parts = (int(m[1]), int(m[2]), 1)
        elif m := _YEAR.fullmatch(text):
            parts = (int(m[1]), 1, 1)
        try:
            day = pd.Timestamp(*parts) if parts else None
        except ValueError:
            day, whole = None, False
        days.append(day)
        full.append(whole)
    return (pd.Series(pd.to_datetime(days), index=values.index).astype("datetime64[s]"),
            pd.Series(full, index=values.index))


def _typed_dates(frame: pd.DataFrame) -> pd.DataFrame:
    """``date`` as a real date for the typed formats; ``date_text`` right after it, holding every
    row's original string, when some value did not parse fully (a year, a month, free text)."""
    if "date" not in frame.columns:
        return frame
    dates, full = to_dates(frame["date"])
    out = frame.copy()
    position = out.columns.get_loc("date")
    if not full.all() and "date_text" not in out.columns:
        out.insert(position + 1, "date_text", frame["date"].astype("str"))
    out["date"] = dates
    return out


def _column_labels(frame: pd.DataFrame, context: "_Context") -> dict[str, str]:
    """{column: label}: the source's header of a renamed column ("标题" for title), a topic's
    label or top terms for its share column ("topic_0 脱贫攻坚"); other columns have none."""
    out = {}
    for name in frame.columns:
        name = str(name)
        if name in context.headers:
            out[name] = context.headers[name]
        elif (m := re.fullmatch(r"topic_(\d+)", name)) is not None and context.topic_name(int(m[1])):
            out[name] = f"{name} {context.topic_name(int(m[1]))}"
    return out


class _Context:
    """What a file may say about its columns beyond their values: labels, headers, the run."""

    def __init__(self, labels, headers, top_terms, source):
        self.labels = {int(k): str(v).strip() for k, v in (labels or {}).items() if str(v or "").strip()}
        self.headers = dict(headers or {})
        self.top_terms = {int(k): list(v) for k, v in (top_terms or {}).items()}
        self.source = source

    def topic_name(self, k: int) -> str:
        """The topic's label, else its top terms in parentheses, else ""."""
        if k in self.labels:
            return self.labels[k]
        return f"({' '.join(self.top_terms[k])})" if self.top_terms.get(k) else ""


def _write_csv(frame: pd.DataFrame, target: Path) -> None:
    # utf-8-sig: the BOM makes Excel on Chinese-locale Windows read UTF-8, not GBK.
    # "\n" line ends keep the file byte-identical across operating systems.
    neutralize_formulas(frame).to_csv(target, index=False, encoding="utf-8-sig", lineterminator="\n")


def _excel_value(value):
    """A cell value openpyxl can write; None for missing."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, np.generic):
        value = value.item()
        if isinstance(value, float) and np.isnan(value):
            return None
    return value


def _write_xlsx(frame: pd.DataFrame, target: Path, context: _Context) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.comments import Comment
    from openpyxl.styles import Font

    if len(frame) + 1 > _EXCEL_MAX_ROWS:
        raise ValueError(
            f"{len(frame)} rows do not fit in one Excel sheet (max {_EXCEL_MAX_ROWS - 1}); "
            "use csv or parquet"
        )
    labels = _column_labels(frame, context)
    # Write-only mode streams rows to disk: memory stays flat for large tables.
    book = Workbook(write_only=True)
    sheet = book.create_sheet("doc_topics")
    sheet.freeze_panes = "A2"
    truncated = 0

    def text_cell(sheet, text: str, bold: bool = False) -> WriteOnlyCell:
        nonlocal truncated
        text = _XML_ILLEGAL.sub("", text)
        if len(text.encode("utf-16-le")) // 2 > _EXCEL_MAX_CHARS:
            truncated += 1
            text = text[:_EXCEL_MAX_CHARS]
            while len(text.encode("utf-16-le")) // 2 > _EXCEL_MAX_CHARS:
                text = text[:-1]
        cell = WriteOnlyCell(sheet, value=text)
        # The guard of this format: a cell typed as a string is never run, whatever it starts
        # with ("=SUM(1,2)" stays that text; openpyxl would infer 'f' formula, 'e' for "#N/A").
        cell.data_type = "s"
        if bold:
            cell.font = Font(bold=True)
        return cell

    header = []
    for name in frame.columns:
        cell = text_cell(sheet, str(name), bold=True)
        if str(name) in labels:
            cell.comment = Comment(labels[str(name)], "workbench")
        header.append(cell)
    sheet.append(header)
    for row in frame.itertuples(index=False, name=None):
        cells = []
        for value in row:
            value = _excel_value(value)
            cells.append(text_cell(sheet, value) if isinstance(value, str) else value)
        sheet.append(cells)
    # A codebook: each column's label (the source's header, the topic's label) and type.
    codebook = book.create_sheet("columns")
    codebook.append([text_cell(codebook, h, bold=True) for h in ("column", "label", "type")])
    for name in frame.columns:
        codebook.append([text_cell(codebook, str(name)), text_cell(codebook, labels.get(str(name), "")),
                         text_cell(codebook, str(frame[name].dtype))])
    book.save(target)
    if truncated:
        warnings.warn(
            f"{truncated} xlsx cell(s) exceeded Excel's {_EXCEL_MAX_CHARS}-character limit "
            "and were cut; the csv, parquet and dta exports keep the full text",
            stacklevel=3,
        )


def _write_parquet(frame: pd.DataFrame, target: Path, context: _Context) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    data = _typed_dates(frame)
    if "date" in data.columns:
        data["date"] = pd.Series([d.date() if pd.notna(d) else None for d in data["date"]], index=data.index,
                                 dtype=object)
    table = pa.Table.from_pandas(data, preserve_index=False)
    if "date" in data.columns:
        table = table.set_column(table.column_names.index("date"), "date",
                                 table.column("date").cast(pa.date32()))
    labels = _column_labels(frame, context)
    fields = [f.with_metadata({"label": labels[f.name]}) if f.name in labels else f for f in table.schema]
    metadata = {**(table.schema.metadata or {}), b"workbench": (context.source or "").encode("utf-8")}
    pq.write_table(table.cast(pa.schema(fields, metadata=metadata)), target)


def _write_dta(frame: pd.DataFrame, target: Path, context: _Context) -> None:
    data = _typed_dates(frame)
    names = stata_names(data.columns)
    labels = _column_labels(data, context)
    variable_labels = {new: _clip_label(labels.get(original, original)) for original, new in names.items()}
    data = data.rename(columns=names)
    for col in text_columns(data):
        series = data[col]
        if isinstance(series.dtype, pd.CategoricalDtype):
            continue  # pandas writes categoricals as labelled integers
        # Stata has no missing string: "" is how Stata itself stores one.
        data[col] = series.map(
            lambda v: v if isinstance(v, str) else ("" if pd.isna(v) else str(v))
        ).astype(object)
    for col in data.columns:
        if pd.api.types.is_bool_dtype(data[col]):
            data[col] = data[col].astype("Int8")  # Stata has no boolean: 0/1, "." where missing
    value_labels = {}
    if "dominant_topic" in names:
        ids = [int(m[1]) for c in frame.columns if (m := re.fullmatch(r"topic_(\d+)", str(c)))]
        value_labels[names["dominant_topic"]] = {
            t: context.topic_name(t) or f"topic {t}" for t in ids}
    run = f"workbench run {context.source}" if context.source else "workbench"
    # version 118: UTF-8 strings and labels (Stata 14+); strings over 2045 bytes are
    # written as strL by pandas automatically.
    data.to_stata(
        target,
        version=118,
        write_index=False,
        variable_labels=variable_labels,
        data_label=_clip_label(f"{run}: doc_topics"),
        convert_dates={names["date"]: "td"} if "date" in names else None,
        value_labels=value_labels or None,
    )


def export_table(
    doc_topics: pd.DataFrame,
    path,
    fmt: str,
    *,
    labels: Mapping[int, str] | None = None,
    source: str | None = None,
    headers: Mapping[str, str] | None = None,
    top_terms: Mapping[int, list[str]] | None = None,
    drop_topics: Sequence[int] = (),
) -> Path:
    """Write a doc-topic table (unit or article rows) as csv, xlsx, parquet or dta.

    Inputs: the table (as :func:`workbench.runfolder.load_run` reads it: every value as the
    source gave it); the output ``path``; ``fmt`` one of :data:`FORMATS`; ``labels`` {topic id:
    label}: when given, a ``dominant_label`` column is added (:func:`apply_labels`);
    ``source`` names the run, in the dta dataset label and the parquet metadata; ``headers``
    {column: the source's header} (``{"title": "标题"}``, :attr:`Run.headers`) and ``top_terms``
    {topic: terms} (:meth:`Run.top_terms`) label the columns where the format can; ``drop_topics``:
    topic columns left out once ``dominant_label`` is set (the members a merge absorbed). Output: the
    path written. The file is written beside its final name and moved into place, so it is
    complete or absent.

    See the module docstring for what each format keeps.
    """
    fmt = fmt.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    path = Path(path)
    frame = apply_labels(doc_topics, labels) if labels else doc_topics
    if drop_topics:
        frame = frame.drop(columns=[f"topic_{int(k)}" for k in drop_topics])
    context = _Context(labels, headers, top_terms, source)
    with atomic_file(path) as target:
        if fmt == "csv":
            _write_csv(frame, target)
        elif fmt == "xlsx":
            _write_xlsx(frame, target, context)
        elif fmt == "parquet":
            _write_parquet(frame, target, context)
        else:
            _write_dta(frame, target, context)
    return path


def export_path(run_dir, fmt: str, level: str = "unit", folder=None) -> Path:
    """Where :func:`export_run` writes: ``<folder>/doc_topics.<fmt>`` for units,
    ``<folder>/articles.<fmt>`` for articles; ``folder`` defaults to ``<run>/exports``."""
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r} (choose {' or '.join(LEVELS)})")
    fmt = fmt.lower().lstrip(".")
    if fmt not in FORMATS:  # it names the file: checked before anything is made
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    folder = Path(folder) if folder is not None else Path(run_dir) / EXPORTS_DIR
    return folder / f"{LEVELS[level]}.{fmt}"


def export_run(run, fmt: str = "csv", *, level: str = "unit", path=None, folder=None, merged: bool = True) -> Path:
    """Write a run's labelled topic-per-document table with :func:`export_table`; return the path.

    ``run``: a loaded run folder (:func:`workbench.runfolder.load_run`). ``level`` ``unit``: its
    ``doc_topics``, one row per unit; ``article``: :func:`aggregate_to_articles` of it. The
    run's labels give ``dominant_label`` (and Stata's value and variable labels, with top terms
    for unlabelled topics), the sources' headers label the renamed columns; the dta dataset label
    names the run. ``path`` defaults to :func:`export_path` (``folder`` or ``<run>/exports``).
    With ``merged`` (default) the run's merged topics apply (``workbench merge``,
    :mod:`workbench.runfolder.merges`): a merge's summed share is in its lowest topic's column,
    labelled ``反腐倡廉（3+7）``, the other members' columns are left out and ``dominant_topic`` is
    taken over the merged shares; ``merged=False`` exports every topic as trained.
    """
    default = export_path(run.path, fmt, level, folder)  # also checks the level
    target = Path(path) if path is not None else default
    gone = sorted(absorbed(run.merges)) if merged else []
    view = run.merged() if merged else run
    table = aggregate_to_articles(view.doc_topics) if level == "article" else view.doc_topics
    target.parent.mkdir(parents=True, exist_ok=True)
    return export_table(table, target, fmt, labels=view.labels or None, headers=run.headers,
                        top_terms=run.top_terms(3), source=str(run.manifest.get("run_id", run.path.name)),
                        drop_topics=gone)
