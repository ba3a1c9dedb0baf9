"""Ingest: read sources, decode them, strip web-page furniture, lift bylines into metadata.

Sources are folders of ``.txt`` files (one article each, searched recursively) and record files
(``.jsonl``, ``.csv``, ``.xlsx``, ``.parquet``) with a text column; every other column becomes
metadata. Nothing here tokenizes: the output is a stream of :class:`Document` values.

Bad input never stops an ingest: each problem becomes a :class:`Problem` naming the file and the
line or record, and the good documents are still yielded.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

TEXT_SUFFIXES = {".txt", ".text", ".md"}
RECORD_SUFFIXES = {".jsonl", ".ndjson", ".csv", ".tsv", ".xlsx", ".parquet"}
# Alternative names of the text column seen in news-database exports.
TEXT_COLUMN_ALIASES = ("text", "content", "body", "正文", "内容", "全文", "article")


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
        loc = f"{self.path}:{self.where}" if self.where else self.path
        return f"{loc}: {self.what} ({self.action})"


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


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode file bytes to text; return ``(text, encoding)``.

    Detects, in order: a byte-order mark (UTF-8, UTF-16 LE/BE), BOM-less UTF-16 (NUL bytes at
    alternating positions), strict UTF-8, then GB18030 (a superset of GBK and GB2312). Raises
    :class:`DecodeError` for binary data (known magic numbers, NUL bytes that are not UTF-16, or
    bytes that decode under no candidate).
    """
    for magic, what in _BINARY_MAGIC.items():
        if data.startswith(magic):
            raise DecodeError(f"not a text file: looks like {what}")
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        return data.decode("utf-16"), "utf-16"
    if b"\x00" in data[:4096]:
        sample = data[:4096]
        even_nul = sample[0::2].count(0) / max(1, len(sample[0::2]))
        odd_nul = sample[1::2].count(0) / max(1, len(sample[1::2]))
        # ASCII-heavy UTF-16 has NULs in every other byte; CJK UTF-16 has few NULs, so only the
        # ASCII-heavy case is guessed; anything else with NULs is binary.
        if odd_nul > 0.3 and even_nul < 0.05:
            return data.decode("utf-16-le", errors="strict"), "utf-16-le"
        if even_nul > 0.3 and odd_nul < 0.05:
            return data.decode("utf-16-be", errors="strict"), "utf-16-be"
        raise DecodeError("not a text file: contains NUL bytes")
    try:
        return data.decode("utf-8", errors="strict"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030", errors="strict")
    except UnicodeDecodeError as exc:
        raise DecodeError(f"cannot decode as UTF-8, UTF-16 or GB18030 (byte {exc.start})") from None
    if _control_share(text) > 0.05:
        raise DecodeError("not a text file: mostly control characters")
    return text, "gb18030"


def _control_share(text: str) -> float:
    if not text:
        return 0.0
    bad = sum(1 for ch in text[:20000] if ord(ch) < 32 and ch not in "\t\n\r\f")
    return bad / min(len(text), 20000)


def read_text_file(path: Path) -> tuple[str, str]:
    """Read and decode one text file; see :func:`decode_bytes`."""
    data = Path(path).read_bytes()
    text, enc = decode_bytes(data)
    if _control_share(text) > 0.05:
        raise DecodeError("not a text file: mostly control characters")
    return text, enc


# --------------------------------------------------------------------------------------------
# Cleaning

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028\u2029\ufeff]")
_WS = re.compile(r"[ \t\u3000\xa0]+")

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


def _is_heading(line: str) -> bool:
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
    text = _CONTROL.sub("", raw.replace("\r\n", "\n").replace("\r", "\n"))
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
    end a sentence); short unpunctuated lines are headings and stay on their own."""
    out: list[str] = []
    carry = ""
    for line in lines:
        cur = carry + line
        unbalanced = cur.count("“") > cur.count("”") or cur.count("（") > cur.count("）")
        if (unbalanced or len(cur) > 30) and not cur.endswith(tuple(_TERMINAL)) and line is not lines[-1]:
            carry = cur
            continue
        out.append(cur)
        carry = ""
    if carry:
        out.append(carry)
    return out


def doc_id_for(text: str) -> str:
    """Content hash of the cleaned body: identical articles get one id whatever their file name."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def make_document(raw: str, source_file: str, record: str = "", meta: dict | None = None,
                  has_title: bool | None = None) -> Document | None:
    """Clean ``raw`` into a Document (None when nothing but furniture is left)."""
    meta = {k: v for k, v in (meta or {}).items() if v not in (None, "")}
    cleaned = clean_article(raw, has_title=False if "title" in meta else has_title)
    body = "\n".join(cleaned.paragraphs)
    if not body.strip():
        return None
    merged = {**cleaned.meta, **meta}  # a record's own columns beat what the text says
    if "date" in merged:
        merged["date"] = normalize_date(str(merged["date"]))
    return Document(doc_id=doc_id_for(body), source_file=source_file, record=record, text=body,
                    meta=merged, removed=cleaned.removed)


# --------------------------------------------------------------------------------------------
# Sources

def iter_source_files(paths: Iterable[Path]) -> Iterator[tuple[Path, str]]:
    """Expand folders recursively (sorted, hidden files skipped) into ``(file, name)`` pairs.

    ``name`` is the file's path from the folder that was named (``seeds/000.txt``), so tables
    do not depend on where a checkout lives.
    """
    for p in paths:
        p = Path(p)
        if not p.exists():
            raise IngestError(f"{p}: no such file or folder")
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and not any(part.startswith(".") for part in f.relative_to(p).parts):
                    if f.suffix.lower() in TEXT_SUFFIXES | RECORD_SUFFIXES:
                        yield f, str(Path(p.resolve().name) / f.relative_to(p))
        else:
            yield p, p.name


def read_sources(paths: Iterable[Path], *, text_column: str | None = None,
                 problems: list[Problem] | None = None) -> Iterator[Document]:
    """Yield the Documents of every source; append each bad input to ``problems``.

    Cost: streams file by file and record by record; memory holds one file's text at a time
    (an XLSX or Parquet file is read whole, as those formats require).
    """
    problems = problems if problems is not None else []
    for f, name in iter_source_files(paths):
        suffix = f.suffix.lower()
        try:
            if suffix in RECORD_SUFFIXES:
                yield from _read_records(f, name, text_column, problems)
            else:
                yield from _read_txt(f, name, problems)
        except (OSError, DecodeError) as exc:
            problems.append(Problem(str(f), "", str(exc)))


def _read_txt(f: Path, name: str, problems: list[Problem]) -> Iterator[Document]:
    text, _ = read_text_file(f)
    if not text.strip():
        problems.append(Problem(str(f), "", "empty file"))
        return
    doc = make_document(text, name)
    if doc is None:
        problems.append(Problem(str(f), "", "no text left after removing page furniture"))
        return
    yield doc


def _pick_text_column(columns: list[str], wanted: str | None) -> str | None:
    if wanted:
        return wanted if wanted in columns else None
    lower = {c.lower().strip(): c for c in columns if isinstance(c, str)}
    for alias in TEXT_COLUMN_ALIASES:
        if alias in lower:
            return lower[alias]
    return None


def _record_doc(row: dict, text_col: str, f: Path, name: str, where: str,
                problems: list[Problem]) -> Document | None:
    raw = row.get(text_col)
    if raw is None or (isinstance(raw, float) and raw != raw):
        problems.append(Problem(str(f), where, f"no '{text_col}' value"))
        return None
    if not isinstance(raw, str):
        raw = str(raw)
    meta = {str(k): _plain(v) for k, v in row.items() if k != text_col}
    doc = make_document(raw, name, where, meta)
    if doc is None:
        problems.append(Problem(str(f), where, "empty text"))
    return doc


def _plain(v):
    if v is None or isinstance(v, (str, int, float, bool)):
        return v
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return str(v)


def _read_records(f: Path, name: str, text_column: str | None, problems: list[Problem]) -> Iterator[Document]:
    suffix = f.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        yield from _read_jsonl(f, name, text_column, problems)
    elif suffix in (".csv", ".tsv"):
        yield from _read_csv(f, name, text_column, problems, delimiter="\t" if suffix == ".tsv" else ",")
    else:
        yield from _read_table(f, name, text_column, problems)


def _read_jsonl(f: Path, name: str, text_column: str | None, problems: list[Problem]) -> Iterator[Document]:
    text, _ = read_text_file(f)
    col = text_column
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"line {lineno}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(Problem(str(f), where, f"malformed JSON ({exc.msg})"))
            continue
        if not isinstance(row, dict):
            problems.append(Problem(str(f), where, f"not a JSON object but {type(row).__name__}"))
            continue
        use = col or _pick_text_column(list(row), None) or "text"
        doc = _record_doc(row, use, f, name, where, problems)
        if doc is not None:
            yield doc


def _read_csv(f: Path, name: str, text_column: str | None, problems: list[Problem],
              delimiter: str = ",") -> Iterator[Document]:
    text, _ = read_text_file(f)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        problems.append(Problem(str(f), "", "empty CSV file"))
        return
    except csv.Error as exc:
        problems.append(Problem(str(f), "line 1", f"unreadable CSV header ({exc})"))
        return
    col = _pick_text_column(header, text_column)
    if col is None:
        wanted = text_column or " / ".join(TEXT_COLUMN_ALIASES[:3])
        raise IngestError(f"{f}: no text column '{wanted}' (columns: {', '.join(header)}); "
                          f"name it with --text-column")
    while True:
        line_no = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(Problem(str(f), f"line {line_no}", f"broken CSV row ({exc})"))
            continue
        if not row:
            continue
        if len(row) != len(header):
            problems.append(Problem(str(f), f"line {line_no}",
                                    f"{len(row)} fields where the header has {len(header)}"))
            continue
        doc = _record_doc(dict(zip(header, row)), col, f, name, f"line {line_no}", problems)
        if doc is not None:
            yield doc


def _read_table(f: Path, name: str, text_column: str | None, problems: list[Problem]) -> Iterator[Document]:
    import pandas as pd

    try:
        df = pd.read_excel(f) if f.suffix.lower() == ".xlsx" else pd.read_parquet(f)
    except Exception as exc:  # the readers raise many types for a broken file
        raise DecodeError(f"cannot read as {f.suffix.lstrip('.').upper()}: {exc}") from None
    col = _pick_text_column([str(c) for c in df.columns], text_column)
    if col is None:
        raise IngestError(f"{f}: no text column '{text_column or 'text'}' "
                          f"(columns: {', '.join(map(str, df.columns))}); name it with --text-column")
    first_row = 2 if f.suffix.lower() == ".xlsx" else 1  # a spreadsheet's row 1 is the header
    for i, row in enumerate(df.to_dict(orient="records")):
        label = f"row {i + first_row}"
        doc = _record_doc(row, col, f, name, label, problems)
        if doc is not None:
            yield doc


def dedupe(docs: Iterable[Document], problems: list[Problem] | None = None) -> Iterator[Document]:
    """Drop documents whose cleaned text was already seen (same doc_id)."""
    seen: dict[str, str] = {}
    for d in docs:
        if d.doc_id in seen:
            if problems is not None:
                problems.append(Problem(d.source_file, d.record,
                                        f"duplicate of {seen[d.doc_id]}", "skipped"))
            continue
        seen[d.doc_id] = f"{d.source_file}{':' + d.record if d.record else ''}"
        yield d


def report(problems: list[Problem], stream=sys.stderr) -> None:
    for p in problems:
        print(f"workbench: {p}", file=stream)
