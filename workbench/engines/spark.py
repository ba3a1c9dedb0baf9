"""The Spark engine: the workbench pipeline on Apache Spark (pyspark, Spark MLlib's LDA).

For corpora that outgrow one machine (millions of documents). ``workbench train SOURCE...
--engine spark --master MASTER`` runs the same stages as the local engine and writes the same
run folder (docs/run-folder.md), so notebooks and ``workbench compare`` read a Spark run
unchanged. See docs/spark.md for when to use it and how to point it at a cluster.

Data flow (each arrow is a Spark job; ``scratch`` is Parquet in a hidden folder beside the run
in local mode, or on the cluster's file system)::

    sources (txt folders, JSONL / CSV / TSV / XLSX / Parquet, globs, hdfs:// s3a:// URIs)
      -> read + clean on the executors: workbench.corpus.ingest.read_bytes per file     scratch/raw
      -> one document per text (doc_id): the first record in source order gives its source,
         line and metadata, the later ones are named (other_records)   scratch/documents, other_records
      -> harvest “quoted” terms (CorpusConfig.quoted_counts per partition, summed; a second
         pass sums CorpusConfig.containing_counts of the candidates; then
         CorpusConfig.harvested_terms, the local engine's rule)                     -> broadcast
      -> units (CorpusConfig.units) + tokens (preprocess.unit_tokens; the Tokenizer built once
         per executor process from a broadcast TokenizerConfig and the files' bytes) scratch/units
      -> vocabulary: per-term unit counts and first positions, text.vocabulary.keep_terms,
         terms in first-seen order (the local engine's)                          -> broadcast
      -> bags of words, term ids, document / corpus frequencies                     scratch/bows
      -> pyspark.ml.clustering.LDA (online variational Bayes)
      -> doc-topic shares, TF-IDF keywords (models.tfidf_top per partition): Parquet, then
         sorted and streamed to the driver one partition at a time into runfolder.write_run,
         the writer every engine uses
      -> c_npmi coherence from per-partition sliding-window counts (models.window_counts)

What comes back to the driver: the vocabulary and its frequencies (V), the topic-term matrix
(K x V), the harvested terms, topic sizes (K), the metadata profile (per column), coherence
counts ((10K)^2), problems (capped) and, below ``SparkConfig.manifest_id_limit`` ids, the
document and unit ids. Documents, units and doc-topic rows are never collected: the writer
reads them one sorted partition (about ``STREAM_ROWS`` rows) at a time. Memory on the driver
therefore grows with V x K, not with N; its time for the tables grows with N.

Why the online optimizer (Hoffman, Blei & Bach 2010) and not EM: it is the algorithm of the
gensim engine (comparable results); it accepts the workbench's sparse priors (``alpha=0.1``,
``eta=0.01``: a unit holds few topics and a topic few words), where Spark's EM computes MAP
estimates that need ``alpha > 1`` and ``eta > 1``; each iteration reads a mini-batch
(``subsampling_rate``) instead of the whole corpus; and its state is K x V on the driver and on
each executor, where EM keeps a GraphX graph with one edge per (document, term) pair plus
checkpoints. EM stays selectable (``SparkConfig(optimizer="em")``) for users who want it."""

from __future__ import annotations

import functools
import json
import logging
import math
import os
import shutil
import subprocess
import sys
import time
import warnings
from collections import Counter
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import ClassVar, Iterable, Iterator, Sequence
from urllib.parse import unquote

import numpy as np

from workbench import checks, files, paths, runfolder
from workbench.corpus import ingest, store
from workbench.corpus.ingest import Problem
from workbench.errors import PipelineError
from workbench.models.lda import ModelConfig, check_topics
from workbench.progress import Stages
from workbench.text.preprocess import CorpusConfig, default_sources, no_documents_error, unit_tokens
from workbench.text.tokenize import TokenizerConfig, get_tokenizer
from workbench.text.vocabulary import Vocabulary, effective_no_above, empty_vocabulary, keep_terms, to_dictionary

OPTIMIZERS = ("online", "em")
PYSPARK_REQUIREMENT = "pyspark>=4.3,<4.4"
# Order of rows everywhere: source argument, glob match, file (path parts), record, unit index.
ORDER = ("src", "sub", "fkey", "pos")
RAW_SCHEMA = ("kind string, src int, sub int, fkey string, pos long, doc_id string, "
              "source_file string, record string, text string, meta string")
UNIT_SCHEMA = ("src int, sub int, fkey string, pos long, uidx int, unit_id string, doc_id string, "
               "source_file string, record string, meta string, text string, tokens array<string>, "
               "kept boolean")


_LOG4J = """\
# workbench: Spark's and Hadoop's own log at ERROR, so a run prints only what the researcher needs.
# The root level equals org.apache.spark's: when they differ, a pyspark session prints "Setting default
# log level" on start.
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = spark: %p %c{1}: %m%n%ex
logger.spark.name = org.apache.spark
logger.spark.level = error
logger.hadoop.name = org.apache.hadoop
logger.hadoop.level = error
logger.parquet.name = org.apache.parquet
logger.parquet.level = error
logger.netty.name = io.netty
logger.netty.level = error
"""


class SparkUnavailable(PipelineError):
    """pyspark or Java is missing; the message says what to install."""


@dataclass(frozen=True)
class SparkConfig:
    """How the Spark engine runs. Model settings (K, alpha, eta, seed, no_below, no_above) come
    from :class:`workbench.models.ModelConfig`, as for the local engines.

    ``master``: ``local[2]`` (two cores of this machine), ``spark://host:7077``, ``yarn``,
    ``k8s://...``. ``optimizer``: ``online`` (default, see the module docstring) or ``em``.
    ``max_iter``: online mini-batch updates (EM: iterations). ``subsampling_rate``: share of the
    units in each mini-batch; ``max_iter * subsampling_rate`` is the number of passes over the
    corpus (defaults: 100 x 0.2 = 20 passes, measured on THUCNews in docs/spark.md).
    ``learning_offset`` / ``learning_decay``: tau0 and kappa of the step size
    ``(tau0 + t) ** -kappa`` (gensim's ``offset`` and ``decay``; the same 1.0 / 0.5 as gensim;
    Spark's defaults 1024 / 0.51 learn far more slowly on small corpora). ``partitions``: tokenizing
    tasks (0: one per 2,000 documents, at least one and at most four per core). ``scratch_dir``: where intermediate Parquet goes;
    default: the run's temporary folder with a ``local`` master, ``workbench-scratch`` on the
    cluster's default file system (the user's home on HDFS) otherwise. ``driver_memory``:
    ``spark.driver.memory`` (in local mode the executors live in the driver JVM). ``conf``:
    extra Spark settings as (key, value) pairs. ``manifest_id_limit``: list document and unit
    ids in manifest.json up to this many units (every id is in doc_topics.csv anyway).
    """

    master: str = "local[2]"
    optimizer: str = "online"
    max_iter: int = 100
    subsampling_rate: float = 0.2
    learning_offset: float = 1.0
    learning_decay: float = 0.5
    partitions: int = 0
    scratch_dir: str | None = None
    driver_memory: str | None = None
    conf: tuple[tuple[str, str], ...] = ()
    manifest_id_limit: int = 1_000_000

    BOUNDS: ClassVar[dict] = {"max_iter": checks.POSITIVE_INT, "subsampling_rate": checks.SHARE,
                              "learning_offset": checks.POSITIVE, "learning_decay": checks.POSITIVE,
                              "partitions": checks.COUNT, "manifest_id_limit": checks.COUNT}

    def __post_init__(self):
        checks.check_fields(self, self.BOUNDS)

    @property
    def is_local(self) -> bool:
        return self.master.startswith("local")


# =============================================================================================
# Session


def java_executable() -> str | None:
    """The ``java`` Spark will start: ``$JAVA_HOME/bin/java`` or the first on PATH."""
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").is_file():
        return str(Path(home) / "bin" / "java")
    return shutil.which("java")


def _local_cores(master: str) -> int:
    inside = master[master.find("[") + 1:master.find("]")] if "[" in master else "1"
    inside = inside.split(",")[0]
    if inside == "*":
        return os.cpu_count() or 1
    return max(1, int(inside)) if inside.isdigit() else 1


@functools.lru_cache(maxsize=4)
def _java_version(java: str) -> str:
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    lines = (out.stderr or out.stdout).strip().splitlines()
    return lines[0] if lines and out.returncode == 0 else ""


def check_spark() -> dict[str, str]:
    """``{"pyspark": version, "java": "openjdk version ..."}``; raises :class:`SparkUnavailable`
    with what to install when pyspark or a working Java runtime is missing."""
    try:
        with _quiet_pyspark_import():
            import pyspark
    except ImportError:
        raise SparkUnavailable(
            "the Spark engine needs pyspark, which is not installed: "
            f"pip install 'workbench[spark]' (that is {PYSPARK_REQUIREMENT}; Spark also needs Java 17 or 21)"
        ) from None
    java = java_executable()
    if java is None:
        raise SparkUnavailable(
            "the Spark engine needs a Java runtime (17 or 21) and none was found: neither JAVA_HOME "
            "nor a `java` on PATH. Install one (Debian/Ubuntu: apt-get install openjdk-17-jre-headless) "
            "or set JAVA_HOME")
    version = _java_version(java)
    if not version:
        raise SparkUnavailable(f"the Spark engine needs a Java runtime (17 or 21): `{java} -version` fails")
    return {"pyspark": pyspark.__version__, "java": version}


@contextmanager
def _quiet_pyspark_import():
    # pyspark 4.3 warns on import that pandas >= 3 is "not fully supported"; the workbench uses
    # no pandas-on-Spark API (docs/spark.md), so the warning tells a researcher nothing.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*pandas >= 3", category=FutureWarning)
        warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas",
                                category=FutureWarning)
        yield


def start_session(config: SparkConfig = SparkConfig(), local_dir: Path | None = None, *,
                  app_name: str = "workbench"):
    """Start (or join) a quiet SparkSession for ``config.master``.

    Spark's own log goes to ERROR (a log4j2 file written into ``local_dir``), the web UI and
    the console progress bar are off, and ``spark.local.dir`` / the SQL warehouse live in
    ``local_dir`` (default: the workbench cache folder). A ``local`` master binds to 127.0.0.1
    only. Executors run this interpreter (``PYSPARK_PYTHON``) unless the environment or ``conf``
    says otherwise. Costs about 6 s (the JVM) the first time in a process.
    """
    check_spark()
    local_dir = Path(local_dir or paths.cache_dir() / "spark")
    local_dir.mkdir(parents=True, exist_ok=True)
    log4j = local_dir / "log4j2.properties"
    log4j.write_text(_LOG4J, encoding="utf-8")
    with _quiet_pyspark_import():
        from pyspark.sql import SparkSession

        if config.is_local:
            os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
        java_options = f"-Dlog4j2.configurationFile={log4j.as_uri()} -Dderby.system.home={local_dir / 'derby'}"
        settings = {
            "spark.ui.enabled": "false",
            "spark.ui.showConsoleProgress": "false",
            "spark.local.dir": str(local_dir / "tmp"),
            "spark.sql.warehouse.dir": (local_dir / "warehouse").as_uri(),
            "spark.driver.extraJavaOptions": java_options,
            "spark.sql.session.timeZone": "UTC",
            "spark.python.worker.reuse": "true",
            # workers too import pyspark (and so warn about pandas 3) once each
            "spark.executorEnv.PYTHONWARNINGS": "ignore::FutureWarning:pyspark.testing.utils",
        }
        if config.is_local:
            settings.update({"spark.driver.host": "127.0.0.1", "spark.driver.bindAddress": "127.0.0.1",
                             # 200 shuffle buckets per task cost more than they give on one machine
                             "spark.sql.shuffle.partitions": str(4 * _local_cores(config.master))})
        if config.driver_memory:
            settings["spark.driver.memory"] = config.driver_memory
        settings.update(dict(config.conf))
        builder = SparkSession.builder.master(config.master).appName(app_name)
        for key, value in settings.items():
            builder = builder.config(key, value)
        spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


# =============================================================================================
# Sources -> documents (runs on the executors)
#
# Every file's bytes are parsed by workbench.corpus.ingest.read_bytes (what read_sources calls for
# each file) on the executor, named as read_sources names the original (``<folder>/<path>`` or the
# file name): decoding, HTML, cleaning, metadata, records, problems and their messages are the
# local engine's by construction. A large JSONL file is split by Spark and each split goes through
# read_bytes the same way, starting at its first line number in the file.


@dataclass(frozen=True)
class _File:
    """One input file: order key, the name the tables show, and the path problems show."""

    src: int
    sub: int
    fkey: str
    name: str
    display: str
    root_name: str | None  # the folder the user named, when the file was found inside one


def _display(uri: str) -> str:
    return uri[len("file:"):] if uri.startswith("file:") else uri


def _row(kind, f: _File, pos, doc_id=None, source_file=None, record=None, text=None, meta=None):
    return (kind, f.src, f.sub, f.fkey, int(pos), doc_id, source_file, record, text, meta)


def _pos_of(where: str) -> int:
    digits = "".join(ch for ch in where.split(",")[0] if ch.isdigit())
    return int(digits) if digits else 0


def _file_for(path: str, roots: dict) -> _File:
    """``roots``: {root uri: (src, sub, name, is_dir)}; a file under a folder root is named
    ``<folder name>/<relative path>`` as in workbench.corpus.ingest.iter_source_files."""
    for root, (src, sub, name, is_dir) in roots.items():
        if not is_dir:
            if path == root:
                return _File(src, sub, "", name, _display(path), None)
        elif path.startswith(root.rstrip("/") + "/"):
            rel = path[len(root.rstrip("/")) + 1:]
            # "\x00" sorts before every character: the key orders files like sorted(Path.rglob())
            return _File(src, sub, rel.replace("/", "\x00"), f"{name}/{rel}", _display(path), name)
    raise KeyError(path)


def _worker_dir() -> Path:
    """A folder private to this executor (Spark's per-application files folder)."""
    from pyspark import SparkFiles

    try:
        root = SparkFiles.getRootDirectory()
    except Exception:  # noqa: BLE001 - not on a worker: the driver's cache folder
        root = None
    path = Path(root) if root else paths.cache_dir() / "spark-worker"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _with_ingest(f: _File, data: bytes, text_column: str | None, first_line: int = 1) -> Iterator[tuple]:
    """Rows of one file (or one JSONL split starting at ``first_line``) parsed by
    workbench.corpus.ingest.read_bytes, named as the local engine names it.

    Rows: kind ``doc``, ``problem`` (path, where, what in source_file, record, text),
    ``colerr`` (a record file without its text column: fatal only when no source yields a
    document, as in read_sources) and ``fields`` (the columns a record file's fields and renamed
    columns were taken from, as JSON in text: read_sources's ``fields``)."""
    problems: list[Problem] = []
    fields: dict[str, dict[str, str]] = {}
    try:
        for doc in ingest.read_bytes(data, f.display, f.name, text_column=text_column, problems=problems,
                                     first_line=first_line, fields=fields):
            yield _row("doc", f, _pos_of(doc.record), doc.doc_id, doc.source_file, doc.record, doc.text,
                       json.dumps(doc.meta, ensure_ascii=False))
    except ingest.NoTextColumn as exc:
        yield _row("colerr", f, 0, None, f.display, "", f"{f.display}: {exc}")
    for p in problems:
        what = p.what if p.action == "skipped" else f"{p.what} [{p.action}]"
        yield _row("problem", f, _pos_of(p.where), None, p.path, p.where, what)
    if fields.get(f.display):
        yield _row("fields", f, first_line, None, f.display, "", json.dumps(fields[f.display], ensure_ascii=False))


def _files_partition(roots: dict, text_column: str | None, rows) -> Iterator[tuple]:
    """binaryFile rows (path, content) -> rows of each whole file."""
    for r in rows:
        yield from _with_ingest(_file_for(r.path, roots), bytes(r.content), text_column)


def _jsonl_partition(files: list[_File], owners: list[int], starts: list[int], text_column: str | None,
                     index: int, lines) -> Iterator[tuple]:
    """One Hadoop split of a JSONL file (consecutive lines) -> rows, line numbers the file's."""
    lines = list(lines)
    if not any(line.strip() for line in lines):
        return  # blank lines only: nothing, as read_sources skips blank lines
    data = ("\n".join(lines) + "\n").encode("utf-8")
    yield from _with_ingest(files[owners[index]], data, text_column, first_line=starts[index] + 1)


def _parquet_partition(roots: dict, text_col: str, rows) -> Iterator[tuple]:
    """Parquet rows (with Spark's ``_metadata`` file path and row index) -> documents through
    workbench.corpus.ingest.record_document, labelled "row N" as the local engine."""
    for r in rows:
        d = r.asDict(recursive=False)
        path = unquote(d.pop("__wb_file"))  # _metadata.file_path is a URI (a space is %20)
        index = int(d.pop("__wb_row"))
        f = _file_for(path, roots)
        where = f"row {index + 1}"
        problems: list[Problem] = []
        doc = ingest.record_document(d, text_col, f.display, f.name, where, problems)
        if doc is not None:
            yield _row("doc", f, index + 1, doc.doc_id, doc.source_file, doc.record, doc.text,
                       json.dumps(doc.meta, ensure_ascii=False))
        for p in problems:
            yield _row("problem", f, index + 1, None, p.path, p.where, p.what)


def _numbered_splits(sc, paths_: list[str]):
    """A union RDD of the lines of ``paths_``, split as Hadoop splits them (a large JSONL file is
    read by many tasks), with, per partition, its file (``owners``) and the 0-based number of its
    first line in that file (``starts``). One counting pass: the union keeps each file's splits
    in order, so a split starts after the lines of the file's earlier splits."""
    rdds = [sc.textFile(p) for p in paths_]
    owners = [i for i, r in enumerate(rdds) for _ in range(r.getNumPartitions())]
    union = sc.union(rdds)
    counts = union.mapPartitions(lambda it: [sum(1 for _ in it)]).collect()
    starts, seen = [], {}
    for owner, n in zip(owners, counts):
        starts.append(seen.get(owner, 0))
        seen[owner] = starts[-1] + n
    return union, owners, starts, seen


# ---------------------------------------------------------------------------------------------
# Sources (driver side: only file listings, never documents)


def _hadoop(spark, uri: str):
    jvm = spark.sparkContext._jvm
    path = jvm.org.apache.hadoop.fs.Path(uri)
    return path, path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())


def _is_uri(s: str) -> bool:
    return "://" in s or s.startswith("file:")


def _ci_glob(suffixes: Iterable[str]) -> str:
    """A Hadoop glob matching the suffixes in any letter case: {.txt} -> *.{[tT][xX][tT]}."""
    alts = ["".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in s.lstrip(".")) for s in sorted(suffixes)]
    return "*.{" + ",".join(alts) + "}"


def resolve_sources(spark, sources: Sequence) -> list[tuple[int, int, str, bool, str, int]]:
    """Each source -> (src, sub, qualified uri, is folder, name, bytes). A local path is taken as
    it is; anything else is a Hadoop glob (``data/*.jsonl``, ``hdfs:///corpus/2024-*``,
    ``s3a://bucket/news/``). Glob matches are sorted and hidden names (``.x``) skipped.
    Raises IngestError for a source that matches nothing."""
    out = []
    for src, source in enumerate(sources):
        s = str(source)
        if not _is_uri(s) and os.path.exists(s):
            # "file:" + path, not Path.as_uri(): Hadoop reads the string as a path, so a
            # percent-escape would be taken literally
            path, fs = _hadoop(spark, "file:" + str(Path(s).resolve()))
            statuses = [fs.getFileStatus(path)]
        else:
            path, fs = _hadoop(spark, s)
            statuses = fs.globStatus(path)
            statuses = [st for st in (statuses or []) if not st.getPath().getName().startswith(".")]
            if not statuses:
                raise ingest.IngestError(f"{s}: no such file or folder")
        matches = sorted(((st.getPath().toString(), st.isDirectory(), st.getLen()) for st in statuses),
                         key=lambda m: m[0].split("/"))
        for sub, (uri, is_dir, size) in enumerate(matches):
            name = unquote(uri.rstrip("/").rsplit("/", 1)[-1])
            out.append((src, sub, uri, bool(is_dir), name, int(size)))
    return out


def _sniff_utf8(uri: str) -> str | None:
    """The encoding of a local file's first 64 KB when it is not UTF-8 (Spark splits JSONL as
    UTF-8), else None. Remote files are not sniffed."""
    if not uri.startswith("file:"):
        return None
    try:
        with open(_display(uri), "rb") as fh:
            head = fh.read(1 << 16)
    except OSError:
        return None
    for cut in range(4):  # the sample may end inside a multi-byte character
        try:
            _, enc = ingest.decode_bytes(head[: len(head) - cut] if cut else head)
        except (ingest.DecodeError, UnicodeDecodeError):
            continue
        return None if enc in ("utf-8", "utf-8-sig") else enc
    return None


# JSONL files up to this size are read whole by read_bytes (its encoding detection included);
# larger ones are split by Spark, as UTF-8.
WHOLE_JSONL_MAX = 8 << 20


def read_documents(spark, sources: Sequence, *, text_column: str | None = None):
    """A DataFrame (``RAW_SCHEMA``) of every document and every problem in ``sources``.

    Every file is read by workbench.corpus.ingest.read_bytes on an executor, named as the
    original (see above): the same doc_id, source_file, record, text, metadata (as JSON) and
    problems as the local engine. Rows of kind ``problem`` carry (path, where, what) in
    (source_file, record, text); kind ``colerr`` is a record file without its text column;
    kind ``fields`` a record file's chosen columns (JSON in text; not for Parquet).
    Spark's part: listing folders (``.txt``/``.html``... read through binaryFile, no listing
    on the driver), splitting JSONL files above ``WHOLE_JSONL_MAX`` (those must be UTF-8), and
    reading Parquet row groups (rows go through ingest's record reader). One CSV / TSV / XLSX
    file, or a small JSONL file, is read by one task (at most 2 GB: Spark's binaryFile limit).
    """
    sc = spark.sparkContext
    resolved = resolve_sources(spark, sources)
    roots = {uri: (src, sub, name, is_dir) for src, sub, uri, is_dir, name, _ in resolved}
    text_suffixes = ingest.TEXT_SUFFIXES | ingest.HTML_SUFFIXES
    dirs, files = [], []
    for src, sub, uri, is_dir, name, size in resolved:
        if is_dir:
            dirs.append(uri)
            listing = (spark.read.format("binaryFile").option("recursiveFileLookup", "true")
                       .option("pathGlobFilter", _ci_glob(ingest.RECORD_SUFFIXES | ingest.UNREAD_SUFFIXES)).load(uri)
                       .select("path", "length"))
            files += [(r.path, r.length) for r in listing.collect()]
        else:
            files.append((uri, size))
    whole, jsonl, parquet, problems = [], [], [], []
    for uri, size in files:
        suffix = Path(uri).suffix.lower()
        f = _file_for(uri, roots)
        kind = ingest.classify(f.name)
        in_dir = f.root_name is not None
        if in_dir and kind == "unread":
            p = ingest.unread_problem(f.display)
            problems.append(_row("problem", f, 0, None, p.path, p.where, p.what))
        elif suffix in (".jsonl", ".ndjson") and size > WHOLE_JSONL_MAX:
            jsonl.append(uri)
        elif suffix == ".parquet":
            parquet.append(uri)
        elif in_dir and kind in ("text", "html"):
            continue  # read with the folder below
        else:
            whole.append(uri)

    parts = [sc.parallelize(problems, 1)] if problems else []
    for uri in dirs:
        df = (spark.read.format("binaryFile").option("recursiveFileLookup", "true")
              .option("pathGlobFilter", _ci_glob(text_suffixes)).load(uri))
        parts.append(df.rdd.mapPartitions(functools.partial(_files_partition, roots, text_column)))
    if whole:
        df = spark.read.format("binaryFile").load(whole)
        parts.append(df.rdd.mapPartitions(functools.partial(_files_partition, roots, text_column)))
    if jsonl:
        for uri in jsonl:
            enc = _sniff_utf8(uri)
            if enc:
                raise ingest.IngestError(
                    f"{_display(uri)}: the file is {enc.upper()}, and Spark splits a large JSONL file as UTF-8; "
                    f"convert it first (iconv -f {enc.upper()} -t UTF-8) or use the local engine")
        union, owners, starts, totals = _numbered_splits(sc, jsonl)
        jfiles = [_file_for(uri, roots) for uri in jsonl]
        parts.append(union.mapPartitionsWithIndex(functools.partial(
            _jsonl_partition, jfiles, owners, starts, text_column)))
    if parquet:
        df = spark.read.option("mergeSchema", "true").parquet(*parquet)
        columns = list(df.columns)
        col = ingest.pick_text_column(columns, text_column)
        if col is None:
            bad = [_file_for(uri, roots) for uri in parquet]
            msg = str(ingest.no_text_column(columns, text_column))
            rows = [_row("problem", f, 0, None, f.display, "", msg) for f in bad]
            rows.append(_row("colerr", bad[0], 0, None, bad[0].display, "", f"{bad[0].display}: {msg}"))
            parts.append(sc.parallelize(rows, 1))
        else:
            df = df.select("*", df["_metadata.file_path"].alias("__wb_file"),
                           df["_metadata.row_index"].alias("__wb_row"))
            parts.append(df.rdd.mapPartitions(functools.partial(_parquet_partition, roots, col)))
    if not parts:
        return spark.createDataFrame([], RAW_SCHEMA)
    rdd = parts[0] if len(parts) == 1 else sc.union(parts)
    return spark.createDataFrame(rdd, RAW_SCHEMA)


def _store_documents(spark, corpus_name: str, store_path: Path | None, uri: str) -> None:
    """``--corpus NAME``: stream the store's documents (one SQLite file on the driver) into
    Parquet at ``uri`` in batches, so memory holds one batch."""
    from workbench.corpus import store

    with closing(store.connect(store_path)) as conn:
        try:
            ids = [rid for rid, _ in store.corpus_records(conn, corpus_name)]
        except KeyError as exc:
            raise PipelineError(exc.args[0]) from None
        batch: list[tuple] = []
        mode = "overwrite"
        for i, d in enumerate(store.iter_records(conn, ids)):
            batch.append(("doc", 0, 0, "", i, d.doc_id, d.source_file, d.record, d.text,
                          json.dumps(d.meta, ensure_ascii=False)))
            if len(batch) >= 20000:
                spark.createDataFrame(batch, RAW_SCHEMA).write.mode(mode).parquet(uri)
                batch, mode = [], "append"
        spark.createDataFrame(batch, RAW_SCHEMA).write.mode(mode).parquet(uri)


# =============================================================================================
# Tokenizing on the executors


@dataclass(frozen=True)
class TokenizerPayload:
    """What an executor needs to build the workbench tokenizer: the (picklable, frozen)
    TokenizerConfig, its fingerprint, and the bytes of its dictionary and stopword files (the
    driver's paths do not exist on a cluster node). Broadcast once per run."""

    config: TokenizerConfig
    fingerprint: str
    files: tuple[tuple[str, bytes], ...]

    @classmethod
    def of(cls, config: TokenizerConfig) -> "TokenizerPayload":
        files = tuple((p, Path(p).read_bytes()) for p in config.user_dicts + config.stopword_files)
        return cls(config, config.fingerprint(), files)


_LOCAL_CONFIGS: dict[str, TokenizerConfig] = {}


def executor_tokenizer(payload: TokenizerPayload):
    """The Tokenizer for ``payload`` in this process: the files are written once into the
    executor's folder, then ``get_tokenizer`` (lru-cached per process) builds the segmenter
    (rjieba cannot be pickled, so it is never shipped: each Python worker builds its own)."""
    config = _LOCAL_CONFIGS.get(payload.fingerprint)
    if config is None:
        folder = _worker_dir() / f"workbench-tokenizer-{payload.fingerprint}"
        folder.mkdir(parents=True, exist_ok=True)
        local: dict[str, str] = {}
        for i, (path, data) in enumerate(payload.files):
            target = folder / f"{i:03d}-{Path(path).name}"
            if not target.exists():
                tmp = target.with_name(f".{target.name}.{os.getpid()}")
                tmp.write_bytes(data)
                os.replace(tmp, target)  # concurrent workers of one executor write the same bytes
            local[path] = str(target)
        c = payload.config
        config = replace(c, user_dicts=tuple(local[p] for p in c.user_dicts),
                         stopword_files=tuple(local[p] for p in c.stopword_files))
        _LOCAL_CONFIGS[payload.fingerprint] = config
    return get_tokenizer(config)


def _units_partition(bc_payload, config: CorpusConfig, rows) -> Iterator[tuple]:
    tokenizer = None
    for r in rows:
        if tokenizer is None:
            tokenizer = executor_tokenizer(bc_payload.value)
        for u in config.units(r.doc_id, r.text):
            toks = unit_tokens(tokenizer, u.text)
            yield (r.src, r.sub, r.fkey, r.pos, u.index, u.unit_id, u.doc_id, r.source_file, r.record,
                   r.meta, u.text, toks, len(toks) >= config.min_tokens)


def _harvest_partition(config: CorpusConfig, rows) -> list[tuple[Counter, int]]:
    texts = [r.text for r in rows]
    return [(config.quoted_counts(texts), len(texts))]


def _containing_partition(config: CorpusConfig, bc_candidates, rows) -> list[Counter]:
    return [config.containing_counts((r.text for r in rows), bc_candidates.value)]


# =============================================================================================
# Vocabulary, bags of words, counts (executors; broadcast vocabulary)


def _term_stats_partition(rows) -> Iterator[tuple[str, tuple[int, tuple]]]:
    """Per term of a partition's kept units: (units holding it, its first position), a position
    being (order key, unit index, token index): the local engine numbers terms in that order."""
    stats: dict[str, list] = {}
    for r in rows:
        key = (r.src, r.sub, r.fkey, r.pos, r.uidx)
        for i, t in enumerate(r.tokens):
            st = stats.get(t)
            if st is None:
                stats[t] = [1, (*key, i), key]
            elif st[2] != key:  # a unit's tokens come together, in text order; units in any order
                st[0] += 1
                st[2] = key
                st[1] = min(st[1], (*key, i))
    for t, (df, first, _) in stats.items():
        yield t, (df, first)


def _kept_terms_partition(n_units: int, no_below: int, no_above: float, items) -> Iterator[tuple]:
    items = list(items)
    keep, _ = keep_terms(np.array([df for _, (df, _) in items], dtype=np.int64), n_units, no_below, no_above)
    for (t, (df, first)), k in zip(items, keep):
        if k:
            yield first, t, df


@functools.lru_cache(maxsize=2)
def _term_index(terms: tuple[str, ...]) -> dict[str, int]:
    return {t: i for i, t in enumerate(terms)}


def _bows_partition(bc_terms, rows) -> Iterator[tuple]:
    from pyspark.ml.linalg import SparseVector

    terms = bc_terms.value
    index = _term_index(terms)
    size = len(terms)
    for r in rows:
        ids = [index[t] for t in r.tokens if t in index]
        c = Counter(ids)
        keys = sorted(c)
        vec = SparseVector(size, keys, [float(c[k]) for k in keys])
        yield (r.src, r.sub, r.fkey, r.pos, r.uidx, r.unit_id, r.doc_id, r.source_file, r.record,
               r.meta, r.text, len(ids), ids, vec)


def _count_partition(size: int, rows):
    """Per partition: document and corpus frequency per term (V each), units and tokens."""
    df = np.zeros(size, dtype=np.int64)
    cf = np.zeros(size, dtype=np.int64)
    units = tokens = 0
    for r in rows:
        ids = np.asarray(r.ids, dtype=np.int64)
        np.add.at(cf, ids, 1)
        df[np.unique(ids)] += 1
        units += 1
        tokens += len(ids)
    yield df, cf, units, tokens


def _add_counts(a, b):
    return a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3]


# ---------------------------------------------------------------------------------------------
# TF-IDF keywords: models.tfidf_top per partition (as runfolder.keyword_chunks), from corpus-wide
# document frequencies broadcast to the executors


def _keyword_rows(bc, n: int, level: int, keys: list[tuple], bags: list[tuple[np.ndarray, np.ndarray]]):
    import scipy.sparse as sp

    from workbench.models.metrics import tfidf_top

    terms, idf, order = bc.value
    if not bags:
        return
    lengths = [len(ids) for ids, _ in bags]
    counts = sp.csr_matrix((np.concatenate([c for _, c in bags]),
                            np.concatenate([ids for ids, _ in bags]), np.concatenate([[0], np.cumsum(lengths)])),
                           shape=(len(bags), len(terms)))
    rows, cols, scores = tfidf_top(counts, idf, order, n)
    rank = np.arange(len(rows)) - np.searchsorted(rows, rows) + 1
    for r, c, sc, k in zip(rows.tolist(), cols.tolist(), scores.tolist(), rank.tolist()):
        yield (level, *keys[r], k, terms[c], sc)


def _unit_keywords_partition(bc, n: int, rows):
    keys, bags = [], []
    for r in rows:
        ids, counts = np.unique(np.asarray(r.ids, dtype=np.int64), return_counts=True)
        keys.append((r.src, r.sub, r.fkey, r.pos, r.uidx, "unit", r.doc_id, r.unit_id))
        bags.append((ids, counts))
    yield from _keyword_rows(bc, n, 0, keys, bags)


def _article_keywords_partition(bc, n: int, rows):
    keys, bags = [], []
    for (src, sub, fkey, pos, doc_id), counts in rows:
        ids = np.array(sorted(counts), dtype=np.int64)
        keys.append((src, sub, fkey, pos, 0, "article", doc_id, ""))
        bags.append((ids, np.array([counts[i] for i in ids.tolist()], dtype=np.int64)))
    yield from _keyword_rows(bc, n, 1, keys, bags)


def _article_df_partition(size: int, rows):
    df = np.zeros(size, dtype=np.int64)
    n = 0
    for _, counts in rows:
        df[np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))] += 1
        n += 1
    yield df, n


def _merge_counters(a: Counter, b: Counter) -> Counter:
    a.update(b)
    return a


# ---------------------------------------------------------------------------------------------
# Coherence: models.window_counts per partition, summed on the driver


def _cooccurrence_partition(bc, rows):
    from workbench.models.metrics import window_counts

    relevant, n_terms = bc.value
    yield window_counts((np.asarray(r.ids, dtype=np.int64) for r in rows), relevant, n_terms)


def coherence(spark_bows, topic_term: np.ndarray, terms: Sequence[str], topn: int = 10) -> tuple[float, list[float]]:
    """workbench.models.coherence's c_npmi over a Spark DataFrame of units (column ``ids``:
    in-vocabulary term ids in text order): the sliding-window counts of models.window_counts per
    partition, summed on the driver. Same numbers as the local function on the same units; the
    driver holds (topn x K)^2 counts, never the texts."""
    import math as _math

    from workbench.models.metrics import npmi_from_counts, top_term_ids

    top = top_term_ids(topic_term, topn)
    relevant = np.unique(top)
    sc = spark_bows.sparkSession.sparkContext
    bc = sc.broadcast((relevant, len(terms)))
    try:
        occ, co, num = spark_bows.select("ids").rdd.mapPartitions(
            functools.partial(_cooccurrence_partition, bc)).treeReduce(
            lambda a, b: (a[0] + b[0], a[1] + b[1], a[2] + b[2]))
    finally:
        bc.unpersist()
    per = [float(x) if _math.isfinite(x) else float("nan") for x in npmi_from_counts(top, relevant, occ, co, num)]
    finite = [x for x in per if _math.isfinite(x)]
    return (float(np.mean(finite)) if finite else float("nan")), per


# =============================================================================================
# Rows for the run-folder writer: sorted on Spark, streamed to the driver one block at a time


def _is_local_uri(uri: str) -> bool:
    return uri.startswith("file:")


STREAM_ROWS = 20_000  # rows per partition streamed to the driver: its memory holds one partition


def _stream(df, keys: Sequence[str], n_rows: int) -> Iterator:
    """The rows of ``df`` in ``keys`` order, one partition of at most about ``STREAM_ROWS`` rows
    at a time (Spark's toLocalIterator: the driver never holds the table)."""
    parts = max(1, math.ceil(n_rows / STREAM_ROWS))
    return df.repartitionByRange(parts, *keys).sortWithinPartitions(*keys).toLocalIterator()


def _blocks(rows: Iterable, size: int = runfolder.CHUNK_UNITS) -> Iterator[list]:
    block: list = []
    for r in rows:
        block.append(r)
        if len(block) == size:
            yield block
            block = []
    if block:
        yield block


def _doc_topic_blocks(dt, n_rows: int) -> Iterator[tuple[list[dict], np.ndarray]]:
    """doc-topic rows for runfolder.write_doc_topic_rows, shares renormalised to sum to 1."""
    cols = ("doc_id", "unit_id", "source_file", "record", "other_records", "meta", "text", "n_tokens", "shares")
    for block in _blocks(_stream(dt.select(*ORDER, "uidx", *cols), (*ORDER, "uidx"), n_rows)):
        shares = np.array([r.shares for r in block], dtype=np.float64)
        shares /= shares.sum(axis=1, keepdims=True)
        yield ([{"doc_id": r.doc_id, "unit_id": r.unit_id, "source_file": r.source_file, "record": r.record,
                 "other_records": r.other_records or "", "meta": json.loads(r.meta or "{}"), "text": r.text,
                 "n_tokens": int(r.n_tokens)} for r in block],
               shares)


def _keyword_blocks(kw, n_rows: int) -> Iterator:
    import pandas as pd

    columns = list(runfolder.KEYWORD_COLUMNS)
    for block in _blocks(_stream(kw, ("lvl", *ORDER, "uidx", "rank"), n_rows), 10 * runfolder.CHUNK_UNITS):
        yield pd.DataFrame([[getattr(r, c) for c in columns] for r in block], columns=columns).astype(
            {"rank": np.int64, "score": np.float64})


def _profile_partition(rows):
    from workbench.runfolder.tables import MetaProfile

    profile = MetaProfile()
    for r in rows:
        profile.add((r.src, r.sub, r.fkey, r.pos, r.uidx), json.loads(r.meta or "{}"))
    yield profile


def _sizes_partition(k: int, rows):
    """Topic sizes (sum of n_tokens x share) and the row count of one partition."""
    sizes = np.zeros(k, dtype=np.float64)
    n = 0
    for r in rows:
        s = np.asarray(r.shares, dtype=np.float64)
        sizes += r.n_tokens * s / s.sum()
        n += 1
    yield sizes, n


# =============================================================================================
# The corpus on Spark


@dataclass
class SparkCorpus:
    """A prepared corpus on Spark: Parquet datasets in scratch plus what the driver keeps
    (vocabulary, frequencies, counts). ``units``: every unit with its kept tokens (``kept``:
    at least ``min_tokens``); ``bows``: kept units with ``n_tokens`` in-vocabulary tokens, term
    ``ids`` (text order) and ``features`` (count vector), units with ``n_tokens == 0`` included
    (they are left out of the model, as in the local engine)."""

    spark: object = field(repr=False)
    scratch: str
    documents: str
    units: str
    bows: str
    config: CorpusConfig
    tokenizer_config: TokenizerConfig
    harvested: tuple[str, ...]
    terms: tuple[str, ...]
    doc_freq: np.ndarray = field(repr=False)
    corpus_freq: np.ndarray = field(repr=False)
    n_documents: int
    n_units_min_tokens: int  # units with at least min_tokens tokens (the N of no_below / no_above)
    n_units: int  # modelled units (at least one in-vocabulary token)
    n_tokens: int
    no_above_effective: float
    problems: tuple[Problem, ...]
    n_problems: int
    stats: dict = field(default_factory=dict)
    other_records: str | None = None  # Parquet of (doc_id, other_records) for texts given by several records
    fields: dict = field(default_factory=dict)  # read_sources's {record file: {field: column}}

    @property
    def vocab(self) -> Vocabulary:
        """The vocabulary as the local engine's (text.vocabulary.to_dictionary over the units
        with at least ``min_tokens`` tokens)."""
        return Vocabulary(to_dictionary(self.terms, self.doc_freq, self.n_units_min_tokens), self.terms,
                          self.doc_freq, self.corpus_freq)

    def modelled(self):
        """The bows DataFrame restricted to modelled units."""
        return self.spark.read.parquet(self.bows).filter("n_tokens > 0")


def _scratch_uri(spark, config: SparkConfig, tmp: Path) -> str:
    if config.scratch_dir is None and config.is_local:
        return "file:" + str(tmp / "scratch")
    base = config.scratch_dir or "workbench-scratch"
    path, fs = _hadoop(spark, f"{base.rstrip('/')}/{tmp.name.lstrip('.')}")
    return fs.makeQualified(path).toString()


def _delete(spark, uri: str) -> None:
    try:
        path, fs = _hadoop(spark, uri)
        fs.delete(path, True)
    except Exception:  # noqa: BLE001 - cleaning up must never hide the real error
        pass


def _say(progress: bool, msg: str) -> None:
    if progress:
        logging.getLogger(__name__).info("spark: %s", msg)


def prepare(spark, sources: Sequence | None, config: CorpusConfig = CorpusConfig(), *, scratch: str,
            corpus_name: str | None = None, store_path: Path | None = None, no_below: int = 2,
            no_above: float = 0.5, partitions: int = 0, problem_limit: int = 10_000,
            progress: bool = False) -> SparkCorpus:
    """Read, clean, de-duplicate, harvest, split, tokenize and vectorize on Spark: the local
    engine's text.preprocess.prepare, with the same results (units, tokens, vocabulary, frequencies),
    into Parquet under ``scratch``.

    Cost: one pass over the sources, one shuffle (de-duplication), one tokenizing pass, one
    shuffle of per-term counts (the vocabulary) and one vectorizing pass; the driver holds the
    vocabulary (V terms and two V-long count arrays) and at most ``problem_limit`` problems.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    sc = spark.sparkContext
    t0 = time.perf_counter()
    raw_uri, docs_uri = f"{scratch}/raw", f"{scratch}/documents"
    units_uri, bows_uri = f"{scratch}/units", f"{scratch}/bows"
    others_uri = f"{scratch}/other_records"
    if corpus_name is not None:
        _store_documents(spark, corpus_name, store_path, raw_uri)
    else:
        try:
            read_documents(spark, sources, text_column=config.text_column).write.mode("overwrite").parquet(raw_uri)
        except ingest.IngestError as exc:
            raise PipelineError(str(exc)) from None
    raw = spark.read.parquet(raw_uri)

    # store.ingest's rules: a record is known by its source name and line, so a second record of
    # one name (two files of this ingest named alike) is skipped; a text given by several records
    # is modelled once, with the first record's source, line and metadata (source order), and
    # the later records are named in doc_topics' other_records.
    by_name = Window.partitionBy("source_file", "record").orderBy(*ORDER)
    named = raw.filter("kind = 'doc'").withColumn("_nr", F.row_number().over(by_name))
    same_name = named.filter("_nr > 1").select(
        *ORDER, F.col("source_file").alias("path"), F.col("record").alias("where"),
        F.lit("another file of this ingest has the same name").alias("what"))
    w = Window.partitionBy("doc_id").orderBy(*ORDER)
    named.filter("_nr = 1").drop("_nr").withColumn("_rn", F.row_number().over(w)).write.mode(
        "overwrite").parquet(docs_uri)
    all_docs = spark.read.parquet(docs_uri)
    documents = all_docs.filter("_rn = 1").drop("_rn")
    label = F.concat(F.col("source_file"),
                     F.when(F.col("record") != "", F.concat(F.lit(":"), F.col("record"))).otherwise(F.lit("")))
    (all_docs.filter("_rn > 1").select("doc_id", F.struct(*ORDER, label.alias("name")).alias("r"))
     .groupBy("doc_id").agg(F.array_join(F.transform(F.array_sort(F.collect_list("r")), lambda r: r["name"]),
                                         "; ").alias("other_records"))
     .write.mode("overwrite").parquet(others_uri))
    n_records = all_docs.count()
    problems_df = raw.filter("kind IN ('problem', 'colerr')").select(
        (F.col("kind") == "colerr").alias("colerr"), *ORDER, F.col("source_file").alias("path"),
        F.col("record").alias("where"), F.col("text").alias("what"))
    problems_df = problems_df.unionByName(same_name.withColumn("colerr", F.lit(False)))
    # read_sources's {record file: {field: column}}, the first split of a file first (one row per file)
    fields: dict[str, dict[str, str]] = {}
    for r in raw.filter("kind = 'fields'").select(*ORDER, "source_file", "text").orderBy(*ORDER).collect():
        seen = fields.setdefault(r.source_file, {})
        for key, column in json.loads(r.text).items():
            seen.setdefault(key, column)
    renamed = store.IngestReport(None, 0, 0, fields=fields).renamed()
    # one query: missing text columns first (the message if nothing could be read), then the
    # problems in source order
    first = problems_df.orderBy(F.col("colerr").desc(), *ORDER).limit(problem_limit + 1).collect()
    column_errors = [r.what for r in first if r.colerr]
    first = [r for r in first if not r.colerr]
    n_problems = len(first) if len(first) <= problem_limit else problems_df.filter("NOT colerr").count()
    problems = tuple(Problem(r.path, r.where or "", r.what) for r in first[:problem_limit])
    # said as the local engine says it (text.preprocess.source_records), before anything can fail
    ingest.report(problems)
    if n_problems > len(problems):
        logging.getLogger(__name__).warning("... and %d more skipped inputs", n_problems - len(problems))
    if renamed:
        logging.getLogger(__name__).info("%s", renamed)
    # one pass: the harvested “quoted” terms (per partition, merged here) and the document count
    found = documents.select("text").rdd.mapPartitions(functools.partial(_harvest_partition, config)).collect()
    n_documents = sum(n for _, n in found)
    t_read = time.perf_counter()
    _say(progress, f"{n_documents:,} documents read ({n_problems:,} inputs skipped) in {t_read - t0:.1f} s")
    if not n_documents:
        if column_errors:  # read_sources's rule: the one thing to fix, with --text-column
            raise PipelineError(column_errors[0])
        raise no_documents_error(sources, corpus_name, n_problems)

    # the same rule as the local engine (preprocess.harvest): a second pass counts the documents
    # that contain each candidate, quoted or not
    quoting = sum((counts for counts, _ in found), Counter())
    candidates = config.harvest_candidates(quoting)
    containing = Counter()
    if candidates:
        bc_candidates = sc.broadcast(candidates)
        for part in documents.select("text").rdd.mapPartitions(functools.partial(
                _containing_partition, config, bc_candidates)).collect():
            containing.update(part)
    harvested = config.harvested_terms(quoting, containing)
    tcfg = config.tokenizer_config(harvested)
    bc_tok = sc.broadcast(TokenizerPayload.of(tcfg))
    # four tasks per core on large corpora, one per core (not more) on small ones
    dp = sc.defaultParallelism
    n_parts = partitions or max(dp, min(4 * dp, math.ceil(n_documents / 2000)))
    units_rdd = documents.repartition(n_parts).rdd.mapPartitions(functools.partial(
        _units_partition, bc_tok, config))
    spark.createDataFrame(units_rdd, UNIT_SCHEMA).write.mode("overwrite").parquet(units_uri)
    bc_tok.unpersist()
    units = spark.read.parquet(units_uri)
    kept = units.filter("kept")
    n_kept = kept.count()
    t_tok = time.perf_counter()
    _say(progress, f"{n_kept:,} units tokenized in {t_tok - t_read:.1f} s")
    config.check_units(n_kept)

    # text.vocabulary's rule on per-term unit counts, judged on the executors; the kept terms
    # numbered in first-seen order, as the local engine numbers them
    kept_terms = (kept.select(*ORDER, "uidx", "tokens").rdd.mapPartitions(_term_stats_partition)
                  .reduceByKey(lambda a, b: (a[0] + b[0], min(a[1], b[1])))
                  .mapPartitions(functools.partial(_kept_terms_partition, n_kept, no_below, no_above)).collect())
    if not kept_terms:
        raise empty_vocabulary()
    kept_terms.sort()
    terms = tuple(t for _, t, _ in kept_terms)
    eff_no_above = effective_no_above(n_kept, no_below, no_above)
    bc_terms = sc.broadcast(terms)
    bows_rdd = kept.rdd.mapPartitions(functools.partial(_bows_partition, bc_terms))
    from pyspark.ml.linalg import VectorUDT
    from pyspark.sql.types import ArrayType, IntegerType, LongType, StringType, StructField, StructType

    schema = StructType([StructField("src", IntegerType()), StructField("sub", IntegerType()),
                         StructField("fkey", StringType()), StructField("pos", LongType()),
                         StructField("uidx", IntegerType()), StructField("unit_id", StringType()),
                         StructField("doc_id", StringType()), StructField("source_file", StringType()),
                         StructField("record", StringType()), StructField("meta", StringType()),
                         StructField("text", StringType()), StructField("n_tokens", IntegerType()),
                         StructField("ids", ArrayType(IntegerType())), StructField("features", VectorUDT())])
    spark.createDataFrame(bows_rdd, schema).write.mode("overwrite").parquet(bows_uri)
    bc_terms.unpersist()
    modelled = spark.read.parquet(bows_uri).filter("n_tokens > 0")
    V = len(terms)
    df, cf, n_units, n_tokens = modelled.select("ids").rdd.mapPartitions(
        functools.partial(_count_partition, V)).treeReduce(_add_counts)
    t_vocab = time.perf_counter()
    _say(progress, f"{V:,} terms, {n_units:,} units modelled ({time.perf_counter() - t_tok:.1f} s)")
    stats = {"seconds_read": round(t_read - t0, 3), "seconds_tokenize": round(t_tok - t_read, 3),
             "seconds_vocabulary": round(t_vocab - t_tok, 3), "partitions": n_parts,
             "no_above_effective": eff_no_above, "n_records": n_records,
             "records_repeating_a_text": n_records - n_documents}
    return SparkCorpus(spark, scratch, docs_uri, units_uri, bows_uri, config, tcfg, tuple(harvested), terms,
                       df, cf, n_documents, n_kept, int(n_units), int(n_tokens), eff_no_above,
                       problems, n_problems, stats, others_uri, fields)


# =============================================================================================
# Training and the run folder


def fit_lda(train_df, model_config: ModelConfig, spark_config: SparkConfig, checkpoint_dir: str | None = None):
    """pyspark.ml.clustering.LDA on the ``features`` column; returns (model, topic_term (K, V)
    with rows summing to 1, settings). Online: alpha and eta fixed as configured (no
    docConcentration optimisation), gensim's step size schedule by default."""
    from pyspark.ml.clustering import LDA

    k, opt = model_config.num_topics, spark_config.optimizer
    if opt not in OPTIMIZERS:
        raise ValueError(f"unknown Spark LDA optimizer '{opt}' (choose from {', '.join(OPTIMIZERS)})")
    if opt == "em" and (model_config.alpha <= 1 or model_config.eta <= 1):
        raise ValueError(f"Spark's EM optimizer computes MAP estimates and needs alpha > 1 and eta > 1 "
                         f"(got {model_config.alpha} and {model_config.eta}); use the online optimizer "
                         f"or e.g. --alpha 1.1 --eta 1.01")
    lda = LDA(k=k, maxIter=spark_config.max_iter, optimizer=opt, seed=model_config.random_state,
              docConcentration=[float(model_config.alpha)] * k, topicConcentration=float(model_config.eta),
              featuresCol="features", topicDistributionCol="shares_vec")
    if opt == "online":
        lda = (lda.setSubsamplingRate(spark_config.subsampling_rate).setLearningOffset(spark_config.learning_offset)
               .setLearningDecay(spark_config.learning_decay).setOptimizeDocConcentration(False))
    elif checkpoint_dir:
        train_df.sparkSession.sparkContext.setCheckpointDir(checkpoint_dir)
    model = lda.fit(train_df)
    tm = model.topicsMatrix().toArray().astype(np.float64)  # V x K, columns unnormalised
    topic_term = (tm / tm.sum(axis=0, keepdims=True)).T.copy()
    settings = {"optimizer": opt, "max_iter": spark_config.max_iter, "optimize_doc_concentration": False}
    if opt == "online":
        settings.update({"subsampling_rate": spark_config.subsampling_rate,
                         "learning_offset": spark_config.learning_offset,
                         "learning_decay": spark_config.learning_decay,
                         "passes": spark_config.max_iter * spark_config.subsampling_rate})
    return model, topic_term, settings


def train(sources: Sequence | None = None, *, corpus_config: CorpusConfig = CorpusConfig(),
          model_config: ModelConfig = ModelConfig(), spark_config: SparkConfig = SparkConfig(),
          themes_file: Path | None = None, out_dir: Path | None = None, corpus_name: str | None = None,
          store_path: Path | None = None, progress: bool = True, spark=None) -> Path:
    """Train on Spark and write a run folder; return its path (workbench.engines.train's
    contract). ``sources``: local files or folders, globs, or URIs Spark can read (default: the
    bundled seeds); or ``corpus_name`` from the store. ``spark``: an existing SparkSession to
    use (left running); otherwise one is started for ``spark_config.master`` and stopped.

    Spark's scratch (Parquet, the session's local folder) goes to a hidden folder beside the run
    (``.spark-work.PID.XXXXXXXX``, files.scratch_folder) in local mode, removed when the run ends,
    fails or is interrupted (and named then); one left by a killed run is removed, and named, by
    the next run's files.remove_stale_staging. The run folder itself is written by
    runfolder.write_run.
    """
    if themes_file is not None:
        raise PipelineError("keyed topics (--themes) need the tomotopy engine: Spark MLlib's LDA has "
                            "one topic-word prior for every word")
    sources = default_sources(sources, corpus_name)
    if sources is not None:
        sources = [str(s) for s in sources]
    versions = check_spark()
    if spark_config.optimizer not in OPTIMIZERS:
        raise ValueError(f"unknown Spark LDA optimizer '{spark_config.optimizer}' "
                         f"(choose from {', '.join(OPTIMIZERS)})")
    out_dir = Path(out_dir or paths.runs_dir())
    out_dir.mkdir(parents=True, exist_ok=True)
    files.remove_stale_staging(out_dir)  # a killed run's scratch (and staging) go first; named
    work = files.scratch_folder(out_dir, "spark-work")
    own = spark is None
    scratch = None
    t_start = time.perf_counter()
    ended = "failed"
    try:
        if own:
            spark = start_session(spark_config, work / "local")
        scratch = _scratch_uri(spark, spark_config, work)
        corpus = prepare(spark, sources, corpus_config, scratch=scratch, corpus_name=corpus_name,
                         store_path=store_path, no_below=model_config.no_below, no_above=model_config.no_above,
                         partitions=spark_config.partitions, progress=progress)
        run = _run_arrays(spark, corpus, model_config, spark_config, work, sources, corpus_name, versions,
                          progress, t_start)
        # the writer says "run written in ..." with every stage's seconds
        final = runfolder.write_run(run, out_dir, stages=_stages(run.stats, progress))
        ended = None
    except KeyboardInterrupt:
        ended = "interrupted"
        raise
    finally:
        if scratch and not _is_local_uri(scratch):
            _delete(spark, scratch)
        if own and spark is not None:
            spark.stop()
        files.remove_scratch(work, ended)
    return final


def _stages(stats: dict, progress: bool = False) -> Stages:
    """The manifest's timings of a Spark run so far, from its stats: the stages Spark times, and
    the rest before writing (session start, collecting ids) as ``session_and_rest``."""
    stages = Stages(progress)
    for name, key in (("read", "seconds_read"), ("tokenize", "seconds_tokenize"), ("vocabulary", "seconds_vocabulary"),
                      ("train", "seconds_train"), ("infer", "seconds_doc_topics_spark"),
                      ("keywords", "seconds_keywords_spark"), ("coherence", "seconds_coherence")):
        if key in stats:
            stages.add(name, stats[key])
    if "seconds_before_writing" in stats:
        stages.add("session_and_rest", max(0.0, stats["seconds_before_writing"] - sum(stages.seconds.values())))
    return stages


def _run_arrays(spark, corpus: SparkCorpus, model_config: ModelConfig, spark_config: SparkConfig,
                work: Path, sources, corpus_name, versions: dict, progress: bool,
                t_start: float) -> runfolder.RunArrays:
    """Train, infer and score on Spark; what runfolder.write_run needs, its big tables as row
    streams over Parquet in scratch (the driver holds one block of rows at a time)."""
    from pyspark import StorageLevel
    from pyspark.ml.functions import vector_to_array
    from pyspark.sql import functions as F

    from workbench.models.metrics import term_order, tfidf_idf

    k = model_config.num_topics
    terms = corpus.terms
    V = len(terms)
    check_topics(k, corpus.n_units, V)
    sc = spark.sparkContext
    modelled = corpus.modelled()

    # -- train
    t0 = time.perf_counter()
    # spread over the cores: the bows Parquet may come back as one partition per core or fewer
    parts = max(corpus.stats.get("partitions", 0), 2 * sc.defaultParallelism)
    train_df = modelled.select("features").repartition(parts).persist(StorageLevel.MEMORY_AND_DISK)
    train_df.count()
    lda_model, topic_term, settings = fit_lda(train_df, model_config, spark_config,
                                              checkpoint_dir=f"{corpus.scratch}/checkpoints")
    # Not lda_model.logLikelihood: Spark 4.3 recomputes exp(E[log beta]) (V x K) for every
    # document there, so it costs N x V x K: over ten minutes on 100,000 paragraphs here, days at
    # scale. c_npmi is reported instead.
    settings["ll_per_word"] = None
    settings["missing_seed_words"] = {}
    settings["num_keyed"] = 0
    train_df.unpersist()
    t_train = time.perf_counter()
    laps: dict[str, float] = {}
    last = [t_train]

    def _lap() -> float:
        now = time.perf_counter()
        took, last[0] = now - last[0], now
        return round(took, 3)

    _say(progress, f"LDA trained ({spark_config.optimizer}, K={k}) in {t_train - t0:.1f} s")

    # -- doc-topic rows: inference once into Parquet; the metadata profile and topic sizes per partition
    dt_uri = f"{corpus.scratch}/doc_topics"
    inferred = lda_model.transform(modelled)
    if corpus.other_records:
        inferred = inferred.join(spark.read.parquet(corpus.other_records), "doc_id", "left")
    else:
        inferred = inferred.withColumn("other_records", F.lit(None).cast("string"))
    (inferred.select(*ORDER, "uidx", "doc_id", "unit_id", "source_file", "record", "other_records", "meta", "text",
                     "n_tokens", vector_to_array("shares_vec").alias("shares"))
     .write.mode("overwrite").parquet(dt_uri))
    dt = spark.read.parquet(dt_uri)
    # the column only when a modelled text has other records, as runfolder.other_records
    with_others = bool(dt.filter("other_records IS NOT NULL").limit(1).count())
    profile = dt.select(*ORDER, "uidx", "meta").rdd.mapPartitions(_profile_partition).treeReduce(
        lambda a, b: a.merge(b))
    sizes, n_rows = dt.select("n_tokens", "shares").rdd.mapPartitions(
        functools.partial(_sizes_partition, k)).treeReduce(lambda a, b: (a[0] + b[0], a[1] + b[1]))
    if n_rows != corpus.n_units:
        raise RuntimeError(f"{n_rows} doc-topic rows for {corpus.n_units} units")
    laps["seconds_doc_topics_spark"] = _lap()  # inference for every unit

    # -- keywords (TF-IDF per unit and per article) into Parquet
    kw_uri = f"{corpus.scratch}/keywords"
    order = term_order(terms)
    bows = modelled.select(*ORDER, "uidx", "doc_id", "unit_id", "ids")
    bc_units = sc.broadcast((terms, tfidf_idf(corpus.doc_freq, corpus.n_units), order))
    unit_kw = bows.rdd.mapPartitions(functools.partial(_unit_keywords_partition, bc_units, 10))
    articles = (bows.rdd.map(lambda r: ((r.src, r.sub, r.fkey, r.pos, r.doc_id), Counter(r.ids)))
                .reduceByKey(_merge_counters).persist(StorageLevel.MEMORY_AND_DISK))
    art_df, n_articles = articles.mapPartitions(functools.partial(_article_df_partition, V)).treeReduce(
        lambda a, b: (a[0] + b[0], a[1] + b[1]))
    bc_art = sc.broadcast((terms, tfidf_idf(art_df, n_articles), order))
    art_kw = articles.mapPartitions(functools.partial(_article_keywords_partition, bc_art, 10))
    kw_schema = ("lvl int, src int, sub int, fkey string, pos long, uidx int, level string, doc_id string, "
                 "unit_id string, rank int, term string, score double")
    spark.createDataFrame(sc.union([unit_kw, art_kw]), kw_schema).write.mode("overwrite").parquet(kw_uri)
    articles.unpersist()
    bc_units.unpersist()
    bc_art.unpersist()
    kw = spark.read.parquet(kw_uri)
    n_keywords = kw.count()
    laps["seconds_keywords_spark"] = _lap()

    # -- coherence; the model on the cluster's file system when the scratch is there
    c_npmi, per_topic = coherence(modelled, topic_term, terms)
    model_uri = None
    if not _is_local_uri(corpus.scratch):  # executors write the model: it stays on the cluster
        model_uri = f"{corpus.scratch.rsplit('/', 1)[0]}/{work.name.lstrip('.')}-model"
        lda_model.write().overwrite().save(model_uri)

    def save_model(folder: Path) -> None:
        if model_uri is None:
            lda_model.write().overwrite().save("file:" + str(folder / "spark_lda"))

    laps["seconds_coherence"] = _lap()

    # -- ids for the manifest (bounded)
    ids = None
    units = spark.read.parquet(corpus.units)
    if corpus.n_units + corpus.n_documents <= spark_config.manifest_id_limit:
        # at most manifest_id_limit small tuples: sorted here, not by a Spark job
        rows = sorted(tuple(r) for r in units.select(*ORDER, "uidx", "unit_id", "doc_id", "kept").collect())
        empty = {r.unit_id for r in spark.read.parquet(corpus.bows).filter("n_tokens = 0").select("unit_id").collect()}
        # the local engine's order: too few tokens, then no vocabulary term
        ids = runfolder.CorpusIds(list(dict.fromkeys(r[6] for r in rows)),
                                  [r[5] for r in rows if r[7] and r[5] not in empty],
                                  [r[5] for r in rows if not r[7]] + [r[5] for r in rows if r[5] in empty])
        n_dropped = len(ids.dropped_units)
    else:
        n_dropped = units.count() - corpus.n_units

    mc = asdict(model_config)
    mc["engine"] = "spark"
    config = {"sources": [str(s) for s in sources] if sources else None, "corpus_name": corpus_name,
              "corpus": asdict(corpus.config), "model": mc, "themes_file": None, "themes": None,
              "spark": {**asdict(spark_config), "conf": [list(kv) for kv in spark_config.conf]}}
    stats = {**corpus.stats, "seconds_train": round(t_train - t0, 3), **laps,
             "seconds_before_writing": round(time.perf_counter() - t_start, 3)}
    return runfolder.RunArrays(
        engine="spark", config=config, topic_term=topic_term, topic_names=("",) * k, model_settings=settings,
        metrics={"c_npmi": c_npmi, "c_npmi_per_topic": per_topic, "ll_per_word": None},
        vocab=corpus.vocab,
        units=lambda: ((r.unit_id, r.ids) for r in _stream(modelled.select(*ORDER, "uidx", "unit_id", "ids"),
                                                            (*ORDER, "uidx"), corpus.n_units)),
        doc_topics=lambda: _doc_topic_blocks(dt, corpus.n_units), meta_profile=profile, with_other_records=with_others,
        keywords=lambda: _keyword_blocks(kw, n_keywords),
        # pyLDAvis needs topic sizes only (sum of n_tokens x share): K one-topic pseudo-documents
        # weighted by those sizes give the same page without N x K
        ldavis=(np.eye(k), np.maximum(sizes, 1e-12)), save_model=save_model,
        tokenizer_config=corpus.tokenizer_config, harvested=corpus.harvested, n_documents=corpus.n_documents,
        n_units=corpus.n_units, n_tokens=corpus.n_tokens, ids=ids, n_dropped_units=int(n_dropped),
        problems=corpus.problems, n_problems=corpus.n_problems, stats=stats,
        engine_info={"version": spark.version, "master": sc.master, "optimizer": spark_config.optimizer,
                     "default_parallelism": sc.defaultParallelism, "java": versions.get("java", ""),
                     "model": model_uri or "model/spark_lda"},
        versions={"pyspark": versions.get("pyspark", ""), "spark": spark.version})
