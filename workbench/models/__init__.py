"""Topic models as arrays: LDA engines (``lda``), keyed themes (``themes``) and the measures a run
reports (``metrics``)."""

from workbench.models.lda import ENGINES, Fitted, ModelConfig, check_topics, fit
from workbench.models.metrics import (
                                      NPMI_EPSILON,
                                      NPMI_WINDOW,
                                      coherence,
                                      npmi_from_counts,
                                      npmi_per_topic,
                                      term_order,
                                      tfidf_idf,
                                      tfidf_keywords,
                                      tfidf_top,
                                      top_term_ids,
                                      window_counts,
)
from workbench.models.themes import Themes, load_themes

__all__ = ["ENGINES", "Fitted", "ModelConfig", "check_topics", "fit", "Themes", "load_themes", "NPMI_EPSILON", "NPMI_WINDOW",
           "coherence", "npmi_from_counts", "npmi_per_topic", "term_order", "tfidf_idf", "tfidf_keywords",
           "tfidf_top", "top_term_ids", "window_counts"]
