"""Load a run folder back without retraining, and check it against its manifest (:func:`check_run`)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd

from workbench.corpus.ingest import special_kind
from workbench.errors import shown
from workbench.files import CSV_ENCODING, sha256_file, unguard
from workbench.runfolder.labels import LABELS_FILE
from workbench.runfolder.schema import _TOPIC_COLUMN, COLUMN_TYPES, columns_file, topic_columns

# --------------------------------------------------------------------------------------------
# Loading

@dataclass(frozen=True)
class Run:
    """A run folder loaded for reading: tables and arrays, no model object, nothing unpickled."""

    path: Path
    manifest: dict
    doc_topics: pd.DataFrame = field(repr=False)
    topics: pd.DataFrame = field(repr=False)
    terms: pd.DataFrame = field(repr=False)
    topic_term: np.ndarray = field(repr=False)
    labels: dict = field(default_factory=dict)
    #: the run's merged topics (``merges.json``, :mod:`workbench.runfolder.merges`); :meth:`merged`
    #: gives the tables with them applied, the fields above keep every topic as trained
    merges: tuple = ()
    #: {column: {"type": ..., "header": the source's header when ingest renamed it}} of doc_topics
    columns: dict = field(default_factory=dict, repr=False)

    @property
    def num_topics(self) -> int:
        return self.topic_term.shape[0]

    @property
    def vocab(self) -> list[str]:
        return self.terms["term"].tolist()

    @property
    def headers(self) -> dict[str, str]:
        """{column: the source's header} for the columns ingest renamed (``{"title": "标题"}``)."""
        return {name: c["header"] for name, c in self.columns.items() if c.get("header")}

    def top_terms(self, n: int = 3) -> dict[int, list[str]]:
        """{topic: its ``n`` most probable terms}, from topics.csv."""
        ranked = self.topics[self.topics["rank"] <= n].sort_values(["topic", "rank"])
        return {int(t): [str(x) for x in g["term"]] for t, g in ranked.groupby("topic")}

    def merged(self) -> Run:
        """This run with its merged topics applied (:func:`workbench.runfolder.merges.merged_run`)."""
        from workbench.runfolder.merges import merged_run

        return merged_run(self)

    @property
    def doc_topic(self) -> np.ndarray:
        return self.doc_topics[topic_columns(self.num_topics)].to_numpy()


def load_run(path: Path) -> Run:
    path = Path(path)
    if not (path / "manifest.json").is_file():
        raise FileNotFoundError(f"{shown(path)}: not a run folder (no manifest.json)")
    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    from workbench.runfolder.labels import read_labels

    labels = read_labels(path)
    from workbench.runfolder.merges import read_merges

    merges = read_merges(path)
    doc_topics, columns = read_doc_topics(path / "doc_topics.csv")
    return Run(
        path=path,
        manifest=manifest,
        doc_topics=doc_topics,
        columns=columns,
        topics=pd.read_csv(path / "topics.csv", encoding=CSV_ENCODING, keep_default_na=False),
        terms=pd.read_csv(path / "terms.csv", encoding=CSV_ENCODING, keep_default_na=False),
        topic_term=np.load(path / "topic_term.npy", allow_pickle=False),
        labels=labels,
        merges=merges,
    )


_FIXED_TYPES = {"n_tokens": "integer", "dominant_topic": "integer"}


def read_doc_topics(path: Path) -> tuple[pd.DataFrame, dict]:
    """doc_topics.csv with every value as it went in, and its column record (``columns.json``).

    Each column gets the type recorded beside the table (:func:`schema.columns_file`): text stays
    text ("041100" keeps its zero), the spreadsheet guard of the CSV is undone
    (:func:`workbench.files.unguard`: "'=SUM(1,2)" is read as "=SUM(1,2)", the source's text),
    integers with gaps are nullable ``Int64``, and an empty cell is missing (NA), never "".
    A run folder made before the types were recorded reads every column other than the topic
    shares, ``n_tokens`` and ``dominant_topic`` as text, ids included: no value is guessed into a
    number. Cost: the table is read whole (one pass of pandas' C parser)."""
    record = columns_file(path)
    columns = json.loads(record.read_text(encoding="utf-8"))["columns"] if record.is_file() else {}
    with open(path, encoding=CSV_ENCODING) as fh:
        header = [unguard(c) for c in pd.read_csv(fh, nrows=0).columns]

    def kind(name: str) -> str:
        if name in columns:
            if columns[name].get("type") not in COLUMN_TYPES:
                raise ValueError(f"{record}: column {name!r} has no known type ({', '.join(COLUMN_TYPES)})")
            return columns[name]["type"]
        return "number" if _TOPIC_COLUMN.match(name) else _FIXED_TYPES.get(name, "string")

    kinds = {name: kind(name) for name in header}
    table = pd.read_csv(path, encoding=CSV_ENCODING, header=0, names=header, keep_default_na=False,
                        dtype={n: np.float64 if k == "number" and _TOPIC_COLUMN.match(n) else str
                               for n, k in kinds.items()})
    for name, k in kinds.items():
        if _TOPIC_COLUMN.match(name) and k == "number":
            continue
        values = table[name]
        blank = values == ""
        if k == "string":
            table[name] = values.map(unguard).where(~blank, None).astype("str")
        elif k == "integer":
            table[name] = pd.to_numeric(values.where(~blank, None)).astype("Int64")
            if name in _FIXED_TYPES and not blank.any():
                table[name] = table[name].astype(np.int64)
        elif k == "number":
            table[name] = pd.to_numeric(values.where(~blank, None)).astype(np.float64)
        elif k == "boolean":
            table[name] = values.map({"True": True, "False": False}).astype("boolean")
    return table, columns


def latest_run(root: Path | None = None) -> Path:
    from workbench import paths

    root = Path(root) if root else paths.runs_dir()
    # Sweep folders (sweep-...) hold a manifest too, but no model: they are not runs.
    candidates = sorted(p for p in root.glob("*") if p.is_dir() and not p.name.startswith((".", "sweep-"))
                        and (p / "doc_topics.csv").exists())
    if not candidates:
        raise FileNotFoundError(f"{shown(root)}: no runs yet (run `workbench train` first)")
    return candidates[-1]


#: Where the workbench writes after training, from the pinned files: these outputs are not pinned by
#: the manifest (rerunning the command remakes them), and ``verify`` names them as not covered.
#: A folder name ends with "/"; other entries are file-name patterns of the run folder's top level.
DERIVED = ("exports/", "prevalence/", "effects/", "validation/", "inferred/", "compare_*.csv")
#: Files an operating system's file browser leaves in any folder it shows (Finder, Explorer):
#: named as not covered, never read.
OS_FILES = (".DS_Store", "Thumbs.db", "desktop.ini")
MANIFEST = "manifest.json"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class RunCheck:
    """What :func:`check_run` found. ``problems``: one line per file that breaks the promise
    (``"doc_topics.csv: does not match the manifest's sha256"``), empty when it holds;
    ``manifest_sha256``: the sha256 of ``manifest.json`` as read (None without one); ``listed``:
    the files the manifest pins; ``not_covered``: files present that it does not pin, by rule
    (:data:`DERIVED`, :data:`OS_FILES`, and ``labels.json`` of a run made before it was pinned)."""

    path: Path
    manifest_sha256: str | None
    listed: tuple[str, ...]
    problems: tuple[str, ...]
    not_covered: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    def uncovered(self) -> list[str]:
        """The files not covered, grouped, each group with the reason: ``["exports/ (2 files): written
        after training from the pinned files", ...]``."""
        groups: dict[str, list[str]] = {}
        for rel in self.not_covered:
            top = rel.split("/", 1)[0] + ("/" if "/" in rel else "")
            groups.setdefault(top, []).append(rel)
        out = []
        for top, rels in groups.items():
            folder = top.endswith("/")
            name = top if folder else rels[0]
            count = f" ({len(rels)} file{'s' if len(rels) > 1 else ''})" if folder else ""
            if top == LABELS_FILE:
                why = "made before labels were pinned (`workbench label` pins it)"
            elif PurePosixPath(rels[0]).name in OS_FILES:
                why = "left by a file browser, never read"
            else:
                why = "written after training from the pinned files"
            out.append(f"{name}{count}: {why}")
        return out


def _derived(rel: str) -> bool:
    top = rel.split("/", 1)[0]
    return any(fnmatch(top + "/", d) if d.endswith("/") else "/" not in rel and fnmatch(rel, d) for d in DERIVED)


def _walk(root: Path) -> tuple[dict[str, str], set[str]]:
    """Every entry under ``root``, links never followed: {relative path: kind} for what is not a
    regular file or folder ("a symbolic link to ...", "a FIFO" ...), and the set of regular files."""
    odd: dict[str, str] = {}
    regular: set[str] = set()
    for folder, dirs, names in os.walk(root, followlinks=False):
        base = Path(folder).relative_to(root)
        for name in [*dirs, *names]:
            entry = Path(folder) / name
            rel = (base / name).as_posix()
            st = entry.lstat()
            if stat.S_ISLNK(st.st_mode):
                odd[rel] = f"a symbolic link (to {os.readlink(entry)}); a run folder holds none"
            elif stat.S_ISREG(st.st_mode):
                regular.add(rel)
            elif not stat.S_ISDIR(st.st_mode):
                odd[rel] = f"not a regular file ({special_kind(st.st_mode)})"
        dirs[:] = [d for d in dirs if not (Path(folder) / d).is_symlink()]
    return odd, regular


def check_run(path: Path, expect: str | None = None) -> RunCheck:
    """Check a run folder against its manifest, and the manifest against ``expect`` when given.

    What passing means: every file in the folder is listed in ``manifest.json`` ``files`` (except
    the outputs written after training, :data:`DERIVED`, and :data:`OS_FILES`: named as not
    covered); every listed file is present, a regular file inside the folder (no absolute path,
    no ``..``, no symbolic link anywhere in the folder) and has the listed sha256; and, with
    ``expect``, the sha256 of ``manifest.json`` itself is ``expect``. Without ``expect`` this is a
    self-check: whoever edits a file can write its new sha256 into the manifest; the manifest
    hash, published beside the results, is what makes a change evident. Nothing is followed,
    unpickled or opened but regular files (a FIFO is never opened). Cost: one sha256 pass over
    every listed file.
    """
    path = Path(path)
    problems: list[str] = []
    not_covered: list[str] = []
    manifest_file = path / MANIFEST
    if not manifest_file.is_file() or manifest_file.is_symlink():
        what = "a symbolic link" if manifest_file.is_symlink() else "missing: not a run folder"
        return RunCheck(path, None, (), (f"{MANIFEST}: {what}",), ())
    raw = manifest_file.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if expect is not None and digest != expect.lower():
        problems.append(f"{MANIFEST}: its sha256 is {digest}, not the expected {expect.lower()}")
    files = _listed_files(raw, problems)
    odd, regular = _walk(path)
    for rel, what in sorted(odd.items()):
        problems.append(f"{rel}: {what}")
    listed = []
    for rel, sha in files.items():
        if rel.startswith("/") or ".." in PurePosixPath(rel).parts:
            problems.append(f"{rel}: listed in the manifest, outside the run folder (not read)")
        elif not rel or "\\" in rel or rel != PurePosixPath(rel).as_posix():
            problems.append(f"{rel!r}: listed in the manifest, not a plain path inside the run folder (not read)")
        elif rel == MANIFEST:
            problems.append(f"{MANIFEST}: lists a sha256 of itself, which no manifest can hold")
        elif rel in regular:
            listed.append(rel)
            if sha256_file(path / rel) != sha:
                problems.append(f"{rel}: does not match the manifest's sha256")
        elif rel in odd:
            continue  # named above
        elif any(rel.startswith(o + "/") for o in odd):
            problems.append(f"{rel}: listed in the manifest, behind a symbolic link (not read)")
        elif (path / rel).is_dir():
            problems.append(f"{rel}: listed in the manifest as a file, a folder here (not read)")
        else:
            problems.append(f"{rel}: listed in the manifest, missing")
    for rel in sorted(regular - set(files) - {MANIFEST}):
        if _derived(rel) or PurePosixPath(rel).name in OS_FILES or (rel == LABELS_FILE and files):
            not_covered.append(rel)  # labels.json: a run made before labels were pinned
        else:
            problems.append(f"{rel}: not listed in the manifest")
    return RunCheck(path, digest, tuple(sorted(listed)), tuple(problems), tuple(not_covered))


def _listed_files(raw: bytes, problems: list[str]) -> dict[str, str]:
    """The manifest's ``files`` ({relative path: sha256}); each way it is broken a problem."""
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        problems.append(f"{MANIFEST}: not UTF-8 text (byte {exc.start})")
        return {}
    except json.JSONDecodeError as exc:
        problems.append(f"{MANIFEST}: not JSON ({exc.msg}, line {exc.lineno}, column {exc.colno})")
        return {}
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if not isinstance(files, dict) or not files:
        problems.append(f"{MANIFEST}: no 'files' with the sha256 of each file: it pins nothing")
        return {}
    good = {}
    for rel, sha in files.items():
        if isinstance(sha, str) and _SHA256.match(sha):
            good[rel] = sha
        else:
            problems.append(f"{rel}: listed in the manifest without a sha256 ({sha!r:.40})")
    return good


def verify_run(path: Path, expect: str | None = None) -> list[str]:
    """The problems :func:`check_run` finds, one line each: [] means the folder holds what its
    manifest lists, nothing else (derived outputs aside), and, with ``expect``, that the
    manifest is the one whose sha256 was published."""
    return list(check_run(path, expect).problems)


def texts_as_tokenized(manifest: dict, doc_ids, texts) -> list[str]:
    """The units' ``texts`` (of documents ``doc_ids``, in doc_topics order) as the run's tokenizer
    read them: Traditional characters converted to Simplified when the run's ``to_simplified`` did
    so (every document, or each document :func:`~workbench.text.tokenize.is_traditional` finds, judged
    on the text of its units together). Pair it with :func:`tokenizer_config` to count a run's tokens."""
    from workbench.text.tokenize import DETECT_TRADITIONAL, is_traditional, to_simplified

    texts = [str(t) for t in texts]
    mode = manifest.get("config", {}).get("corpus", {}).get("to_simplified", False)
    if mode is True:
        return [to_simplified(t) for t in texts]
    if mode != DETECT_TRADITIONAL:
        return texts
    whole: dict[str, list[str]] = {}
    for doc_id, text in zip(doc_ids, texts):
        whole.setdefault(doc_id, []).append(text)
    converted = {d for d, parts in whole.items() if is_traditional("".join(parts))}
    return [to_simplified(t) if d in converted else t for d, t in zip(doc_ids, texts)]


def tokenizer_config(manifest: dict):
    """The :class:`~workbench.text.tokenize.TokenizerConfig` a run was trained with, from its
    manifest (dictionaries, stopword lists, harvested terms, filters), to tokenize text as the
    run did. A dictionary or stopword file that is gone or changed since is replaced by the
    package's current one and named in a warning: tokens may then differ a little from training."""
    import logging

    from workbench.text.tokenize import TokenizerConfig, default_config

    t = manifest["tokenizer"]
    current = default_config()
    log = logging.getLogger(__name__)

    def files(recorded: dict, now: tuple[str, ...], what: str) -> tuple[str, ...]:
        if all(Path(p).is_file() and sha256_file(Path(p)) == digest for p, digest in recorded.items()):
            return tuple(recorded)
        log.warning("run %s: its %s changed since training (%s); using the current ones, so tokens may differ "
                    "a little", manifest.get("run_id", "?"), what, ", ".join(map(str, recorded)) or "none")
        return now

    return TokenizerConfig(
        user_dicts=files(t["user_dicts"], current.user_dicts, "dictionaries"),
        stopword_files=files(t["stopword_files"], current.stopword_files, "stopword lists"),
        extra_words=tuple(sorted(set(t.get("harvested_terms", ())))), min_len=t["min_len"], drop_numbers=t["drop_numbers"],
        hmm=t["hmm"], pos_drop=tuple(t["pos_drop"]) or None, engine=t["engine"],
        to_simplified=t.get("to_simplified", False))
