"""Documents to tokens: the tokenizer (``tokenize``), its cache (``token_cache``), the vocabulary
(``vocabulary``) and the one preprocessing definition every engine uses (``preprocess``)."""
