"""Errors a user sees as one line."""

from __future__ import annotations


class PipelineError(Exception):
    """A run cannot be made (no sources, empty corpus, bad themes file); the message says why."""


class UsageError(PipelineError):
    """An argument cannot be used (an unknown covariate column, a formula that does not parse): the
    command line exits 2, as for any bad argument."""
