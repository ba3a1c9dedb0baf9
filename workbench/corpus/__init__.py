"""Sources to documents: decoding and cleaning (``ingest``), the corpus store (``store``), and the
units a model sees (``units``)."""
