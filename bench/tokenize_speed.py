"""Tokenization throughput and token identity: jieba.lcut in one process against the workbench's
segmenter (rjieba engine), on the same texts.

    python bench/tokenize_speed.py                  # all of 2023, 3 repetitions
    python bench/tokenize_speed.py --year 2024 --reps 5 --max-mb 10

Measured (median of ``--reps`` repetitions, MB/s of UTF-8 text; dictionaries loaded before timing):

- ``jieba_lcut``: jieba's module-level ``jieba.lcut`` (HMM on, the default) after
  ``jieba.load_userdict`` of every file in dictionaries/, one process: what a notebook does;
- ``rjieba_raw_tokens``: ``get_tokenizer(default_config()).raw_tokens``, one process;
- ``rjieba_segment``: ``Tokenizer.segment`` (tokens plus part-of-speech tags, what the pipeline
  caches), one process;
- ``pool2_segment``: the pipeline's ``_Segmenter`` with 2 worker processes (fork start and pool
  shutdown included);
- ``pipeline_prepare``: a cold ``preprocess.prepare`` of the year (fresh store and cache, article
  units): its ``seconds_segmenting_misses`` (segmentation alone) and ``seconds_tokenize`` (the whole
  stage: cache keys and look-ups, segmentation, cache writes, filters, term ids).

Token identity: ``Tokenizer(TokenizerConfig(..., engine="jieba"))`` (jieba itself, the same user
words with the same frequencies) against the rjieba engine, HMM on, every document: the share of
jieba's tokens that fall in difflib ``SequenceMatcher`` matching blocks (exact per-document
comparison first; ``autojunk=False``). Also reported for jieba's module-level ``lcut`` with
``load_userdict`` (the baseline's tokens), whose user-word frequencies differ slightly.

Writes bench/out/tokenize_speed.json.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = (ROOT / ".." / "shared" / "corpora" / "xinwenlianbo").resolve()


def load_texts(year: int, max_mb: float | None) -> list[str]:
    texts, size = [], 0
    with open(CORPUS / f"xinwenlianbo_{year}.jsonl", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                t = json.loads(line)["text"]
                texts.append(t)
                size += len(t.encode("utf-8"))
                if max_mb and size >= max_mb * 2**20:
                    break
    return texts


def timed(fn, reps: int) -> list[float]:
    out = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def identity(a_docs: list[list[str]], b_docs: list[list[str]]) -> dict:
    """Share of a's tokens in matching blocks with b, and share of documents identical."""
    same_docs = matched = total_a = total_b = 0
    for a, b in zip(a_docs, b_docs):
        total_a += len(a)
        total_b += len(b)
        if a == b:
            same_docs += 1
            matched += len(a)
        else:
            sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
            matched += sum(m.size for m in sm.get_matching_blocks())
    return {"tokens_reference": total_a, "tokens_other": total_b, "tokens_matched": matched,
            "share_identical_positions": matched / max(total_a, 1),
            "documents": len(a_docs), "documents_identical": same_docs,
            "share_documents_identical": same_docs / max(len(a_docs), 1)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--year", type=int, default=2023)
    ap.add_argument("--max-mb", type=float, default=None, help="stop reading after this many MB of text")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--no-prepare", action="store_true", help="skip the cold preprocess.prepare measurement")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "tokenize_speed.json")
    args = ap.parse_args(argv)

    texts = load_texts(args.year, args.max_mb)
    mb = sum(len(t.encode("utf-8")) for t in texts) / 2**20
    chars = sum(len(t) for t in texts)
    print(f"{len(texts)} texts of {args.year}, {mb:.2f} MB UTF-8, {chars / 1e6:.2f} M characters", flush=True)
    res: dict = {"year": args.year, "n_texts": len(texts), "mb_utf8": round(mb, 3), "chars": chars, "reps": args.reps,
                 "nproc": os.cpu_count(), "throughput_mb_s": {}, "seconds": {}}

    def record(name: str, secs: list[float]):
        res["seconds"][name] = [round(s, 3) for s in secs]
        res["throughput_mb_s"][name] = round(mb / statistics.median(secs), 3)
        print(f"{name:22} median {statistics.median(secs):7.2f} s  {mb / statistics.median(secs):7.2f} MB/s  "
              f"(runs {', '.join(f'{s:.2f}' for s in secs)})", flush=True)

    # -- jieba.lcut, module level, as the tutorials and bench/baseline_tutorial.py --------------
    import logging

    import jieba

    logging.getLogger("jieba").setLevel(logging.WARNING)
    t0 = time.perf_counter()
    for d in sorted((ROOT / "dictionaries").glob("*.txt")):
        jieba.load_userdict(str(d))
    jieba.initialize()
    res["seconds_setup_jieba"] = round(time.perf_counter() - t0, 3)
    lcut_tokens: list[list[str]] = []

    def run_lcut():
        lcut_tokens.clear()
        lcut_tokens.extend([t for t in jieba.lcut(x) if t.strip()] for x in texts)

    record("jieba_lcut", timed(run_lcut, args.reps))

    # -- the workbench tokenizer ------------------------------------------------------------------
    from workbench.text import preprocess
    from workbench.text.tokenize import Tokenizer, default_config, get_tokenizer

    cfg = default_config()
    t0 = time.perf_counter()
    tok = get_tokenizer(cfg)
    res["seconds_setup_rjieba"] = round(time.perf_counter() - t0, 3)
    rj_tokens: list[list[str]] = []

    def run_raw():
        rj_tokens.clear()
        rj_tokens.extend(tok.raw_tokens(x) for x in texts)

    record("rjieba_raw_tokens", timed(run_raw, args.reps))
    record("rjieba_segment", timed(lambda: [tok.segment(x) for x in texts], args.reps))

    def run_pool():
        seg = preprocess._Segmenter(tok, 2)
        try:
            seg(texts)
        finally:
            seg.close()

    record("pool2_segment", timed(run_pool, args.reps))

    # -- token identity ---------------------------------------------------------------------------
    t0 = time.perf_counter()
    jb = Tokenizer(replace(cfg, engine="jieba"))
    jb_tokens = [jb.raw_tokens(x) for x in texts]
    res["seconds_jieba_engine_one_pass"] = round(time.perf_counter() - t0, 3)
    res["identity_jieba_engine_vs_rjieba"] = identity(jb_tokens, rj_tokens)
    res["identity_jieba_lcut_userdict_vs_rjieba"] = identity(lcut_tokens, rj_tokens)
    for k in ("identity_jieba_engine_vs_rjieba", "identity_jieba_lcut_userdict_vs_rjieba"):
        v = res[k]
        print(f"{k}: {v['share_identical_positions']:.5%} of {v['tokens_reference']} tokens, "
              f"{v['share_documents_identical']:.2%} of documents identical", flush=True)
    # Examples of differences, for the note
    diffs = []
    for a, b in zip(jb_tokens, rj_tokens):
        if a != b and len(diffs) < 5:
            sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
            for op, i1, i2, j1, j2 in sm.get_opcodes():
                if op != "equal":
                    diffs.append({"jieba": a[max(i1 - 2, 0):i2 + 2], "rjieba": b[max(j1 - 2, 0):j2 + 2]})
                    break
    res["identity_examples"] = diffs

    # -- the pipeline's tokenize stage, cold --------------------------------------------------------
    if not args.no_prepare:
        prep = []
        for _ in range(args.reps):
            with tempfile.TemporaryDirectory() as tmp:
                os.environ["WORKBENCH_CACHE"] = str(Path(tmp) / "cache")
                get_tokenizer.cache_clear()
                corpus = preprocess.prepare([CORPUS / f"xinwenlianbo_{args.year}.jsonl"],
                                          preprocess.CorpusConfig(unit="article"), no_below=5, no_above=0.5,
                                          store_path=Path(tmp) / "store.sqlite", progress=False)
                st = dict(corpus.stats)
                st["unit_mb_utf8"] = round(sum(len(u.text.encode("utf-8")) for _, u in corpus.iter_units()) / 2**20, 3)
                prep.append(st)
        res["pipeline_prepare"] = prep
        seg_s = statistics.median(p["seconds_segmenting_misses"] for p in prep)
        tok_s = statistics.median(p["seconds_tokenize"] for p in prep)
        umb = prep[0]["unit_mb_utf8"]
        res["throughput_mb_s"]["pipeline_segmenting_misses"] = round(umb / seg_s, 3)
        res["throughput_mb_s"]["pipeline_tokenize_stage"] = round(umb / tok_s, 3)
        print(f"preprocess.prepare cold: segmenting {seg_s:.2f} s ({umb / seg_s:.2f} MB/s of {umb:.2f} MB units), "
              f"whole tokenize stage {tok_s:.2f} s ({umb / tok_s:.2f} MB/s); workers={prep[0].get('workers')}",
              flush=True)

    base = res["throughput_mb_s"]["jieba_lcut"]
    res["speedup_over_jieba_lcut"] = {k: round(v / base, 2) for k, v in res["throughput_mb_s"].items()}
    print("speed-up over jieba.lcut: " + ", ".join(f"{k} {v}x" for k, v in res["speedup_over_jieba_lcut"].items()))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(res, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
