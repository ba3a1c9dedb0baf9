"""Years from the date metadata of news-database exports and government documents.

Lives in the corpus layer so that every layer above (a model's covariates, a run's effects) reads
a year the same way."""

from __future__ import annotations

import re

import pandas as pd

# A year is four digits not embedded in a longer number ("2019年", "2021-09-28", "2025"), so
# epoch timestamps and ids do not yield false years.
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d|21\d\d)(?!\d)")
# Dates in old government documents write the year in Chinese numerals: 二〇一九年.
_CN_DIGITS = str.maketrans("〇零○一二三四五六七八九", "000123456789")
_CN_YEAR = re.compile(r"([〇零○一二三四五六七八九]{4})\s*年")


def parse_years(col: pd.Series) -> pd.Series:
    """The year of every value of ``col``, as pandas' nullable ``Int64`` (``<NA>`` where none).

    Accepts ``"2019年05月21日"``, ``"2021-09-28 09:58"``, ``"2019/5/21"``, ``"2025"``,
    ``"二〇一九年五月"``, ``"20190521"``, integers, floats and datetime64 values.  The first plausible
    year (1800-2199) not inside a longer digit run is used, else the year of a compact date.  Cost: one vectorised regex pass.
    """
    if pd.api.types.is_datetime64_any_dtype(col):
        return col.dt.year.astype("Int64")
    if pd.api.types.is_numeric_dtype(col):
        # 2025 or 2025.0 -> "2025"; NaN stays missing.
        text = col.map(lambda v: None if pd.isna(v) else f"{v:.0f}" if float(v).is_integer() else str(v))
        text = text.astype("string")
    else:
        text = col.astype("string")
    text = text.str.replace(_CN_YEAR, lambda m: m.group(1).translate(_CN_DIGITS) + "年", regex=True)
    year = text.str.extract(_YEAR, expand=False)
    year = year.where(year.notna(), text.str.extract(_COMPACT, expand=True)[0])
    return pd.to_numeric(year, errors="coerce").astype("Int64")


#: The calendar bins a date gives: ``year`` (2024), ``quarter`` ("2024Q1"), ``month`` ("2024-03").
CALENDAR_BINS = ("year", "quarter", "month")

# A year and its month: 2019年05月21日, 2019年5月, 2021-09-28 09:58, 2019/5/21, 2019.5.21 ...
_YEAR_MONTH = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d|21\d\d)\s*(?:[-/.]|年)\s*(\d{1,2})(?!\d)")
# ... or written without separators: 20240101.
_COMPACT = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d|21\d\d)(0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?!\d)")
_CN_MONTHS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
              "十一": 11, "十二": 12, "正": 1}
_CN_MONTH = re.compile(r"年\s*(十[一二]|[一二三四五六七八九十正])\s*月")


def parse_months(col: pd.Series) -> pd.Series:
    """The year and month of every value of ``col`` as ``(year, month)`` integer columns (pandas'
    nullable ``Int64``, ``<NA>`` where the value names no month): ``"2019年05月21日"``,
    ``"2021-09-28 09:58"``, ``"2019/5/21"``, ``"20190521"``, ``"二〇一九年五月"``, datetime64 values.
    A value that is only a year (``"2025"``) has no month. Cost: two vectorised regex passes."""
    if pd.api.types.is_datetime64_any_dtype(col):
        return pd.DataFrame({"year": col.dt.year.astype("Int64"), "month": col.dt.month.astype("Int64")})
    text = col.astype("string")
    text = text.str.replace(_CN_YEAR, lambda m: m.group(1).translate(_CN_DIGITS) + "年", regex=True)
    text = text.str.replace(_CN_MONTH, lambda m: f"年{_CN_MONTHS[m.group(1)]}月", regex=True)
    found = text.str.extract(_YEAR_MONTH)
    compact = text.str.extract(_COMPACT)
    found = found.where(found[0].notna(), compact)
    year, month = (pd.to_numeric(found[i], errors="coerce").astype("Int64") for i in (0, 1))
    month = month.where((month >= 1) & (month <= 12))
    return pd.DataFrame({"year": year.where(month.notna()), "month": month}, index=col.index)


def calendar_bins(col: pd.Series, freq: str) -> pd.Series:
    """Every value of ``col`` (dates) binned by ``freq`` (:data:`CALENDAR_BINS`): ``year`` as
    :func:`parse_years` (``Int64``), ``quarter`` as ``"2024Q1"``, ``month`` as ``"2024-03"``
    (pandas' ``string`` dtype, so they sort in time order; ``<NA>`` where the date has no month)."""
    if freq == "year":
        return parse_years(col)
    if freq not in CALENDAR_BINS:
        raise ValueError(f"calendar bins are {', '.join(CALENDAR_BINS)}, not {freq!r}")
    ym = parse_months(col)
    year = ym["year"].astype("string")
    if freq == "month":
        out = year + "-" + ym["month"].astype("string").str.zfill(2)
    else:
        out = year + "Q" + ((ym["month"] - 1) // 3 + 1).astype("string")
    return out.astype("string")
