"""Files the workbench writes: whole or not at all, and safe to open in a spreadsheet.

The bottom layer: every module that writes a file goes through :func:`atomic_file`,
:class:`StagedFolder` or :func:`write_csv`, so there is one rule for line endings, the BOM and
formula-like cells."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import tempfile
import time
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

#: The longest slug, in UTF-8 bytes (a file name may have 255; a Chinese character takes 3).
SLUG_BYTES = 120


def slug(text, fallback: str = "_") -> str:
    """A file-name part made from user text (a metadata column, a group value, a corpus or run
    name): letters of any script (Chinese included), digits, ``_``, ``-`` and ``.`` are kept,
    every other run of characters (``/``, backslashes, spaces, quotes, ``:``, control characters ...)
    becomes one ``_``; no leading or trailing ``.``, ``-`` or ``_``, so never ``..`` or a hidden
    name; ``fallback`` when nothing is left. ``"省/市"`` -> ``"省_市"``, ``"../../x"`` -> ``"x"``.
    A slug longer than :data:`SLUG_BYTES` is cut and ends in 8 hex digits of the whole text's
    sha256, so two long names stay apart. Every file name the workbench derives from user text
    goes through here."""
    text = str(text)
    out = re.sub(r"[^\w.-]+", "_", text).strip("._-")
    if len(out.encode("utf-8")) > SLUG_BYTES:
        cut = out.encode("utf-8")[:SLUG_BYTES - 9].decode("utf-8", errors="ignore").rstrip("._-")
        out = f"{cut}-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:8]}"
    return out or fallback


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
    # A value already made of ' + a formula start gets one more ', so the guard can be undone
    # exactly (:func:`unguard`): "'=x" in the source is "''=x" in the file.
    if isinstance(value, str) and value.lstrip("'").startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def unguard(value):
    """The value :func:`neutralize_formulas` was given: one leading ``'`` removed where it guards a
    formula start (``"'=SUM(1,2)"`` -> ``"=SUM(1,2)"``); every other value unchanged."""
    if isinstance(value, str) and value.startswith("'") and value.lstrip("'").startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


def neutralize_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``frame`` whose text cells cannot become spreadsheet formulas.

    Every string cell in a text column (object/string/categorical dtype) that starts
    with one of :data:`FORMULA_PREFIXES` (after any ``'``) gets a leading ``'``, as OWASP
    advises; :func:`unguard` takes it off again.
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


def claim_file(folder: Path, stem: str, suffix: str = "") -> Path:
    """A new, empty file ``folder/<stem><suffix>``, or ``<stem>-1<suffix>``, ``<stem>-2<suffix>`` ...
    when that is taken: created with ``O_EXCL``, so writers that pick a name at the same instant
    (two ingests in one second) never get the same file. Fill it with :func:`atomic_file`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(10_000):
        path = folder / f"{stem}{'' if n == 0 else f'-{n}'}{suffix}"
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
        except FileExistsError:
            continue
        return path
    raise FileExistsError(f"{folder}: no free file name for {stem}{suffix}")


_CLAIM = ".claim"
#: Scratch folders an engine keeps beside the run folders while it trains (``.spark-work.PID.XXXX``):
#: removed when the run ends, and by :func:`remove_stale_staging` once their process is gone.
SCRATCH_NAMES = ("spark-work",)
#: A staging folder without an owner's process id (made before ids were recorded) counts as stale
#: once it is this old.
STALE_UNOWNED_SECONDS = 24 * 3600


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def remove_stale_staging(out_dir: Path) -> list[Path]:
    """Remove the hidden staging folders and name claims in ``out_dir`` whose writer is gone.

    A staging folder is ``.NAME.PID.XXXX`` and a claim ``.NAME.claim`` holding the writer's process
    id; either is stale when that process no longer runs. An engine's scratch folder
    (:func:`scratch_folder`, ``.spark-work.PID.XXXX``) is stale the same way. Staging folders from
    before ids were recorded (``.NAME.XXXX``) are stale after :data:`STALE_UNOWNED_SECONDS`.
    Returns what was removed, and names the folders in one warning.
    """
    removed = []
    run = r"(?:sweep-)?\d{8}-\d{6}-[0-9a-f]{8}(?:-\d+)?"  # the names run_name() makes
    scratch = "|".join(map(re.escape, SCRATCH_NAMES))
    owned = re.compile(rf"^\.(?:{run}|{scratch})\.(\d+)\.[a-z0-9_]{{8}}$")
    unowned = re.compile(rf"^\.{run}\.[a-z0-9_]{{8}}$")
    for entry in Path(out_dir).glob(".*"):
        try:
            if entry.name.endswith(_CLAIM) and re.match(rf"^\.{run}{re.escape(_CLAIM)}$", entry.name) \
                    and entry.is_file():
                text = entry.read_text(encoding="ascii", errors="replace").strip()
                if text.isdigit() and not _alive(int(text)):
                    entry.unlink(missing_ok=True)
                    removed.append(entry)
            elif entry.is_dir() and not entry.is_symlink():
                m = owned.match(entry.name)
                if m:
                    stale = not _alive(int(m.group(1)))
                elif unowned.match(entry.name):
                    stale = time.time() - entry.stat().st_mtime > STALE_UNOWNED_SECONDS
                else:
                    continue  # not a staging folder (.ipynb_checkpoints, .git ...): never touched
                if stale:
                    shutil.rmtree(entry, ignore_errors=True)
                    removed.append(entry)
        except OSError:
            continue  # removed by a concurrent cleaner, or not ours to read
    folders = [p.name for p in removed if not p.name.endswith(_CLAIM)]
    if folders:
        logging.getLogger(__name__).warning("%s: removed %d staging folder(s) left by killed runs: %s", out_dir,
                                            len(folders), ", ".join(sorted(folders)))
    return removed


def scratch_folder(out_dir: Path, kind: str) -> Path:
    """A new hidden folder ``out_dir/.<kind>.<PID>.XXXXXXXX`` for an engine's intermediate files
    (``kind`` one of :data:`SCRATCH_NAMES`). Its owner removes it when it ends (see
    :func:`remove_scratch`); one left by a killed process is removed by the next
    :func:`remove_stale_staging` of ``out_dir``, as staging is."""
    if kind not in SCRATCH_NAMES:
        raise ValueError(f"unknown scratch folder kind {kind!r} (one of {', '.join(SCRATCH_NAMES)})")
    return Path(tempfile.mkdtemp(prefix=f".{kind}.{os.getpid()}.", dir=out_dir))


def remove_scratch(folder: Path, ended: str | None = None) -> None:
    """Remove a :func:`scratch_folder`. ``ended``: ``"failed"`` or ``"interrupted"`` names it in a
    warning, so a run that did not finish says what it cleaned up; None (it finished) says nothing."""
    shutil.rmtree(folder, ignore_errors=True)
    log = logging.getLogger(__name__)
    if ended == "failed":
        log.warning("%s: removed the scratch folder of a run that failed", folder)
    elif ended == "interrupted":
        log.warning("%s: removed the scratch folder of a run that was interrupted", folder)


class StagedFolder:
    """Write a result folder whole or not at all.

    ``with StagedFolder(out_dir, name) as stage:`` gives ``stage.tmp``, a hidden folder beside the
    final one, and ``stage.name``, the final folder's name, decided on entry: ``name``, or
    ``name-1``, ``name-2`` ... when taken. The name is claimed atomically (an ``O_EXCL`` claim file
    holding this process's id), so concurrent writers never pick the same one and a manifest can
    record it before the folder exists. On success the folder is renamed to ``out_dir/stage.name``
    and ``stage.path`` holds the result; on any error, or a kill, no visible folder is left.

    Staging folders and claims left by killed processes are removed on entry
    (:func:`remove_stale_staging`); ``stage.removed_stale`` lists them.
    """

    def __init__(self, out_dir: Path, name: str):
        self.out_dir, self.base = Path(out_dir), name
        self.name = name
        self.tmp: Path | None = None
        self.path: Path | None = None
        self.removed_stale: list[Path] = []
        self._claim: Path | None = None

    def _claim_name(self) -> None:
        pid = str(os.getpid()).encode()
        for n in range(10_000):
            name = self.base if n == 0 else f"{self.base}-{n}"
            if (self.out_dir / name).exists():
                continue
            claim = self.out_dir / f".{name}{_CLAIM}"
            try:
                fd = os.open(claim, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                continue
            with os.fdopen(fd, "wb") as fh:
                fh.write(pid)
            if (self.out_dir / name).exists():  # finished by another writer between the checks
                claim.unlink(missing_ok=True)
                continue
            self.name, self._claim = name, claim
            return
        raise FileExistsError(f"{self.out_dir}: no free folder name for {self.base}")

    def __enter__(self) -> "StagedFolder":
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.removed_stale = remove_stale_staging(self.out_dir)
        self._claim_name()
        self.tmp = Path(tempfile.mkdtemp(prefix=f".{self.name}.{os.getpid()}.", dir=self.out_dir))
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is not None:
                shutil.rmtree(self.tmp, ignore_errors=True)
                return
            # mkdtemp makes the folder private (0700); a result folder is shared like any other.
            os.chmod(self.tmp, 0o777 & ~_umask())
            final = self.out_dir / self.name
            os.rename(self.tmp, final)  # the claim keeps other writers off this name
            self.path = final
        finally:
            if self._claim is not None:
                self._claim.unlink(missing_ok=True)
