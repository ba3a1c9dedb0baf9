"""Errors a user sees as one line."""

from __future__ import annotations


class PipelineError(Exception):
    """A run cannot be made (no sources, empty corpus, bad themes file); the message says why."""
