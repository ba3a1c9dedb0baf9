"""The baseline the workbench has to beat: what the jieba + gensim tutorials do, in one process.

    python bench/baseline_tutorial.py CORPUS.jsonl... --topics 30 --out DIR

Steps (each timed; timings and c_npmi go to DIR/baseline.json):

1. read the JSONL files (the ``text`` field of every line);
2. ``jieba.load_userdict`` for every file in dictionaries/ (the workbench's user words), then
   ``jieba.lcut`` on every document in one process (jieba's module-level tokenizer, as tutorials
   use it; its cache is jieba's default file in the temp folder);
3. drop stopwords (the workbench's stopwords/*.txt) and one-character tokens;
4. gensim ``Dictionary`` + ``filter_extremes(no_below=5, no_above=0.5)``, ``doc2bow``;
5. ``LdaModel(num_topics=K, passes=5, random_state=0)``, every other argument gensim's default
   (so ``eval_every=10``: gensim computes a perplexity estimate every 10 chunks, as in a notebook);
6. ``get_document_topics`` for every document into DIR/doc_topics.csv (dense: every topic);
7. ``pyLDAvis.gensim_models.prepare`` + ``pyLDAvis.save_html`` into DIR/ldavis.html;
8. (measurement only, not part of the tutorial) c_npmi over the top 10 terms with the same
   function the workbench's run folder uses, ``workbench.models.coherence``, with the documents'
   in-vocabulary tokens as reference texts (as the workbench passes its units' in-vocabulary
   tokens). Its time is recorded separately as ``seconds_coherence``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def read_stopwords(paths) -> set[str]:
    """Every non-comment line of the stopword files (first field), as the workbench reads them."""
    out = set()
    for p in paths:
        for line in Path(p).read_text(encoding="utf-8-sig").splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                out.add(line.split()[0])
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="+", type=Path)
    ap.add_argument("--topics", type=int, default=30)
    ap.add_argument("--passes", type=int, default=5)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--no-coherence", action="store_true", help="skip the c_npmi measurement")
    args = ap.parse_args(argv)
    t_start = time.perf_counter()
    times: dict[str, float] = {}

    import jieba
    import numpy as np
    import pandas as pd
    import pyLDAvis
    import pyLDAvis.gensim_models
    from gensim.corpora import Dictionary
    from gensim.models import LdaModel

    times["seconds_import"] = time.perf_counter() - t_start
    args.out.mkdir(parents=True, exist_ok=True)

    t = time.perf_counter()
    ids, texts = [], []
    for f in args.files:
        with open(f, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    rec = json.loads(line)
                    ids.append(rec.get("id", str(len(ids))))
                    texts.append(rec["text"])
    times["seconds_read"] = time.perf_counter() - t

    t = time.perf_counter()
    for d in sorted((ROOT / "dictionaries").glob("*.txt")):
        jieba.load_userdict(str(d))
    jieba.initialize()
    stop = read_stopwords(sorted((ROOT / "stopwords").glob("*.txt")))
    times["seconds_jieba_setup"] = time.perf_counter() - t

    t = time.perf_counter()
    docs = []
    for text in texts:
        docs.append([w for w in jieba.lcut(text) if len(w.strip()) > 1 and w not in stop])
    times["seconds_tokenize"] = time.perf_counter() - t

    t = time.perf_counter()
    dictionary = Dictionary(docs)
    dictionary.filter_extremes(no_below=5, no_above=0.5)
    corpus = [dictionary.doc2bow(d) for d in docs]
    times["seconds_dictionary"] = time.perf_counter() - t

    t = time.perf_counter()
    lda = LdaModel(corpus=corpus, id2word=dictionary, num_topics=args.topics, passes=args.passes, random_state=0)
    times["seconds_train"] = time.perf_counter() - t

    t = time.perf_counter()
    k = args.topics
    dense = np.zeros((len(corpus), k))
    for i, bow in enumerate(corpus):
        for topic, p in lda.get_document_topics(bow, minimum_probability=0.0):
            dense[i, topic] = p
    table = pd.DataFrame(dense, columns=[f"topic_{j}" for j in range(k)])
    table.insert(0, "doc_id", ids)
    table.insert(1, "dominant_topic", dense.argmax(axis=1))
    table.to_csv(args.out / "doc_topics.csv", index=False, encoding="utf-8-sig")
    times["seconds_doc_topics"] = time.perf_counter() - t

    t = time.perf_counter()
    vis = pyLDAvis.gensim_models.prepare(lda, corpus, dictionary)
    times["seconds_ldavis_prepare"] = time.perf_counter() - t
    t1 = time.perf_counter()
    with open(args.out / "ldavis.html", "w", encoding="utf-8") as fh:
        pyLDAvis.save_html(vis, fh)
    times["seconds_ldavis_save"] = time.perf_counter() - t1
    times["seconds_ldavis"] = time.perf_counter() - t
    times["seconds_pipeline"] = time.perf_counter() - t_start  # the tutorial, imports included
    import resource

    maxrss_pipeline_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # before coherence

    result = {"files": [str(f) for f in args.files], "num_topics": k, "n_documents": len(docs),
              "n_terms": len(dictionary), "n_tokens": int(sum(len(d) for d in docs)),
              "n_chars": int(sum(len(x) for x in texts)),
              "n_bytes_utf8": int(sum(len(x.encode("utf-8")) for x in texts)),
              "ldavis_bytes": os.path.getsize(args.out / "ldavis.html"),
              "maxrss_pipeline_mb": round(maxrss_pipeline_mb, 1)}
    if not args.no_coherence:
        from workbench.models.metrics import coherence

        t = time.perf_counter()
        token2id = dictionary.token2id
        in_vocab = [[w for w in d if w in token2id] for d in docs]
        terms = [dictionary[i] for i in range(len(dictionary))]
        c_npmi, per_topic = coherence(lda.get_topics(), terms, in_vocab, dictionary, "c_npmi", 10)
        times["seconds_coherence"] = time.perf_counter() - t
        result["c_npmi"] = c_npmi
        result["c_npmi_per_topic"] = per_topic
        result["top_terms"] = [[terms[i] for i in np.argsort(-row, kind="stable")[:10]] for row in lda.get_topics()]
    result["times"] = {k_: round(v, 3) for k_, v in times.items()}
    (args.out / "baseline.json").write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({**result["times"], "c_npmi": result.get("c_npmi")}), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
