"""Run folders: the schema of their tables, the one writer every engine uses, the reader, labels, and
the offline pyLDAvis page. The contract is ``docs/run-folder.md``."""

from workbench.runfolder.labels import (
    LABELS_FILE,
    read_labels,
    topic_names,
    update_labels,
    update_merges,
    write_labels,
)
from workbench.runfolder.merges import MERGES_FILE, Merge, merged_run, read_merges
from workbench.runfolder.reader import (
    DERIVED,
    Run,
    RunCheck,
    check_run,
    latest_run,
    load_run,
    texts_as_tokenized,
    tokenizer_config,
    verify_run,
)
from workbench.runfolder.schema import KEYWORD_COLUMNS, META_ORDER, topic_columns
from workbench.runfolder.tables import (
    CHUNK_UNITS,
    MetaProfile,
    build_keywords,
    build_topics_table,
    doc_topic_blocks,
    keyword_chunks,
    meta_profile,
    other_records,
    write_doc_topic_rows,
    write_doc_topics,
)
from workbench.runfolder.writer import (
    PACKAGES,
    CorpusIds,
    RunArrays,
    corpus_fingerprint,
    fingerprint_of,
    package_versions,
    run_name,
    write_run,
)

__all__ = ["LABELS_FILE", "read_labels", "topic_names", "update_labels", "update_merges", "write_labels",
           "MERGES_FILE", "Merge", "merged_run", "read_merges", "Run", "latest_run", "load_run",
           "texts_as_tokenized", "tokenizer_config", "verify_run", "check_run", "RunCheck", "DERIVED", "KEYWORD_COLUMNS", "META_ORDER", "topic_columns", "CHUNK_UNITS", "MetaProfile",
           "build_keywords", "build_topics_table", "doc_topic_blocks", "keyword_chunks", "meta_profile",
           "other_records", "write_doc_topic_rows", "write_doc_topics", "PACKAGES", "CorpusIds", "RunArrays", "corpus_fingerprint",
           "fingerprint_of", "package_versions", "run_name", "write_run"]
