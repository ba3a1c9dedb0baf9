"""Errors a user sees as one line, and how a message prints the names users give."""

from __future__ import annotations

import unicodedata

# Control and format characters, line and paragraph separators, surrogates, private and
# unassigned code points: what can break a message into lines, reorder it (U+202E) or hide in it.
_UNSEEN = ("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn")


def _escape(ch: str) -> str:
    if ch in "\n\r\t":
        return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _unseen(ch: str) -> bool:
    return unicodedata.category(ch) in _UNSEEN


def shown(name) -> str:
    """A user-given name (a path, a column, a corpus) as every message prints it: as it is when
    each of its characters shows (Chinese, spaces and all), else in quotes as ``repr`` writes it,
    ``'a\\nworkbench: x.txt'``, so a file name can neither add a line to a message nor hide in one."""
    text = str(name)
    if not any(map(_unseen, text)):
        return text
    body = "".join(_escape(ch) if _unseen(ch) else "\\\\" if ch == "\\" else "\\'" if ch == "'" else ch
                   for ch in text)
    return f"'{body}'"


def one_line(message: str) -> str:
    """``message`` with every character that :func:`shown` would escape escaped: the last guard of
    the command line's one-line messages, for text no message quoted."""
    return "".join(_escape(ch) if _unseen(ch) else ch for ch in str(message))


class PipelineError(Exception):
    """A run cannot be made (no sources, empty corpus, bad themes file); the message says why."""


class UsageError(PipelineError):
    """An argument cannot be used (an unknown covariate column, a formula that does not parse): the
    command line exits 2, as for any bad argument."""
