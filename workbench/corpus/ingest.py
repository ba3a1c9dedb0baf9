"""Ingest: read sources, decode them, strip web-page furniture, lift bylines into metadata.

Sources are folders of ``.txt`` / ``.html`` files (one article each, searched recursively) and
record files (``.jsonl``, ``.csv``, ``.xlsx``, ``.parquet``) with a text column; every other column
becomes metadata. Nothing here tokenizes: the output is a stream of :class:`Document` values.

Bad input never stops an ingest: each problem becomes a :class:`Problem` naming the file and the
line or record, what is wrong and what was done, and the good documents are still yielded. What
is repaired silently (the document is kept): NUL bytes and control characters inside an otherwise
textual file, a few undecodable bytes in a UTF-8 file, mixed line endings (CRLF, CR, LF, U+2028,
form feed), HTML markup (text extracted; scripts, styles and the page head dropped)."""

from __future__ import annotations

import codecs
import csv
import errno
import hashlib
import json
import logging
import os
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from workbench.errors import one_line, shown

TEXT_SUFFIXES = {".txt", ".text", ".md"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml"}
RECORD_SUFFIXES = {".jsonl", ".ndjson", ".csv", ".tsv", ".xlsx", ".parquet"}
# Alternative names of the text column seen in news-database exports.
# The names news-database exports (CNKI/知网, Wisers/慧科, government portals) and scrapers give the
# columns the workbench knows, in order of preference: a record file's first match is taken as that
# field (renamed to it, the original header kept, see HEADERS_KEY); other columns keep their names.
FIELD_ALIASES = {
    "text": ("text", "content", "body", "正文", "内容", "全文", "文章内容", "新闻内容", "article"),
    "title": ("title", "headline", "标题", "题名", "篇名", "新闻标题", "文章标题"),
    "date": ("date", "pubdate", "pub_date", "publish_date", "published", "日期", "发布时间", "发布日期",
             "发表时间", "出版日期", "刊发日期", "time", "时间"),
    "author": ("author", "authors", "byline", "作者", "责任者", "记者"),
    "source": ("source", "media", "outlet", "publication", "newspaper", "来源", "媒体", "报纸名称", "媒体名称",
               "来源媒体", "文献来源", "出处"),
}
TEXT_COLUMN_ALIASES = FIELD_ALIASES["text"]
#: Key of a Document's ``meta`` holding {field: original header} for the columns renamed to a
#: field ({"title": "标题"}): exports label each column with its source's header. Not a column.
HEADERS_KEY = "__headers__"

#: The columns the workbench's own tables hold (doc_topics.csv, its exports, the article table),
#: and ``topic_<k>`` for any k. A source column of one of these names would collide with ours: it
#: is kept as ``source_<name>`` (:func:`source_name`), its header kept under :data:`HEADERS_KEY`.
OUTPUT_COLUMNS = frozenset({"doc_id", "unit_id", "source_file", "record", "other_records", "text", "n_tokens",
                            "dominant_topic", "dominant_label", "n_units", "date_text", HEADERS_KEY})
_OUTPUT_PATTERN = re.compile(r"topic_\d+")
SOURCE_PREFIX = "source_"


def is_output_column(name: str) -> bool:
    """True for a name the workbench's tables use (:data:`OUTPUT_COLUMNS`, ``topic_<k>``)."""
    return name in OUTPUT_COLUMNS or _OUTPUT_PATTERN.fullmatch(name) is not None


def source_name(name: str, taken) -> str:
    """The name a source column ``name`` keeps in the tables: itself, or, when it is one of the
    workbench's own (:func:`is_output_column`), ``source_<name>``, prefixed again while that is one
    too or among ``taken`` (the record's other column names). ``topic_0`` -> ``source_topic_0``;
    beside a ``source_topic_0`` column, ``source_source_topic_0``."""
    if not is_output_column(name):
        return name
    out = SOURCE_PREFIX + name
    while is_output_column(out) or out in taken:
        out = SOURCE_PREFIX + out
    return out


class IngestError(Exception):
    """A source cannot be read at all (missing path, nothing usable in it)."""


@dataclass(frozen=True)
class Problem:
    """One bad input: which file, which line/record, what is wrong, what was done."""

    path: str
    where: str  # "line 12", "row 7", "record 3" or "" for the whole file
    what: str
    action: str = "skipped"

    def __str__(self) -> str:
        # The path is the user's (a file name may hold a newline): quoted when it would not show.
        loc = f"{shown(self.path)}:{self.where}" if self.where else shown(self.path)
        return one_line(f"{loc}: {self.what} ({self.action})")


@dataclass(frozen=True)
class Document:
    """One cleaned article.

    ``text`` is the modelled body: paragraphs separated by ``\\n``; bylines, the headline and
    furniture are gone from it. ``meta`` holds the metadata columns (``title``, ``date``,
    ``author``, ``source`` and whatever else the record had). ``removed`` lists the lines the
    cleaning dropped, so a notebook can show what cleaning did.
    """

    doc_id: str
    source_file: str
    record: str
    text: str
    meta: dict = field(default_factory=dict, hash=False, compare=False)
    removed: tuple[str, ...] = ()


# --------------------------------------------------------------------------------------------
# Decoding

_BINARY_MAGIC = {
    b"%PDF": "a PDF file",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"PK\x03\x04": "a ZIP/Office archive",
    b"\xd0\xcf\x11\xe0": "an old Office (OLE) file",
    b"\x7fELF": "an executable",
}


class DecodeError(Exception):
    pass


# A file is binary when more than this share of its characters are control characters (NUL
# included), private-use or unassigned code points; below it, they are dropped and the text kept.
_JUNK_LIMIT = 0.05
_JUNK_FLOOR = 16  # ... and more than this many of them: three stray controls in a tweet are not binary
_SAMPLE = 20000  # characters looked at to judge a text (enough for the share, bounded for 50 MB)


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode file bytes to text; return ``(text, encoding)``.

    Detects, in order: a byte-order mark (UTF-8, UTF-16 LE/BE), BOM-less UTF-16 (NUL bytes, and
    one byte order reads as at least 90% Chinese or ASCII text), strict UTF-8, UTF-8 with a
    cut-off last character or a few corrupt bytes (at most 1 in 20 of its non-ASCII characters;
    they are dropped), then GB18030 (a superset of GBK and GB2312). A few stray NUL bytes (at
    most 5% of the file) are removed before decoding. Raises :class:`DecodeError` for binary
    data (known magic numbers, many NUL bytes, bytes that decode under no candidate, or a
    decoding that is mostly control or unassigned characters).

    Cost: a few passes over the bytes in C; Python-level work only on a bounded sample.
    """
    for magic, what in _BINARY_MAGIC.items():
        if data.startswith(magic):
            raise DecodeError(f"not a text file: looks like {what}")
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise DecodeError(f"invalid UTF-8 after a UTF-8 byte-order mark (byte {exc.start + 3})") from None
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise DecodeError(f"invalid UTF-16 after a UTF-16 byte-order mark (byte {exc.start})") from None
    had_nul = False
    if b"\x00" in data:
        # BOM-less UTF-16: ASCII has a NUL in every other byte, CJK a few. Both byte orders
        # decode almost any bytes, so the one that reads as Chinese or ASCII text wins, if any.
        if len(data) % 2 == 0:
            sample = data[:2 * _SAMPLE]
            score, enc = max((_text_score(sample.decode(enc, errors="ignore")), enc)
                             for enc in ("utf-16-le", "utf-16-be"))
            text = _try_decode(data, enc) if score >= 0.9 else None
            if text is not None and not _mostly_junk(text):
                return text, enc
        if data.count(0) > _JUNK_LIMIT * len(data):
            raise DecodeError("not a text file: contains NUL bytes")
        data = data.replace(b"\x00", b"")  # NUL is never part of a UTF-8 or GB18030 character
        had_nul = True
    try:
        return data.decode("utf-8", errors="strict"), "utf-8"
    except UnicodeDecodeError as exc:
        if exc.end == len(data) and exc.reason == "unexpected end of data":  # a cut-off last character
            try:
                return data[:exc.start].decode("utf-8", errors="strict"), "utf-8"
            except UnicodeDecodeError:
                pass
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    valid = len(text) - len(text.encode("ascii", errors="ignore")) - bad
    # GB18030 bytes read as UTF-8 are mostly invalid (bad ~ 5 x valid); a real UTF-8 file with a
    # few corrupt bytes has them (at most 1 in 20 of its non-ASCII characters) dropped.
    if bad * 20 <= valid:
        return text.replace("\ufffd", ""), "utf-8"
    try:
        text = data.decode("gb18030", errors="strict")
    except UnicodeDecodeError as exc:
        what = "contains NUL bytes and bytes that are" if had_nul else "cannot decode:"
        raise DecodeError(f"{'not a text file: ' if had_nul else ''}{what} not UTF-8, UTF-16 or GB18030 "
                          f"(byte {exc.start})") from None
    if _mostly_junk(text):
        raise DecodeError("not a text file: " + ("contains NUL bytes and " if had_nul else "")
                          + "decodes only to control or unassigned characters")
    return text, "gb18030"


def _try_decode(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding, errors="strict")
    except UnicodeDecodeError:
        return None


# What Chinese text is made of: ASCII, Latin-1, general punctuation, CJK symbols, kana, CJK
# ideographs (with extension A), full-width forms.
_TEXTLIKE = re.compile(r"[\t\n\r\x20-\x7e\xa0-\xff\u2000-\u206f\u2e80-\u9fff\uff00-\uffef]")


def _text_score(text: str) -> float:
    """Share of characters, in a bounded sample, that Chinese or ASCII text is made of."""
    sample = text[:_SAMPLE]
    return len(_TEXTLIKE.findall(sample)) / len(sample) if sample else 0.0


def _mostly_junk(text: str) -> bool:
    return _too_much(_junk_share(text), text)


def _too_much(share: float, text: str) -> bool:
    return share > _JUNK_LIMIT and share * min(len(text), _SAMPLE) > _JUNK_FLOOR


def _junk_share(text: str) -> float:
    """Share of characters, in a bounded sample, that no text file holds: C0/C1 controls (other
    than tab, newline, carriage return, form feed), private-use and unassigned code points."""
    sample = text[:_SAMPLE]
    if not sample:
        return 0.0
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\n\r\f") or 0x7f <= ord(ch) < 0xa0
              or (ord(ch) >= 0xa0 and unicodedata.category(ch) in ("Co", "Cn")))
    return bad / len(sample)


def _control_share(text: str) -> float:
    if not text:
        return 0.0
    sample = text[:_SAMPLE]
    bad = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f")
    return bad / len(sample)


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode the bytes of one text file (see :func:`decode_bytes`); NUL characters are removed.

    Raises :class:`DecodeError` when the file is mostly control characters (binary)."""
    text, enc = decode_bytes(data)
    share = _control_share(text)
    if _too_much(share, text):
        raise DecodeError(f"not a text file: {share:.0%} control characters")
    return text.replace("\x00", ""), enc


# --------------------------------------------------------------------------------------------
# HTML
#
# Not html.parser: on Python 3.11.7 its HTMLParser takes 15 s on 30 KB of "<a " repeated (and
# minutes on 120 KB): unclosed tags make it rescan. Database exports do hold such junk, so the
# markup is read here by one linear scan (str.find and possessive regexes, each "<" looked at
# once), with the standard library's html.unescape for entities.

# Elements whose tags, when dense enough, say a text is markup rather than prose quoting a tag.
_HTML_TAG = re.compile(
    r"</?(?:p|div|br|span|a|img|table|tbody|thead|tr|td|th|li|ul|ol|dl|dt|dd|h[1-6]|script|style|head|body|"
    r"meta|link|strong|em|b|i|u|font|section|article|header|footer|nav|iframe|form|input|hr|pre|"
    r"blockquote|title|center|noscript|sup|sub)(?:\s[^<>]{0,500})?/?>", re.IGNORECASE)
_HTML_DOC_START = re.compile(r"<(?:!doctype\s+html|html[\s>])", re.IGNORECASE)
_HTML_ANY_TAG = re.compile(r"<[A-Za-z!/?]")
_HTML_SNIFF = 65536  # characters looked at to decide (a 50 MB text is not scanned)
# A tag: name, then attributes in which quotes pair up; no "<" inside, so a failed match stops at
# the next "<" and the scan stays linear. Possessive quantifiers: no backtracking.
_TAG_RE = re.compile(r"""<(/?)([A-Za-z][A-Za-z0-9:_-]*+)((?:[^<>"']++|"[^"<]*+"|'[^'<]*+')*+)>""")
# Contents never shown as text. Script and style are raw text (a "<" inside is not a tag): an
# unclosed one hides the rest of the page, as in a browser; the others, unclosed, are ignored.
_HTML_RAW = frozenset({"script", "style"})
_HTML_SKIP = _HTML_RAW | {"noscript", "head", "template", "svg", "iframe", "object", "textarea", "select"}
_HTML_SKIP_END = {name: re.compile(rf"</{name}\s*>" + (r"|<body[\s>]" if name == "head" else ""), re.IGNORECASE)
                  for name in _HTML_SKIP}
# Elements that start a new line of text.
_HTML_BLOCK = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "table",
                         "ul", "ol", "dl", "dt", "dd", "section", "article", "header", "footer", "nav",
                         "aside", "blockquote", "pre", "title", "body", "main", "figure", "figcaption",
                         "address", "center", "form", "fieldset", "caption", "tbody", "thead", "tfoot"})
_HTML_CELL = frozenset({"td", "th"})
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")
_SOURCE_SPACE = re.compile(r"[ \t\r\n\f]+")


def looks_like_html(text: str) -> bool:
    """True when ``text`` is an HTML page or HTML fragment rather than prose.

    A page: ``<!DOCTYPE html>`` or ``<html>`` among its first 1,000 characters. A fragment (a
    database field holding ``<p>...</p>``): at least 3 tags of common HTML elements in the first
    64K characters and at least one per 100 characters, or 20 such tags. So prose that quotes a
    tag pair (``<script>alert(1)</script>``) stays prose, and is kept as text.
    """
    head = text[:_HTML_SNIFF]
    if _HTML_DOC_START.search(head, 0, 1000):
        return True
    n = 0
    for n, _ in enumerate(_HTML_TAG.finditer(head), start=1):
        if n >= 20:
            return True
    return n >= 3 and n * 100 >= len(head.strip())


def _source_space(m: re.Match) -> str:
    # A source line break between two CJK characters is no space (as a browser renders it).
    s, text = m.group(0), m.string
    if ("\n" in s or "\r" in s) and m.start() > 0 and m.end() < len(text) \
            and _CJK.match(text, m.start() - 1) and _CJK.match(text, m.end()):
        return ""
    return " "


def html_to_text(markup: str) -> str:
    """The text a browser would show, one block element per line.

    ``<script>``, ``<style>``, ``<noscript>``, ``<head>``, ``<template>``, ``<svg>``, ``<iframe>``
    contents and comments dropped; block elements (p, div, br, li, h1-h6, tr ...) end a line;
    table cells are separated by a space; entities (``&amp;``, ``&nbsp;``, ``&#26032;``)
    unescaped; source line breaks inside a paragraph removed between CJK characters and made
    spaces elsewhere; a ``<`` that starts no tag is text. Cost: linear in the markup.
    """
    import html

    out: list[str] = []
    no_end: set[str] = set()  # elements with no end tag after some point: never searched again
    pos, n = 0, len(markup)

    def data(piece: str) -> None:
        if piece:
            out.append(html.unescape(_SOURCE_SPACE.sub(_source_space, piece)))

    while pos < n:
        lt = markup.find("<", pos)
        if lt < 0:
            data(markup[pos:])
            break
        data(markup[pos:lt])
        if markup.startswith("<!--", lt):
            end = markup.find("-->", lt + 4)
            if end < 0:
                break  # an unclosed comment hides the rest, as in a browser
            pos = end + 3
            continue
        if markup.startswith(("<!", "<?"), lt):  # doctype, CDATA, processing instruction
            end = markup.find(">", lt + 2)
            if end < 0:
                break
            pos = end + 1
            continue
        m = _TAG_RE.match(markup, lt)
        if m is None:
            data("<")
            pos = lt + 1
            continue
        pos = m.end()
        name = m.group(2).lower()
        if m.group(1):  # an end tag
            if name in _HTML_BLOCK:
                out.append("\n")
            continue
        if name in _HTML_SKIP and not m.group(3).rstrip().endswith("/"):
            end = None if name in no_end else _HTML_SKIP_END[name].search(markup, pos)
            if end is None:
                no_end.add(name)
                if name in _HTML_RAW:
                    break
                continue
            pos = end.start() if end.group(0)[1] != "/" else end.end()  # <body> itself is kept
            continue
        if name in _HTML_BLOCK:
            out.append("\n")
        elif name in _HTML_CELL:
            out.append(" ")
    text = "".join(out)
    return "\n".join(line.strip() for line in text.split("\n") if line.strip())


# --------------------------------------------------------------------------------------------
# Cleaning

# Every line ending a file may mix: CRLF, CR, and the rarer vertical tab, form feed (a page
# break), NEL and the Unicode line/paragraph separators.
_LINE_BREAK = re.compile(r"\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
# Invisible characters that only split words: C0/C1 controls, zero-width marks, BOM, word joiner.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u200b-\u200f\u2060\ufeff]")
_WS = re.compile(r"[ \t\u3000\xa0]+")
# A body must keep at least one letter (any script): "……", "123" or "-" alone is no document.
_LETTER = re.compile(r"[^\W\d_]")
# A paragraph re-joined from broken lines stops growing here: a page whose lines never end a
# sentence is not one sentence, and the join must stay linear in the file size.
_MAX_JOIN = 5000

# Whole lines that are page furniture, never content.
_FURNITURE = [
    r"图片", r"图\d*", r"视频", r"无障碍", r"评论一下", r"打印\s*关闭", r"关闭\s*打印", r"打印本页",
    r"关闭窗口", r"(上|下)一(条|篇)\s*[:：].*", r"(上|下)一(条|篇)", r"返回(顶部|首页|列表)",
    r"当前位置\s*[:：].*", r"您(现在)?的?位置\s*[:：].*", r"首页\s*[>＞»].*",
    r"最热评论", r"最新评论", r"热门评论", r"还没有评论.*", r"评论\s*\d+\s*人参与.*",
    r"已有\s*\d+\s*人参与.*", r"\d+\s*人参与.*", r"\d+\s*条评论", r"我要评论", r"网友评论",
    r"分享到\s*[:：]?.*", r"扫一扫.*", r"【?\s*字[体号]\s*[:：]?\s*大\s*中\s*小\s*】?.*",
    r"(责任)?编辑\s*[:：].{0,20}", r"浏览次数\s*[:：]?\s*\d*", r"点击数\s*[:：]?\s*\d*",
    r"【?纠错】?", r"收藏", r"点赞", r"转发",
]
_FURNITURE_RE = re.compile("^(?:" + "|".join(_FURNITURE) + r")$")
# A line that starts a block of related-news links: it and everything after it go.
_TAIL_BLOCK_RE = re.compile(r"^(新闻推荐|相关新闻|相关阅读|推荐阅读|延伸阅读|猜你喜欢|热点推荐|相关链接)\s*[:：]?$")

_BYLINE_KEYS = {
    "发布时间": "date", "发布日期": "date", "日期": "date", "时间": "date", "发表时间": "date",
    "作者": "author", "通讯员": "author", "记者": "author", "本报记者": "author", "撰稿": "author",
    "文": "author", "来源": "source", "稿源": "source", "出处": "source",
    "浏览次数": None, "点击": None, "字号": None,
}
_KEY_ALT = "|".join(sorted(map(re.escape, _BYLINE_KEYS), key=len, reverse=True))
# "作者:张三 来源:某报 发布时间:2021-09-28" and "通讯员 殷明 王清明" and "□马鑫 本报记者 杨竹梅".
_BYLINE_FIELD = re.compile(rf"(?:^|\s|□|■)({_KEY_ALT})\s*(?:[:：]\s*|\s+(?=\S))")
_DATE_RE = re.compile(
    r"(\d{4})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})\s*日?(?:\s*(\d{1,2}:\d{2}(?::\d{2})?))?"
)
_TERMINAL = "。！？!?；;…”’）)」』】"
_TERMINAL_TUPLE = tuple(_TERMINAL)


def normalize_date(value: str) -> str:
    """``"2019年05月21日"``, ``"2021-09-28 09:58"`` → ``"2019-05-21"``, ``"2021-09-28"``; a bare
    year stays a year; anything else is returned stripped (never guessed)."""
    m = _DATE_RE.search(value)
    if m:
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if 1 <= mo <= 12 and 1 <= d <= 31:
            return f"{y:04d}-{mo:02d}-{d:02d}"
    m = re.fullmatch(r"\s*(\d{4})\s*年?\s*", value)
    if m:
        return m.group(1)
    return value.strip()


def parse_byline(line: str) -> dict[str, str] | None:
    """Return the metadata of a byline line, or None when the line is not a byline.

    A byline is short (under 100 characters), holds at least one known key and no sentence
    punctuation (so a content sentence that happens to contain 记者 stays content).
    """
    s = line.strip()
    if not s or len(s) > 100 or re.search(r"[。！？；]", s):
        return None
    matches = list(_BYLINE_FIELD.finditer(s))
    if not matches:
        return None
    # The first key must open the line (after an optional box mark or a name list for "□马鑫 本报记者 X").
    head = s[: matches[0].start(1)].strip(" □■")
    if head and not (len(head) <= 12 and re.fullmatch(r"[\u4e00-\u9fff·\s]+", head)):
        return None
    out: dict[str, list[str]] = {}
    if head:
        out.setdefault("author", []).append(head)
    for i, m in enumerate(matches):
        key = _BYLINE_KEYS[m.group(1)]
        end = matches[i + 1].start(1) if i + 1 < len(matches) else len(s)
        value = s[m.end():end].strip(" □■|｜,，")
        if key is None or not value:
            continue
        if key == "date":
            value = normalize_date(value)
        out.setdefault(key, []).append(_WS.sub(" ", value))
    return {k: " ".join(v) for k, v in out.items()} if out else {}


#: Why :func:`clean_article` removes a line, in the order it decides (see :func:`removal_reasons`).
REMOVAL_REASONS = ("related-news block", "page furniture", "byline → metadata", "headline → title")


def removal_reasons(removed: Sequence[str], title: str = "") -> list[str]:
    """Why :func:`clean_article` removed each of ``removed`` (a Document's ``removed`` lines, in
    order), with the cleaner's own rules: one of :data:`REMOVAL_REASONS` per line, or ``other``.
    ``title``: the document's title (a removed line equal to it is the headline). Once a
    related-news header ("新闻推荐", "相关阅读" ...) is met, it and every line after it are the block."""
    reasons = []
    in_tail = False
    for line in removed:
        in_tail = in_tail or bool(_TAIL_BLOCK_RE.match(line))
        if in_tail:
            reasons.append(REMOVAL_REASONS[0])
        elif _FURNITURE_RE.match(line):
            reasons.append(REMOVAL_REASONS[1])
        elif parse_byline(line) is not None:
            reasons.append(REMOVAL_REASONS[2])
        elif title and line == title:
            reasons.append(REMOVAL_REASONS[3])
        else:
            reasons.append("other")
    return reasons


def is_heading(line: str) -> bool:
    return len(line) <= 30 and not line.endswith(tuple(_TERMINAL)) and not re.search(r"[。！？]", line)


@dataclass(frozen=True)
class Cleaned:
    title: str
    meta: dict
    paragraphs: tuple[str, ...]
    removed: tuple[str, ...]


def clean_article(raw: str, *, has_title: bool | None = None) -> Cleaned:
    """Clean one web article: drop furniture lines and related-news tails, lift bylines and the
    headline into metadata, and re-join paragraphs that a page broke mid-sentence.

    ``has_title``: None guesses (the first content line is a headline when it is short and has no
    sentence punctuation); False keeps every line as body (records that carry a title column).
    """
    text = _CONTROL.sub("", _LINE_BREAK.sub("\n", raw))
    lines = [_WS.sub(" ", ln).strip() for ln in text.split("\n")]
    meta: dict[str, str] = {}
    removed: list[str] = []
    body: list[str] = []
    title = ""
    for i, line in enumerate(lines):
        if not line:
            continue
        if _TAIL_BLOCK_RE.match(line):
            removed.extend(ln for ln in lines[i:] if ln)
            break
        if _FURNITURE_RE.match(line):
            removed.append(line)
            continue
        byline = parse_byline(line) if len(body) <= 3 else None
        if byline is not None:
            removed.append(line)
            for k, v in byline.items():
                # Portals print their own byline (uploader, portal) above the article's own:
                # the later, article-level value wins, except for the date (publication).
                if k == "date" and "date" in meta:
                    continue
                meta[k] = v
            continue
        if not title and has_title is not False and not body and _looks_like_title(line, has_title):
            title = line
            removed.append(line)
            continue
        body.append(line)
    paragraphs = _rejoin(body)
    if title:
        meta["title"] = title
    return Cleaned(title=title, meta=meta, paragraphs=tuple(paragraphs), removed=tuple(removed))


def _looks_like_title(line: str, has_title: bool | None) -> bool:
    if has_title:
        return True
    return len(line) <= 60 and not re.search(r"[。！？；]", line) and not line.endswith(("，", ","))


def _rejoin(lines: list[str]) -> list[str]:
    """Join a line to the next when a page broke a sentence in two (a long line that does not
    end a sentence, or an open “quote” or （parenthesis）); short unpunctuated lines are headings
    and stay on their own.

    Cost: linear in the text (quote and parenthesis balances are kept as running counts), and
    a joined paragraph stops at ``_MAX_JOIN`` characters.
    """
    out: list[str] = []
    parts: list[str] = []
    size = quotes = parens = 0
    last = len(lines) - 1
    for i, line in enumerate(lines):
        parts.append(line)
        size += len(line)
        quotes += line.count("“") - line.count("”")
        parens += line.count("（") - line.count("）")
        if ((quotes > 0 or parens > 0 or size > 30) and not line.endswith(_TERMINAL_TUPLE)
                and i != last and size < _MAX_JOIN):
            continue
        out.append("".join(parts))
        parts.clear()
        size = quotes = parens = 0
    return out


# What a spreadsheet reads as a number: digits only (LibreOffice drops a leading zero, Excel rounds
# past 15 digits) or digits, e and digits (Excel and LibreOffice read 1234567e89012345 as 1.2e+95).
_NUMBER_LIKE = re.compile(r"\d+(?:e\d+)?")


def doc_id_for(text: str) -> str:
    """Content hash of the cleaned body: identical articles get one id whatever their file name.

    The first 16 hex digits of its sha256, except that an id a spreadsheet would read as a number
    (:func:`number_like_id`, about 0.13% of them) starts with ``x`` instead of its first digit."""
    return text_id(hashlib.sha256(text.encode("utf-8")).hexdigest()[:16])


def number_like_id(doc_id: str) -> bool:
    """True for an id a spreadsheet would read as a number ("0123456789012345", "1234567e89012345")."""
    return _NUMBER_LIKE.fullmatch(doc_id) is not None


def text_id(doc_id: str) -> str:
    """``doc_id`` as :func:`doc_id_for` makes it now: an id made before that reads as a number gets
    its ``x``; every other id is returned unchanged."""
    return "x" + doc_id[1:] if number_like_id(doc_id) else doc_id


def make_document(raw: str, source_file: str, record: str = "", meta: dict | None = None,
                  has_title: bool | None = None, html: bool | None = None) -> Document | None:
    """Clean ``raw`` into a Document (None when no letter is left after cleaning: nothing but
    furniture, markup, digits or symbols).

    ``html``: None extracts the text when :func:`looks_like_html` says so; True always (an
    ``.html`` file); False never.
    """
    meta = {k: v for k, v in (meta or {}).items() if v not in (None, "")}
    if html or (html is None and looks_like_html(raw)):
        raw = html_to_text(raw)
    cleaned = clean_article(raw, has_title=False if "title" in meta else has_title)
    body = "\n".join(cleaned.paragraphs)
    if not _LETTER.search(body):
        return None
    merged = {**cleaned.meta, **meta}  # a record's own columns beat what the text says
    if "date" in merged:
        merged["date"] = normalize_date(str(merged["date"]))
    return Document(doc_id=doc_id_for(body), source_file=source_file, record=record, text=body,
                    meta=merged, removed=cleaned.removed)


# --------------------------------------------------------------------------------------------
# Sources

ACCEPTED = ", ".join(sorted(TEXT_SUFFIXES | HTML_SUFFIXES | RECORD_SUFFIXES))
# Files in a source folder that someone may have meant as documents but that are not read:
# each is named in a Problem. Anything else (themes.toml, README.rst, scripts) is passed over.
UNREAD_SUFFIXES = {".pdf", ".doc", ".docx", ".rtf", ".odt", ".wps", ".xls", ".ods", ".json", ".xml",
                     ".epub", ".mht", ".mhtml", ".caj", ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif",
                     ".tiff", ".webp", ".zip", ".rar", ".7z", ".gz"}


def classify(name: str) -> str | None:
    """How a file found in a source folder is read, by its name: ``"text"``, ``"html"``,
    ``"records"``, ``"unread"`` (looks like a document but is not read: :func:`unread_problem`)
    or None (passed over: themes.toml, scripts). A file named on its own is always read
    (:func:`read_bytes`: records by their suffix, anything else as text)."""
    suffix = Path(name).suffix.lower()
    if suffix in TEXT_SUFFIXES:
        return "text"
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in RECORD_SUFFIXES:
        return "records"
    return "unread" if suffix in UNREAD_SUFFIXES else None


def unread_problem(path: str) -> Problem:
    """The Problem of a file in a source folder that is not read (:func:`classify` "unread")."""
    suffix = Path(path).suffix
    return Problem(path, "", f"unsupported file type: '{suffix}' files are not read (accepted: {ACCEPTED})")


def special_kind(mode: int) -> str:
    """What a file that is neither a regular file nor a folder is (``os.stat`` mode): "a FIFO",
    "a socket", "a device"; reading one can block forever or never end."""
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a file"


#: The largest file read, in bytes (1 GiB). A file is read whole (decoded, then split into records),
#: which takes about 2.4 times its size in memory (measured: a 104 MB JSONL or CSV of Chinese text
#: peaks 245-250 MB above the start); a larger one is skipped with a message (split a big export
#: into parts: ``split -l 100000 big.jsonl part-``).
MAX_FILE_BYTES = 1 << 30


def iter_source_files(paths: Iterable[Path], problems: list[Problem] | None = None, *,
                      follow_links: bool = False) -> Iterator[tuple[Path, str]]:
    """Expand folders recursively (sorted, hidden files skipped) into ``(file, name)`` pairs.

    ``name`` is the file's path from the folder that was named (``seeds/000.txt``), or the name
    of a file named on its own (``a.csv``), so tables do not depend on where a checkout lives.
    With the line or record, it is how the store knows a record again (:func:`source_names`).
    A file inside a folder whose type is not accepted is left out; when it looks like a
    document (``.pdf``, ``.docx``, ``.json``, an image ...), with a Problem in ``problems`` (when
    given). A file named on its own is always tried (its bytes decide). A file reached twice (named
    twice, or named and inside a named folder) is read once, the second time a Problem. Raises
    :class:`IngestError` before yielding anything when a path does not exist.

    Only regular files are yielded. Each of these is a Problem instead, whatever its name: a
    FIFO, socket or device (reading one may never end), a dangling symbolic link, a link loop,
    and, unless ``follow_links``, a symbolic link inside a folder that leads out of it (a link
    to a file or folder inside it is followed). A file named on its own is read even when it is
    a link: its name is the user's choice.
    """
    paths = [Path(p) for p in paths]
    for p in paths:
        if not p.exists():
            raise IngestError(f"{shown(p)}: no such file or folder")
    read: dict[Path, str] = {}  # resolved file -> the name it was read under
    for p, prefix in zip(paths, source_names(paths)):
        if p.is_dir():
            yield from _walk_folder(p, Path(prefix), read, problems, follow_links)
            continue
        mode = p.stat().st_mode
        if stat.S_ISREG(mode):
            yield from _first_read(p, str(prefix), read, problems)
        elif problems is not None:
            problems.append(Problem(str(p), "", f"not a regular file ({special_kind(mode)})", "not read"))


def _walk_folder(root: Path, prefix: Path, read: dict[Path, str], problems: list[Problem] | None,
                 follow_links: bool) -> Iterator[tuple[Path, str]]:
    """The files of one named folder, depth first with names sorted at each level (the order of
    ``sorted(root.rglob("*"))``), links judged as :func:`iter_source_files` says."""
    boundary = root.resolve()
    note = problems.append if problems is not None else (lambda problem: None)

    def walk(folder: Path, rel: Path, inside: tuple[Path, ...]) -> Iterator[tuple[Path, str]]:
        try:
            names = sorted(os.listdir(folder))
        except OSError as exc:
            note(Problem(str(folder), "", f"cannot read the folder: {exc.strerror or exc}"))
            return
        for name in names:
            if name.startswith("."):
                continue
            entry, entry_rel = folder / name, rel / name
            try:
                mode = entry.lstat().st_mode
            except OSError:
                continue  # removed while we looked
            if stat.S_ISLNK(mode):
                target = os.readlink(entry)
                try:
                    mode = entry.stat().st_mode
                    resolved = entry.resolve()
                except OSError as exc:  # ENOENT: dangling; ELOOP: a loop
                    loop = exc.errno == errno.ELOOP
                    note(Problem(str(entry), "", f"a symbolic link loop (to {shown(target)})" if loop
                                 else f"a dangling symbolic link (to {shown(target)}, which does not exist)"))
                    continue
                except RuntimeError:  # Python 3.11's Path.resolve on a loop
                    note(Problem(str(entry), "", f"a symbolic link loop (to {shown(target)})"))
                    continue
                if not follow_links and resolved != boundary and boundary not in resolved.parents:
                    note(Problem(str(entry), "", f"a symbolic link out of the folder (to {shown(resolved)})",
                                 "skipped; --follow-links reads it"))
                    continue
                if stat.S_ISDIR(mode) and resolved in inside:
                    note(Problem(str(entry), "", f"a symbolic link loop (to {shown(target)}, a folder that holds it)"))
                    continue
            if stat.S_ISDIR(mode):
                yield from walk(entry, entry_rel, (*inside, entry.resolve()))
            elif not stat.S_ISREG(mode):
                note(Problem(str(entry), "", f"not a regular file ({special_kind(mode)})"))
            elif entry.suffix.lower() in TEXT_SUFFIXES | HTML_SUFFIXES | RECORD_SUFFIXES:
                yield from _first_read(entry, str(prefix / entry_rel), read, problems)
            elif classify(name) == "unread":
                note(unread_problem(str(entry)))

    yield from walk(root, Path(), (boundary,))


def read_file(path: Path, limit: int | None = None) -> bytes:
    """The bytes of a regular file, at most ``limit`` of them (default :data:`MAX_FILE_BYTES`). Raises :class:`DecodeError` when the
    path is no regular file (checked on the open file: a FIFO is opened without blocking and
    never read) or holds more than ``limit`` bytes (read in bounded steps: a file that grows or
    reports no size, as in /proc, cannot exhaust memory)."""
    limit = MAX_FILE_BYTES if limit is None else limit
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise DecodeError(f"not a regular file ({special_kind(st.st_mode)})")
        if st.st_size > limit:
            raise DecodeError(_too_large(st.st_size, limit))
        # One read of the size the file says (no buffer of `limit` bytes); more than that (procfs
        # says 0, a file still growing) is read on in 1 MB steps up to the limit.
        want = st.st_size + 1
        data = fh.read(want)
        if len(data) == want:
            chunks, total = [data], len(data)
            while total <= limit and (chunk := fh.read(min(1 << 20, limit + 1 - total))):
                chunks.append(chunk)
                total += len(chunk)
            if total > limit:
                raise DecodeError(_too_large(None, limit))
            data = b"".join(chunks)
    return data


def _too_large(size: int | None, limit: int) -> str:
    """``size`` None: more than ``limit`` (a file read in bounded steps, whose size was unknown)."""
    def amount(n: int) -> str:
        return f"{n / (1 << 20):,.0f} MB" if n >= 1 << 20 else f"{n:,} bytes"

    return (f"too large ({amount(size) if size is not None else 'more than ' + amount(limit)}; "
            f"the limit is {amount(limit)} a file: split it into parts, e.g. split -l 100000 FILE part-)")


def _first_read(f: Path, name: str, read: dict[Path, str],
                problems: list[Problem] | None) -> Iterator[tuple[Path, str]]:
    key = f.resolve()
    if key not in read:
        read[key] = name
        yield f, name
    elif problems is not None:
        problems.append(Problem(str(f), "", f"already read as {shown(read[key])}"))


def source_names(paths: list[Path]) -> list[Path]:
    """The name each named path gives its files: its last component (``seeds``, ``a.csv``), or as
    many trailing components as it takes to tell two different paths apart (``2023/news.csv``
    beside ``2024/news.csv``): a record is known by its file's name and its line, so two files
    of one ingest never share a name."""
    resolved = [Path(os.path.abspath(p)) for p in paths]  # symbolic links keep their own names
    depth = [1] * len(paths)
    while True:
        names = [Path(*r.parts[-d:]) for r, d in zip(resolved, depth)]
        owners: dict[Path, set[Path]] = {}
        for name, r in zip(names, resolved):
            owners.setdefault(name, set()).add(r)
        clash = [i for i, n in enumerate(names) if len(owners[n]) > 1 and depth[i] < len(resolved[i].parts) - 1]
        if not clash:
            return names
        for i in clash:
            depth[i] += 1


def read_sources(paths: Iterable[Path], *, text_column: str | None = None,
                 problems: list[Problem] | None = None,
                 fields: dict[str, dict[str, str]] | None = None, follow_links: bool = False) -> Iterator[Document]:
    """Yield the Documents of every source; append each bad input to ``problems``, and to
    ``fields`` (when given) {record file: {field: column}} for the columns taken as text, title,
    date, author and source (:func:`recognise_fields`). ``follow_links``: read what symbolic links
    inside a folder lead to outside it (:func:`iter_source_files`).

    One bad file never stops the others: a file that cannot be read, decoded or parsed, or a
    record file without its text column, becomes a Problem. Only when no source yielded a
    document and a record file lacked its text column is :class:`IngestError` raised with that
    message (the one thing the user must fix, with ``--text-column``).

    Cost: streams file by file and record by record; memory holds one file's text at a time
    (an XLSX or Parquet file is read whole, as those formats require), and no file over
    :data:`MAX_FILE_BYTES` is read.
    """
    problems = problems if problems is not None else []
    column_errors: list[str] = []
    yielded = False
    for f, name in iter_source_files(paths, problems, follow_links=follow_links):
        try:
            data = read_file(f)
        except DecodeError as exc:
            problems.append(Problem(str(f), "", str(exc)))
            continue
        except OSError as exc:
            problems.append(Problem(str(f), "", f"cannot read the file: {exc.strerror or exc}"))
            continue
        try:
            for d in read_bytes(data, str(f), name, text_column=text_column, problems=problems,
                                fields=fields):
                yielded = True
                yield d
        except NoTextColumn as exc:
            column_errors.append(f"{shown(f)}: {exc}")
    if column_errors and not yielded:
        raise IngestError(column_errors[0])


class NoTextColumn(Exception):
    """A record file without the text column (a Problem of that file, see read_sources)."""


def read_bytes(data: bytes, path: str, name: str, *, text_column: str | None = None,
               problems: list[Problem], first_line: int = 1,
               fields: dict[str, dict[str, str]] | None = None) -> Iterator[Document]:
    """Yield the Documents of one file given as its bytes; append each bad input to ``problems``.

    ``path`` names the file in problems, ``name`` in the tables (``source_file``); the suffix of
    ``name`` decides how it is parsed (records by their suffix, HTML, anything else as text).
    ``first_line``: the line number of the first line (a part of a JSONL file). A file that
    cannot be decoded or parsed becomes a Problem; a record file without its text column too,
    and then :class:`NoTextColumn` is raised (read_sources decides whether that is fatal).
    ``fields``: as :func:`read_sources`'s, keyed by ``path``.
    No file is touched: the Spark engine parses what its executors read."""
    suffix = Path(name).suffix.lower()
    try:
        if suffix in RECORD_SUFFIXES:
            seen = ({} if fields is None else fields).setdefault(path, {})
            yield from _read_records(data, path, suffix, name, text_column, problems, seen, first_line)
        else:
            yield from _read_txt(data, path, name, problems, html=suffix in HTML_SUFFIXES)
    except DecodeError as exc:
        problems.append(Problem(path, "", str(exc)))
    except OSError as exc:
        problems.append(Problem(path, "", f"cannot read the file: {exc.strerror or exc}"))
    except NoTextColumn as exc:
        problems.append(Problem(path, "", str(exc)))
        raise


def _read_txt(data: bytes, f: str, name: str, problems: list[Problem], html: bool = False) -> Iterator[Document]:
    text, _ = decode_text(data)
    if not text:
        problems.append(Problem(str(f), "", "empty file"))
        return
    if not text.strip():
        problems.append(Problem(str(f), "", "empty file: whitespace only"))
        return
    markup = html and _HTML_ANY_TAG.search(text[:_HTML_SNIFF]) is not None
    doc = make_document(text, name, html=True if markup else None)
    if doc is None:
        problems.append(Problem(str(f), "", "no text left after cleaning (only page furniture, markup, "
                                            "digits or symbols)"))
        return
    yield doc


def pick_text_column(columns: list[str], wanted: str | None) -> str | None:
    """The text column among ``columns``: ``wanted`` when given and present, else the first
    alias (text, content, 正文 ...) in any letter case; None when there is none."""
    if wanted:
        return wanted if wanted in columns else None
    return _first_alias(columns, TEXT_COLUMN_ALIASES, set())


def _first_alias(columns, aliases, taken: set) -> str | None:
    lower: dict[str, str] = {}
    for c in columns:
        if isinstance(c, str) and c not in taken:
            lower.setdefault(c.lower().strip(), c)
    for alias in aliases:
        if alias in lower:
            return lower[alias]
    return None


def recognise_fields(columns, text_column: str) -> dict[str, str]:
    """Which column of a record file is taken for which field: {field: column}, ``text`` first
    (``text_column``), then ``title``, ``date``, ``author``, ``source`` where a column of
    :data:`FIELD_ALIASES` is present (the field's own name first, then its aliases in order; a
    column serves one field only). ``["正文", "标题", "发布时间", "版面"]`` ->
    ``{"text": "正文", "title": "标题", "date": "发布时间"}``."""
    fields = {"text": text_column}
    for field_name, aliases in FIELD_ALIASES.items():
        if field_name == "text":
            continue
        column = _first_alias(columns, aliases, set(fields.values()))
        if column is not None:
            fields[field_name] = column
    return fields


def meta_names(columns, text_column: str, fields: dict[str, str]) -> dict:
    """{column: its metadata name} for the columns of a record other than its text: a column of
    ``fields`` (:func:`recognise_fields`) takes its field's name, a second column of one name
    gets ``meta_`` before it, and a name of the workbench's own tables becomes ``source_<name>``
    (:func:`source_name`). Cost: linear in the columns."""
    rename = {column: field_name for field_name, column in fields.items()}
    kept = [c for c in columns if c != text_column]
    names = [rename.get(c, str(c)) for c in kept]
    taken = set(names)
    out: dict = {}
    used: set = set()
    for c, key in zip(kept, names):
        if key in used:  # "title" beside a 标题 taken as title keeps a name of its own
            key = f"meta_{key}"
        used.add(key)
        out[c] = source_name(key, taken)
    return out


def renamed_columns(fields: dict[str, str], names: dict) -> dict[str, str]:
    """{name: the source's column} for the columns a record keeps under another name: the fields
    taken from another header (``{"title": "标题"}``) and the columns named like the workbench's
    own (``{"source_topic_0": "topic_0"}``); ``names`` is :func:`meta_names` of the record."""
    out = {field_name: str(column) for field_name, column in fields.items() if column != field_name}
    out.update({key: str(c) for c, key in names.items() if key.startswith(SOURCE_PREFIX) and key != str(c)})
    return out


def no_text_column(columns, wanted: str | None) -> NoTextColumn:
    """The error of a record file without its text column, listing the columns it has."""
    names = ", ".join(map(str, columns)) or "none"
    want = f"'{wanted}'" if wanted else "(text, content, body, 正文, 内容 ...)"
    return NoTextColumn(f"no text column {want}: the columns are {names}; name it with --text-column")


def record_document(row: dict, text_col: str, f: str, name: str, where: str,
                    problems: list[Problem], fields: dict[str, str] | None = None) -> Document | None:
    """One record (a row of a JSONL, CSV, XLSX or Parquet file) as a Document: ``text_col`` its
    text, the other fields its metadata, the columns of ``fields`` (:func:`recognise_fields` of the
    file; of the row when None) renamed to their field with the original headers kept under
    :data:`HEADERS_KEY`; None, with a Problem at ``f``:``where``, when its text is missing or
    empty after cleaning."""
    raw = row.get(text_col)
    if raw is None or (isinstance(raw, float) and raw != raw):
        problems.append(Problem(str(f), where, f"no text: the '{text_col}' field is missing or empty"))
        return None
    if isinstance(raw, (dict, list)):
        problems.append(Problem(str(f), where, f"no text: the '{text_col}' field holds a "
                                               f"{'JSON object' if isinstance(raw, dict) else 'list'}"))
        return None
    if not isinstance(raw, str):
        raw = str(raw)
    fields = fields if fields is not None else recognise_fields(list(row), text_col)
    names = meta_names(list(row), text_col, fields)
    meta = {key: _plain(row[k]) for k, key in names.items()}
    headers = renamed_columns(fields, names)
    if headers:
        meta[HEADERS_KEY] = headers
    doc = make_document(raw, name, where, meta)
    if doc is None:
        problems.append(Problem(str(f), where, "empty text: nothing left after cleaning"
                                if raw.strip() else "empty text"))
    return doc


def _plain(v):
    if isinstance(v, str):
        return _CONTROL.sub("", v)  # a NUL or control character in a metadata cell is never content
    if v is None or isinstance(v, (int, float, bool)):
        return v
    if hasattr(v, "isoformat"):
        return v.isoformat()
    if isinstance(v, (dict, list)):
        return json.dumps(v, ensure_ascii=False)
    return str(v)


def _read_records(data: bytes, f: str, suffix: str, name: str, text_column: str | None, problems: list[Problem],
                  seen: dict[str, str], first_line: int = 1) -> Iterator[Document]:
    if suffix in (".jsonl", ".ndjson"):
        yield from _read_jsonl(data, f, name, text_column, problems, seen, first_line)
    elif suffix in (".csv", ".tsv"):
        yield from _read_csv(data, f, name, text_column, problems, seen, delimiter="\t" if suffix == ".tsv" else ",")
    else:
        yield from _read_table(data, f, suffix, name, text_column, problems, seen)


# JSON strings cannot hold a raw CR or LF, so every CR, LF or CRLF ends a JSONL line.
_JSONL_LINE_END = re.compile(r"\r\n|\r|\n")


def _read_jsonl(data: bytes, f: str, name: str, text_column: str | None, problems: list[Problem],
                seen: dict[str, str], first_line: int = 1) -> Iterator[Document]:
    text, _ = decode_text(data)
    if not text.strip():
        problems.append(Problem(str(f), "", "empty file"))
        return
    col = text_column
    for lineno, line in enumerate(_JSONL_LINE_END.split(text), start=first_line):
        if not line.strip():
            continue
        where = f"line {lineno}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(Problem(str(f), where, f"malformed JSON ({exc.msg}, column {exc.colno})"))
            continue
        except RecursionError:
            problems.append(Problem(str(f), where, "malformed JSON (nested too deeply)"))
            continue
        if not isinstance(row, dict):
            kind = {list: "a list", str: "a string", int: "a number", float: "a number", bool: "true/false",
                    type(None): "null"}.get(type(row), type(row).__name__)
            problems.append(Problem(str(f), where, f"not a JSON object: the line holds {kind}"))
            continue
        use = col or pick_text_column(list(row), None) or "text"
        found = recognise_fields(list(row), use)
        for key, column in {**found, **renamed_columns(found, meta_names(list(row), use, found))}.items():
            seen.setdefault(key, column)  # JSON records may vary: the first one named
        doc = record_document(row, use, f, name, where, problems, found)
        if doc is not None:
            yield doc


def _split_lines(text: str) -> list[str]:
    """Lines with their endings (CRLF, CR or LF only: a CSV field may hold U+2028 or a form feed)."""
    return re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z", text)


# Per call, not process-wide: csv's default limit (131,072 characters) is smaller than a long
# government work report, and csv.field_size_limit is global state shared with other code.
_CSV_FIELD_LIMIT = 1 << 30


def _next_row(reader):
    old = csv.field_size_limit(_CSV_FIELD_LIMIT)
    try:
        return next(reader)
    finally:
        csv.field_size_limit(old)


def _read_csv(data: bytes, f: str, name: str, text_column: str | None, problems: list[Problem],
              seen: dict[str, str], delimiter: str = ",") -> Iterator[Document]:
    """Rows of a CSV/TSV file. A broken row (an unclosed quote, text after a closing quote, a
    wrong number of fields) is reported at the line it starts on and skipped; reading resumes on
    the next line, so an unclosed quote cannot swallow the rest of the file."""
    text, _ = decode_text(data)
    if not text.strip():
        problems.append(Problem(str(f), "", "empty file"))
        return
    lines = _split_lines(text)
    del text
    pos = 0  # index of the next line the reader will take

    def feed():
        nonlocal pos
        while pos < len(lines):
            pos += 1
            yield lines[pos - 1]

    def new_reader():
        return csv.reader(feed(), delimiter=delimiter, strict=True)

    reader = new_reader()
    while True:
        start = pos
        try:
            header = _next_row(reader)
        except StopIteration:
            problems.append(Problem(str(f), "", "empty file"))
            return
        except csv.Error as exc:
            problems.append(Problem(str(f), f"line {start + 1}", f"unreadable CSV header ({exc})"))
            return
        if header:
            break
    col = pick_text_column(header, text_column)
    if col is None:
        raise no_text_column(header, text_column)
    found = recognise_fields(header, col)
    seen.update({**found, **renamed_columns(found, meta_names(header, col, found))})
    while True:
        start = pos
        where = f"line {start + 1}"
        try:
            row = _next_row(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(Problem(str(f), where, f"broken CSV row ({exc}); reading resumed on the next line"))
            pos = start + 1
            reader = new_reader()
            continue
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        if len(row) != len(header):
            problems.append(Problem(str(f), where, f"wrong number of fields: {len(row)} where the header "
                                                   f"has {len(header)}"))
            continue
        doc = record_document(dict(zip(header, row)), col, f, name, where, problems, found)
        if doc is not None:
            yield doc


def _read_table(data: bytes, f: str, suffix: str, name: str, text_column: str | None,
                problems: list[Problem], seen: dict[str, str]) -> Iterator[Document]:
    import io

    import pandas as pd

    try:
        df = pd.read_excel(io.BytesIO(data)) if suffix == ".xlsx" else pd.read_parquet(io.BytesIO(data))
    except Exception as exc:  # the readers raise many types for a broken file
        raise DecodeError(f"cannot read as {suffix.lstrip('.').upper()}: {exc}") from None
    col = pick_text_column([str(c) for c in df.columns], text_column)
    if col is None:
        raise no_text_column(df.columns, text_column)
    found = recognise_fields([str(c) for c in df.columns], col)
    seen.update({**found, **renamed_columns(found, meta_names([str(c) for c in df.columns], col, found))})
    first_row = 2 if suffix == ".xlsx" else 1  # a spreadsheet's row 1 is the header
    for i, row in enumerate(df.to_dict(orient="records")):
        label = f"row {i + first_row}"
        doc = record_document(row, col, f, name, label, problems, found)
        if doc is not None:
            yield doc


def report(problems: Iterable[Problem]) -> None:
    """Log each problem as one warning of the ``workbench`` logger (the command line prints them
    as ``workbench: FILE:LINE: what is wrong (what was done)``)."""
    log = logging.getLogger(__name__)
    for p in problems:
        log.warning("%s", p)
