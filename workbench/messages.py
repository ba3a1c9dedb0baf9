"""The message catalogue: every message, error and help text of the command line in English and
Simplified Chinese, and the choice between them.

The language is Chinese when ``WORKBENCH_LANG`` starts with ``zh`` (``WORKBENCH_LANG=en`` forces
English), else when the locale does (``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG`` in
gettext's order: ``zh_CN.UTF-8``, ``zh_SG``, ``zh``); English otherwise.

The library keeps writing its messages in English (log records, exceptions, argparse help); only
the command line's output boundary translates them (``cli._fail``, its logging handler, its
argparse parser and formatter), so a message never changes where it is raised. The catalogue's
keys are the message templates as the source writes them, a hole ``{}`` for each value (an
f-string's ``{path}``, a logging call's ``%s``): :func:`translate` matches a finished English
message against them, keeps each value verbatim (a path, a column, a number) or translates it in
turn when it is itself a message (``f"{path}: {exc}"``), and pours the values into the Chinese
template. ``tests/test_messages.py`` derives the template set from the source with the same rules
and fails on a template without its Chinese, or a Chinese entry whose template is gone.

Tables: :data:`MESSAGES` (errors, log lines, progress lines), :data:`HELP` (``help=`` and
``description=`` texts, looked up whole, argparse's ``%(default)s`` kept), :data:`ARGPARSE`
(argparse's own phrases: ``usage:``, ``the following arguments are required: %s`` ...). A value of
:data:`KEEP` says the English line is shown as it is (a template too dynamic to translate
cleanly); the tests count them."""

from __future__ import annotations

import os
import re
import string
import unicodedata
from functools import lru_cache

#: A catalogue value: show the English message unchanged.
KEEP = None

#: How deep messages nest in messages (``f"{path}: {exc}"`` is one level).
_DEPTH = 4


def language() -> str:
    """``"zh"`` or ``"en"``, from ``WORKBENCH_LANG``, else the locale variables (read each call:
    the tests and a shell may change them)."""
    chosen = os.environ.get("WORKBENCH_LANG", "").strip().lower()
    if chosen:
        return "zh" if chosen.startswith("zh") else "en"
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "").strip().lower()
        if value:
            # LANGUAGE is a list of preferences ("zh_CN:en"); the first decides
            return "zh" if value.split(":")[0].startswith("zh") else "en"
    return "en"


def chinese() -> bool:
    return language() == "zh"


def holes(template: str) -> list[str]:
    """The literal pieces of a ``{}`` template, as :meth:`str.format` reads it (``{{`` is a brace)."""
    return [literal for literal, _field, _spec, _conv in string.Formatter().parse(template)]


def _pattern(template: str) -> re.Pattern:
    parts = []
    for literal, field, _spec, _conv in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if field is not None:
            parts.append("(.*?)")
    return re.compile("".join(parts), re.DOTALL)


@lru_cache(maxsize=None)
def _compiled() -> tuple[tuple[re.Pattern, str | None, bool], ...]:
    """(pattern, Chinese, whether it only joins messages: ``"{}: {}"``) per template of :data:`MESSAGES` and :data:`ARGPARSE`, the most specific
    first (the longest literal text), so ``"{}: not a run folder (no manifest.json)"`` is tried
    before ``"{}: {}"``. Compiled once, at the first message shown in Chinese (a few ms)."""
    rows = []
    for english, zh in (*MESSAGES.items(), *ARGPARSE.items()):
        literal = "".join(holes(english))
        rows.append((-len(literal), english, _pattern(english), zh, not any(ch.isalpha() for ch in literal)))
    rows.sort(key=lambda r: (r[0], r[1]))
    return tuple((pattern, zh, joining) for _n, _english, pattern, zh, joining in rows)


def _match(message: str, depth: int) -> str | None:
    """``message`` in Chinese if a template matches all of it, else None."""
    if depth > _DEPTH or not message:
        return None
    for pattern, zh, joining in _compiled():
        m = pattern.fullmatch(message)
        if m is None:
            continue
        if zh is KEEP:
            return message
        values = list(m.groups())
        for i in range(len(values) - 1):
            if m.end(i + 1) == m.start(i + 2):  # two holes side by side ("{}{} added"): split them
                values[i], values[i + 1] = _split(values[i] + values[i + 1], depth)
        translated = [_value(v, depth + 1) for v in values]
        if joining and translated == values:
            continue  # "{}: {}" around text that is no message: not ours to touch
        return zh.format(*translated)
    return None


def _split(text: str, depth: int) -> tuple[str, str]:
    """Two adjacent values as one ``text``: the first is the longest start of ``text`` that is a
    message of its own (``"corpus 'gov': "`` before a count), else nothing."""
    for i in range(len(text) - 1, 0, -1):
        if _match(text[:i], depth + 1) is not None:
            return text[:i], text[i:]
    return "", text


def _value(value: str, depth: int) -> str:
    """A hole's value: a message of its own (an exception's text inside ``f"{path}: {exc}"``)
    translated, anything else (a path, a column, a number) as it is. A value that ends in a
    message of its own after a space (``"--topic (did you mean --topics?)"``) keeps its start."""
    if not value or value.isspace():
        return value
    whole = _match(value, depth)
    if whole is not None:
        return whole
    for i, ch in enumerate(value):
        if ch == " " and i > 0:
            tail = _match(value[i:], depth)
            if tail is not None:
                return value[:i] + tail
    return value


def translate(message: str) -> str:
    """``message`` (a finished English message) in the user's language: as it is in English, or
    when no template matches it."""
    if not chinese():
        return message
    return _value(str(message), 0)


def help_text(text: str | None) -> str | None:
    """A ``help=``/``description=``/section title in the user's language, looked up whole (argparse
    fills in ``%(default)s`` afterwards)."""
    if not text or not chinese():
        return text
    zh = HELP.get(text)
    if zh is None:
        zh = ARGPARSE.get(text.replace("{", "{{").replace("}", "}}"))
    return text if zh is None else zh


def argparse_phrase(phrase: str) -> str:
    """One of argparse's own phrases (``"usage: "``), translated."""
    if not chinese():
        return phrase
    zh = ARGPARSE.get(phrase.replace("{", "{{").replace("}", "}}"))
    return phrase if zh is None else zh


def _columns(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wide(text: str | None) -> bool:
    """Whether ``text`` holds a character that takes two columns (Chinese)."""
    return bool(text) and any(unicodedata.east_asian_width(ch) in "WF" for ch in text)


_CLOSING = "，。、；：！？）》」』”"
_OPENING = "（《「『“"
_TOKEN = re.compile(r"\s+|[^\s\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]+|.")


def wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` columns (a Chinese character is two): a line breaks
    at a space or between two Chinese characters, never before closing or after opening
    punctuation; a word longer than a line keeps its line."""
    tokens: list[str] = []
    for token in _TOKEN.findall(text):
        if tokens and (token[0] in _CLOSING or tokens[-1][-1] in _OPENING):
            tokens[-1] += token
        else:
            tokens.append(token)
    lines, line = [], ""
    for token in tokens:
        if line and _columns(line + token.rstrip()) > width:
            lines.append(line.rstrip())
            line = "" if token.isspace() else token
        elif line or not token.isspace():
            line += token
    if line.strip():
        lines.append(line.rstrip())
    return lines


# ---------------------------------------------------------------------------
# the catalogue (English template -> Chinese template; tests/test_messages.py keeps it whole)

MESSAGES: dict[str, str | None] = {
    "workbench: error: {}": "workbench: 错误：{}",
    "{}: error: {}": "{}: 错误：{}",
    # -- how messages join: a path before a message, a problem with its line and what was done
    "{}: {}": "{}：{}",
    "{}: {} s": "{}：{} 秒",
    "{} …": "{} …",
    "{} [{}]": "{} [{}]",
    "{}  |  {}  |  {} units, {} clusters": "{}  |  {}  |  {} 个单元，{} 个聚类",
    "{}:{}": "{}:{}",
    "{}/{}": "{}/{}",
    "{}: {} ({})": "{}：{}（{}）",
    "{}: row {} ({})": "{}：第 {} 行（{}）",
    "line {}": "第 {} 行",
    "row {}": "第 {} 行",
    "run {}": "运行 {}",
    "metadata": "元数据",
    "skipped": "已跳过",
    "{} s ({})": "{} 秒（{}）",
    "not read": "未读取",
    "interrupted": "已中断",
    "{} MB": "{} MB",
    "{} bytes": "{} 字节",
    "{} units": "{} 个单元",
    "{} terms in the vocabulary": "词表中的 {} 个词语",
    " (did you mean {}?)": "（是否想输入 {}？）",
    "unrecognized arguments: {}{}": "无法识别的参数：{}{}",
    "... and {} more skipped inputs": "……另有 {} 个输入被跳过",
    # -- bounds of numeric options (workbench.checks)
    "{} must be {}, not {}": "{} 必须是{}，而不是 {}",
    "expected {}, not {}": "应为{}，而不是 {}",
    "a number above 0": "大于 0 的数",
    "a number above 0 and at most 1": "大于 0 且不超过 1 的数",
    "a number between 0 and 1 (both excluded)": "介于 0 和 1 之间的数（不含 0 和 1）",
    "a number from 0 to 1": "介于 0 和 1 之间的数",
    "a number of seconds, 0 or more": "秒数（0 或以上）",
    "a port number from 1 to 65535": "介于 1 和 65535 之间的端口号",
    "a topic id (a whole number of at least 0)": "主题编号（不小于 0 的整数）",
    "a whole number from 0 to 4294967295": "介于 0 和 4294967295 之间的整数",
    "a whole number from 1 to {}": "介于 1 和 {} 之间的整数",
    "a whole number of at least 0": "不小于 0 的整数",
    "a whole number of at least 1": "不小于 1 的整数",
    # -- arguments of the command line
    "'{}': a merge needs two different topics": "'{}'：合并需要两个不同的主题",
    "'{}': expected a sha256, 64 hexadecimal digits": "'{}'：应为 sha256 值，即 64 位十六进制数字",
    "'{}': write comma-separated whole numbers, e.g. 3,7": "'{}'：请写以逗号分隔的整数，例如 3,7",
    "'{}': write the topics to merge as TOPIC+TOPIC[+...], e.g. 3+7":
        "'{}'：要合并的主题请写成 主题+主题[+...]，例如 3+7",
    "'{}': write {}, e.g. {}": "'{}'：请写成 {}，例如 {}",
    "Spark settings as KEY=VALUE": "KEY=VALUE 形式的 Spark 设置",
    "merges as TOPIC+TOPIC=LABEL": "TOPIC+TOPIC=LABEL（主题+主题=标签）形式的合并",
    "filters as COLUMN=VALUE": "COLUMN=VALUE（列=值）形式的筛选条件",
    "expected 'auto' or a positive number of sweeps, not '{}'": "应为 'auto' 或正整数的采样轮数，而不是 '{}'",
    "iterations must be 'auto' or a positive number of sweeps, not {}": "iterations 必须是 'auto' 或正整数的采样轮数，而不是 {}",
    "iterations must be positive, not {}": "iterations 必须为正数，而不是 {}",
    "{}: write labels as TOPIC=LABEL with a topic id 0, 1, 2 ..., e.g. 0=脱贫攻坚":
        "{}：标签请写成 主题=标签，主题编号为 0、1、2……，例如 0=脱贫攻坚",
    "give SOURCE files or --corpus NAME (one of the two)": "请给出 SOURCE 文件或 --corpus NAME（二者选一）",
    "give SOURCE files or --corpus NAME, not both": "请给出 SOURCE 文件或 --corpus NAME，不能同时给出",
    "give SOURCE files or --corpus NAME, not both (add files with `workbench ingest`)":
        "请给出 SOURCE 文件或 --corpus NAME，不能同时给出（用 `workbench ingest` 向语料添加文件）",
    "--model stm needs --prevalence FORMULA over metadata columns, e.g. \"s(year) + doc_type\"":
        "--model stm 需要基于元数据列的 --prevalence 公式，例如 \"s(year) + doc_type\"",
    "--model stm runs on this machine only (drop --engine spark)": "--model stm 只能在本机运行（请去掉 --engine spark）",
    "--over-time needs --slices: the years at which time slices start, e.g. --slices 1954,1978,1993,2003,2013":
        "--over-time 需要 --slices：各时间片的起始年份，例如 --slices 1954,1978,1993,2003,2013",
    "--over-time runs on this machine only (drop --engine spark)": "--over-time 只能在本机运行（请去掉 --engine spark）",
    "--over-time with --prevalence: choose the dynamic topic model or the STM":
        "--over-time 与 --prevalence 不能同用：请在动态主题模型和 STM 中选一个",
    "--over-time {}: the column is not numeric (e.g. {}); time slices need a year or another number":
        "--over-time {}：该列不是数值（例如 {}）；时间片需要年份或其他数值",
    "--prevalence is the STM's; --over-time trains a dynamic topic model (choose one)":
        "--prevalence 属于 STM；--over-time 训练的是动态主题模型（请选其一）",
    "--prevalence {}: the design is collinear (a constant column, or two that say the same: {})":
        "--prevalence {}：设计矩阵共线（有常数列，或两列含义相同：{}）",
    "--prevalence {}: the design lost rows ({} of {})": "--prevalence {}：设计矩阵丢失了行（{} 行中的 {} 行）",
    "--prevalence {}: {}": "--prevalence {}：{}",
    "--slices: give at least two start values of {}, e.g. 1954,1978,1993,2003,2013":
        "--slices：请至少给出 {} 的两个起始值，例如 1954,1978,1993,2003,2013",
    "--slices: slice {} of {} has no units (the units' {} runs {}-{}); choose other starts":
        "--slices：{1} 个时间片中的第 {0} 个没有任何单元（单元的 {2} 范围为 {3}-{4}）；请另选起始值",
    "--task needs --out FILE.xlsx (the key is written beside it)": "--task 需要 --out FILE.xlsx（答案表写在它旁边）",
    "--task {}: choose {}": "--task {}：请从 {} 中选择",
    "--topics {}: the run has topics 0..{}": "--topics {}：该运行的主题编号为 0..{}",
    "--topics: {} topics for {}: a model can have at most {} topics here (lower --topics)":
        "--topics：{0} 个主题对 {1} 而言太多：此处模型最多只能有 {2} 个主题（请调小 --topics）",
    "--out {}: a task sheet is an .xlsx file": "--out {}：任务表应为 .xlsx 文件",
    "--by {}: no such column in {}{}; columns there: {}": "--by {}：{} 中没有这一列{}；现有的列：{}",
    "--covariate {} is not in the formula {}": "--covariate {} 不在公式 {} 中",
    "--groups {}: give two different groups, e.g. 北京,上海 or 1954-1977,1978-2025":
        "--groups {}：请给出两个不同的组，例如 北京,上海 或 1954-1977,1978-2025",
    "--groups {}: give two of the values of {}: {}": "--groups {}：请给出 {} 的两个取值：{}",
    "--groups {}: {} units are in both groups; make them disjoint": "--groups {}：有 {} 个单元同属两组；请让两组互不重叠",
    "--groups: no unit of {} has {} = {}; values there: {}": "--groups：{} 中没有 {} = {} 的单元；现有取值：{}",
    "--groups: {} is numeric; groups are for a categorical covariate": "--groups：{} 是数值型；分组只适用于分类协变量",
    "corpus name {}: use {}": "语料名 {}：请使用{}",
    # -- reading sources
    "{}: no such file or folder": "{}：没有这个文件或文件夹",
    "empty file": "空文件",
    "empty file: whitespace only": "空文件：只有空白字符",
    "empty text": "文本为空",
    "empty text: nothing left after cleaning": "文本为空：清洗后什么也没剩下",
    "no text left after cleaning (only page furniture, markup, digits or symbols)":
        "清洗后没有剩下文本（只有页面装饰、标记、数字或符号）",
    "no text: the '{}' field is missing or empty": "没有文本：'{}' 字段缺失或为空",
    "no text: the '{}' field holds a {}": "没有文本：'{}' 字段的内容为{}",
    "JSON object": "JSON 对象",
    "list": "列表",
    "already read as {}": "已作为 {} 读取",
    "another file of this ingest has the same name": "本次导入中另有一个同名文件",
    "not a regular file ({})": "不是普通文件（{}）",
    "a dangling symbolic link (to {}, which does not exist)": "失效的符号链接（指向不存在的 {}）",
    "a symbolic link loop (to {})": "符号链接循环（指向 {}）",
    "a symbolic link loop (to {}, a folder that holds it)": "符号链接循环（指向包含它的文件夹 {}）",
    "a symbolic link out of the folder (to {})": "指向文件夹之外的符号链接（指向 {}）",
    "skipped; --follow-links reads it": "已跳过；加 --follow-links 可读取",
    "left by a file browser, never read": "文件管理器留下的文件，不读取",
    "cannot read the file: {}": "无法读取该文件：{}",
    "cannot read the folder: {}": "无法读取该文件夹：{}",
    "cannot read as {}: {}": "无法按 {} 读取：{}",
    "cannot decode:": "无法解码：",
    "not a text file: ": "不是文本文件：",
    "more than {}": "超过 {}",
    "contains NUL bytes and bytes that are": "含有 NUL 字节，且有字节",
    "{}{} not UTF-8, UTF-16 or GB18030 (byte {})": "{}{}不是 UTF-8、UTF-16 或 GB18030 编码（第 {} 字节）",
    "{}: not UTF-8 text (byte {})": "{}：不是 UTF-8 文本（第 {} 字节）",
    "invalid UTF-16 after a UTF-16 byte-order mark (byte {})": "UTF-16 字节序标记之后的 UTF-16 编码无效（第 {} 字节）",
    "invalid UTF-8 after a UTF-8 byte-order mark (byte {})": "UTF-8 字节序标记之后的 UTF-8 编码无效（第 {} 字节）",
    "not a text file: contains NUL bytes": "不是文本文件：含有 NUL 字节",
    "not a text file: contains NUL bytes and decodes only to control or unassigned characters":
        "不是文本文件：含有 NUL 字节，且解码后只有控制字符或未分配字符",
    "not a text file: decodes only to control or unassigned characters": "不是文本文件：解码后只有控制字符或未分配字符",
    "not a text file: looks like {}": "不是文本文件：看起来是 {}",
    "not a text file: {} control characters": "不是文本文件：含 {} 个控制字符",
    "too large ({}; the limit is {} a file: split it into parts, e.g. split -l 100000 FILE part-)":
        "文件过大（{}；每个文件的上限为 {}：请拆分成几部分，例如 split -l 100000 FILE part-）",
    "unsupported file type: '{}' files are not read (accepted: {})": "不支持的文件类型：不读取 '{}' 文件（可读取：{}）",
    "broken CSV row ({}); reading resumed on the next line": "CSV 行已损坏（{}）；从下一行继续读取",
    "unreadable CSV header ({})": "无法读取 CSV 表头（{}）",
    "wrong number of fields: {} where the header has {}": "字段数不对：有 {} 个，而表头有 {} 个",
    "malformed JSON (nested too deeply)": "JSON 格式错误（嵌套过深）",
    "malformed JSON ({}, column {})": "JSON 格式错误（{}，第 {} 列）",
    "not a JSON object: the line holds {}": "不是 JSON 对象：这一行是 {}",
    "{}: not JSON ({}, line {}, column {})": "{}：不是 JSON（{}，第 {} 行，第 {} 列）",
    "{}: no {} column (columns: {})": "{}：没有 {} 列（现有的列：{}）",
    "{}: not a readable .xlsx sheet ({})": "{}：不是可读取的 .xlsx 工作表（{}）",
    "no text column {}: the columns are {}; name it with --text-column": "没有文本列 {}：现有的列为 {}；请用 --text-column 指定",
    "{}: no documents with text found": "{}：没有找到含文本的文档",
    "{}: no documents with text found ({} inputs skipped, see messages above)":
        "{}：没有找到含文本的文档（{} 个输入被跳过，见上方消息）",
    "no document could be read from {} (see the report above)": "无法从 {} 读取任何文档（见上方报告）",
    "{} ids for {} texts": "{} 个编号对应 {} 篇文本",
    "{} units but {} token lists": "{} 个单元，但有 {} 个词元列表",
    "{} of {} documents are written in Traditional characters ({}{}): converted to Simplified for tokenizing, "
    "the tables keep their text (--keep-traditional leaves them as they are)":
        "{1} 篇文档中有 {0} 篇以繁体字书写（{2}{3}）：分词时已转换为简体，表格保留原文"
        "（--keep-traditional 保持原样）",
    "{}: the file is {}, and Spark splits a large JSONL file as UTF-8; convert it first (iconv -f {} -t UTF-8) or use "
    "the local engine":
        "{}：该文件编码为 {}，而 Spark 按 UTF-8 切分大的 JSONL 文件；请先转换编码（iconv -f {} -t UTF-8）或使用本地引擎",
    # -- the store
    "corpus '{}': ": "语料 '{}'：",
    "read twice": "重复读取",
    "{}{} added, {} unchanged, {} updated, {} skipped{}": "{}新增 {}，未变 {}，更新 {}，跳过 {}{}",
    "{}{} added, {} unchanged, {} updated, {} skipped ({}){}": "{}新增 {}，未变 {}，更新 {}，跳过 {}（{}）{}",
    "{}{} added, {} unchanged, {} updated, {} skipped; {} with the text of an earlier record (modelled once){}":
        "{}新增 {}，未变 {}，更新 {}，跳过 {}；{} 条与先前记录的文本相同（只建模一次）{}",
    "{}{} added, {} unchanged, {} updated, {} skipped ({}); {} with the text of an earlier record (modelled once){}":
        "{}新增 {}，未变 {}，更新 {}，跳过 {}（{}）；{} 条与先前记录的文本相同（只建模一次）{}",
    "renamed, as the workbench's own column names: {}": "已改名，以免与 workbench 自己的列名相同：{}",
    "{}: the store is locked by {}; waited {} s. Let it finish and run this again, wait longer with --wait SECONDS, or "
    "end that process":
        "{}：存储库被{}锁定；已等待 {} 秒。请等它完成后再运行一次，或用 --wait SECONDS 等待更久，或结束那个进程",
    "another program (its process could not be named)": "另一个程序（无法确定其进程）",
    "process {} ({})": "进程 {}（{}）",
    "process {} ({}), writing for {} s": "进程 {}（{}，已写入 {} 秒）",
    "no corpus named '{}' in {} (corpora: {}); add documents with `workbench ingest SOURCE --corpus {}`":
        "{1} 中没有名为 '{0}' 的语料（现有语料：{2}）；请用 `workbench ingest SOURCE --corpus {3}` 添加文档",
    "{} {} is not in the store": "存储库中没有 {} {}",
    "{}: migrated to records ({} in named corpora); {} superseded texts dropped":
        "{}：已迁移为记录（{} 条在命名语料中）；删除了 {} 篇已被取代的文本",
    # -- progress lines
    "loading the pipeline": "正在加载处理流程",
    "corpus '{}' of the store": "存储库中的语料 '{}'",
    " and {} more": " 等，另有 {} 个",
    "reading {}": "正在读取 {}",
    "looking for Traditional characters in {} documents": "正在查找 {} 篇文档中的繁体字",
    "counting quoted terms in {} documents": "正在统计 {} 篇文档中的引号词",
    "tokenizing {} documents": "正在为 {} 篇文档分词",
    "building the vocabulary of {} units": "正在为 {} 个单元建立词表",
    "training (gensim)": "正在训练（gensim）",
    "scoring the coherence of {} topics": "正在计算 {} 个主题的一致性",
    "fingerprinting the corpus": "正在计算语料指纹",
    "writing doc_topics.csv, topics.csv, keywords.csv ({} units)": "正在写入 doc_topics.csv、topics.csv、keywords.csv（{} 个单元）",
    "writing the topic map (ldavis.html)": "正在写入主题地图（ldavis.html）",
    "saving the model": "正在保存模型",
    "drawing the charts": "正在绘制图表",
    "hashing the run's files": "正在计算运行文件的哈希值",
    "run written in {}": "运行已写完，用时 {}",
    "tokenize: {} units segmented: {} new, {} containing a changed user word{}; {} reused":
        "分词：切分了 {} 个单元：{} 个新单元，{} 个含有改动过的用户词{}；{} 个沿用缓存",
    # -- training
    "need at least 2 topics, got {}": "至少需要 2 个主题，实际为 {}",
    "only {} unit(s) with at least {} tokens: too little text to model (try --unit paragraph or more documents)":
        "只有 {} 个单元的词元数不少于 {}：文本太少，无法建模（可尝试 --unit paragraph 或增加文档）",
    "the vocabulary is empty after filtering (no_below/no_above too strict for this corpus)":
        "过滤后词表为空（对这个语料而言 no_below/no_above 太严格）",
    "every unit needs at least one token in the vocabulary": "每个单元至少需要一个在词表中的词元",
    "need 0 < min_iterations <= max_iterations": "需要 0 < min_iterations <= max_iterations",
    "keyed topics (--themes) need the tomotopy engine: Spark MLlib's LDA has one topic-word prior for every word":
        "种子词主题（--themes）需要 tomotopy 引擎：Spark MLlib 的 LDA 对所有词只有同一个主题-词先验",
    "Spark's EM optimizer computes MAP estimates and needs alpha > 1 and eta > 1 (got {} and {}); use the online "
    "optimizer or e.g. --alpha 1.1 --eta 1.01":
        "Spark 的 EM 优化器计算 MAP 估计，需要 alpha > 1 且 eta > 1（实际为 {} 和 {}）；请改用在线优化器，"
        "或例如 --alpha 1.1 --eta 1.01",
    "unknown Spark LDA optimizer '{}' (choose from {})": "未知的 Spark LDA 优化器 '{}'（可选：{}）",
    "unknown engine '{}'": "未知的引擎 '{}'",
    "unknown engine '{}' (choose from {})": "未知的引擎 '{}'（可选：{}）",
    "unknown parallel scheme '{}' (choose from {})": "未知的并行方案 '{}'（可选：{}）",
    "unknown tokenizer engine '{}' (choose from {})": "未知的分词引擎 '{}'（可选：{}）",
    "unknown unit '{}' (choose from {})": "未知的单元 '{}'（可选：{}）",
    "unknown resource folder '{}' (one of {})": "未知的资源文件夹 '{}'（应为 {} 之一）",
    "to_simplified is True, False or {}, not {}": "to_simplified 应为 True、False 或 {}，而不是 {}",
    "spark: {}": "spark：{}",
    "the Spark engine needs a Java runtime (17 or 21) and none was found: neither JAVA_HOME nor a `java` on PATH. "
    "Install one (Debian/Ubuntu: apt-get install openjdk-17-jre-headless) or set JAVA_HOME":
        "Spark 引擎需要 Java 运行环境（17 或 21），但没有找到：既没有 JAVA_HOME，PATH 中也没有 `java`。"
        "请安装一个（Debian/Ubuntu：apt-get install openjdk-17-jre-headless）或设置 JAVA_HOME",
    "the Spark engine needs a Java runtime (17 or 21): `{} -version` fails": "Spark 引擎需要 Java 运行环境（17 或 21）：`{} -version` 运行失败",
    "the Spark engine needs pyspark, which is not installed: pip install 'workbench[spark]' (that is {}; Spark also "
    "needs Java 17 or 21)":
        "Spark 引擎需要 pyspark，但尚未安装：pip install 'workbench[spark]'（即 {}；Spark 还需要 Java 17 或 21）",
    "{}: cannot read themes file ({})": "{}：无法读取主题文件（{}）",
    "{}: no themes found": "{}：没有找到主题",
    "{}: theme '{}' must be a non-empty list of words": "{}：主题 '{}' 必须是非空的词语列表",
    "theme '{}': seed words not in the vocabulary: {}": "主题 '{}'：这些种子词不在词表中：{}",
    "{}: the workbench's {}/ folder is missing (reinstall the package; a build must carry the project's top-level "
    "folders in, see setup.py)":
        "{}：缺少 workbench 的 {}/ 文件夹（请重新安装；构建时必须带上项目的顶层文件夹，见 setup.py）",
    "{} not found: charts need the mplfonts package (pip install mplfonts==0.0.11), which ships Noto Sans CJK SC":
        "找不到 {}：图表需要 mplfonts 包（pip install mplfonts==0.0.11），其中带有 Noto Sans CJK SC 字体",
    # -- STM, DTM and effects
    "unknown covariate column {}{}; the {} has: {}": "未知的协变量列 {}{}；{} 中有：{}",
    " ({} is parsed from date, which is missing too)": "（{} 由 date 解析而来，而 date 也缺失）",
    " (year is parsed from date, which is missing too)": "（year 由 date 解析而来，而 date 也缺失）",
    " (load_doc_topics adds it from the date)": "（load_doc_topics 会根据 date 补上它）",
    " (use add_year(doc_topics) to derive it from the date)": "（请用 add_year(doc_topics) 从 date 推出它）",
    "{} {}: the formula does not parse ({})": "{} {}：无法解析该公式（{}）",
    "{} {}: the formula has no left-hand side (write \"s(year) + doc_type\", not \"y ~ ...\")":
        "{} {}：公式不需要左侧（请写 \"s(year) + doc_type\"，而不是 \"y ~ ...\"）",
    "{}: empty formula (write it over metadata columns, e.g. \"s(year) + doc_type\")":
        "{}：公式为空（请基于元数据列书写，例如 \"s(year) + doc_type\"）",
    "covariate {}: only {} units have a value in every column of the formula": "协变量 {}：只有 {} 个单元在公式的每一列都有值",
    "covariate {}: {} of {} units have no value{}; model a subset that has it, or fill the column":
        "协变量 {0}：{2} 个单元中有 {1} 个没有取值{3}；请对有取值的子集建模，或补全该列",
    "formula terms {} are not columns of doc_topics": "公式中的 {} 不是 doc_topics 的列",
    "design matrix is rank deficient (collinear or constant terms among {})": "设计矩阵不满秩（{} 中有共线或常数项）",
    "run {} is not a dynamic topic model (train it with --over-time)": "运行 {} 不是动态主题模型（请用 --over-time 训练）",
    "calendar bins are {}, not {}": "日历分组应为 {}，而不是 {}",
    "periods bin years: group by year with periods, not by {}": "periods 按年份分段：使用 periods 时请按 year 分组，而不是按 {}",
    "prevalence by date: {} dates, a share for each; by month or quarter (--by month) bins them":
        "按日期计算主题占比：共 {} 个日期，每个日期一个占比；按月或按季度（--by month）可将其合并",
    "ci must be between 0 and 1, got {}": "ci 必须介于 0 和 1 之间，实际为 {}",
    "cluster column {} not in doc_topics; pass cluster=None to treat units as independent":
        "聚类列 {} 不在 doc_topics 中；传入 cluster=None 可将各单元视为相互独立",
    "R must be at least 1, got {}": "R 至少为 1，实际为 {}",
    "no cue words given": "没有给出提示词",
    "{}: none of the cue words {} is in the run's vocabulary": "{}：提示词 {} 都不在该运行的词表中",
    "not in the vocabulary of run {}: {}": "不在运行 {} 的词表中：{}",
    "no topics to plot": "没有可绘制的主题",
    "topics {} not in effects_df": "主题 {} 不在 effects_df 中",
    "{}: no unit has {} in {}; values there: {}": "{}：没有单元的 {} 取值为 {}；现有取值：{}",
    "{}: doc_topics has no column {} to filter on; columns: {}": "{}：doc_topics 中没有可用于筛选的列 {}；现有的列：{}",
    "{}: {} ({} units, {} tokens) vs {} ({} units, {} tokens); informative Dirichlet prior {} x background counts":
        "{}：{}（{} 个单元，{} 个词元）对比 {}（{} 个单元，{} 个词元）；信息性狄利克雷先验 {} × 背景词频",
    "every term counted in a group needs a positive count in the background": "组内计数的每个词语在背景中都必须有正的计数",
    # -- tables and arrays (a notebook's arguments)
    "no column {} in doc_topics": "doc_topics 中没有列 {}",
    "no column {} in doc_topics{}": "doc_topics 中没有列 {}{}",
    "no column {} to make periods from{}": "没有可用来划分时期的列 {}{}",
    "no column {} to take the year from; columns: {}": "没有可提取年份的列 {}；现有的列：{}",
    "no column {}; the table has {}": "没有列 {}；该表有 {}",
    "cannot tell the grouping column from {}; pass by=": "无法从 {} 判断分组列；请传入 by=",
    "doc_id has missing values": "doc_id 有缺失值",
    "doc_topics has no doc_id column": "doc_topics 没有 doc_id 列",
    "doc_topics has no topic_<k> columns": "doc_topics 没有 topic_<k> 列",
    "doc_topics lacks columns {}": "doc_topics 缺少列 {}",
    "no topic_<k> columns in the table": "表中没有 topic_<k> 列",
    "topic columns must be topic_0..topic_{}, got ids {}": "主题列必须是 topic_0..topic_{}，实际编号为 {}",
    "topic {} not in doc_topics (has {})": "主题 {} 不在 doc_topics 中（现有 {}）",
    "topics {} not in doc_topics (has {})": "主题 {} 不在 doc_topics 中（现有 {}）",
    "topic shares must be finite": "主题占比必须是有限值",
    "rows of {} must sum to 1": "{} 的每一行之和必须为 1",
    "{} doc-topic rows for {} units": "{} 行文档-主题数据对应 {} 个单元",
    "doc_lengths has {} entries, doc_topic {} rows": "doc_lengths 有 {} 项，doc_topic 有 {} 行",
    "doc_lengths must be ({},), got {}": "doc_lengths 的形状必须是 ({},)，实际为 {}",
    "doc_lengths sum to 0: topic sizes are undefined": "doc_lengths 之和为 0：主题规模无法定义",
    "doc_topic must be (N, {}), got shape {}": "doc_topic 的形状必须是 (N, {})，实际为 {}",
    "no weight column {}": "没有权重列 {}",
    "weight column {} has negative values": "权重列 {} 有负值",
    "weight column {} must be finite and non-negative": "权重列 {} 必须是有限的非负值",
    "weight column {} not in doc_topics; pass weight=None for equal weights": "权重列 {} 不在 doc_topics 中；传入 weight=None 则等权",
    "fraction must be between 0 and 1, got {}": "fraction 必须介于 0 和 1 之间，实际为 {}",
    "lam must be in [0, 1], got {}": "lam 必须在 [0, 1] 之内，实际为 {}",
    "lambda_step must be in (0, 1], got {}": "lambda_step 必须在 (0, 1] 之内，实际为 {}",
    "w must be in [0, 1], got {}": "w 必须在 [0, 1] 之内，实际为 {}",
    "n must be >= 0": "n 必须 >= 0",
    "width must be >= 0": "width 必须 >= 0",
    "window must be a positive multiple of check_every": "window 必须是 check_every 的正整数倍",
    "term must be a non-empty string": "词语必须是非空字符串",
    "term_frequency sums to zero": "term_frequency 之和为零",
    "vocab and term_frequency must have {} entries, got {} and {}": "vocab 和 term_frequency 必须各有 {} 项，实际为 {} 和 {}",
    "vocab has duplicate terms": "vocab 中有重复的词语",
    "vocab has {} terms, scores has {} columns": "vocab 有 {} 个词语，scores 有 {} 列",
    "{} has duplicate terms": "{} 中有重复的词语",
    "{} has no 'term' column": "{} 没有 'term' 列",
    "{} has {} entries, topic_term has {} terms": "{} 有 {} 项，topic_term 有 {} 个词语",
    "{} has {} terms but the matrix has {} columns": "{} 有 {} 个词语，但矩阵有 {} 列",
    "{} must be a (K, V) matrix, got shape {}": "{} 必须是 (K, V) 矩阵，实际形状为 {}",
    "{} must be finite and non-negative": "{} 必须是有限的非负值",
    "{} must hold finite, non-negative counts": "{} 必须是有限的非负计数",
    "{} must hold finite, non-negative probabilities": "{} 必须是有限的非负概率",
    "scores must be (K, V), got shape {}": "scores 的形状必须是 (K, V)，实际为 {}",
    "sim must be a (Ka, Kb) matrix, got shape {}": "sim 必须是 (Ka, Kb) 矩阵，实际形状为 {}",
    "topic_term must be 2-D (K, V), got shape {}": "topic_term 必须是二维 (K, V)，实际形状为 {}",
    "topic_term must be a non-empty (K, V) array, got shape {}": "topic_term 必须是非空的 (K, V) 数组，实际形状为 {}",
    "topic_term must be a non-empty (K, V) matrix, got shape {}": "topic_term 必须是非空的 (K, V) 矩阵，实际形状为 {}",
    "topic_term must hold finite, non-negative probabilities": "topic_term 必须是有限的非负概率",
    "topic_terms[{}] has shape {}, expected {}": "topic_terms[{}] 的形状为 {}，应为 {}",
    "a topic row has no mass; cannot treat it as a distribution": "有一个主题行的总量为零，不能当作分布",
    "A has {} columns, B has {}: align_vocab first": "A 有 {} 列，B 有 {} 列：请先运行 align_vocab",
    "the two vocabularies share no term; nothing to compare": "两个词表没有共同的词语，无从比较",
    "metric must be 'jsd' or 'cosine', not {}": "metric 必须是 'jsd' 或 'cosine'，而不是 {}",
    "word_cloud needs at least one term with a positive weight": "词云至少需要一个权重为正的词语",
    "column names must be unique before export": "导出前列名必须各不相同",
    "{} rows do not fit in one Excel sheet (max {}); use csv or parquet": "{} 行超出一个 Excel 工作表的容量（最多 {} 行）；请改用 csv 或 parquet",
    "unknown format {}; choose one of {}": "未知的格式 {}；请从 {} 中选择",
    "unknown level {} (choose {})": "未知的层级 {}（可选 {}）",
    "level must be 'unit' or 'article', got {}": "level 必须是 'unit' 或 'article'，实际为 {}",
    # -- sweeps
    "a held-out split needs at least two articles, the corpus has {}": "划分留出集至少需要两篇文章，该语料只有 {} 篇",
    "a sweep needs at least one seed": "扫描至少需要一个随机种子",
    "a sweep needs numbers of topics of at least 2, got {}": "扫描的主题数至少为 2，实际为 {}",
    "no K has a finite c_npmi; cannot recommend one": "没有哪个 K 的 c_npmi 是有限值，无法推荐",
    "stability needs at least two models": "稳定性至少需要两个模型",
    "sweep_df has none of the metric columns {}": "sweep_df 中没有任何指标列 {}",
    "sweep_df needs a num_topics column": "sweep_df 需要 num_topics 列",
    "the sweep table is empty": "扫描表为空",
    # -- run folders: labels, merges, inference, verification
    "no run folders in {}: run `workbench train` first, or set {}=runs/<id>": "{} 中没有运行文件夹：请先运行 `workbench train`，或设置 {}=runs/<id>",
    "no run trained on seeds/ alone: run `workbench train` first": "没有只用 seeds/ 训练的运行：请先运行 `workbench train`",
    "{}: no runs yet (run `workbench train` first)": "{}：还没有运行（请先运行 `workbench train`）",
    "{}: not a run folder (no manifest.json)": "{}：不是运行文件夹（没有 manifest.json）",
    "{}: not a run folder (no manifest.json); labels go into a run folder": "{}：不是运行文件夹（没有 manifest.json）；标签只能写入运行文件夹",
    "missing: not a run folder": "缺失：不是运行文件夹",
    "a symbolic link": "是符号链接",
    "{}: the model has {} topics, its tables {}": "{}：模型有 {} 个主题，而其表格有 {} 个",
    "label of topic {} must be a string, got {}": "主题 {} 的标签必须是字符串，实际为 {}",
    "topic id {} is negative; topic ids start at 0": "主题编号 {} 是负数；主题编号从 0 开始",
    "topic id {} is not an integer": "主题编号 {} 不是整数",
    "topic id {} is out of range: this run has topics 0..{}": "主题编号 {} 超出范围：该运行的主题为 0..{}",
    "{}: topic id {} is not an integer": "{}：主题编号 {} 不是整数",
    "topic {}: the run has topics 0..{}": "主题 {}：该运行的主题为 0..{}",
    "topic_labels has topic {}; topics are 0..{}": "topic_labels 中有主题 {}；主题为 0..{}",
    "topic_labels must be a mapping {{topic id: label}}": "topic_labels 必须是映射 {{主题编号: 标签}}",
    "{} must hold a JSON object of id -> label": "{} 必须是“编号 -> 标签”的 JSON 对象",
    "{} must hold a JSON object of TOPIC+TOPIC -> label": "{} 必须是“主题+主题 -> 标签”的 JSON 对象",
    "merge {}: give it a label, e.g. {}=反腐倡廉": "合并 {}：请给它一个标签，例如 {}=反腐倡廉",
    "merge {}: topic {} is out of range: this run has topics 0..{}": "合并 {}：主题 {} 超出范围：该运行的主题为 0..{}",
    "no merge {} to remove (merges: {})": "没有可删除的合并 {}（现有合并：{}）",
    "topic {} is in two merges ({}={} and {}); remove one first ({}=)": "主题 {} 出现在两个合并中（{}={} 和 {}）；请先删除其中一个（{}=）",
    "made before labels were pinned (`workbench label` pins it)": "生成于标签固定之前（`workbench label` 会固定它）",
    "written after training from the pinned files": "训练后根据固定的文件写出",
    "{}: a {} run keeps no model this machine can infer with (train it with the local engine to infer new documents)":
        "{}：{} 运行没有保存本机可用于推断的模型（要推断新文档，请用本地引擎训练）",
    "{}: no model/ folder to infer with": "{}：没有可用于推断的 model/ 文件夹",
    "no inference for engine {} here": "这里不支持引擎 {} 的推断",
    "{}: no unit with at least {} tokens and a term of the model's vocabulary": "{}：没有单元同时含至少 {} 个词元和模型词表中的词语",
    "{} unit(s) left out: fewer than {} tokens, or no term of the model's vocabulary":
        "略去了 {} 个单元：词元少于 {} 个，或不含模型词表中的词语",
    "{}: model/ does not match manifest.json ({}); its model is loaded with pickle, so it is not loaded (see "
    "`workbench verify`)":
        "{}：model/ 与 manifest.json 不符（{}）；该模型要用 pickle 加载，因此不予加载（见 `workbench verify`）",
    "run {}: its {} changed since training ({}); using the current ones, so tokens may differ a little":
        "运行 {}：其 {} 在训练后有改动（{}）；现使用当前版本，因此词元可能略有不同",
    "{}: does not match the manifest's sha256": "{}：与清单中的 sha256 不符",
    "{}: its sha256 is {}, not the expected {}": "{}：其 sha256 为 {}，而不是预期的 {}",
    "{}: listed in the manifest as a file, a folder here (not read)": "{}：清单中记为文件，这里却是文件夹（未读取）",
    "{}: listed in the manifest without a sha256 ({})": "{}：清单中有记录但没有 sha256（{}）",
    "{}: listed in the manifest, behind a symbolic link (not read)": "{}：清单中有记录，但位于符号链接之后（未读取）",
    "{}: listed in the manifest, missing": "{}：清单中有记录，但文件缺失",
    "{}: listed in the manifest, not a plain path inside the run folder (not read)": "{}：清单中有记录，但不是运行文件夹内的普通路径（未读取）",
    "{}: listed in the manifest, outside the run folder (not read)": "{}：清单中有记录，但在运行文件夹之外（未读取）",
    "{}: lists a sha256 of itself, which no manifest can hold": "{}：列出了自身的 sha256，而任何清单都不可能包含这一项",
    "{}: no 'files' with the sha256 of each file: it pins nothing": "{}：没有记录各文件 sha256 的 'files'：它什么也没有固定",
    "{}: not listed in the manifest": "{}：未列在清单中",
    "{}: term_id is not 0..V-1 in row order": "{}：term_id 没有按行序从 0 排到 V-1",
    "{}: column {} has no known type ({})": "{}：列 {} 的类型无法识别（{}）",
    "{}: removed {} staging folder(s) left by killed runs: {}": "{}：删除了被中止的运行留下的 {} 个暂存文件夹：{}",
    "{}: removed the scratch folder of a run that failed": "{}：删除了一次失败的运行的临时文件夹",
    "{}: removed the scratch folder of a run that was interrupted": "{}：删除了一次被中断的运行的临时文件夹",
    "unknown scratch folder kind {} (one of {})": "未知的临时文件夹类型 {}（可选：{}）",
    "{}: no free file name for {}{}": "{}：找不到可用于 {}{} 的空闲文件名",
    "{}: no free folder name for {}": "{}：找不到可用于 {} 的空闲文件夹名",
    # -- validation sheets
    "topic intrusion shows four topics; run {} has {}": "主题入侵任务要展示四个主题；运行 {} 只有 {} 个",
    "{}: answer {} is not one of {}": "{}：答案 {} 不在 {} 之中",
    "{}: item not in the key {}: the sheet and the key do not match": "{}：答案表 {} 中没有这一题：任务表与答案表不符",
    "{}: items {} of the key are missing from the sheet": "{}：答案表中的第 {} 题在任务表中缺失",
    "{}: its choices differ from the key {}: the sheet and the key do not match": "{}：其选项与答案表 {} 不同：任务表与答案表不符",
    "{}: no answer key beside the sheet (pass --key)": "{}：任务表旁没有答案表（请用 --key 指定）",
    # -- notebooks and the topic map
    "JupyterLab on {}; the notebooks open {}": "JupyterLab 运行于 {}；笔记本打开 {}",
    "{}: no notebooks folder (install the workbench with `pip install -e .` from its checkout, or set WORKBENCH_HOME "
    "to the checkout)":
        "{}：没有 notebooks 文件夹（请在源码目录中用 `pip install -e .` 安装 workbench，或将 WORKBENCH_HOME 设为源码目录）",
    "not a workbench LDAvis page: no data block": "不是 workbench 的 LDAvis 页面：没有数据块",
    "pyLDAvis numbered the topics {}, expected 0..K-1": "pyLDAvis 给主题的编号为 {}，应为 0..K-1",
    "--themes with --model stm: keyed themes train keyed LDA (tomotopy seed-word priors); the STM has no keyed topics and topica's covariate keyATM is not reliable here (bench/keyatm_check.py). Drop --model stm and --prevalence, then `workbench effect RUN --covariate COLUMN`; or drop --themes and name the STM's topics with `workbench label`":
        "--themes 不能与 --model stm 同用：种子词主题训练的是带关键词的 LDA（tomotopy 种子词先验）；STM 没有种子词主题，topica 的协变量 keyATM 在这里不可靠（bench/keyatm_check.py）。请去掉 --model stm 和 --prevalence，再用 `workbench effect RUN --covariate COLUMN`；或去掉 --themes，用 `workbench label` 为 STM 的主题命名",
    "--themes with --over-time: keyed themes train keyed LDA (tomotopy, each seed word's prior on its theme's topic, as keyATM), not the dynamic topic model; drop --themes, or --over-time":
        "--themes 不能与 --over-time 同用：种子词主题训练的是带关键词的 LDA（tomotopy，每个种子词在其主题上有先验，与 keyATM 同理），而不是动态主题模型；请去掉 --themes 或 --over-time",
    "'{}'": "'{}'",
    '{}（{}）': '{}（{}）',
    '  {}: {}': '  {}：{}',
    'report: {}': '报告：{}',
    '{}  ({} topics{}; relevance λ={}; FREX w=0.5)': '{}  （{} 个主题{}；相关度 λ={}；FREX w=0.5）',
    '[{}]  share {}': '[{}]  占比 {}',
    "; {} merged": "；{} 已合并",
    '  prob:      {}': '  概率：    {}',
    '  relevance: {}': '  相关度：  {}',
    '  frex:      {}': '  FREX：    {}',
    '  documents (highest share of this topic, one paragraph per article):': '  文档（该主题占比最高者，每篇文章一段）：',
    '{} units inferred ({}); {} left out': '推断了 {} 个单元（{}）；略去 {} 个',
    'dominant topic: {}': '主导主题：{}',
    'no merged topics': '没有合并的主题',
    'How to read this table:': '如何阅读这张表：',
    '  sim       how alike two topics are: 1 = the same words in the same proportions, 0 = no word in common (over the words both runs know).':
        '  sim       两个主题的相似程度：1 = 用词及比例完全相同，0 = 没有共同的词（只计两个运行都认识的词）。',
    "  matched   the same topic in both runs: each is the other's partner and sim is {} or more. A's label was carried over to B.":
        '  matched   两个运行中的同一主题：彼此互为最佳搭档，且 sim 不低于 {}。A 的标签已带到 B。',
    "  (weak)    a match under {}: usually the same topic, sometimes two leftovers paired; read both topics' words.":
        '  (weak)    相似度低于 {} 的匹配：通常是同一主题，有时只是两个剩下的主题凑成一对；请读一读两个主题的词。',
    '  split     one topic of A is now two or more topics of B (each part at least {} like it).':
        '  split     A 的一个主题在 B 中分成了两个或更多主题（每一部分与它的相似度至少为 {}）。',
    '  merged    two or more topics of A are now one topic of B (each at least {} like it).':
        '  merged    A 的两个或更多主题在 B 中合成了一个主题（每个与它的相似度至少为 {}）。',
    "  vanished  a topic of A with no partner in B; 'nearest' names the B topic most like it and how alike.":
        "  vanished  A 中在 B 里找不到搭档的主题；'nearest' 给出 B 中与它最像的主题及相似程度。",
    "  new       a topic of B with no partner in A; 'nearest' names the A topic most like it and how alike.":
        "  new       B 中在 A 里找不到搭档的主题；'nearest' 给出 A 中与它最像的主题及相似程度。",
    '  A vanished or new topic whose nearest sim is close to {} is a near miss: read the words of both before deciding that it is gone (`workbench label` can carry its label by hand).':
        '  消失或新增的主题若其 nearest 的 sim 接近 {}，就是差一点匹配上：判定它已消失之前，请先读一读两边的词（`workbench label` 可以手动带过标签）。',
    'cue words {} -> topic {}; the evidence (cue words among the top 20 terms by relevance, with rank; p(cue words | topic)):':
        '提示词 {} -> 主题 {}；依据（按相关度排名前 20 的词中的提示词及其名次；p(提示词 | 主题)）：',
    '  not in the vocabulary: {}': '  不在词表中：{}',
    '  topic {} {} {}': '  主题 {} {} {}',
    '  topic {} {} {} [{}, {}] ({}, {})': '  主题 {} {} {} [{}, {}] ({}, {})',
    '{}  ({}; {} units in {} clusters)': '{}  （{}；{} 个单元，{} 个聚类）',
    '{}  ({}; {} units in {} clusters; {} units without a value left out)': '{}  （{}；{} 个单元，{} 个聚类；略去 {} 个无取值的单元）',
    'difference {}: estimate [composition interval] (OLS interval)': '差值 {}：估计值 [合成法区间]（OLS 区间）',
    'expected proportion at {} = {}: estimate [composition interval]': '{} = {} 时的期望比例：估计值 [合成法区间]',
    'Fighting Words, {}: {} ({} units, {} tokens) vs {} ({} units, {} tokens)':
        'Fighting Words，{}：{}（{} 个单元，{} 个词元）对比 {}（{} 个单元，{} 个词元）',
    '{} on run {}: {} of {} answered items right (precision {}); {} unanswered':
        '运行 {1} 的 {0}：已作答的 {3} 题中答对 {2} 题（精确率 {4}）；{5} 题未作答',
    '{}: intact: every file of the folder is listed in manifest.json ({}) and matches its sha256':
        '{}：完好：文件夹中的每个文件都列在 manifest.json 中（{} 个），且 sha256 相符',
    '{}: intact: every file of the folder is listed in manifest.json ({}) and matches its sha256, and manifest.json is the expected one':
        '{}：完好：文件夹中的每个文件都列在 manifest.json 中（{} 个），且 sha256 相符；manifest.json 也正是预期的那一份',
    'not covered: {}': '未覆盖：{}',
    'manifest.json sha256: {}': 'manifest.json 的 sha256：{}',
    '{} candidate terms ({} taken by the harvest): {}': '{} 个候选词（其中 {} 个会被自动收集）：{}',
    # internal checks of the bundled page script: a developer's message, shown as written
    "ldavis.js patch '{}': expected {} occurrence(s), found {}; pyLDAvis's script changed": KEEP,
    "library script contains '<!--'; cannot inline it safely": KEEP,
}

HELP: dict[str, str] = {
    # -- the top level
    "Topic models for Chinese political and government text.": "面向中国政治与政府文本的主题模型工具。",
    "print the version and exit": "显示版本号并退出",
    "commands": "命令",
    "what to do; `workbench COMMAND --help` lists its options": "要执行的操作；`workbench COMMAND --help` 列出该命令的选项",
    # -- train
    "train a topic model and write a run folder (prints its path last)": "训练主题模型并写出运行文件夹（最后一行输出其路径）",
    "Train LDA on SOURCE files/folders (default: the bundled seeds/) or a named corpus, and write a run folder under "
    "runs/. The last line printed is its path.":
        "在 SOURCE 文件/文件夹（默认：自带的 seeds/）或命名语料上训练 LDA，并在 runs/ 下写出一个运行文件夹。"
        "输出的最后一行就是它的路径。",
    "free topics (default %(default)s)": "自由主题数（默认 %(default)s）",
    "random seed (default %(default)s)": "随机种子（默认 %(default)s）",
    "TOML file of keyed themes (name = [seed words])": "种子词主题的 TOML 文件（名称 = [种子词]）",
    "STM prevalence formula over metadata columns, e.g. \"s(year) + doc_type\" (s(): spline, C(): categories; year "
    "comes from date)":
        "STM 的主题流行度公式，基于元数据列，例如 \"s(year) + doc_type\"（s()：样条，C()：分类变量；year 由 date 得出）",
    "STM: most EM iterations (default %(default)s; stops at tolerance %(em_tol)s; DTM: EM iterations, default %(dtm)s)":
        "STM：EM 迭代的最多次数（默认 %(default)s；达到容差 %(em_tol)s 即停止）；DTM：EM 迭代次数（默认 %(dtm)s）",
    "train a dynamic topic model over time slices of this numeric column (year comes from date): each topic's terms "
    "per slice in topics_over_time.csv and .png":
        "按这一数值列的时间片训练动态主题模型（year 由 date 得出）：每个主题在各时间片的词语写入 "
        "topics_over_time.csv 和 .png",
    "with --over-time: the values at which slices start, e.g. 1954,1978,1993,2003,2013":
        "与 --over-time 同用：各时间片的起始值，例如 1954,1978,1993,2003,2013",
    "DTM: how far a topic's words may drift from one slice to the next (default %(default)s)":
        "DTM：主题的词语在相邻时间片之间可漂移的程度（默认 %(default)s）",
    "Spark engine (--engine spark; see docs/spark.md)": "Spark 引擎（--engine spark；见 docs/spark.md）",
    "Spark master: local[N], spark://HOST:7077, yarn, k8s://... (default %(default)s)":
        "Spark master：local[N]、spark://HOST:7077、yarn、k8s://...（默认 %(default)s）",
    "a Spark setting, e.g. spark.executor.memory=8g (repeatable)": "一项 Spark 设置，例如 spark.executor.memory=8g（可重复）",
    "folder for intermediate Parquet (default: the run's temporary folder with a local master, workbench-scratch/ on "
    "the cluster's file system otherwise)":
        "中间 Parquet 文件的文件夹（默认：本地 master 时为运行的临时文件夹，否则为集群文件系统上的 workbench-scratch/）",
    "online LDA mini-batch updates (default %(default)s)": "在线 LDA 的小批量更新次数（默认 %(default)s）",
    "share of units per mini-batch; max-iter x rate = passes (default %(default)s)":
        "每个小批量所占的单元比例；max-iter × 比例 = 遍数（默认 %(default)s）",
    # -- corpus and model options (train, sweep)
    ".txt/.html files or folders (recursive), .jsonl/.csv/.xlsx/.parquet with a text column":
        ".txt/.html 文件或文件夹（递归读取），或含文本列的 .jsonl/.csv/.xlsx/.parquet",
    "use a named corpus of the store instead of SOURCE (see `workbench ingest`)":
        "使用存储库中的命名语料，而不是 SOURCE（见 `workbench ingest`）",
    "use a named corpus of the store instead of SOURCE": "使用存储库中的命名语料，而不是 SOURCE",
    "what one modelled document is (default %(default)s)": "建模时一篇文档指什么（默认 %(default)s）",
    "characters per chunk with --unit chunk (default %(default)s)": "--unit chunk 时每块的字数（默认 %(default)s）",
    "LDA engine (default %(default)s)": "LDA 引擎（默认 %(default)s）",
    "symmetric document-topic prior (default %(default)s)": "对称的文档-主题先验（默认 %(default)s）",
    "topic-word prior (default %(default)s)": "主题-词先验（默认 %(default)s）",
    "Gibbs sweeps, tomotopy: auto trains until the chain has converged (%(min_sweeps)s-%(max_sweeps)s sweeps, the "
    "rule is in the manifest and convergence.png), N runs exactly N (default %(default)s)":
        "吉布斯采样轮数，tomotopy：auto 一直训练到链收敛为止（%(min_sweeps)s-%(max_sweeps)s 轮，判定规则见清单和 "
        "convergence.png），N 则正好采样 N 轮（默认 %(default)s）",
    "passes, gensim (default %(default)s)": "遍数，gensim（默认 %(default)s）",
    "tomotopy term weighting (default %(default)s)": "tomotopy 的词语加权方式（默认 %(default)s）",
    "drop terms in fewer units (default %(default)s)": "去掉出现的单元数少于此值的词语（默认 %(default)s）",
    "drop terms in a larger share of units (default %(default)s)": "去掉出现在更大比例单元中的词语（默认 %(default)s）",
    "seed-word prior on its keyed topic (default %(default)s)": "种子词在其主题上的先验（默认 %(default)s）",
    "leave out units with fewer tokens (default %(default)s)": "略去词元少于此数的单元（默认 %(default)s）",
    "shortest token kept, in characters (default %(default)s)": "保留的最短词元，按字数计（默认 %(default)s）",
    "keep every part of speech": "保留所有词性",
    "do not add “quoted” terms to the dictionary": "不把“引号”中的词加入词典",
    "convert every document from Traditional to Simplified characters (OpenCC t2s); by default (%(default)s) only the "
    "documents written in Traditional are, and the log says which":
        "把每篇文档从繁体转换为简体（OpenCC t2s）；默认（%(default)s）只转换以繁体书写的文档，日志会列出是哪些",
    "convert no document: Traditional and Simplified spellings stay two terms": "不转换任何文档：繁体和简体写法仍算作两个词语",
    "text column of CSV/JSONL/XLSX/Parquet sources (default: text)": "CSV/JSONL/XLSX/Parquet 来源的文本列（默认：text）",
    "text column of CSV/JSONL/XLSX/Parquet sources (default: the run's)": "CSV/JSONL/XLSX/Parquet 来源的文本列（默认：与该运行相同）",
    "read what symbolic links inside a source folder lead to outside it (default: each such link is named and "
    "skipped)":
        "读取来源文件夹内指向文件夹外部的符号链接（默认：逐一列出并跳过）",
    "how long to wait for another process writing to the store before stopping with a message that names it "
    "(default %(default)s)":
        "另一个进程正在写入存储库时，最多等待多久，之后停止并给出该进程的名称（默认 %(default)s）",
    "processes for tokenizing (default %(default)s: one per core; tokens do not depend on it)":
        "分词的进程数（默认 %(default)s：每个核一个；词元不受其影响）",
    "tomotopy training threads (default %(default)s; reruns are byte-identical for the same seed and thread count, "
    "which the manifest records)":
        "tomotopy 训练线程数（默认 %(default)s；随机种子和线程数相同时，重新运行的结果逐字节相同，清单记录了线程数）",
    "folder for run folders (default ./runs)": "存放运行文件夹的文件夹（默认 ./runs）",
    "no progress bars or lines": "不显示进度条和进度信息",
    'lda (default), stm: a structural topic model with --prevalence covariates, or dtm: a dynamic topic model over --slices (both topica)':
        'lda（默认）；stm：带 --prevalence 协变量的结构主题模型；dtm：按 --slices 划分时间的动态主题模型（两者都用 topica）',
    # -- sweep
    "train one model per K (and seed) and say which K the evidence favours": "为每个 K（及随机种子）训练一个模型，并指出证据支持哪个 K",
    "Train one model per K in --topics (and per seed in --seeds) on a held-out split and write sweep.csv, sweep.png "
    "and recommendation.txt (coherence c_npmi and c_v, held-out perplexity, topic diversity, stability across seeds) "
    "to runs/sweep-<time>-<hash>/. The last line printed is that folder.":
        "在留出划分上为 --topics 中的每个 K（及 --seeds 中的每个随机种子）训练一个模型，并把 sweep.csv、sweep.png 和 "
        "recommendation.txt（一致性 c_npmi 和 c_v、留出集困惑度、主题多样性、跨种子稳定性）写入 "
        "runs/sweep-<time>-<hash>/。输出的最后一行就是该文件夹。",
    "comma-separated K values (default %(default)s)": "以逗号分隔的 K 值（默认 %(default)s）",
    "comma-separated seeds; two or more measure stability (default %(default)s)": "以逗号分隔的随机种子；两个及以上可衡量稳定性（默认 %(default)s）",
    # -- ingest
    "add files or folders to a named corpus in the store": "把文件或文件夹加入存储库中的命名语料",
    "Add SOURCE files/folders to corpus NAME in the store (.workbench/store.sqlite). Documents are keyed by content: "
    "re-ingesting adds nothing. Prints added / unchanged / skipped, and writes the same report to a file.":
        "把 SOURCE 文件/文件夹加入存储库（.workbench/store.sqlite）中的语料 NAME。文档以内容为键：重复导入不会新增任何内容。"
        "输出新增 / 未变 / 跳过的数目，并把同样的报告写入文件。",
    "files or folders to add": "要加入的文件或文件夹",
    "corpus name: letters (Chinese too), digits, _, and after the first character also spaces and . - ( ); at most "
    "100 characters":
        "语料名：字母（包括汉字）、数字、_，首字符之后还可用空格和 . - ( )；最多 100 个字符",
    "where to write the ingest report (default .workbench/reports/)": "导入报告写到哪里（默认 .workbench/reports/）",
    # -- topics
    "print a run's topic table (probability, relevance, FREX)": "输出运行的主题表（概率、相关度、FREX）",
    "Print the topics of RUN (default: the newest run): top terms by probability, by pyLDAvis relevance at λ, and by "
    "FREX (as stm's labelTopics), with labels and shares; with --docs N, each topic's N most representative documents "
    "(as stm's findThoughts).":
        "输出 RUN（默认：最新的运行）的主题：按概率、按 λ 下的 pyLDAvis 相关度、按 FREX 排列的高频词（同 stm 的 "
        "labelTopics），附标签和占比；加 --docs N 时，再列出每个主题最具代表性的 N 篇文档（同 stm 的 findThoughts）。",
    "run folder (default: newest under ./runs)": "运行文件夹（默认：./runs 下最新的一个）",
    "relevance λ (default %(default)s)": "相关度 λ（默认 %(default)s）",
    "terms per topic (default %(default)s)": "每个主题的词语数（默认 %(default)s）",
    "also write the table as CSV": "同时把表格写成 CSV",
    "also print each topic's N most representative documents (stm's findThoughts: the highest share, one paragraph "
    "per article, with title, date and an excerpt)":
        "同时输出每个主题最具代表性的 N 篇文档（同 stm 的 findThoughts：占比最高，每篇文章一段，附标题、日期和摘录）",
    "characters of each excerpt with --docs (default %(default)s)": "--docs 时每段摘录的字数（默认 %(default)s）",
    # -- export
    "export the labelled topic-per-document table": "导出带标签的文档-主题表",
    "Export RUN's doc_topics joined to metadata, with topic labels, as CSV (UTF-8 with BOM), XLSX, Parquet or Stata "
    ".dta (version 118).":
        "把 RUN 的 doc_topics 连同元数据和主题标签导出为 CSV（带 BOM 的 UTF-8）、XLSX、Parquet 或 Stata .dta（118 版）。",
    "file format (default %(default)s)": "文件格式（默认 %(default)s）",
    "one row per article (token-weighted mean of its units)": "每篇文章一行（其各单元按词元数加权的平均）",
    "every topic as trained, ignoring the run's merged topics (`workbench merge`)": "每个主题保持训练时的样子，不管该运行的主题合并（`workbench merge`）",
    "output file (default RUN/exports/doc_topics.<ext>, with --articles RUN/exports/articles.<ext>)":
        "输出文件（默认 RUN/exports/doc_topics.<ext>，加 --articles 时为 RUN/exports/articles.<ext>）",
    # -- label, merge
    "name topics (stored with the run, shown in every table and chart)": "为主题命名（随运行保存，显示在每张表格和图表中）",
    "Set topic labels of RUN, e.g. `workbench label runs/X 0=脱贫攻坚 3=纪检监察`; an empty label (3=) removes one.":
        "设置 RUN 的主题标签，例如 `workbench label runs/X 0=脱贫攻坚 3=纪检监察`；空标签（3=）表示删除。",
    "run folder": "运行文件夹",
    "topic id and its label": "主题编号及其标签",
    "merge topics that are one theme (tables and charts show their summed share)": "合并同属一个议题的主题（表格和图表显示其合计占比）",
    "Merge topics of RUN that read as one theme, e.g. `workbench merge runs/X 3+7=反腐倡廉`: export, prevalence, "
    "effect and topics then show one topic 3+7 with the summed share (in topic 3's column), and topics.csv and "
    "ldavis.html name both topics 反腐倡廉（3+7）. The trained tables keep every topic's own share (merges.json "
    "beside labels.json records the merge); 3+7= removes it.":
        "合并 RUN 中读起来属于同一议题的主题，例如 `workbench merge runs/X 3+7=反腐倡廉`：之后 export、prevalence、"
        "effect 和 topics 都显示一个主题 3+7 及其合计占比（在主题 3 的列中），topics.csv 和 ldavis.html 把两个主题都"
        "称为 反腐倡廉（3+7）。训练得到的表格保留每个主题各自的占比（labels.json 旁的 merges.json 记录合并）；3+7= 表示取消合并。",
    "topics to merge and the merged topic's label (an empty label removes the merge)": "要合并的主题及合并后主题的标签（空标签表示取消合并）",
    # -- infer
    "topic shares for new documents from a saved run, without retraining": "用已保存的运行推断新文档的主题占比，无需重新训练",
    "Read SOURCE files/folders with RUN's own units, tokenizer (dictionary and stopword files checked against the "
    "manifest's hashes) and vocabulary, infer each unit's topic shares from RUN's saved model (LDA: tomotopy's infer, "
    "deterministic; STM: topica's transform), and write a doc_topics table with the run's columns to "
    "RUN/inferred/<name>-<hash>.csv (the last line printed). The run's own files are not changed.":
        "用 RUN 自己的单元、分词器（词典和停用词文件按清单中的哈希值核对）和词表读取 SOURCE 文件/文件夹，用 RUN "
        "保存的模型推断每个单元的主题占比（LDA：tomotopy 的 infer，结果确定；STM：topica 的 transform），并把与该运行"
        "列相同的 doc_topics 表写入 RUN/inferred/<name>-<hash>.csv（输出的最后一行）。运行自身的文件不会改动。",
    "files or folders, as for train": "文件或文件夹，同 train",
    "Gibbs sweeps per unit, tomotopy (default %(default)s)": "每个单元的吉布斯采样轮数，tomotopy（默认 %(default)s）",
    "output CSV (default RUN/inferred/<source>-<hash>.csv)": "输出的 CSV（默认 RUN/inferred/<source>-<hash>.csv）",
    # -- compare
    "match the topics of two runs (stayed, split, merged, new, vanished)": "匹配两个运行的主题（保留、拆分、合并、新增、消失）",
    "Match RUN_A's topics to RUN_B's over their shared vocabulary (1 - Jensen-Shannon distance, optimal assignment), "
    "write the table to RUN_B/compare_<RUN_A>.csv, and carry RUN_A's labels to their matches in RUN_B (a topic RUN_B "
    "has labelled keeps its label).":
        "在共同词表上把 RUN_A 的主题与 RUN_B 的主题匹配（1 - Jensen-Shannon 距离，最优分配），把结果表写入 "
        "RUN_B/compare_<RUN_A>.csv，并把 RUN_A 的标签带到 RUN_B 中与之匹配的主题上（RUN_B 已有标签的主题保留原标签）。",
    "the earlier run": "较早的运行",
    "the later run": "较晚的运行",
    "similarity for a match (default %(default)s)": "算作匹配的相似度（默认 %(default)s）",
    "output CSV (default RUN_B/compare_<RUN_A>.csv)": "输出的 CSV（默认 RUN_B/compare_<RUN_A>.csv）",
    "do not copy RUN_A's labels to RUN_B's unlabelled matches": "不把 RUN_A 的标签复制到 RUN_B 中尚无标签的匹配主题",
    # -- prevalence
    "topic shares per year (or any metadata column), with bootstrap intervals": "每年（或按任一元数据列）的主题占比，附自助法区间",
    "Share of topics per value of --by (a year, quarter or month of `date`, or any metadata column), weighted by "
    "tokens, with a bootstrap interval that resamples whole articles; writes RUN/prevalence/prevalence_by_<by>.csv "
    "and .png.":
        "按 --by 的每个取值（`date` 的年、季度或月，或任一元数据列）计算主题占比，按词元数加权，附以整篇文章为单位重抽样的"
        "自助法区间；写出 RUN/prevalence/prevalence_by_<by>.csv 和 .png。",
    "year, quarter or month (bins of date), or any metadata column to group by (default %(default)s)":
        "year、quarter 或 month（按 date 分组），或任一用于分组的元数据列（默认 %(default)s）",
    "comma-separated topic ids (default: all)": "以逗号分隔的主题编号（默认：全部）",
    "comma-separated cue words: add the topic they name, e.g. --cue 反腐败,廉政,纪检": "以逗号分隔的提示词：加入这些词所指的主题，例如 --cue 反腐败,廉政,纪检",
    "keep only units with this metadata value (repeatable; several values of one column = any)":
        "只保留元数据为该取值的单元（可重复；同一列的多个取值 = 任一）",
    "bin years into periods starting at these years, e.g. 1993,2013": "把年份分成从这些年份开始的时期，例如 1993,2013",
    "what the bootstrap resamples: doc_id (articles) or none (units: use when each group is one document); default "
    "%(default)s":
        "自助法重抽样的对象：doc_id（文章）或 none（单元：每组只有一篇文档时使用）；默认 %(default)s",
    "bootstrap resamples (default %(default)s; 0: no interval)": "自助法重抽样次数（默认 %(default)s；0：不计算区间）",
    "output folder (default RUN/prevalence)": "输出文件夹（默认 RUN/prevalence）",
    # -- effect
    "effect of a covariate on topic prevalence, with the topic model's uncertainty": "协变量对主题流行度的效应，计入主题模型本身的不确定性",
    "R stm's estimateEffect by the method of composition: posterior draws of θ (STM: logistic-normal, global "
    "covariance; LDA: Dirichlet of each unit's topic counts), one regression per draw with errors clustered by "
    "article, pooled. Writes RUN/effects/effect_<covariate>.csv, _coefficients.csv and .png: the expected proportion "
    "over a numeric covariate, or the difference of two groups.":
        "用合成法实现 R stm 的 estimateEffect：抽取 θ 的后验样本（STM：logistic-normal，全局协方差；LDA：每个单元主题"
        "计数的狄利克雷分布），每次抽样做一次回归，误差按文章聚类，再合并结果。写出 RUN/effects/effect_<covariate>.csv、"
        "_coefficients.csv 和 .png：数值协变量上的期望比例，或两组之差。",
    "the metadata column to vary (year, quarter, month come from date)": "要变化的元数据列（year、quarter、month 由 date 得出）",
    "regression over metadata columns (default: an STM run's --prevalence; for LDA s(COVARIATE) when numeric, "
    "COVARIATE otherwise)":
        "基于元数据列的回归公式（默认：STM 运行的 --prevalence；LDA 时数值协变量为 s(COVARIATE)，否则为 COVARIATE）",
    "two values of a categorical covariate: plot A - B (default: its two most frequent)": "分类协变量的两个取值：绘制 A - B（默认：最常见的两个）",
    "posterior draws of θ (default %(default)s)": "θ 的后验抽样次数（默认 %(default)s）",
    "column whose units share errors (default %(default)s; none: every unit alone)": "误差聚类的列，同列取值的单元共享误差（默认 %(default)s；none：各单元独立）",
    "random seed of the draws (default %(default)s)": "抽样的随机种子（默认 %(default)s）",
    "output folder (default RUN/effects)": "输出文件夹（默认 RUN/effects）",
    # -- contrast
    "words that set two groups of documents apart (Fighting Words)": "区分两组文档的词语（Fighting Words）",
    "Fighting Words (Monroe, Colaresi & Quinn 2008): per term the log-odds ratio between two groups of RUN's units "
    "with an informative Dirichlet prior (the whole run's counts), and its z-score. Writes "
    "RUN/contrasts/contrast_<by>_<A>_vs_<B>.csv and .png (z against frequency).":
        "Fighting Words（Monroe、Colaresi 和 Quinn 2008）：对每个词语计算 RUN 中两组单元之间的对数优势比，使用信息性"
        "狄利克雷先验（整个运行的词频），并给出其 z 值。写出 RUN/contrasts/contrast_<by>_<A>_vs_<B>.csv 和 .png"
        "（z 值对词频）。",
    "metadata column that defines the groups (year comes from date)": "定义分组的元数据列（year 由 date 得出）",
    "two values of the column, or ranges of a numeric one: 北京,上海 or 1954-1977,1978-2025": "该列的两个取值，或数值列的两个区间：北京,上海 或 1954-1977,1978-2025",
    "prior scale: alpha_w = prior x the term's count in the run (default %(default)s)": "先验尺度：alpha_w = 先验 × 该词在运行中的计数（默认 %(default)s）",
    "leave out terms with fewer occurrences in the two groups (default %(default)s)": "略去在两组中出现次数少于此数的词语（默认 %(default)s）",
    "terms named per group in the chart (default %(default)s)": "图中每组标出的词语数（默认 %(default)s）",
    "output folder (default RUN/contrasts)": "输出文件夹（默认 RUN/contrasts）",
    # -- validate
    "topic quality per topic, intrusion task sheets and their scores": "每个主题的质量、入侵任务表及其评分",
    "Without --task or --score: per topic stm's exclusivity and semantic coherence, c_npmi and, with --chains, "
    "stability across runs of other seeds (RUN/validation/topic_quality.csv). --task writes a word- or "
    "topic-intrusion sheet for raters (XLSX, answer column) and its key apart; --score scores an answered sheet "
    "against its key.":
        "不加 --task 或 --score 时：计算每个主题的 stm 排他性和语义一致性、c_npmi，加 --chains 时还有跨其他随机种子运行的"
        "稳定性（RUN/validation/topic_quality.csv）。--task 为评阅人写出词语入侵或主题入侵任务表（XLSX，含作答列），"
        "答案表单独存放；--score 按答案表为已作答的任务表评分。",
    "write a task sheet (needs --out)": "写出任务表（需要 --out）",
    "the task sheet, .xlsx (its key goes to <name>.key.csv)": "任务表，.xlsx（答案表写入 <name>.key.csv）",
    "answer key file (default <sheet>.key.csv)": "答案表文件（默认 <sheet>.key.csv）",
    "score an answered sheet": "为已作答的任务表评分",
    "runs of the same corpus and K with other seeds: per-topic stability": "同一语料、同一 K、不同随机种子的运行：每个主题的稳定性",
    "units in a topic-intrusion sheet (default %(default)s)": "主题入侵任务表中的单元数（默认 %(default)s）",
    "shuffle and sample seed (default %(default)s)": "打乱与抽样的随机种子（默认 %(default)s）",
    # -- notebook
    "open JupyterLab on notebooks/": "在 notebooks/ 上打开 JupyterLab",
    "Start JupyterLab in notebooks/; with RUN, the notebooks open that run (default: the newest).":
        "在 notebooks/ 中启动 JupyterLab；给出 RUN 时，笔记本打开该运行（默认：最新的一个）。",
    "run folder for the notebooks": "笔记本使用的运行文件夹",
    "port for JupyterLab": "JupyterLab 的端口",
    # -- verify
    "check a run folder against its manifest, and the manifest against a published hash": "按清单核对运行文件夹，并按公布的哈希值核对清单",
    "Check that every file of RUN is listed in manifest.json, that every listed file is there, inside the folder, "
    "with its sha256, and print the sha256 of manifest.json itself: publish it with the results; --expect checks a "
    "copy against it. Outputs written after training (exports/, prevalence/, effects/, validation/, inferred/, "
    "compare_*.csv) are named as not covered.":
        "核对 RUN 的每个文件都列在 manifest.json 中，清单所列的每个文件都在文件夹内且 sha256 相符，并输出 manifest.json "
        "自身的 sha256：请随结果一起公布；--expect 按它核对一份副本。训练之后写出的文件（exports/、prevalence/、"
        "effects/、validation/、inferred/、compare_*.csv）列为未覆盖。",
    "the published sha256 of manifest.json: fail unless the manifest is that one": "公布的 manifest.json 的 sha256：清单不是这一份则报错",
    # -- terms
    "candidate terms for the dictionary: what the corpus quotes and it lacks (CSV)": "词典的候选词：语料中加了引号而词典里没有的词（CSV）",
    "List the terms SOURCE (or --corpus NAME) puts in quotation marks that the dictionaries/ lack: occurrences, "
    "quoted occurrences, documents, the share of documents quoting it, cohesion (PMI) and boundary entropy, example "
    "contexts, and whether the harvest takes it. Written as CSV for Excel; move the terms worth keeping into a file "
    "of dictionaries/.":
        "列出 SOURCE（或 --corpus NAME）中加了引号、而 dictionaries/ 里没有的词：出现次数、带引号的出现次数、文档数、"
        "给它加引号的文档比例、内聚度（PMI）和边界熵、例句，以及自动收集是否会收录它。写成供 Excel 打开的 CSV；"
        "值得保留的词请移入 dictionaries/ 中的某个文件。",
    "CSV file to write (default %(default)s)": "要写出的 CSV 文件（默认 %(default)s）",
    "leave out terms quoted in fewer documents (default %(default)s)": "略去被引号标出的文档数少于此数的词语（默认 %(default)s）",
    "example contexts per term (default %(default)s)": "每个词语的例句数（默认 %(default)s）",
}

ARGPARSE: dict[str, str | None] = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "show this help message and exit": "显示本帮助信息并退出",
    "{}: error: {}\n": "{}: 错误：{}\n",
    "argument {}: {}": "参数 {}：{}",
    "ambiguous option: {} could match {}": "选项有歧义：{} 可以匹配 {}",
    "expected at least one argument": "至少需要一个值",
    "expected at most one argument": "最多只能有一个值",
    "expected one argument": "需要一个值",
    "expected {} argument": "需要 {} 个值",
    "expected {} arguments": "需要 {} 个值",
    "ignored explicit argument {}": "忽略了显式给出的值 {}",
    "invalid choice: {} (choose from {})": "无效的选项值：{}（可选：{}）",
    "invalid {} value: {}": "无效的 {} 值：{}",
    "not allowed with argument {}": "不能与参数 {} 同时使用",
    "one of the arguments {} is required": "参数 {} 中必须给出一个",
    "the following arguments are required: {}": "缺少以下必需参数：{}",
    "unrecognized arguments: {}": "无法识别的参数：{}",
    "unexpected option string: {}": "意外的选项字符串：{}",
    "can't open '{}': {}": "无法打开 '{}'：{}",
    "unknown parser {} (choices: {})": "未知的子命令 {}（可选：{}）",
    # raised for a mistake in the parser's own definition, never for a user's input: shown as written
    "'required' is an invalid argument for positionals": KEEP,
    ".__call__() not defined": KEEP,
    "argument \"-\" with mode {}": KEEP,
    "cannot have multiple subparser arguments": KEEP,
    "cannot merge actions - two groups are named {}": KEEP,
    "conflicting option string: {}": KEEP,
    "conflicting option strings: {}": KEEP,
    "conflicting subparser alias: {}": KEEP,
    "conflicting subparser: {}": KEEP,
    "dest= is required for options like {}": KEEP,
    "invalid conflict_resolution value: {}": KEEP,
    "invalid option string {}: must start with a character {}": KEEP,
    "mutually exclusive arguments must be optional": KEEP,
    "{} is not callable": KEEP,
}
