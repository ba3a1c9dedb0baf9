"""The command line: each command parses its arguments and calls one library function.

Exit codes: 0 success; 1 the command could not do its work (bad input, nothing to model: the
message names the file); 2 usage error (bad arguments); 3 success, but some inputs were skipped
(each one named on standard error).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 2, 3


def _fail(msg: str, code: int = EXIT_ERROR) -> int:
    print(f"workbench: error: {msg}", file=sys.stderr)
    return code


def cmd_train(args) -> int:
    from . import pipeline
    from .models import ModelConfig

    cc = pipeline.CorpusConfig(unit=args.unit, chunk_chars=args.chunk_chars, min_tokens=args.min_tokens,
                               harvest_quoted=not args.no_harvest, min_len=args.min_len,
                               pos_filter=not args.no_pos_filter, text_column=args.text_column)
    defaults = ModelConfig()
    mc = ModelConfig(engine=args.engine, num_topics=args.topics, random_state=args.seed,
                     alpha=args.alpha if args.alpha is not None else defaults.alpha,
                     eta=args.eta if args.eta is not None else defaults.eta,
                     iterations=args.iterations or defaults.iterations, passes=args.passes or defaults.passes,
                     no_below=args.no_below, no_above=args.no_above, keyed_prior=args.keyed_prior)
    try:
        run = pipeline.train(args.sources or None, corpus_config=cc, model_config=mc,
                             themes_file=args.themes, out_dir=args.out, progress=not args.quiet)
    except (pipeline.PipelineError, ValueError) as exc:
        return _fail(str(exc))
    print(run)
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    from .models import ENGINES, ModelConfig
    from .units import UNIT_KINDS

    d = ModelConfig()
    p = argparse.ArgumentParser(prog="workbench", description="Topic models for Chinese political and government text.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    t = sub.add_parser("train", help="train a topic model and write a run folder (prints its path last)",
                       description="Train LDA on SOURCE files/folders (default: the bundled seeds/) and "
                                   "write a run folder under runs/. The last line printed is its path.")
    t.add_argument("sources", nargs="*", type=Path, metavar="SOURCE",
                   help=".txt files or folders (recursive), .jsonl/.csv/.xlsx/.parquet with a text column")
    t.add_argument("--topics", type=int, default=d.num_topics, help=f"free topics (default {d.num_topics})")
    t.add_argument("--unit", choices=UNIT_KINDS, default="paragraph", help="what one modelled document is (default paragraph)")
    t.add_argument("--chunk-chars", type=int, default=1000, help="characters per chunk with --unit chunk")
    t.add_argument("--seed", type=int, default=d.random_state, help=f"random seed (default {d.random_state})")
    t.add_argument("--themes", type=Path, help="TOML file of keyed themes (name = [seed words])")
    t.add_argument("--engine", choices=ENGINES, default=d.engine, help=f"LDA engine (default {d.engine})")
    t.add_argument("--alpha", type=float, help=f"symmetric document-topic prior (default {d.alpha})")
    t.add_argument("--eta", type=float, help=f"topic-word prior (default {d.eta})")
    t.add_argument("--iterations", type=int, help=f"Gibbs sweeps, tomotopy (default {d.iterations})")
    t.add_argument("--passes", type=int, help=f"passes, gensim (default {d.passes})")
    t.add_argument("--no-below", type=int, default=d.no_below, help=f"drop terms in fewer units (default {d.no_below})")
    t.add_argument("--no-above", type=float, default=d.no_above, help=f"drop terms in a larger share of units (default {d.no_above})")
    t.add_argument("--keyed-prior", type=float, default=d.keyed_prior, help=f"seed-word prior on its keyed topic (default {d.keyed_prior})")
    t.add_argument("--min-tokens", type=int, default=5, help="leave out units with fewer tokens (default 5)")
    t.add_argument("--min-len", type=int, default=2, help="shortest token kept, in characters (default 2)")
    t.add_argument("--no-pos-filter", action="store_true", help="keep every part of speech")
    t.add_argument("--no-harvest", action="store_true", help="do not add “quoted” terms to the dictionary")
    t.add_argument("--text-column", help="text column of CSV/JSONL/XLSX/Parquet sources (default: text)")
    t.add_argument("--out", type=Path, help="folder for run folders (default ./runs)")
    t.add_argument("--quiet", action="store_true", help="no progress bars")
    t.set_defaults(func=cmd_train)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except FileNotFoundError as exc:
        return _fail(str(exc))


if __name__ == "__main__":
    sys.exit(main())
