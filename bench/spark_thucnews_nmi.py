"""Benchmark: do Spark-engine topics recover THUCNews's labels about as well as the gensim engine's?

    python bench/spark_thucnews_nmi.py              # all 1,000 labelled articles, K=10
    python bench/spark_thucnews_nmi.py --per-label 50

Reads ../shared/corpora/thucnews-fulltext-1k/ (10 labels x 100 articles; research-use licence,
so it is read in place, never copied into the project). Same preprocessing and vocabulary for
both engines (whole articles as units); reports the normalised mutual information between each
article's dominant topic and its label, for gensim's online LDA and Spark MLlib's online LDA.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
THUCNEWS = ROOT.parent / "shared" / "corpora" / "thucnews-fulltext-1k" / "thucnews_fulltext_1k.jsonl"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-label", type=int, default=100, help="articles per label (default 100: all)")
    ap.add_argument("--topics", type=int, default=10)
    args = ap.parse_args()
    if not THUCNEWS.exists():
        print(f"{THUCNEWS} is absent", file=sys.stderr)
        return 1

    from sklearn.metrics import normalized_mutual_info_score as nmi

    from workbench import models, runfolder
    from workbench.engines import spark as wsp
    from workbench.models.lda import ModelConfig
    from workbench.text import preprocess

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        src, taken = tmp / "thucnews.jsonl", {}
        with open(THUCNEWS, encoding="utf-8") as fh, open(src, "w", encoding="utf-8") as out:
            for line in fh:
                label = json.loads(line)["label"]
                if taken.get(label, 0) < args.per_label:
                    taken[label] = taken.get(label, 0) + 1
                    out.write(line)
        cc = preprocess.CorpusConfig(unit="article")
        mc = ModelConfig(engine="gensim", num_topics=args.topics)
        corpus = preprocess.prepare([src], cc, no_below=mc.no_below, no_above=mc.no_above,
                                  store_path=tmp / "store.sqlite", progress=False)
        labels = {d.doc_id: d.meta["label"] for d in corpus.documents()}
        fitted = models.fit(corpus.bows, corpus.vocab, mc, progress=False)
        gensim_nmi = nmi([labels[d] for d in corpus.unit_doc_ids], fitted.doc_topic.argmax(axis=1))

        run = wsp.train([src], corpus_config=cc, model_config=ModelConfig(num_topics=args.topics),
                        out_dir=tmp / "runs", progress=False)
        dt = runfolder.load_run(run).doc_topics
        same = dt["unit_id"].tolist() == list(corpus.unit_ids)
        spark_nmi = nmi(dt["label"], dt["dominant_topic"])
    print(f"articles {len(corpus.unit_ids)}  K={args.topics}  same units: {same}")
    print(f"NMI  gensim {gensim_nmi:.3f}  spark {spark_nmi:.3f}  difference {spark_nmi - gensim_nmi:+.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
