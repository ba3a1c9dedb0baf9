"""Reading a fitted model: reading aids, comparisons between runs, prevalence and effects, K sweeps,
and the tables the notebooks show (``explore``)."""
