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
    ``"二〇一九年五月"``, integers, floats and datetime64 values.  The first plausible year
    (1800-2199) not inside a longer digit run is used.  Cost: one vectorised regex pass.
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
    return pd.to_numeric(year, errors="coerce").astype("Int64")
