"""The command line: each command parses its arguments and calls one library function.

Defaults live in the library (the config dataclasses and the functions' own parameters): an option
the user does not give is not passed on, and its ``--help`` line reads the default from there.
Library code reports through the ``workbench`` logger; :func:`main` prints those records on
standard error as ``workbench: ...`` lines.

Exit codes: 0 success; 1 the command could not do its work (bad input, nothing to model: the
message names the file); 2 usage error (bad arguments, or no command: bare ``workbench`` prints
the help and exits 2); 3 success, but some inputs were skipped (each one named on standard error)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from workbench import messages

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 2, 3


def _say(text: object = "") -> None:
    """Print a message for standard output in the user's language, line by line (the lines of a
    summary are templates of their own). Paths and tables are printed as they are, with print."""
    print("\n".join(map(messages.translate, str(text).split("\n"))))


def _fail(msg: str, code: int = EXIT_ERROR) -> int:
    from workbench.errors import one_line

    # in the user's language (workbench.messages): the library's messages are English templates
    print(one_line(messages.translate(f"workbench: error: {msg}")), file=sys.stderr)
    return code


# ---------------------------------------------------------------------------
# defaults and choices that live in the library


def _lookup(target: str):
    """``"package.module:Name"`` -> that object, imported only now (the pipeline's modules take a
    second or more to import; ``workbench --help`` and usage errors need none of them)."""
    from importlib import import_module

    module, _, name = target.partition(":")
    return getattr(import_module(module), name)


class _Default:
    """An option's default, read from the library: a dataclass field or a function parameter
    (``_Default("workbench.models.lda:ModelConfig", "num_topics")``), an attribute of one
    (``"convergence.min_iterations"``) or a constant (no ``name``).

    ``--help`` shows it (``%(default)s``); a command never passes it on (see :func:`_given`), so
    the library's own default applies and there is one source for it."""

    def __init__(self, target: str, name: str | None = None):
        self.target, self.name = target, name

    def value(self):
        import dataclasses
        import inspect

        obj = _lookup(self.target)
        if self.name is None:
            return obj
        name, *attributes = self.name.split(".")
        if dataclasses.is_dataclass(obj):
            value = next(f.default for f in dataclasses.fields(obj) if f.name == name)
        else:
            value = inspect.signature(obj).parameters[name].default
        for attribute in attributes:
            value = getattr(value, attribute)
        return value

    def __str__(self) -> str:
        value = self.value()
        return ",".join(map(str, value)) if isinstance(value, (tuple, list)) else str(value)


class _Choices:
    """The allowed values of an option, read from the library when argparse first looks at them."""

    def __init__(self, target: str, extra: tuple[str, ...] = ()):
        self.target, self.extra = target, extra

    def _values(self) -> tuple:
        return (*_lookup(self.target), *self.extra)

    def __contains__(self, value) -> bool:
        return value in self._values()

    def __iter__(self):
        return iter(self._values())


def _given(args, *names: str, **dests: str) -> dict:
    """The options among ``names`` (and ``dests``: parameter name -> option dest) that the user
    gave, as keyword arguments; the others are left out so the library's defaults apply."""
    pairs = [(n, n) for n in names] + list(dests.items())
    return {name: getattr(args, dest) for name, dest in pairs
            if hasattr(args, dest) and not isinstance(getattr(args, dest), _Default)}


def _settings(cls, args, **dests: str):
    """A config dataclass built from the options the user gave (option dest = field name unless
    ``dests`` maps it); every other field keeps the dataclass's default."""
    import dataclasses

    names = [f.name for f in dataclasses.fields(cls) if f.name not in dests]
    return cls(**_given(args, *names, **dests))


def _value(value):
    return value.value() if isinstance(value, _Default) else value


# ---------------------------------------------------------------------------
# argument types (a bad value is a usage error that shows the command's usage)


def _bounded(name: str):
    """An argparse type for the :mod:`workbench.checks` bound ``name`` (``"TOPICS"``): the value
    in range, else a usage error saying the range. The library's config dataclasses check the
    same bounds."""
    from workbench import checks

    bound = getattr(checks, name)

    def parse(text: str):
        try:
            return bound.parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    parse.bound = bound  # tests/test_cli.py compares it with the dataclass field's
    return parse


def _int_list(text: str, bound: str | None = None) -> list[int]:
    """``"3,7"`` -> [3, 7]; with ``bound`` (a :mod:`workbench.checks` name) every value in it."""
    parts = [x for x in text.split(",") if x.strip()]
    if bound is not None and parts:
        parse = _bounded(bound)
        return [parse(x) for x in parts]
    try:
        values = [int(x) for x in parts]
    except ValueError:
        values = []
    if not values:
        raise argparse.ArgumentTypeError(f"'{text}': write comma-separated whole numbers, e.g. 3,7")
    return values


def _ints(bound: str):
    """:func:`_int_list` whose every value is in the :mod:`workbench.checks` bound ``bound``."""
    def parse(text: str) -> list[int]:
        return _int_list(text, bound)

    parse.bound = _bounded(bound).bound
    return parse


def _pair(what: str, example: str):
    def parse(text: str) -> tuple[str, str]:
        key, sep, value = text.partition("=")
        if not sep or not key.strip():
            raise argparse.ArgumentTypeError(f"'{text}': write {what}, e.g. {example}")
        return key.strip(), value.strip()

    return parse


class _Append(argparse.Action):
    """A repeatable option collected as a tuple (as the config dataclasses hold it); given no
    times, it keeps its :class:`_Default`."""

    def __call__(self, parser, namespace, values, option_string=None):
        current = getattr(namespace, self.dest)
        setattr(namespace, self.dest, (*(() if isinstance(current, _Default) else current), values))


def _label_item(text: str) -> tuple[int, str]:
    import re

    topic, sep, label = text.partition("=")
    if not sep or not re.fullmatch(r"[0-9]+", topic.strip()):  # ASCII digits: '²'.isdigit() is True
        raise argparse.ArgumentTypeError(f"{text!r}: write labels as TOPIC=LABEL with a topic id 0, 1, 2 ..., "
                                          "e.g. 0=脱贫攻坚")
    return int(topic), label


def _iterations(value: str):
    if value == "auto":
        return value
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n <= 0:
        raise argparse.ArgumentTypeError(f"expected 'auto' or a positive number of sweeps, not '{value}'")
    return n


def _sha256(text: str) -> str:
    value = text.strip().lower()
    if len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
        raise argparse.ArgumentTypeError(f"'{text}': expected a sha256, 64 hexadecimal digits")
    return value


def _corpus_name(text: str) -> str:
    from workbench.corpus.store import check_corpus_name

    try:
        return check_corpus_name(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _str_list(text: str) -> list[str]:
    return [x.strip() for x in text.split(",")]


def _cluster(text: str) -> str | None:
    return None if text == "none" else text


# ---------------------------------------------------------------------------
# commands


def cmd_train(args) -> int:
    from workbench import engines, errors
    from workbench.models.lda import ModelConfig
    from workbench.outputs.charts import write_run_figures
    from workbench.progress import Stages
    from workbench.text.preprocess import CorpusConfig

    stages = getattr(args, "_stages", None) or Stages(progress=not args.quiet)
    if getattr(args, "_start", None) is not None:
        args._start.end()  # main() began it: parsing and the imports above

    if args.corpus and args.sources:
        return _fail("give SOURCE files or --corpus NAME, not both (add files with `workbench ingest`)", EXIT_USAGE)
    cc, mc = _settings(CorpusConfig, args), _settings(ModelConfig, args, workers="train_workers")
    try:
        stm_config = _stm_config(args, mc)
        dtm_config = _dtm_config(args, mc)
    except errors.UsageError as exc:
        return _fail(str(exc), EXIT_USAGE)
    try:
        if mc.engine == "spark":
            from workbench.engines import spark

            sc = _settings(spark.SparkConfig, args)
            # The Spark engine reads its sources itself (globs and hdfs:// or s3a:// URIs pass through).
            run = spark.train(args.sources or None, corpus_config=cc, model_config=mc, spark_config=sc,
                              themes_file=args.themes, out_dir=args.out, corpus_name=args.corpus,
                              progress=not args.quiet)
        else:
            run = engines.train([Path(s) for s in args.sources] or None, corpus_config=cc, model_config=mc,
                                corpus_name=args.corpus, themes_file=args.themes, out_dir=args.out,
                                progress=not args.quiet, figures=write_run_figures, stm_config=stm_config,
                                dtm_config=dtm_config, stages=stages, **_given(args, store_wait="wait"))
    except errors.UsageError as exc:
        return _fail(str(exc), EXIT_USAGE)
    except (errors.PipelineError, ValueError) as exc:
        return _fail(str(exc))
    print(run)
    return EXIT_OK


def _stm_config(args, mc):
    """``--model stm --prevalence FORMULA`` as a StmConfig (None for LDA); the formula is parsed here,
    before any text is read."""
    from workbench import errors
    from workbench.models import stm

    if args.model != "stm" and not args.prevalence:
        return None
    if args.model == "dtm" or args.over_time:
        raise errors.UsageError("--prevalence is the STM's; --over-time trains a dynamic topic model (choose one)")
    if not args.prevalence:
        raise errors.UsageError("--model stm needs --prevalence FORMULA over metadata columns, e.g. \"s(year) + doc_type\"")
    if mc.engine == "spark":
        raise errors.UsageError("--model stm runs on this machine only (drop --engine spark)")
    return stm.StmConfig(prevalence=stm.normalize_formula(args.prevalence),
                         **_given(args, max_em_iterations="em_iterations"))


def _dtm_config(args, mc):
    """``--over-time COLUMN --slices Y1,Y2,...`` (or ``--model dtm``) as a DtmConfig (None otherwise)."""
    from workbench import errors
    from workbench.models import dtm

    if args.model != "dtm" and not args.over_time:
        return None
    if not args.slices:
        raise errors.UsageError("--over-time needs --slices: the years at which time slices start, "
                                "e.g. --slices 1954,1978,1993,2003,2013")
    if mc.engine == "spark":
        raise errors.UsageError("--over-time runs on this machine only (drop --engine spark)")
    return dtm.DtmConfig(slices=tuple(args.slices), **({"column": args.over_time} if args.over_time else {}),
                         **_given(args, "chain_variance", iterations="em_iterations"))


def cmd_sweep(args) -> int:
    from workbench import errors
    from workbench.analysis import sweep
    from workbench.models.lda import ModelConfig
    from workbench.text.preprocess import CorpusConfig

    if args.corpus and args.sources:
        return _fail("give SOURCE files or --corpus NAME, not both", EXIT_USAGE)
    cc, mc = _settings(CorpusConfig, args), _settings(ModelConfig, args, workers="train_workers")
    try:
        folder = sweep.sweep([Path(s) for s in args.sources] or None, corpus_config=cc, model_config=mc,
                             out_dir=args.out, progress=not args.quiet, corpus_name=args.corpus,
                             **_given(args, "ks", "seeds", store_wait="wait"))
    except errors.UsageError as exc:
        return _fail(str(exc), EXIT_USAGE)
    except (errors.PipelineError, ValueError) as exc:
        return _fail(str(exc))
    print((folder / "recommendation.txt").read_text(encoding="utf-8").strip())
    print(folder)
    return EXIT_OK


def cmd_ingest(args) -> int:
    from workbench import errors
    from workbench.corpus import ingest, store
    from workbench.errors import shown

    try:
        report, report_file = store.ingest_with_report(args.sources, args.corpus, text_column=args.text_column,
                                                       report_file=args.report, follow_links=args.follow_links,
                                                       **_given(args, "wait"))
    except (ingest.IngestError, errors.PipelineError) as exc:
        return _fail(str(exc))
    _say(report.summary())
    _say(f"report: {shown(report_file)}")
    if report.added + report.unchanged + report.updated == 0:
        return _fail(f"no document could be read from {', '.join(map(shown, args.sources))} (see the report above)")
    return EXIT_PARTIAL if report.skipped else EXIT_OK


def _run_path(value) -> Path:
    from workbench.runfolder.reader import latest_run

    return latest_run() if value in (None, "latest") else Path(value)


def cmd_topics(args) -> int:
    import pandas as pd

    from workbench.analysis import explore
    from workbench.runfolder.reader import load_run

    run = load_run(_run_path(args.run))
    lam = _value(args.lam)
    table = explore.run_topic_table(run, lam=lam, **_given(args, "n"))
    if args.csv:
        from workbench.files import write_csv
        write_csv(table, args.csv)
    docs = None
    if args.docs:
        from workbench.analysis.explore import representative_paragraphs

        docs = representative_paragraphs(run, args.docs, max_chars=_value(args.excerpt), one_per_document=True)
    merged = "".join(messages.translate(f"; {m.key} merged") for m in run.merges)
    with pd.option_context("display.max_colwidth", 200, "display.width", 250, "display.unicode.east_asian_width", True):
        _say(f"{run.path}  ({run.num_topics} topics{merged}; relevance λ={lam}; FREX w=0.5)")
        for row in table.itertuples():
            name = f"{row.topic}" + (f" {row.label}" if row.label else "")
            print()
            _say(f"[{name}]  share {row.share:.3f}")
            _say(f"  prob:      {row.prob}")
            _say(f"  relevance: {row.relevance}")
            _say(f"  frex:      {row.frex}")
            if docs is not None:
                _say("  documents (highest share of this topic, one paragraph per article):")
                for d in docs[docs["topic"] == row.topic].itertuples():
                    where = "  ".join(str(v) for v in (getattr(d, "title", None), getattr(d, "date", None),
                                                         getattr(d, "source_file", None)) if v and not pd.isna(v))
                    print(f"    {d.rank}. {d.share:.2f}  {where or d.doc_id}")
                    print(f"       {d.text}")
    return EXIT_OK


def cmd_export(args) -> int:
    from workbench.outputs import export
    from workbench.runfolder.reader import load_run

    path = export.export_run(load_run(_run_path(args.run)), level="article" if args.articles else "unit",
                             path=args.out, merged=not args.unmerged, **_given(args, "fmt"))
    print(path)
    return EXIT_OK


def cmd_label(args) -> int:
    from workbench.runfolder import labels

    try:
        result = labels.update_labels(_run_path(args.run), dict(args.labels))
    except (ValueError, FileNotFoundError) as exc:  # not a run folder, a topic it does not have
        return _fail(str(exc), EXIT_USAGE)
    for k in sorted(result):
        print(f"{k}\t{result[k]}")
    return EXIT_OK


def cmd_infer(args) -> int:
    from workbench import errors
    from workbench.analysis import inference

    try:
        result = inference.infer_run(Path(args.run), [Path(s) for s in args.sources], out=args.out,
                                     **_given(args, "iterations", "text_column"))
    except (errors.PipelineError, ValueError) as exc:
        return _fail(str(exc))
    dominant = result.doc_topics["dominant_topic"].value_counts().sort_index()
    _say(f"{result.n_units} units inferred ({result.method}); {len(result.dropped_units)} left out")
    _say("dominant topic: " + "  ".join(f"{k}: {n}" for k, n in dominant.items()))
    print(result.path)
    return EXIT_OK


def cmd_merge(args) -> int:
    from workbench.runfolder import labels

    try:
        merges = labels.update_merges(_run_path(args.run), dict(args.merges))
    except FileNotFoundError as exc:  # not a run folder
        return _fail(str(exc), EXIT_USAGE)
    except ValueError as exc:
        return _fail(str(exc))
    for m in merges:
        print(f"{m.key}\t{m.label}")
    if not merges:
        _say("no merged topics")
    return EXIT_OK


def cmd_compare(args) -> int:
    import pandas as pd

    from workbench.analysis import compare

    try:
        table = compare.compare_and_carry(Path(args.run_a), Path(args.run_b), path=args.out,
                                          carry=args.carry_labels, **_given(args, "threshold"))
    except (FileNotFoundError, ValueError) as exc:
        return _fail(str(exc))
    counts = table["status"].value_counts()
    print("  ".join(f"{k}: {counts.get(k, 0)}" for k in ("matched", "split", "merged", "new", "vanished")))
    def topic(value) -> str:
        return "" if pd.isna(value) else str(int(value))

    for row in table.itertuples():
        weak = "  (weak)" if row.status == "matched" and row.similarity < compare.WEAK_MATCH else ""
        print(f"{row.status:9} A{topic(row.topic_a):>3} -> B{topic(row.topic_b):>3}  sim {row.similarity:.2f}  "
              f"{row.label_a or ''}  {row.top_terms_a or ''} | {row.top_terms_b or ''}{weak}")
        if pd.notna(row.nearest):
            side = "B" if row.status == "vanished" else "A"
            print(f"{'':9} nearest {side}{int(row.nearest):>3}  sim {row.similarity:.2f}  "
                  f"{row.nearest_label or ''}  {row.nearest_terms}")
    print()
    _say("\n".join(compare.legend(_value(args.threshold))))
    print(table.attrs["path"])
    return EXIT_OK


def cmd_prevalence(args) -> int:
    from workbench.analysis import timeline
    from workbench.runfolder.reader import load_run

    where: dict[str, list[str]] = {}
    for col, value in args.where:
        where.setdefault(col, []).append(value)
    run = load_run(_run_path(args.run))
    topics = args.topics
    try:
        if args.cue:
            cue = [w for w in args.cue.split(",") if w.strip()]
            evidence = timeline.cue_table(run, cue, n=3)
            found = int(evidence.loc[evidence["chosen"], "topic"].iloc[0])
            _say(f"cue words {'、'.join(cue)} -> topic {found}; the evidence (cue words among the top 20 terms "
                  f"by relevance, with rank; p(cue words | topic)):")
            for row in evidence.itertuples():
                print(f"  topic {row.topic:>3}  {row.cue_hits or '-'}  {row.cue_mass:.4f}  {row.top_terms}")
            if evidence.attrs["missing"]:
                _say(f"  not in the vocabulary: {'、'.join(evidence.attrs['missing'])}")
            topics = [*(topics or []), found]
        result = timeline.write_prevalence(run, topics if topics else None, out_dir=args.out, where=where or None,
                                           periods=args.periods, **_given(args, "by", "n_boot", "cluster"))
    except (KeyError, ValueError) as exc:
        return _fail(str(exc).strip('"'))
    print(timeline.to_wide(result.table).to_string(index=False, float_format="{:.3f}".format))
    print(result.png)
    print(result.csv)
    return EXIT_OK


def cmd_effect(args) -> int:
    from workbench import errors
    from workbench.analysis import covariates

    try:
        effect, csv, coef_csv, png = covariates.write_effect(_run_path(args.run), args.covariate, formula=args.formula,
                                                             topics=args.topics, groups=args.groups,
                                                             config=_settings(covariates.EffectConfig, args),
                                                             out_dir=args.out)
    except errors.UsageError as exc:
        return _fail(str(exc), EXIT_USAGE)
    _say(covariates.summary(effect))
    for path in (png, csv, coef_csv):
        print(path)
    return EXIT_OK


def cmd_contrast(args) -> int:
    from workbench import errors
    from workbench.analysis import contrast

    try:
        result, csv, png = contrast.write_contrast(_run_path(args.run), args.by, args.groups,
                                                   _settings(contrast.ContrastConfig, args), out_dir=args.out)
    except errors.UsageError as exc:
        return _fail(str(exc), EXIT_USAGE)
    _say(contrast.summary(result))
    print(png)
    print(csv)
    return EXIT_OK


def cmd_validate(args) -> int:
    from workbench import errors
    from workbench.analysis import validation

    try:
        if args.score:
            per_topic, summary = validation.score_tasks(args.score, args.key)
            print(per_topic.to_string(index=False, float_format="{:.2f}".format))
            _say(f"{summary['task']} on run {summary['run']}: {summary['correct']} of {summary['answered']} answered "
                  f"items right (precision {summary['precision']:.2f}); {summary['unanswered']} unanswered")
        elif args.task:
            if not args.out:
                return _fail("--task needs --out FILE.xlsx (the key is written beside it)", EXIT_USAGE)
            for path in validation.write_tasks(_run_path(args.run), args.task, args.out,
                                               _settings(validation.TaskConfig, args), key=args.key):
                print(path)
        else:
            table, path = validation.write_quality(_run_path(args.run), args.chains)
            print(table.to_string(index=False, float_format="{:.3f}".format))
            print(path)
    except errors.UsageError as exc:
        return _fail(str(exc), EXIT_USAGE)
    except errors.PipelineError as exc:
        return _fail(str(exc))
    return EXIT_OK


def cmd_notebook(args) -> int:
    from workbench import notebook

    return notebook.launch(args.run, port=args.port)


def cmd_verify(args) -> int:
    from workbench.errors import one_line, shown
    from workbench.files import remove_stale_staging
    from workbench.runfolder.reader import check_run

    run = Path(args.run)
    remove_stale_staging(run.resolve().parent)  # as train does; says what it removed
    check = check_run(run, expect=args.expect)
    for line in check.problems:
        print(f"workbench: {one_line(messages.translate(shown(run) + '/' + line))}", file=sys.stderr)
    if check.ok:
        _say(f"{shown(run)}: intact: every file of the folder is listed in manifest.json ({len(check.listed)}) and "
              "matches its sha256" + (", and manifest.json is the expected one" if args.expect else ""))
    for line in check.uncovered():
        _say(f"not covered: {line}")
    if check.manifest_sha256:
        _say(f"manifest.json sha256: {check.manifest_sha256}")
    return EXIT_OK if check.ok else EXIT_ERROR


def cmd_terms(args) -> int:
    from workbench import errors
    from workbench.analysis import terms
    from workbench.text.preprocess import CorpusConfig

    if bool(args.corpus) == bool(args.sources):
        return _fail("give SOURCE files or --corpus NAME (one of the two)", EXIT_USAGE)
    cfg = terms.TermsConfig(**_given(args, "min_quoting_documents", "examples"),
                            corpus=_settings(CorpusConfig, args))
    try:
        report = terms.terms_report([Path(s) for s in args.sources] or None, cfg, corpus_name=args.corpus,
                                    out=args.out, **_given(args, store_wait="wait"))
    except errors.PipelineError as exc:
        return _fail(str(exc))
    t = report.table
    _say(f"{len(t)} candidate terms ({int(t['harvested'].sum())} taken by the harvest): {report.path}")
    return EXIT_PARTIAL if report.problems else EXIT_OK


# ---------------------------------------------------------------------------
# the parser

_MODEL = "workbench.models.lda:ModelConfig"
_CORPUS = "workbench.text.preprocess:CorpusConfig"
_SPARK = "workbench.engines.spark:SparkConfig"
_STM = "workbench.models.stm:StmConfig"
_FOLLOW_LINKS = ("read what symbolic links inside a source folder lead to outside it (default: each such link is "
                 "named and skipped)")
_DTM = "workbench.models.dtm:DtmConfig"


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"workbench {version('workbench')}"
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "workbench (not installed: pip install -e .)"


class _Formatter(argparse.HelpFormatter):
    """argparse's help in the user's language: help texts, descriptions, section titles and
    ``usage:`` through :mod:`workbench.messages` (argparse fills in ``%(default)s`` afterwards)."""

    def _get_help_string(self, action) -> str:
        return messages.help_text(action.help)

    def start_section(self, heading) -> None:
        super().start_section(messages.help_text(heading))

    def add_text(self, text) -> None:
        super().add_text(messages.help_text(text))

    def add_usage(self, usage, actions, groups, prefix=None) -> None:
        super().add_usage(usage, actions, groups, messages.argparse_phrase("usage: ") if prefix is None else prefix)

    # argparse wraps by characters; a Chinese character takes two columns and a line may break
    # between any two of them (not before ，。） nor after （)
    def _split_lines(self, text, width):
        if not (messages.chinese() and messages.wide(text)):
            return super()._split_lines(text, width)
        return messages.wrap(self._whitespace_matcher.sub(" ", text).strip(), width)

    def _fill_text(self, text, width, indent):
        if not (messages.chinese() and messages.wide(text)):
            return super()._fill_text(text, width, indent)
        lines = messages.wrap(self._whitespace_matcher.sub(" ", text).strip(), width - len(indent))
        return "\n".join(indent + line for line in lines)


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose help (:class:`_Formatter`) and errors speak the user's language; its
    subcommands' parsers are of this class too (argparse makes them with ``type(self)``)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, messages.translate(f"{self.prog}: error: {message}") + "\n")


def _command(sub, name: str, func, help: str, description: str) -> argparse.ArgumentParser:
    # allow_abbrev=False: `--topic 8` is an error, not a silent `--topics 8`.
    p = sub.add_parser(name, help=help, description=description, allow_abbrev=False)
    p.set_defaults(func=func, _parser=p)
    return p


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="workbench", allow_abbrev=False,
                                description="Topic models for Chinese political and government text.")
    p.add_argument("--version", action="version", version=_version(), help="print the version and exit")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", title="commands",
                           help="what to do; `workbench COMMAND --help` lists its options")

    t = _command(sub, "train", cmd_train, "train a topic model and write a run folder (prints its path last)",
                 "Train LDA on SOURCE files/folders (default: the bundled seeds/) or a named corpus, and write "
                 "a run folder under runs/. The last line printed is its path.")
    t.add_argument("--topics", dest="num_topics", metavar="K", type=_bounded("TOPICS"), default=_Default(_MODEL, "num_topics"),
                   help="free topics (default %(default)s)")
    t.add_argument("--seed", dest="random_state", metavar="N", type=_bounded("SEED"), default=_Default(_MODEL, "random_state"),
                   help="random seed (default %(default)s)")
    t.add_argument("--themes", type=Path, help="TOML file of keyed themes (name = [seed words])")
    t.add_argument("--model", choices=("lda", "stm", "dtm"), default="lda",
                   help="lda (default), stm: a structural topic model with --prevalence covariates, or dtm: a "
                        "dynamic topic model over --slices (both topica)")
    t.add_argument("--prevalence", metavar="FORMULA",
                   help="STM prevalence formula over metadata columns, e.g. \"s(year) + doc_type\" (s(): spline, "
                        "C(): categories; year comes from date)")
    em = t.add_argument("--em-iterations", type=_bounded("POSITIVE_INT"), default=_Default(_STM, "max_em_iterations"),
                        help="STM: most EM iterations (default %(default)s; stops at tolerance %(em_tol)s; "
                             "DTM: EM iterations, default %(dtm)s)")
    em.em_tol = _Default(_STM, "em_tol")  # for the help text
    em.dtm = _Default(_DTM, "iterations")
    t.add_argument("--over-time", metavar="COLUMN",
                   help="train a dynamic topic model over time slices of this numeric column (year comes from "
                        "date): each topic's terms per slice in topics_over_time.csv and .png")
    t.add_argument("--slices", type=_int_list, metavar="Y1,Y2,...",
                   help="with --over-time: the values at which slices start, e.g. 1954,1978,1993,2003,2013")
    t.add_argument("--chain-variance", type=_bounded("POSITIVE"), default=_Default(_DTM, "chain_variance"),
                   help="DTM: how far a topic's words may drift from one slice to the next (default %(default)s)")
    _add_corpus_and_model_options(t, engines=_Choices("workbench.models.lda:ENGINES", extra=("spark",)))
    sp = t.add_argument_group("Spark engine (--engine spark; see docs/spark.md)")
    sp.add_argument("--master", default=_Default(_SPARK, "master"),
                    help="Spark master: local[N], spark://HOST:7077, yarn, k8s://... (default %(default)s)")
    sp.add_argument("--spark-conf", dest="conf", action=_Append, default=_Default(_SPARK, "conf"),
                    metavar="KEY=VALUE", type=_pair("Spark settings as KEY=VALUE", "spark.executor.memory=8g"),
                    help="a Spark setting, e.g. spark.executor.memory=8g (repeatable)")
    sp.add_argument("--spark-scratch", dest="scratch_dir", metavar="URI", default=_Default(_SPARK, "scratch_dir"),
                    help="folder for intermediate Parquet (default: the run's temporary folder with a local "
                         "master, workbench-scratch/ on the cluster's file system otherwise)")
    sp.add_argument("--max-iter", type=_bounded("POSITIVE_INT"), default=_Default(_SPARK, "max_iter"),
                    help="online LDA mini-batch updates (default %(default)s)")
    sp.add_argument("--subsampling-rate", type=_bounded("SHARE"), default=_Default(_SPARK, "subsampling_rate"),
                    help="share of units per mini-batch; max-iter x rate = passes (default %(default)s)")

    sw = _command(sub, "sweep", cmd_sweep, "train one model per K (and seed) and say which K the evidence favours",
                  "Train one model per K in --topics (and per seed in --seeds) on a held-out split and write "
                  "sweep.csv, sweep.png and recommendation.txt (coherence c_npmi and c_v, held-out perplexity, "
                  "topic diversity, stability across seeds) to runs/sweep-<time>-<hash>/. The last line printed "
                  "is that folder.")
    sweep = "workbench.analysis.sweep:sweep"
    sw.add_argument("--topics", dest="ks", metavar="K,K,...", type=_ints("TOPICS"), default=_Default(sweep, "ks"),
                    help="comma-separated K values (default %(default)s)")
    sw.add_argument("--seeds", metavar="N,N,...", type=_ints("SEED"), default=_Default(sweep, "seeds"),
                    help="comma-separated seeds; two or more measure stability (default %(default)s)")
    _add_corpus_and_model_options(sw)

    i = _command(sub, "ingest", cmd_ingest, "add files or folders to a named corpus in the store",
                 "Add SOURCE files/folders to corpus NAME in the store (.workbench/store.sqlite). Documents are "
                 "keyed by content: re-ingesting adds nothing. Prints added / unchanged / skipped, and writes "
                 "the same report to a file.")
    i.add_argument("sources", nargs="+", type=Path, metavar="SOURCE", help="files or folders to add")
    i.add_argument("--corpus", required=True, type=_corpus_name,
                   help="corpus name: letters (Chinese too), digits, _, and after the first character also "
                        "spaces and . - ( ); at most 100 characters")
    i.add_argument("--text-column", help="text column of CSV/JSONL/XLSX/Parquet sources (default: text)")
    i.add_argument("--report", type=Path, help="where to write the ingest report (default .workbench/reports/)")
    i.add_argument("--follow-links", action="store_true", help=_FOLLOW_LINKS)
    _add_wait_option(i)

    tp = _command(sub, "topics", cmd_topics, "print a run's topic table (probability, relevance, FREX)",
                  "Print the topics of RUN (default: the newest run): top terms by probability, by pyLDAvis "
                  "relevance at λ, and by FREX (as stm's labelTopics), with labels and shares; with --docs N, "
                  "each topic's N most representative documents (as stm's findThoughts).")
    tp.add_argument("run", nargs="?", help="run folder (default: newest under ./runs)")
    topic_table = "workbench.analysis.reading:topic_table"
    tp.add_argument("--lambda", dest="lam", metavar="LAMBDA", type=_bounded("UNIT_INTERVAL"), default=_Default(topic_table, "lam"),
                    help="relevance λ (default %(default)s)")
    tp.add_argument("-n", type=_bounded("POSITIVE_INT"), default=_Default(topic_table, "n"),
                    help="terms per topic (default %(default)s)")
    tp.add_argument("--csv", type=Path, help="also write the table as CSV")
    tp.add_argument("--docs", type=_bounded("COUNT"), default=0, metavar="N",
                    help="also print each topic's N most representative documents (stm's findThoughts: the "
                         "highest share, one paragraph per article, with title, date and an excerpt)")
    tp.add_argument("--excerpt", type=_bounded("POSITIVE_INT"), metavar="CHARS",
                    default=_Default("workbench.analysis.explore:representative_paragraphs", "max_chars"),
                    help="characters of each excerpt with --docs (default %(default)s)")

    e = _command(sub, "export", cmd_export, "export the labelled topic-per-document table",
                 "Export RUN's doc_topics joined to metadata, with topic labels, as CSV (UTF-8 with BOM), XLSX, "
                 "Parquet or Stata .dta (version 118).")
    e.add_argument("run", nargs="?", help="run folder (default: newest under ./runs)")
    e.add_argument("--format", dest="fmt", choices=_Choices("workbench.outputs.export:FORMATS"),
                   default=_Default("workbench.outputs.export:export_run", "fmt"),
                   help="file format (default %(default)s)")
    e.add_argument("--articles", action="store_true", help="one row per article (token-weighted mean of its units)")
    e.add_argument("--unmerged", action="store_true",
                   help="every topic as trained, ignoring the run's merged topics (`workbench merge`)")
    e.add_argument("--out", type=Path, help="output file (default RUN/exports/doc_topics.<ext>, "
                                            "with --articles RUN/exports/articles.<ext>)")

    lb = _command(sub, "label", cmd_label, "name topics (stored with the run, shown in every table and chart)",
                  "Set topic labels of RUN, e.g. `workbench label runs/X 0=脱贫攻坚 3=纪检监察`; an empty label "
                  "(3=) removes one.")
    lb.add_argument("run", help="run folder")
    lb.add_argument("labels", nargs="+", type=_label_item, metavar="TOPIC=LABEL", help="topic id and its label")

    inf = _command(sub, "infer", cmd_infer, "topic shares for new documents from a saved run, without retraining",
                   "Read SOURCE files/folders with RUN's own units, tokenizer (dictionary and stopword files "
                   "checked against the manifest's hashes) and vocabulary, infer each unit's topic shares from "
                   "RUN's saved model (LDA: tomotopy's infer, deterministic; STM: topica's transform), and write "
                   "a doc_topics table with the run's columns to RUN/inferred/<name>-<hash>.csv (the last line "
                   "printed). The run's own files are not changed.")
    inf.add_argument("run", help="run folder")
    inf.add_argument("sources", nargs="+", metavar="SOURCE", help="files or folders, as for train")
    inf.add_argument("--iterations", type=_bounded("POSITIVE_INT"), default=_Default("workbench.models.lda:INFER_ITERATIONS"),
                     help="Gibbs sweeps per unit, tomotopy (default %(default)s)")
    inf.add_argument("--text-column", help="text column of CSV/JSONL/XLSX/Parquet sources (default: the run's)")
    inf.add_argument("--out", type=Path, help="output CSV (default RUN/inferred/<source>-<hash>.csv)")

    mg = _command(sub, "merge", cmd_merge, "merge topics that are one theme (tables and charts show their summed share)",
                  "Merge topics of RUN that read as one theme, e.g. `workbench merge runs/X 3+7=反腐倡廉`: export, "
                  "prevalence, effect and topics then show one topic 3+7 with the summed share (in topic 3's column), "
                  "and topics.csv and ldavis.html name both topics 反腐倡廉（3+7）. The trained tables keep every "
                  "topic's own share (merges.json beside labels.json records the merge); 3+7= removes it.")
    mg.add_argument("run", help="run folder")
    mg.add_argument("merges", nargs="+", metavar="TOPIC+TOPIC=LABEL",
                    type=_pair("merges as TOPIC+TOPIC=LABEL", "3+7=反腐倡廉"),
                    help="topics to merge and the merged topic's label (an empty label removes the merge)")

    c = _command(sub, "compare", cmd_compare, "match the topics of two runs (stayed, split, merged, new, vanished)",
                 "Match RUN_A's topics to RUN_B's over their shared vocabulary (1 - Jensen-Shannon distance, "
                 "optimal assignment), write the table to RUN_B/compare_<RUN_A>.csv, and carry RUN_A's labels "
                 "to their matches in RUN_B (a topic RUN_B has labelled keeps its label).")
    c.add_argument("run_a", help="the earlier run")
    c.add_argument("run_b", help="the later run")
    c.add_argument("--threshold", type=_bounded("UNIT_INTERVAL"), default=_Default("workbench.analysis.compare:DEFAULT_THRESHOLD"),
                   help="similarity for a match (default %(default)s)")
    c.add_argument("--out", type=Path, help="output CSV (default RUN_B/compare_<RUN_A>.csv)")
    c.add_argument("--no-carry-labels", dest="carry_labels", action="store_false",
                   help="do not copy RUN_A's labels to RUN_B's unlabelled matches")

    pv = _command(sub, "prevalence", cmd_prevalence,
                  "topic shares per year (or any metadata column), with bootstrap intervals",
                  "Share of topics per value of --by (a year, quarter or month of `date`, or any metadata column), "
                  "weighted by tokens, with a bootstrap interval that resamples whole articles; writes "
                  "RUN/prevalence/prevalence_by_<by>.csv and .png.")
    prevalence = "workbench.analysis.timeline:prevalence_table"
    pv.add_argument("run", nargs="?", help="run folder (default: newest under ./runs)")
    pv.add_argument("--by", default=_Default("workbench.analysis.timeline:write_prevalence", "by"),
                    help="year, quarter or month (bins of date), or any metadata column to group by "
                         "(default %(default)s)")
    pv.add_argument("--topics", type=_ints("TOPIC_ID"), help="comma-separated topic ids (default: all)")
    pv.add_argument("--cue", help="comma-separated cue words: add the topic they name, e.g. --cue 反腐败,廉政,纪检")
    pv.add_argument("--where", action="append", default=[], metavar="COLUMN=VALUE",
                    type=_pair("filters as COLUMN=VALUE", "doc_type=government_work_report"),
                    help="keep only units with this metadata value (repeatable; several values of one column = any)")
    pv.add_argument("--periods", type=_int_list, help="bin years into periods starting at these years, e.g. 1993,2013")
    pv.add_argument("--cluster", type=_cluster, default=_Default(prevalence, "cluster"),
                    help="what the bootstrap resamples: doc_id (articles) or none (units: use when each group is "
                         "one document); default %(default)s")
    pv.add_argument("--n-boot", type=_bounded("COUNT"), default=_Default(prevalence, "n_boot"),
                    help="bootstrap resamples (default %(default)s; 0: no interval)")
    pv.add_argument("--out", type=Path, help="output folder (default RUN/prevalence)")

    effect = "workbench.analysis.covariates:EffectConfig"
    ef = _command(sub, "effect", cmd_effect, "effect of a covariate on topic prevalence, with the topic model's uncertainty",
                  "R stm's estimateEffect by the method of composition: posterior draws of θ (STM: logistic-normal, "
                  "global covariance; LDA: Dirichlet of each unit's topic counts), one regression per draw with "
                  "errors clustered by article, pooled. Writes RUN/effects/effect_<covariate>.csv, "
                  "_coefficients.csv and .png: the expected proportion over a numeric covariate, or the difference "
                  "of two groups.")
    ef.add_argument("run", nargs="?", help="run folder (default: newest under ./runs)")
    ef.add_argument("--covariate", required=True, help="the metadata column to vary (year, quarter, month come from date)")
    ef.add_argument("--formula", help="regression over metadata columns (default: an STM run's --prevalence; "
                                      "for LDA s(COVARIATE) when numeric, COVARIATE otherwise)")
    ef.add_argument("--topics", type=_ints("TOPIC_ID"), help="comma-separated topic ids (default: all)")
    ef.add_argument("--groups", metavar="A,B", type=_str_list,
                    help="two values of a categorical covariate: plot A - B (default: its two most frequent)")
    ef.add_argument("--nsims", type=_bounded("POSITIVE_INT"), default=_Default(effect, "nsims"),
                    help="posterior draws of θ (default %(default)s)")
    ef.add_argument("--cluster", type=_cluster, default=_Default(effect, "cluster"),
                    help="column whose units share errors (default %(default)s; none: every unit alone)")
    ef.add_argument("--seed", type=_bounded("SEED"), default=_Default(effect, "seed"),
                    help="random seed of the draws (default %(default)s)")
    ef.add_argument("--out", type=Path, help="output folder (default RUN/effects)")

    fight = "workbench.analysis.contrast:ContrastConfig"
    ct = _command(sub, "contrast", cmd_contrast, "words that set two groups of documents apart (Fighting Words)",
                  "Fighting Words (Monroe, Colaresi & Quinn 2008): per term the log-odds ratio between two groups of "
                  "RUN's units with an informative Dirichlet prior (the whole run's counts), and its z-score. "
                  "Writes RUN/contrasts/contrast_<by>_<A>_vs_<B>.csv and .png (z against frequency).")
    ct.add_argument("run", nargs="?", help="run folder (default: newest under ./runs)")
    ct.add_argument("--by", required=True, help="metadata column that defines the groups (year comes from date)")
    ct.add_argument("--groups", required=True, metavar="A,B", type=_str_list,
                    help="two values of the column, or ranges of a numeric one: 北京,上海 or 1954-1977,1978-2025")
    ct.add_argument("--prior", type=_bounded("POSITIVE"), default=_Default(fight, "prior"),
                    help="prior scale: alpha_w = prior x the term's count in the run (default %(default)s)")
    ct.add_argument("--min-count", type=_bounded("COUNT"), default=_Default(fight, "min_count"),
                    help="leave out terms with fewer occurrences in the two groups (default %(default)s)")
    ct.add_argument("--labels", dest="n_labels", type=_bounded("COUNT"), default=_Default(fight, "n_labels"),
                    help="terms named per group in the chart (default %(default)s)")
    ct.add_argument("--out", type=Path, help="output folder (default RUN/contrasts)")

    task = "workbench.analysis.validation:TaskConfig"
    va = _command(sub, "validate", cmd_validate, "topic quality per topic, intrusion task sheets and their scores",
                  "Without --task or --score: per topic stm's exclusivity and semantic coherence, c_npmi and, "
                  "with --chains, stability across runs of other seeds (RUN/validation/topic_quality.csv). --task "
                  "writes a word- or topic-intrusion sheet for raters (XLSX, answer column) and its key apart; "
                  "--score scores an answered sheet against its key.")
    va.add_argument("run", nargs="?", help="run folder (default: newest under ./runs)")
    va.add_argument("--task", choices=("word-intrusion", "topic-intrusion"), help="write a task sheet (needs --out)")
    va.add_argument("--out", type=Path, help="the task sheet, .xlsx (its key goes to <name>.key.csv)")
    va.add_argument("--key", type=Path, help="answer key file (default <sheet>.key.csv)")
    va.add_argument("--score", type=Path, metavar="SHEET.xlsx", help="score an answered sheet")
    va.add_argument("--chains", nargs="+", default=[], type=Path, metavar="RUN",
                    help="runs of the same corpus and K with other seeds: per-topic stability")
    va.add_argument("--units", dest="n_units", type=_bounded("POSITIVE_INT"), default=_Default(task, "n_units"),
                    help="units in a topic-intrusion sheet (default %(default)s)")
    va.add_argument("--seed", type=_bounded("SEED"), default=_Default(task, "seed"),
                    help="shuffle and sample seed (default %(default)s)")

    nb = _command(sub, "notebook", cmd_notebook, "open JupyterLab on notebooks/",
                  "Start JupyterLab in notebooks/; with RUN, the notebooks open that run (default: the newest).")
    nb.add_argument("run", nargs="?", help="run folder for the notebooks")
    nb.add_argument("--port", type=_bounded("PORT"), help="port for JupyterLab")

    v = _command(sub, "verify", cmd_verify, "check a run folder against its manifest, and the manifest against a "
                 "published hash",
                 "Check that every file of RUN is listed in manifest.json, that every listed file is there, inside "
                 "the folder, with its sha256, and print the sha256 of manifest.json itself: publish it with the "
                 "results; --expect checks a copy against it. Outputs written after training (exports/, "
                 "prevalence/, effects/, validation/, inferred/, compare_*.csv) are named as not covered.")
    v.add_argument("run", help="run folder")
    v.add_argument("--expect", metavar="SHA256", type=_sha256,
                   help="the published sha256 of manifest.json: fail unless the manifest is that one")

    terms = "workbench.analysis.terms:TermsConfig"
    tm = _command(sub, "terms", cmd_terms, "candidate terms for the dictionary: what the corpus quotes and it lacks (CSV)",
                  "List the terms SOURCE (or --corpus NAME) puts in quotation marks that the dictionaries/ lack: "
                  "occurrences, quoted occurrences, documents, the share of documents quoting it, cohesion (PMI) "
                  "and boundary entropy, example contexts, and whether the harvest takes it. Written as CSV for "
                  "Excel; move the terms worth keeping into a file of dictionaries/.")
    tm.add_argument("sources", nargs="*", metavar="SOURCE", help="files or folders, as for train")
    tm.add_argument("--corpus", type=_corpus_name, help="use a named corpus of the store instead of SOURCE")
    tm.add_argument("--out", type=Path, default=Path("terms.csv"), help="CSV file to write (default %(default)s)")
    tm.add_argument("--min-quoting-documents", type=_bounded("POSITIVE_INT"), default=_Default(terms, "min_quoting_documents"),
                    help="leave out terms quoted in fewer documents (default %(default)s)")
    tm.add_argument("--examples", type=_bounded("COUNT"), default=_Default(terms, "examples"),
                    help="example contexts per term (default %(default)s)")
    tm.add_argument("--text-column", help="text column of CSV/JSONL/XLSX/Parquet sources (default: text)")
    _add_traditional_options(tm)
    tm.add_argument("--follow-links", action="store_true", default=_Default(_CORPUS, "follow_links"),
                    help=_FOLLOW_LINKS)
    _add_wait_option(tm)
    return p


def _add_traditional_options(p) -> None:
    t2s = p.add_mutually_exclusive_group()
    t2s.add_argument("--to-simplified", dest="to_simplified", action="store_const", const=True,
                     default=_Default(_CORPUS, "to_simplified"),
                     help="convert every document from Traditional to Simplified characters (OpenCC t2s); by "
                          "default (%(default)s) only the documents written in Traditional are, and the log says which")
    t2s.add_argument("--keep-traditional", dest="to_simplified", action="store_const", const=False,
                     help="convert no document: Traditional and Simplified spellings stay two terms")


def _add_wait_option(p) -> None:
    p.add_argument("--wait", type=_bounded("SECONDS"), metavar="SECONDS", default=_Default("workbench.corpus.store:DEFAULT_WAIT"),
                   help="how long to wait for another process writing to the store before stopping with a message "
                        "that names it (default %(default)s)")


def _add_corpus_and_model_options(p, engines=None) -> None:
    p.add_argument("sources", nargs="*", metavar="SOURCE",
                   help=".txt/.html files or folders (recursive), .jsonl/.csv/.xlsx/.parquet with a text column")
    p.add_argument("--corpus", type=_corpus_name, help="use a named corpus of the store instead of SOURCE (see `workbench ingest`)")
    p.add_argument("--unit", choices=_Choices("workbench.corpus.units:UNIT_KINDS"), default=_Default(_CORPUS, "unit"),
                   help="what one modelled document is (default %(default)s)")
    p.add_argument("--chunk-chars", type=_bounded("POSITIVE_INT"), default=_Default(_CORPUS, "chunk_chars"),
                   help="characters per chunk with --unit chunk (default %(default)s)")
    p.add_argument("--engine", choices=engines or _Choices("workbench.models.lda:ENGINES"),
                   default=_Default(_MODEL, "engine"), help="LDA engine (default %(default)s)")
    p.add_argument("--alpha", type=_bounded("POSITIVE"), default=_Default(_MODEL, "alpha"),
                   help="symmetric document-topic prior (default %(default)s)")
    p.add_argument("--eta", type=_bounded("POSITIVE"), default=_Default(_MODEL, "eta"), help="topic-word prior (default %(default)s)")
    sweeps = p.add_argument("--iterations", type=_iterations, metavar="auto|N", default=_Default(_MODEL, "iterations"),
                            help="Gibbs sweeps, tomotopy: auto trains until the chain has converged "
                                 "(%(min_sweeps)s-%(max_sweeps)s sweeps, the rule is in the manifest and "
                                 "convergence.png), N runs exactly N (default %(default)s)")
    sweeps.min_sweeps = _Default(_MODEL, "convergence.min_iterations")  # for the help text
    sweeps.max_sweeps = _Default(_MODEL, "convergence.max_iterations")
    p.add_argument("--passes", type=_bounded("POSITIVE_INT"), default=_Default(_MODEL, "passes"),
                   help="passes, gensim (default %(default)s)")
    p.add_argument("--term-weight", choices=("one", "idf", "pmi"), default=_Default(_MODEL, "term_weight"),
                   help="tomotopy term weighting (default %(default)s)")
    p.add_argument("--no-below", type=_bounded("POSITIVE_INT"), default=_Default(_MODEL, "no_below"),
                   help="drop terms in fewer units (default %(default)s)")
    p.add_argument("--no-above", type=_bounded("SHARE"), default=_Default(_MODEL, "no_above"),
                   help="drop terms in a larger share of units (default %(default)s)")
    p.add_argument("--keyed-prior", type=_bounded("POSITIVE"), default=_Default(_MODEL, "keyed_prior"),
                   help="seed-word prior on its keyed topic (default %(default)s)")
    p.add_argument("--min-tokens", type=_bounded("POSITIVE_INT"), default=_Default(_CORPUS, "min_tokens"),
                   help="leave out units with fewer tokens (default %(default)s)")
    p.add_argument("--min-len", type=_bounded("POSITIVE_INT"), default=_Default(_CORPUS, "min_len"),
                   help="shortest token kept, in characters (default %(default)s)")
    p.add_argument("--no-pos-filter", dest="pos_filter", action="store_false", default=_Default(_CORPUS, "pos_filter"),
                   help="keep every part of speech")
    p.add_argument("--no-harvest", dest="harvest_quoted", action="store_false",
                   default=_Default(_CORPUS, "harvest_quoted"), help="do not add “quoted” terms to the dictionary")
    _add_traditional_options(p)
    p.add_argument("--text-column", help="text column of CSV/JSONL/XLSX/Parquet sources (default: text)")
    p.add_argument("--follow-links", action="store_true", default=_Default(_CORPUS, "follow_links"),
                   help=_FOLLOW_LINKS)
    _add_wait_option(p)
    p.add_argument("--workers", type=_bounded("COUNT"), default=_Default(_CORPUS, "workers"),
                   help="processes for tokenizing (default %(default)s: one per core; tokens do not depend on it)")
    p.add_argument("--train-workers", type=_bounded("POSITIVE_INT"), default=_Default(_MODEL, "workers"),
                   help="tomotopy training threads (default %(default)s; reruns are byte-identical for the same seed "
                        "and thread count, which the manifest records)")
    p.add_argument("--out", type=Path, help="folder for run folders (default ./runs)")
    p.add_argument("--quiet", action="store_true", help="no progress bars or lines")


class _Stderr(logging.Handler):
    """The library's log records as the one-line ``workbench: ...`` messages of the README, on
    whatever ``sys.stderr`` is at the time (tests swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        from workbench.errors import one_line

        try:
            # one line each, whatever a file name in it holds (errors.shown quotes the names it is given)
            print(f"workbench: {one_line(messages.translate(record.getMessage()))}", file=sys.stderr, flush=True)
        except Exception:  # noqa: BLE001 - logging must never break the command
            self.handleError(record)


def _unrecognized(parser: argparse.ArgumentParser, extras: list[str]) -> None:
    from difflib import get_close_matches

    known = [s for action in parser._actions for s in action.option_strings]
    close = [match for x in extras if x.startswith("--")
             for match in get_close_matches(x.split("=")[0], known, n=1)]
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    parser.error(f"unrecognized arguments: {' '.join(extras)}{hint}")


def main(argv: list[str] | None = None) -> int:
    from workbench.progress import Stages

    argv = sys.argv[1:] if argv is None else list(argv)
    logger = logging.getLogger("workbench")
    handler, level, propagate = _Stderr(), logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    # Start-up (the parser reads defaults from the library, the pipeline is imported) is a stage
    # of a training run: it takes seconds, and gets its line like every other stage, once the
    # arguments are known to be good (a usage error shows the usage alone).
    stages = Stages(progress="--quiet" not in argv)
    start = stages.begin("start") if argv[:1] == ["train"] else None
    try:
        parser = build_parser()
        args, extras = parser.parse_known_args(argv)
        command = getattr(args, "_parser", None)
        if extras:
            # argparse leaves a subcommand's unknown options to the top-level parser, which would show
            # its own usage; the user needs the subcommand's.
            _unrecognized(command or parser, extras)
        if command is None:
            parser.print_help()
            return EXIT_USAGE
        if start is not None:
            start.announce("loading the pipeline")
        args._stages, args._start = stages, start
        return args.func(args)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except BrokenPipeError:  # output piped into head & co.
        sys.stderr.close()
        return EXIT_OK
    except FileNotFoundError as exc:
        return _fail(str(exc))
    finally:
        if start is not None:
            start.end()  # a no-op once the command has ended it
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate


if __name__ == "__main__":
    sys.exit(main())
