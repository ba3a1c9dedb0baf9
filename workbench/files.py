"""Files the workbench writes: whole or not at all, and safe to open in a spreadsheet.

The bottom layer: every module that writes a file goes through :func:`atomic_file`,
:class:`StagedFolder` or :func:`write_csv`, so there is one rule for line endings, the BOM and
formula-like cells."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

import pandas as pd

CSV_ENCODING = "utf-8-sig"  # Excel on a Chinese-locale Windows machine needs the BOM


SHARE_FORMAT = "%.10f"


#: Leading characters that make Excel, LibreOffice or Google Sheets treat a cell as a
#: formula (OWASP CSV-injection list).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


# ---------------------------------------------------------------------------
# helpers


def text_columns(frame: pd.DataFrame) -> list[str]:
    """Columns that can hold strings: object, string and categorical dtypes."""
    return [
        col
        for col in frame.columns
        if not (
            pd.api.types.is_numeric_dtype(frame[col])
            or pd.api.types.is_bool_dtype(frame[col])
            or pd.api.types.is_datetime64_any_dtype(frame[col])
            or pd.api.types.is_timedelta64_dtype(frame[col])
        )
    ]


def _neutralize(value):
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralize_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``frame`` whose text cells cannot become spreadsheet formulas.

    Every string cell in a text column (object/string/categorical dtype) that starts
    with one of :data:`FORMULA_PREFIXES` gets a leading ``'``, as OWASP advises.
    Numeric, boolean and date columns are returned unchanged, so a negative number
    stays a number. Column names are neutralised the same way.
    """
    out = frame.copy()
    for col in text_columns(out):
        series = out[col]
        if isinstance(series.dtype, pd.CategoricalDtype):
            series = series.astype(object)
        out[col] = series.map(_neutralize, na_action="ignore")
    out.columns = [_neutralize(str(c)) for c in out.columns]
    return out


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_csv(df: pd.DataFrame, path: Path) -> None:
    """CSV for Excel: UTF-8 with BOM, CRLF, and no text cell that Excel would run as a formula
    (a leading = + - @ gets a ' prefix: see export.neutralize_formulas)."""
    write_csv_chunks([df], path)


def write_csv_chunks(frames: Iterable[pd.DataFrame], path: Path, dtypes: dict | None = None) -> None:
    """:func:`write_csv` for a table given as blocks of rows with the same columns: the header
    comes from the first block. ``dtypes`` (column -> dtype) is applied to each block once its
    formulas are neutralised, where a block alone would infer another dtype than the whole table."""
    from workbench.files import neutralize_formulas

    with open(path, "w", encoding=CSV_ENCODING, newline="") as fh:
        for i, df in enumerate(frames):
            out = neutralize_formulas(df)
            if dtypes:
                out = out.astype({o: dtypes[c] for c, o in zip(df.columns, out.columns) if c in dtypes})
            out.to_csv(fh, header=i == 0, index=False, float_format=SHARE_FORMAT, lineterminator="\r\n")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_file(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it into place only on success, readable as
    any new file would be (mkstemp's files are private). A failed or killed write never leaves
    a truncated file that looks finished."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o666 & ~_umask())
        os.replace(tmp_path, path)
    finally:
        tmp_path.unlink(missing_ok=True)


class StagedFolder:
    """Write a result folder whole or not at all.

    ``with StagedFolder(out_dir, name) as stage:`` gives ``stage.tmp``, a hidden folder beside the
    final one; on success it is renamed to ``out_dir/name`` (``name-1``, ``name-2`` ... when taken)
    and ``stage.path`` holds the result; on any error, or a kill, no visible folder is left.
    """

    def __init__(self, out_dir: Path, name: str):
        self.out_dir, self.name = Path(out_dir), name
        self.tmp: Path | None = None
        self.path: Path | None = None

    def __enter__(self) -> "StagedFolder":
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.tmp = Path(tempfile.mkdtemp(prefix=f".{self.name}.", dir=self.out_dir))
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            return
        # mkdtemp makes the folder private (0700); a run folder is shared like any other.
        os.chmod(self.tmp, 0o777 & ~_umask())
        final, n = self.out_dir / self.name, 1
        while final.exists():  # same config and corpus in the same second
            final = self.out_dir / f"{self.name}-{n}"
            n += 1
        os.replace(self.tmp, final)
        self.path = final
