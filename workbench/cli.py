"""The command line: each command parses its arguments and calls one library function.

Exit codes: 0 success; 1 the command could not do its work (bad input, nothing to model: the
message names the file); 2 usage error (bad arguments); 3 success, but some inputs were skipped
(each one named on standard error)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 2, 3


def _fail(msg: str, code: int = EXIT_ERROR) -> int:
    print(f"workbench: error: {msg}", file=sys.stderr)
    return code


def _configs(args, num_topics: int):
    from workbench.models.lda import ModelConfig
    from workbench.text import preprocess

    cc = preprocess.CorpusConfig(unit=args.unit, chunk_chars=args.chunk_chars, min_tokens=args.min_tokens,
                               harvest_quoted=not args.no_harvest, min_len=args.min_len,
                               pos_filter=not args.no_pos_filter, text_column=args.text_column,
                               workers=args.workers, to_simplified=args.to_simplified)
    d = ModelConfig()
    mc = ModelConfig(engine=args.engine, num_topics=num_topics, random_state=getattr(args, "seed", d.random_state),
                     alpha=d.alpha if args.alpha is None else args.alpha, eta=d.eta if args.eta is None else args.eta,
                     iterations=d.iterations if args.iterations is None else args.iterations, passes=args.passes or d.passes,
                     no_below=args.no_below, no_above=args.no_above, keyed_prior=args.keyed_prior,
                     workers=args.train_workers, term_weight=args.term_weight)
    return cc, mc


def cmd_train(args) -> int:
    from workbench import engines, errors

    cc, mc = _configs(args, args.topics)
    if args.corpus and args.sources:
        return _fail("give SOURCE files or --corpus NAME, not both (add files with `workbench ingest`)", EXIT_USAGE)
    try:
        stm_config = _stm_config(args)
    except errors.UsageError as exc:
        return _fail(str(exc), EXIT_USAGE)
    try:
        if args.engine == "spark":
            run = _train_spark(args, cc, mc)
        else:
            from workbench.outputs.charts import write_run_figures

            sources = [Path(s) for s in args.sources] or None
            run = engines.train(sources, corpus_config=cc, model_config=mc, corpus_name=args.corpus,
                                themes_file=args.themes, out_dir=args.out, progress=not args.quiet,
                                figures=write_run_figures, stm_config=stm_config)
    except errors.UsageError as exc:
        return _fail(str(exc), EXIT_USAGE)
    except (errors.PipelineError, ValueError) as exc:
        return _fail(str(exc))
    print(run)
    return EXIT_OK


def _stm_config(args):
    """``--model stm --prevalence FORMULA`` as a StmConfig (None for LDA); the formula is parsed here,
    before any text is read."""
    from workbench import errors
    from workbench.models import stm

    if args.model != "stm" and not args.prevalence:
        return None
    if not args.prevalence:
        raise errors.UsageError("--model stm needs --prevalence FORMULA over metadata columns, e.g. \"s(year) + doc_type\"")
    if args.engine == "spark":
        raise errors.UsageError("--model stm runs on this machine only (drop --engine spark)")
    return stm.StmConfig(prevalence=stm.normalize_formula(args.prevalence),
                         max_em_iterations=args.em_iterations or stm.StmConfig.max_em_iterations)


def _train_spark(args, cc, mc) -> Path:
    from workbench.engines import spark

    conf = []
    for item in args.spark_conf:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"'{item}': write Spark settings as KEY=VALUE, e.g. spark.executor.memory=8g")
        conf.append((key.strip(), value.strip()))
    d = spark.SparkConfig()
    sc = spark.SparkConfig(master=args.master, conf=tuple(conf), scratch_dir=args.spark_scratch,
                           max_iter=args.max_iter or d.max_iter,
                           subsampling_rate=args.subsampling_rate or d.subsampling_rate)
    # The Spark engine reads its sources itself (globs and hdfs:// or s3a:// URIs pass through).
    return spark.train(args.sources or None, corpus_config=cc, model_config=mc,
                       spark_config=sc, themes_file=args.themes, out_dir=args.out, corpus_name=args.corpus,
                       progress=not args.quiet)


def cmd_sweep(args) -> int:
    from workbench import errors
    from workbench.analysis import sweep

    try:
        ks = [int(k) for k in args.topics.split(",") if k.strip()]
        seeds = [int(k) for k in args.seeds.split(",") if k.strip()]
    except ValueError:
        return _fail("--topics and --seeds take comma-separated whole numbers, e.g. --topics 5,10,15", EXIT_USAGE)
    cc, mc = _configs(args, ks[0] if ks else 1)
    if args.corpus and args.sources:
        return _fail("give SOURCE files or --corpus NAME, not both", EXIT_USAGE)
    try:
        folder = sweep.sweep([Path(s) for s in args.sources] or None, ks, seeds, cc, mc, args.out,
                             progress=not args.quiet, corpus_name=args.corpus)
    except (errors.PipelineError, ValueError) as exc:
        return _fail(str(exc))
    print((folder / "recommendation.txt").read_text(encoding="utf-8").strip())
    print(folder)
    return EXIT_OK


def cmd_ingest(args) -> int:
    from contextlib import closing
    from datetime import datetime, timezone

    from workbench.corpus import ingest, store

    try:
        with closing(store.connect()) as conn:
            report = store.ingest(conn, args.sources, args.corpus, text_column=args.text_column)
    except ingest.IngestError as exc:
        return _fail(str(exc))
    ingest.report(list(report.skipped))
    report_file = args.report or (store.default_path().parent / "reports" /
                                  f"ingest-{datetime.now(timezone.utc):%Y%m%d-%H%M%S}-{args.corpus}.txt")
    report_file.parent.mkdir(parents=True, exist_ok=True)
    report_file.write_text(report.summary() + "\n" + "".join(f"{p}\n" for p in report.skipped), encoding="utf-8")
    print(report.summary())
    print(f"report: {report_file}")
    if report.added + report.unchanged + report.updated == 0:
        return _fail(f"no document could be read from {', '.join(map(str, args.sources))} (see the report above)")
    return EXIT_PARTIAL if report.skipped else EXIT_OK


def _run_path(value) -> Path:
    from workbench.runfolder.reader import latest_run

    return latest_run() if value in (None, "latest") else Path(value)


def cmd_topics(args) -> int:
    import pandas as pd

    from workbench.analysis import reading
    from workbench.runfolder.reader import load_run

    run = load_run(_run_path(args.run))
    table = reading.topic_table(run.topic_term, run.terms["corpus_freq"].to_numpy(), run.vocab, n=args.n,
                                lam=args.lam, labels=run.labels, doc_topic=run.doc_topics)
    if args.csv:
        from workbench.files import write_csv
        write_csv(table, args.csv)
    with pd.option_context("display.max_colwidth", 200, "display.width", 250, "display.unicode.east_asian_width", True):
        print(f"{run.path}  ({run.num_topics} topics; relevance λ={args.lam}; FREX w=0.5)")
        for row in table.itertuples():
            name = f"{row.topic}" + (f" {row.label}" if row.label else "")
            print(f"\n[{name}]  share {row.share:.3f}")
            print(f"  prob:      {row.prob}")
            print(f"  relevance: {row.relevance}")
            print(f"  frex:      {row.frex}")
    return EXIT_OK


def cmd_export(args) -> int:
    from workbench.outputs import export
    from workbench.runfolder.reader import load_run

    run = load_run(_run_path(args.run))
    table = export.aggregate_to_articles(run.doc_topics) if args.articles else run.doc_topics
    suffix = {"csv": ".csv", "xlsx": ".xlsx", "parquet": ".parquet", "dta": ".dta"}[args.format]
    out = args.out or run.path / "exports" / f"doc_topics{'_articles' if args.articles else ''}{suffix}"
    out.parent.mkdir(parents=True, exist_ok=True)
    path = export.export_table(table, out, args.format, labels=run.labels, source=f"workbench run {run.path.name}")
    print(path)
    return EXIT_OK


def cmd_label(args) -> int:
    from workbench import runfolder

    run = _run_path(args.run)
    labels = runfolder.read_labels(run)
    for item in args.labels:
        topic, sep, label = item.partition("=")
        if not sep or not topic.strip().isdigit():
            return _fail(f"'{item}': write labels as TOPIC=LABEL, e.g. 0=脱贫攻坚", EXIT_USAGE)
        if label.strip():
            labels[int(topic)] = label.strip()
        else:
            labels.pop(int(topic), None)
    try:
        runfolder.write_labels(run, labels)
    except ValueError as exc:
        return _fail(str(exc))
    for k in sorted(labels):
        print(f"{k}\t{labels[k]}")
    return EXIT_OK


def cmd_compare(args) -> int:
    import pandas as pd

    from workbench import runfolder
    from workbench.analysis import compare

    a, b = Path(args.run_a), Path(args.run_b)
    try:
        table = compare.compare_runs(a, b, threshold=args.threshold)
    except (FileNotFoundError, ValueError) as exc:
        return _fail(str(exc))
    out = args.out or b / f"compare_{a.name}.csv"
    compare.write_comparison(table, out)
    if args.carry_labels:
        labels_b = runfolder.read_labels(b)
        carried = {k: v for k, v in compare.carry_labels(table, runfolder.read_labels(a)).items() if k not in labels_b}
        if carried:
            runfolder.write_labels(b, {**labels_b, **carried})
    counts = table["status"].value_counts()
    print("  ".join(f"{k}: {counts.get(k, 0)}" for k in ("matched", "split", "merged", "new", "vanished")))
    def topic(value) -> str:
        return "" if pd.isna(value) else str(int(value))

    for row in table.itertuples():
        print(f"{row.status:9} A{topic(row.topic_a):>3} -> B{topic(row.topic_b):>3}  sim {row.similarity:.2f}  "
              f"{row.label_a or ''}  {row.top_terms_a or ''} | {row.top_terms_b or ''}")
    print(out)
    return EXIT_OK


def _int_list(text: str | None, option: str) -> list[int] | None:
    if text is None:
        return None
    try:
        return [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise ValueError(f"{option} takes comma-separated whole numbers, e.g. {option} 3,7") from None


def cmd_prevalence(args) -> int:
    from workbench.analysis import timeline
    from workbench.runfolder.reader import load_run

    try:
        topics = _int_list(args.topics, "--topics")
        periods = _int_list(args.periods, "--periods")
    except ValueError as exc:
        return _fail(str(exc), EXIT_USAGE)
    where: dict[str, list[str]] = {}
    for item in args.where:
        col, sep, value = item.partition("=")
        if not sep or not col.strip():
            return _fail(f"'{item}': write filters as COLUMN=VALUE, e.g. doc_type=government_work_report", EXIT_USAGE)
        where.setdefault(col.strip(), []).append(value.strip())
    run = load_run(_run_path(args.run))
    try:
        if args.cue:
            cue = [w for w in args.cue.split(",") if w.strip()]
            evidence = timeline.cue_table(run, cue, n=3)
            found = int(evidence.loc[evidence["chosen"], "topic"].iloc[0])
            print(f"cue words {'、'.join(cue)} -> topic {found}; the evidence (cue words among the top 20 terms "
                  f"by relevance, with rank; p(cue words | topic)):")
            for row in evidence.itertuples():
                print(f"  topic {row.topic:>3}  {row.cue_hits or '-'}  {row.cue_mass:.4f}  {row.top_terms}")
            if evidence.attrs["missing"]:
                print(f"  not in the vocabulary: {'、'.join(evidence.attrs['missing'])}")
            topics = [*(topics or []), found]
        result = timeline.write_prevalence(run, topics if topics else None, args.by, out_dir=args.out,
                                           where=where or None, periods=periods, n_boot=args.n_boot,
                                           cluster=None if args.cluster == "none" else args.cluster)
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
        topics = _int_list(args.topics, "--topics")
    except ValueError as exc:
        return _fail(str(exc), EXIT_USAGE)
    groups = [g.strip() for g in args.groups.split(",")] if args.groups else None
    config = covariates.EffectConfig(nsims=args.nsims, cluster=None if args.cluster == "none" else args.cluster,
                                     seed=args.seed)
    try:
        effect, csv, coef_csv, png = covariates.write_effect(_run_path(args.run), args.covariate, formula=args.formula,
                                                             topics=topics, groups=groups, config=config,
                                                             out_dir=args.out)
    except errors.UsageError as exc:
        return _fail(str(exc), EXIT_USAGE)
    print(covariates.summary(effect))
    for path in (png, csv, coef_csv):
        print(path)
    return EXIT_OK


def cmd_notebook(args) -> int:
    from workbench import notebook

    return notebook.launch(args.run, port=args.port)


def cmd_verify(args) -> int:
    from workbench.runfolder.reader import verify_run

    bad = verify_run(Path(args.run))
    for f in bad:
        print(f"workbench: {Path(args.run) / f}: does not match the manifest's sha256", file=sys.stderr)
    if not bad:
        print(f"{args.run}: every file matches manifest.json")
    return EXIT_ERROR if bad else EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    from workbench.models.lda import ENGINES, ModelConfig

    d = ModelConfig()
    p = argparse.ArgumentParser(prog="workbench", description="Topic models for Chinese political and government text.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    t = sub.add_parser("train", help="train a topic model and write a run folder (prints its path last)",
                       description="Train LDA on SOURCE files/folders (default: the bundled seeds/) or a named "
                                   "corpus, and write a run folder under runs/. The last line printed is its path.")
    t.add_argument("--topics", type=int, default=d.num_topics, help=f"free topics (default {d.num_topics})")
    t.add_argument("--seed", type=int, default=d.random_state, help=f"random seed (default {d.random_state})")
    t.add_argument("--themes", type=Path, help="TOML file of keyed themes (name = [seed words])")
    t.add_argument("--model", choices=("lda", "stm"), default="lda",
                   help="lda (default) or stm: a structural topic model with --prevalence covariates (topica)")
    t.add_argument("--prevalence", metavar="FORMULA",
                   help="STM prevalence formula over metadata columns, e.g. \"s(year) + doc_type\" (s(): spline, "
                        "C(): categories; year comes from date)")
    t.add_argument("--em-iterations", type=int, help="STM: most EM iterations (default 500; stops at tolerance 1e-5)")
    _add_corpus_and_model_options(t, d, engines=(*ENGINES, "spark"))
    sp = t.add_argument_group("Spark engine (--engine spark; see docs/spark.md)")
    sp.add_argument("--master", default="local[2]",
                    help="Spark master: local[N], spark://HOST:7077, yarn, k8s://... (default local[2])")
    sp.add_argument("--spark-conf", action="append", default=[], metavar="KEY=VALUE",
                    help="a Spark setting, e.g. spark.executor.memory=8g (repeatable)")
    sp.add_argument("--spark-scratch", metavar="URI",
                    help="folder for intermediate Parquet (default: the run's temporary folder with a local "
                         "master, workbench-scratch/ on the cluster's file system otherwise)")
    sp.add_argument("--max-iter", type=int, help="online LDA mini-batch updates (default 100)")
    sp.add_argument("--subsampling-rate", type=float,
                    help="share of units per mini-batch; max-iter x rate = passes (default 0.2)")
    t.set_defaults(func=cmd_train)

    sw = sub.add_parser("sweep", help="train one model per K (and seed) and say which K the evidence favours",
                        description="Train one model per K in --topics (and per seed in --seeds) on a held-out "
                                    "split and write sweep.csv, sweep.png and recommendation.txt (coherence c_npmi "
                                    "and c_v, held-out perplexity, topic diversity, stability across seeds) to "
                                    "runs/sweep-<time>-<hash>/. The last line printed is that folder.")
    sw.add_argument("--topics", default="5,10,15,20,30", help="comma-separated K values (default 5,10,15,20,30)")
    sw.add_argument("--seeds", default="0", help="comma-separated seeds; two or more measure stability (default 0)")
    _add_corpus_and_model_options(sw, d)
    sw.set_defaults(func=cmd_sweep)

    i = sub.add_parser("ingest", help="add files or folders to a named corpus in the store",
                       description="Add SOURCE files/folders to corpus NAME in the store (.workbench/store.sqlite). "
                                   "Documents are keyed by content: re-ingesting adds nothing. Prints added / "
                                   "unchanged / skipped, and writes the same report to a file.")
    i.add_argument("sources", nargs="+", type=Path, metavar="SOURCE", help="files or folders to add")
    i.add_argument("--corpus", required=True, help="corpus name")
    i.add_argument("--text-column", help="text column of CSV/JSONL/XLSX/Parquet sources (default: text)")
    i.add_argument("--report", type=Path, help="where to write the ingest report (default .workbench/reports/)")
    i.set_defaults(func=cmd_ingest)

    tp = sub.add_parser("topics", help="print a run's topic table (probability, relevance, FREX)",
                        description="Print the topics of RUN (default: the newest run): top terms by probability, "
                                    "by pyLDAvis relevance at λ, and by FREX (as stm's labelTopics), with labels and shares.")
    tp.add_argument("run", nargs="?", help="run folder (default: newest under ./runs)")
    tp.add_argument("--lambda", dest="lam", type=float, default=0.6, help="relevance λ (default 0.6)")
    tp.add_argument("-n", type=int, default=10, help="terms per topic (default 10)")
    tp.add_argument("--csv", type=Path, help="also write the table as CSV")
    tp.set_defaults(func=cmd_topics)

    e = sub.add_parser("export", help="export the labelled topic-per-document table",
                       description="Export RUN's doc_topics joined to metadata, with topic labels, as CSV (UTF-8 "
                                   "with BOM), XLSX, Parquet or Stata .dta (version 118).")
    e.add_argument("run", nargs="?", help="run folder (default: newest under ./runs)")
    e.add_argument("--format", choices=("csv", "xlsx", "parquet", "dta"), default="csv", help="file format (default csv)")
    e.add_argument("--articles", action="store_true", help="one row per article (token-weighted mean of its units)")
    e.add_argument("--out", type=Path, help="output file (default RUN/exports/doc_topics.<ext>)")
    e.set_defaults(func=cmd_export)

    lb = sub.add_parser("label", help="name topics (stored with the run, shown in every table and chart)",
                        description="Set topic labels of RUN, e.g. `workbench label runs/X 0=脱贫攻坚 3=纪检监察`; "
                                    "an empty label (3=) removes one.")
    lb.add_argument("run", help="run folder")
    lb.add_argument("labels", nargs="+", metavar="TOPIC=LABEL", help="topic id and its label")
    lb.set_defaults(func=cmd_label)

    c = sub.add_parser("compare", help="match the topics of two runs (stayed, split, merged, new, vanished)",
                       description="Match RUN_A's topics to RUN_B's over their shared vocabulary (1 - Jensen-Shannon "
                                   "distance, optimal assignment), write the table to RUN_B/compare_<RUN_A>.csv, and "
                                   "carry RUN_A's labels to their matches in RUN_B.")
    c.add_argument("run_a", help="the earlier run")
    c.add_argument("run_b", help="the later run")
    c.add_argument("--threshold", type=float, help="similarity for a match (default 0.5)")
    c.add_argument("--out", type=Path, help="output CSV")
    c.add_argument("--no-carry-labels", dest="carry_labels", action="store_false",
                   help="do not copy RUN_A's labels to RUN_B's unlabelled matches")
    c.set_defaults(func=cmd_compare)

    pv = sub.add_parser("prevalence", help="topic shares per year (or any metadata column), with bootstrap intervals",
                        description="Share of topics per value of --by (a year parsed from `date`, or any metadata "
                                    "column), weighted by tokens, with a bootstrap interval that resamples whole "
                                    "articles; writes RUN/prevalence/prevalence_by_<by>.csv and .png.")
    pv.add_argument("run", nargs="?", help="run folder (default: newest under ./runs)")
    pv.add_argument("--by", default="year", help="metadata column to group by (default year, from date)")
    pv.add_argument("--topics", help="comma-separated topic ids (default: all)")
    pv.add_argument("--cue", help="comma-separated cue words: add the topic they name, e.g. --cue 反腐败,廉政,纪检")
    pv.add_argument("--where", action="append", default=[], metavar="COLUMN=VALUE",
                    help="keep only units with this metadata value (repeatable; several values of one column = any)")
    pv.add_argument("--periods", help="bin years into periods starting at these years, e.g. 1993,2013")
    pv.add_argument("--cluster", default="doc_id",
                    help="what the bootstrap resamples: doc_id (articles, default) or none (units: use when "
                         "each group is one document)")
    pv.add_argument("--n-boot", type=int, default=1000, help="bootstrap resamples (default 1000; 0: no interval)")
    pv.add_argument("--out", type=Path, help="output folder (default RUN/prevalence)")
    pv.set_defaults(func=cmd_prevalence)

    from workbench.analysis.covariates import EffectConfig

    de = EffectConfig()
    ef = sub.add_parser("effect", help="effect of a covariate on topic prevalence, with the topic model's uncertainty",
                        description="R stm's estimateEffect by the method of composition: posterior draws of θ "
                                    "(STM: logistic-normal, global covariance; LDA: Dirichlet of each unit's topic "
                                    "counts), one regression per draw with errors clustered by article, pooled. "
                                    "Writes RUN/effects/effect_<covariate>.csv, _coefficients.csv and .png: the "
                                    "expected proportion over a numeric covariate, or the difference of two groups.")
    ef.add_argument("run", nargs="?", help="run folder (default: newest under ./runs)")
    ef.add_argument("--covariate", required=True, help="the metadata column to vary (year comes from date)")
    ef.add_argument("--formula", help="regression over metadata columns (default: an STM run's --prevalence; "
                                      "for LDA s(COVARIATE) when numeric, COVARIATE otherwise)")
    ef.add_argument("--topics", help="comma-separated topic ids (default: all)")
    ef.add_argument("--groups", metavar="A,B", help="two values of a categorical covariate: plot A - B "
                                                    "(default: its two most frequent)")
    ef.add_argument("--nsims", type=int, default=de.nsims, help=f"posterior draws of θ (default {de.nsims})")
    ef.add_argument("--cluster", default=de.cluster,
                    help=f"column whose units share errors (default {de.cluster}; none: every unit alone)")
    ef.add_argument("--seed", type=int, default=de.seed, help=f"random seed of the draws (default {de.seed})")
    ef.add_argument("--out", type=Path, help="output folder (default RUN/effects)")
    ef.set_defaults(func=cmd_effect)

    nb = sub.add_parser("notebook", help="open JupyterLab on notebooks/",
                        description="Start JupyterLab in notebooks/; with RUN, the notebooks open that run "
                                    "(default: the newest).")
    nb.add_argument("run", nargs="?", help="run folder for the notebooks")
    nb.add_argument("--port", type=int, help="port for JupyterLab")
    nb.set_defaults(func=cmd_notebook)

    v = sub.add_parser("verify", help="check a run folder's files against its manifest",
                       description="Compare the sha256 of every file of RUN with manifest.json (labels excepted).")
    v.add_argument("run", help="run folder")
    v.set_defaults(func=cmd_verify)
    return p


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


def _add_corpus_and_model_options(p, d, engines=None) -> None:
    from workbench.corpus.units import UNIT_KINDS
    from workbench.models.lda import ENGINES

    p.add_argument("sources", nargs="*", metavar="SOURCE",
                   help=".txt/.html files or folders (recursive), .jsonl/.csv/.xlsx/.parquet with a text column")
    p.add_argument("--corpus", help="use a named corpus of the store instead of SOURCE (see `workbench ingest`)")
    p.add_argument("--unit", choices=UNIT_KINDS, default="paragraph", help="what one modelled document is (default paragraph)")
    p.add_argument("--chunk-chars", type=int, default=1000, help="characters per chunk with --unit chunk (default 1000)")
    p.add_argument("--engine", choices=engines or ENGINES, default=d.engine, help=f"LDA engine (default {d.engine})")
    p.add_argument("--alpha", type=float, help=f"symmetric document-topic prior (default {d.alpha})")
    p.add_argument("--eta", type=float, help=f"topic-word prior (default {d.eta})")
    p.add_argument("--iterations", type=_iterations, metavar="auto|N",
                   help="Gibbs sweeps, tomotopy: 'auto' (the default) trains until the chain has converged "
                        f"({d.convergence.min_iterations}-{d.convergence.max_iterations} sweeps, the rule is in the "
                        "manifest and convergence.png), N runs exactly N")
    p.add_argument("--passes", type=int, help=f"passes, gensim (default {d.passes})")
    p.add_argument("--term-weight", choices=("one", "idf", "pmi"), default=d.term_weight,
                   help=f"tomotopy term weighting (default {d.term_weight})")
    p.add_argument("--no-below", type=int, default=d.no_below, help=f"drop terms in fewer units (default {d.no_below})")
    p.add_argument("--no-above", type=float, default=d.no_above,
                   help=f"drop terms in a larger share of units (default {d.no_above})")
    p.add_argument("--keyed-prior", type=float, default=d.keyed_prior,
                   help=f"seed-word prior on its keyed topic (default {d.keyed_prior})")
    p.add_argument("--min-tokens", type=int, default=5, help="leave out units with fewer tokens (default 5)")
    p.add_argument("--min-len", type=int, default=2, help="shortest token kept, in characters (default 2)")
    p.add_argument("--no-pos-filter", action="store_true", help="keep every part of speech")
    p.add_argument("--no-harvest", action="store_true", help="do not add “quoted” terms to the dictionary")
    p.add_argument("--to-simplified", action="store_true",
                   help="convert Traditional characters to Simplified before tokenizing (OpenCC t2s)")
    p.add_argument("--text-column", help="text column of CSV/JSONL/XLSX/Parquet sources (default: text)")
    p.add_argument("--workers", type=int, default=0,
                   help="processes for tokenizing (default: one per core; tokens do not depend on it)")
    p.add_argument("--train-workers", type=int, default=d.workers,
                   help=f"tomotopy training threads (default {d.workers}; reruns are byte-identical for the same seed "
                        "and thread count, which the manifest records)")
    p.add_argument("--out", type=Path, help="folder for run folders (default ./runs)")
    p.add_argument("--quiet", action="store_true", help="no progress bars")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except BrokenPipeError:  # output piped into head & co.
        sys.stderr.close()
        return EXIT_OK
    except FileNotFoundError as exc:
        return _fail(str(exc))


if __name__ == "__main__":
    sys.exit(main())
