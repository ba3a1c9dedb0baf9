"""Units: the pieces of an article that the model sees as documents.

``article``   the whole cleaned body.
``paragraph`` one paragraph; a short heading line is prefixed to the paragraph it introduces,
              so headings add their words without becoming near-empty documents.
``section``   the text between headings such as 一、 / （一） / 第一章 (government work reports);
              an article without such headings is one section.
``chunk``     consecutive paragraphs packed up to ``chunk_chars`` characters (a paragraph longer
              than that is split at sentence ends).

Every unit keeps its parent ``doc_id``; ``unit_id`` is ``<doc_id>-<p|s|c|a><index>``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Iterator

from workbench.corpus.ingest import Document, is_heading

UNIT_KINDS = ("article", "paragraph", "section", "chunk")

_SECTION_HEADING = re.compile(
    r"^(?:[一二三四五六七八九十百]+、|（[一二三四五六七八九十]+）|\([一二三四五六七八九十]+\)|"
    r"第[一二三四五六七八九十百]+[章节部分]|[一二三四五六七八九十]+是)"
)
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])")


@dataclass(frozen=True)
class Unit:
    unit_id: str
    doc_id: str
    index: int
    text: str


def split_units(doc: Document, unit: str = "paragraph", *, chunk_chars: int = 1000) -> list[Unit]:
    """Split one Document into Units of the given kind (see the module docstring)."""
    paragraphs = [p for p in doc.text.split("\n") if p.strip()]
    if unit == "article":
        pieces = ["\n".join(paragraphs)]
    elif unit == "paragraph":
        pieces = _paragraphs_with_headings(paragraphs)
    elif unit == "section":
        pieces = _sections(paragraphs)
    elif unit == "chunk":
        pieces = _chunks(paragraphs, chunk_chars)
    else:
        raise ValueError(f"unknown unit '{unit}' (choose from {', '.join(UNIT_KINDS)})")
    tag = unit[0]
    return [Unit(f"{doc.doc_id}-{tag}{i:03d}", doc.doc_id, i, text)
            for i, text in enumerate(p for p in pieces if p.strip())]


def iter_units(docs: Iterable[Document], unit: str = "paragraph", **kw) -> Iterator[Unit]:
    for d in docs:
        yield from split_units(d, unit, **kw)


def _paragraphs_with_headings(paragraphs: list[str]) -> list[str]:
    out: list[str] = []
    pending: list[str] = []
    for p in paragraphs:
        if is_heading(p):
            pending.append(p)
            continue
        out.append("\n".join(pending + [p]))
        pending = []
    if pending:  # headings at the very end belong to the last paragraph
        if out:
            out[-1] = out[-1] + "\n" + "\n".join(pending)
        else:
            out.append("\n".join(pending))
    return out


def _sections(paragraphs: list[str]) -> list[str]:
    out: list[list[str]] = [[]]
    for p in paragraphs:
        if _SECTION_HEADING.match(p) and out[-1]:
            out.append([])
        out[-1].append(p)
    return ["\n".join(s) for s in out if s]


def _chunks(paragraphs: list[str], limit: int) -> list[str]:
    pieces: list[str] = []
    for p in paragraphs:
        if len(p) <= limit:
            pieces.append(p)
        else:
            pieces.extend(s for s in _SENTENCE_END.split(p) if s)
    out: list[str] = []
    cur = ""
    for piece in pieces:
        if cur and len(cur) + len(piece) > limit:
            out.append(cur)
            cur = ""
        cur = f"{cur}\n{piece}" if cur else piece
    if cur:
        out.append(cur)
    return out
