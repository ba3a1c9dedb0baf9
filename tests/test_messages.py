"""Messages in Chinese: the catalogue (workbench/messages.py) holds every message template of the
source with its Chinese, and the command line prints them under a Chinese locale.

The template set is read from the source with :mod:`ast`, by the rules :func:`scan` lists; the
same scan reads argparse's own phrases from argparse's source."""

from __future__ import annotations

import argparse
import ast
import re
import string
from pathlib import Path

import pytest

from workbench import messages

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "workbench"
SEEDS = ROOT / "seeds"

_LOG_CALLS = {"debug", "info", "warning", "error", "exception", "critical"}
# names a message is held in before it is raised or appended: msg = f"..."; raise X(msg)
_MESSAGE_NAMES = {"msg", "message", "hint", "reason", "why", "detail", "problem", "note", "who", "what", "where", "loc"}
# calls whose string arguments are messages (a bound says its range in words: checks.Bound; an argparse
# type says what to write: cli._pair)
_MESSAGE_CALLS = {"_fail", "Bound", "_pair"}
_LIST_NAMES = ("error", "problem", "warning", "message")
_PERCENT = re.compile(r"%(?:\((\w+)\))?[-+ #0]*(?:\d+|\*)?(?:\.\d+)?[sdifgeExXrca%]")


def _escape(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def _percent(text: str) -> str:
    """A %-style template (logging, argparse) as a ``{}`` one."""
    out, last = [], 0
    for m in _PERCENT.finditer(text):
        out.append(_escape(text[last:m.start()]))
        out.append("%" if m.group(0) == "%%" else "{}")
        last = m.end()
    out.append(_escape(text[last:]))
    return "".join(out)


def _format(text: str) -> str:
    """A ``str.format`` template with its fields (``{0}``, ``{name:.2f}``) as ``{}``."""
    out = []
    for literal, field, _spec, _conv in string.Formatter().parse(text):
        out.append(_escape(literal))
        if field is not None:
            out.append("{}")
    return "".join(out)


def templates_of(node, percent: bool = False, constants: dict | None = None) -> list[str]:
    """The ``{}`` templates a string expression can produce: a literal, an f-string (each
    ``{...}`` a hole), their ``+`` concatenation, ``"...".format()``, ``"..." % x``, either branch
    of ``a if c else b``; anything else is one hole."""
    constants = constants or {}
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [_percent(node.value) if percent else _escape(node.value)]
    if isinstance(node, ast.Name) and node.id in constants:
        return templates_of(constants[node.id], percent, constants)
    if isinstance(node, ast.JoinedStr):
        parts, inner = [], []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(_escape(value.value))
            else:
                parts.append("{}")
                if isinstance(value.value, ast.IfExp):  # f"a {'JSON object' if x else 'list'}"
                    inner += templates_of(value.value, percent, constants)
        return ["".join(parts), *inner]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        lefts = templates_of(node.left, percent, constants) or ["{}"]
        rights = templates_of(node.right, percent, constants) or ["{}"]
        return [a + b for a in lefts for b in rights]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and isinstance(node.left, ast.Constant) \
            and isinstance(node.left.value, str):
        return [_percent(node.left.value)]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format" \
            and isinstance(node.func.value, ast.Constant) and isinstance(node.func.value.value, str):
        return [_format(node.func.value.value)]
    if isinstance(node, ast.IfExp):
        return templates_of(node.body, percent, constants) + templates_of(node.orelse, percent, constants)
    if isinstance(node, ast.Call) and _name(node.func) == "one_line" and node.args:  # one_line(f"...")
        return templates_of(node.args[0], percent, constants)
    return []


def _name(func) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _exception_classes(trees) -> set[str]:
    """The package's exception classes (StoreLocked, NoTextColumn ...): a call of one is a message."""
    names: set[str] = set()
    classes = [node for tree in trees for node in ast.walk(tree) if isinstance(node, ast.ClassDef)]
    while True:
        more = {c.name for c in classes if c.name not in names
                and any(_name(b).endswith(("Error", "Exception")) or _name(b) in names for b in c.bases)}
        if not more:
            return names
        names |= more


def _scan_module(tree: ast.Module, is_cli: bool, exceptions: set[str], functions: dict) -> tuple[set[str], set[str]]:
    """(message templates, help texts) of one module; ``functions``: the package's functions and
    methods by name (a message may be made by one: ``raise no_text_column(...)``)."""
    found: set[str] = set()
    helps: set[str] = set()
    constants = {t.id: node.value for node in tree.body if isinstance(node, ast.Assign)
                 for t in node.targets if isinstance(t, ast.Name)}

    def add(node, percent: bool = False):
        found.update(templates_of(node, percent, constants))

    def add_returns(name: str):
        for func in functions.get(name, ()):
            for sub in ast.walk(func):
                if isinstance(sub, ast.Return) and sub.value is not None:
                    add(sub.value)

    def add_lines(name: str):
        """The lines a summary function makes: its returns, its lists' literals, what it appends."""
        for func in functions.get(name, ()):
            for sub in ast.walk(func):
                if isinstance(sub, ast.Return) and sub.value is not None:
                    add(sub.value)
                if isinstance(sub, (ast.Return, ast.Assign)) and isinstance(sub.value, ast.List):
                    for element in sub.value.elts:
                        add(element)
                if isinstance(sub, ast.Assign) and isinstance(sub.value, (ast.JoinedStr, ast.IfExp)):  # its parts
                    add(sub.value)
                if isinstance(sub, ast.Call) and _name(sub.func) == "append" and sub.args:
                    add(sub.args[0])

    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and (node.name in exceptions or node.name.endswith("Problem")):
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name == "__str__":
                    for sub in ast.walk(item):
                        if isinstance(sub, ast.Return) and sub.value is not None:
                            add(sub.value)
                elif isinstance(item, ast.AnnAssign) and item.value is not None:  # action: str = "skipped"
                    add(item.value)

    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            for arg in node.exc.args[:1]:
                add(arg)
                if isinstance(arg, ast.Call):
                    add_returns(_name(arg.func))  # raise X(_too_large(...))
            add_returns(_name(node.exc.func))  # raise no_text_column(...)
        elif isinstance(node, ast.Call):
            name = _name(node.func)
            if name.endswith(("Error", "Exception", "Problem")) or name in exceptions or name in _MESSAGE_CALLS:
                for arg in node.args[:1] if name == "_pair" else node.args:  # _pair(what, example)
                    add(arg)
            elif name in _LOG_CALLS and node.args:
                add(node.args[0], percent=True)
                for arg in node.args[1:]:
                    if isinstance(arg, ast.Call):
                        add_returns(_name(arg.func))  # _log.info("%s", report.renamed())
            elif name in ("translate", "_say") and node.args:  # cli._say: a line for standard output
                add(node.args[0])
                for sub in ast.walk(node.args[0]):
                    if isinstance(sub, ast.Call):
                        add_lines(_name(sub.func))  # _say(covariates.summary(effect))
            elif name == "append" and node.args and any(w in ast.unparse(node.func.value).lower() for w in _LIST_NAMES):
                add(node.args[0])
            elif (name in ("next", "begin") and isinstance(node.func, ast.Attribute) or name == "stages") \
                    and len(node.args) >= 2:
                add(node.args[1])  # a progress line: stages("tokenize", "tokenizing ...")
                for sub in ast.walk(node.args[1]):
                    if isinstance(sub, ast.Call):
                        add_lines(_name(sub.func))  # f"reading {_sources_named(sources, corpus_name)}"
            elif name == "announce" and node.args:
                add(node.args[0])
            for kw in node.keywords:
                if kw.arg == "where":  # covariate_frame(..., where="metadata"): named in its messages
                    add(kw.value)
            if is_cli:
                for kw in node.keywords:
                    if kw.arg in ("help", "description", "title"):
                        for t in templates_of(kw.value, constants=constants):
                            helps.add(t.replace("{{", "{").replace("}}", "}"))
                if name == "_command":
                    for arg in node.args[3:5]:
                        helps.update(t.replace("{{", "{").replace("}}", "}") for t in templates_of(arg))
                if name == "add_argument_group" and node.args:
                    helps.update(t.replace("{{", "{").replace("}}", "}") for t in templates_of(node.args[0]))
        elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id in _MESSAGE_NAMES
                                                  for t in node.targets):
            add(node.value)
    return found, helps


def _meaningful(template: str) -> bool:
    """A template with something to translate: a letter outside its holes (``"{}"`` and
    ``"{}: {}"`` have none; they are kept when they join messages, see MESSAGES)."""
    return any(ch.isalpha() for ch in "".join(messages.holes(template)))


def scan() -> tuple[set[str], set[str]]:
    """(message templates, help texts) of the whole package."""
    found: set[str] = set()
    helps: set[str] = set()
    trees = {path: ast.parse(path.read_text(encoding="utf-8")) for path in sorted(PACKAGE.rglob("*.py"))
             if path.name != "messages.py"}
    exceptions = _exception_classes(trees.values())
    functions: dict[str, list] = {}
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                functions.setdefault(node.name, []).append(node)
    for path, tree in trees.items():
        f, h = _scan_module(tree, path.name == "cli.py", exceptions, functions)
        found |= f
        helps |= h
    # "{}" says nothing of its own; a template without a Latin letter is Chinese already (chart titles)
    found = {t for t in found if "".join(messages.holes(t))}  # "{}", "{}{}": nothing of their own
    return {t for t in found if t != "{}" and re.search("[A-Za-z]", "".join(messages.holes(t)))
            or t.strip() and not re.search("[A-Za-z\u4e00-\u9fff]", t.replace("{}", "")) and t != "{}"}, helps


def argparse_phrases() -> set[str]:
    """argparse's own phrases, from its source: every ``_('...')`` and ``ngettext(...)``."""
    tree = ast.parse(Path(argparse.__file__).read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _name(node.func) in ("_", "ngettext"):
            for arg in node.args[:2]:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    out.add(_percent(arg.value))
    return out


# ---------------------------------------------------------------------------
# the catalogue is whole


def test_every_message_template_has_its_chinese_and_no_entry_is_stale():
    found, _ = scan()
    missing = sorted(found - set(messages.MESSAGES))
    stale = sorted(set(messages.MESSAGES) - found)
    assert not missing, "templates without Chinese in workbench/messages.py MESSAGES:\n" + "\n".join(map(repr, missing))
    assert not stale, "MESSAGES entries no longer in the source:\n" + "\n".join(map(repr, stale))


def test_every_help_text_has_its_chinese_and_no_entry_is_stale():
    _, helps = scan()
    assert sorted(helps - set(messages.HELP)) == [], "help texts without Chinese (HELP)"
    assert sorted(set(messages.HELP) - helps) == [], "HELP entries no longer in cli.py"
    for english, zh in messages.HELP.items():
        # argparse fills these in: the same ones, else --help fails with a KeyError
        assert sorted(re.findall(r"%\(\w+\)s", english)) == sorted(re.findall(r"%\(\w+\)s", zh)), english
        assert "%" not in re.sub(r"%\(\w+\)s", "", zh), zh


def test_every_argparse_phrase_has_its_chinese():
    phrases = argparse_phrases()
    assert sorted(phrases - set(messages.ARGPARSE)) == []
    assert sorted(set(messages.ARGPARSE) - phrases) == []


@pytest.mark.parametrize("table", ["MESSAGES", "ARGPARSE"])
def test_chinese_templates_take_the_english_values(table):
    """Each Chinese template uses every value of its English one (a path or a count never drops
    out) and nothing more; it is Chinese (or, for a structural template, the same punctuation)."""
    for english, zh in getattr(messages, table).items():
        if zh is messages.KEEP:
            continue
        n = sum(field is not None for _lit, field, _s, _c in string.Formatter().parse(english))
        markers = [f"<{i}>" for i in range(n)]
        filled = zh.format(*markers)
        assert all(m in filled for m in markers), (english, zh)
        words = re.sub(r"--[\w-]+|\b(?:spark|MB|frex)\b", "", "".join(messages.holes(english)))  # names stay
        if re.search("[A-Za-z]{3}", words):
            assert re.search("[\u4e00-\u9fff]", zh), (english, zh)


def test_few_templates_stay_english():
    kept = [k for table in (messages.MESSAGES, messages.ARGPARSE) for k, v in table.items() if v is messages.KEEP]
    # the bundled page script's own checks and argparse's errors in a parser's definition: a
    # developer's messages, never caused by a user's input
    assert len(kept) == 16, kept


# ---------------------------------------------------------------------------
# choosing the language and translating


@pytest.mark.parametrize("env, expected", [
    ({"WORKBENCH_LANG": "zh"}, "zh"),
    ({"WORKBENCH_LANG": "zh_CN", "LANG": "en_US.UTF-8"}, "zh"),
    ({"WORKBENCH_LANG": "en", "LANG": "zh_CN.UTF-8"}, "en"),
    ({"LANG": "zh_CN.UTF-8"}, "zh"),
    ({"LC_ALL": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
    ({"LANGUAGE": "zh_CN:en", "LANG": "C.UTF-8"}, "zh"),
    ({"LANG": "en_US.UTF-8"}, "en"),
    ({"LANG": "C.UTF-8"}, "en"),
    ({}, "en"),
])
def test_language_from_workbench_lang_then_the_locale(monkeypatch, env, expected):
    for name in ("WORKBENCH_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert messages.language() == expected


def test_translate_keeps_values_and_translates_nested_messages(monkeypatch):
    monkeypatch.setenv("WORKBENCH_LANG", "zh")
    # a path and a message inside a message: the path verbatim, the inner message translated
    assert messages.translate("报告/2024 empty file.txt: empty file: whitespace only") == \
        "报告/2024 empty file.txt：空文件：只有空白字符"
    assert messages.translate("a.csv:line 12: no text: the '正文' field is missing or empty (skipped)") == \
        "a.csv:第 12 行：没有文本：'正文' 字段缺失或为空（已跳过）"
    assert messages.translate("--topics: 40 topics for 21 units: a model can have at most 21 topics here "
                              "(lower --topics)") == "--topics：40 个主题对 21 个单元 而言太多：此处模型最多只能有 21 个主题（请调小 --topics）"
    # no template: the English as it is, its punctuation too
    assert messages.translate("something the catalogue never saw") == "something the catalogue never saw"
    assert messages.translate("never seen: with a colon") == "never seen: with a colon"
    # a progress line naming what it reads: the names kept, the words around them translated
    assert messages.translate("reading a.csv, 报告/, c.txt and 2 more") == "正在读取 a.csv, 报告/, c.txt 等，另有 2 个"
    monkeypatch.setenv("WORKBENCH_LANG", "en")
    assert messages.translate("a.csv: empty file") == "a.csv: empty file"


def test_wrap_counts_a_chinese_character_as_two_columns():
    text = messages.HELP["Train LDA on SOURCE files/folders (default: the bundled seeds/) or a named corpus, and write "
                         "a run folder under runs/. The last line printed is its path."]
    lines = messages.wrap(text, 40)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert all(messages._columns(line) <= 40 for line in lines)
    assert not any(line[0] in "，。）：" for line in lines)


# ---------------------------------------------------------------------------
# the command line in Chinese and in English


def _run(argv, monkeypatch, capsys, **env):
    from workbench import cli

    for name in ("WORKBENCH_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("COLUMNS", "100")
    try:
        code = cli.main(argv)
    except SystemExit as exc:  # argparse: --help, usage errors
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_a_missing_file_in_chinese_and_in_english(monkeypatch, capsys, tmp_path):
    missing = tmp_path / "两会报告.csv"
    code, _, err = _run(["train", str(missing), "--quiet"], monkeypatch, capsys, WORKBENCH_LANG="zh")
    assert code == 1
    assert err.strip() == f"workbench: 错误：{missing}：没有这个文件或文件夹"
    code, _, err = _run(["train", str(missing), "--quiet"], monkeypatch, capsys, LANG="en_US.UTF-8")
    assert code == 1
    assert err.strip() == f"workbench: error: {missing}: no such file or folder"


def test_a_bad_option_value_in_chinese_with_the_subcommand_usage(monkeypatch, capsys):
    code, _, err = _run(["train", "--topics", "0"], monkeypatch, capsys, LANG="zh_CN.UTF-8")
    assert code == 2
    assert err.startswith("用法：workbench train ")
    assert err.splitlines()[-1] == "workbench train: 错误：参数 --topics：应为介于 1 和 1000 之间的整数，而不是 '0'"
    code, _, err = _run(["train", "--topics", "0"], monkeypatch, capsys, LANG="en_US.UTF-8")
    assert err.startswith("usage: workbench train ")
    assert err.splitlines()[-1] == "workbench train: error: argument --topics: expected a whole number from 1 to " \
                                   "1000, not '0'"


@pytest.mark.parametrize("argv, zh", [
    (["train", "--topic", "3"], "workbench train: 错误：无法识别的参数：--topic（是否想输入 --topics？）"),
    (["tran"], "workbench: 错误：参数 COMMAND：无效的选项值：'tran'（可选："),
    (["ingest", "x.txt"], "workbench ingest: 错误：缺少以下必需参数：--corpus"),
    (["train", "--topics"], "workbench train: 错误：参数 --topics：需要一个值"),
])
def test_argparse_own_errors_in_chinese(monkeypatch, capsys, argv, zh):
    code, _, err = _run(argv, monkeypatch, capsys, WORKBENCH_LANG="zh")
    assert code == 2
    assert err.splitlines()[-1].startswith(zh)


def test_an_unknown_covariate_on_a_seed_run_in_chinese(monkeypatch, capsys, seed_run):
    code, _, err = _run(["effect", str(seed_run), "--covariate", "省份"], monkeypatch, capsys, WORKBENCH_LANG="zh")
    assert code == 2
    line = err.strip()
    assert line.startswith(f"workbench: 错误：未知的协变量列 '省份'；运行 {seed_run.name} 中有：")
    assert "title, date" in line and not re.search("unknown|column|has", line)
    code, _, err = _run(["effect", str(seed_run), "--covariate", "省份"], monkeypatch, capsys, LANG="en_US.UTF-8")
    assert err.startswith("workbench: error: unknown covariate column '省份'")


def test_help_in_chinese(monkeypatch, capsys):
    code, out, _ = _run(["--help"], monkeypatch, capsys, WORKBENCH_LANG="zh")
    assert code == 0
    assert out.startswith("用法：workbench [-h] [--version] COMMAND ...")
    assert "面向中国政治与政府文本的主题模型工具。" in out
    assert "训练主题模型并写出运行文件夹（最后一行输出其路径）" in out
    assert "显示本帮助信息并退出" in out and "show this help" not in out

    code, out, _ = _run(["train", "--help"], monkeypatch, capsys, WORKBENCH_LANG="zh")
    assert code == 0
    assert "自由主题数（默认 12）" in out  # argparse's %(default)s filled into the Chinese
    assert "位置参数" in out and "选项" in out
    # wrapped to the terminal's 100 columns, a Chinese character counted as two
    assert max(messages._columns(line) for line in out.splitlines() if messages.wide(line)) <= 100
    for english in ("free topics", "random seed", "options:", "usage:"):
        assert english not in out

    code, out, _ = _run(["train", "--help"], monkeypatch, capsys, LANG="en_US.UTF-8")
    assert "free topics (default 12)" in out and "usage: workbench train" in out


@pytest.mark.parametrize("name", ["train", "sweep", "ingest", "topics", "export", "label", "infer", "merge", "compare",
                                  "prevalence", "effect", "contrast", "validate", "notebook", "verify", "terms"])
def test_every_command_help_renders_in_chinese(monkeypatch, capsys, name):
    code, out, _ = _run([name, "--help"], monkeypatch, capsys, WORKBENCH_LANG="zh")
    assert code == 0
    assert out.startswith(f"用法：workbench {name}")
    assert "%(" not in out and "(default" not in out and "默认" in out + "默认"
    # every help line of an option is Chinese (option names and values aside)
    english = [line for line in out.splitlines() if re.search(r"\b[a-z]{4,} [a-z]{3,} [a-z]{3,}\b", line)
               and not messages.wide(line)]
    assert english == [], english


def test_log_lines_in_chinese(monkeypatch, capsys, tmp_path):
    """A skipped input named on standard error through the logger, in Chinese."""
    folder = tmp_path / "来源"
    folder.mkdir()
    (folder / "空白.txt").write_text("   \n", encoding="utf-8")
    (folder / "报告.txt").write_text(sorted(SEEDS.glob("*.txt"))[0].read_text(encoding="utf-8"), encoding="utf-8")
    code, out, err = _run(["ingest", str(folder), "--corpus", "日志测试", "--report", str(tmp_path / "r.txt")],
                          monkeypatch, capsys, WORKBENCH_LANG="zh")
    assert code == 3
    assert f"workbench: {folder / '空白.txt'}：空文件：只有空白字符（已跳过）" in err.splitlines()
    # and the summary on standard output, the corpus name as given
    assert out.splitlines()[0].startswith("语料 '日志测试'：新增 1，未变 0，更新 0，跳过 1")


def test_standard_output_messages_in_chinese(monkeypatch, capsys, seed_run):
    code, out, _ = _run(["topics", str(seed_run), "-n", "3"], monkeypatch, capsys, WORKBENCH_LANG="zh")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"{seed_run}  （12 个主题；相关度 λ=0.6；FREX w=0.5）"
    assert lines[2].startswith("[0]  占比 0.")
    assert lines[3].startswith("  概率：    ") and "、" in lines[3]
    code, out, _ = _run(["verify", str(seed_run)], monkeypatch, capsys, WORKBENCH_LANG="zh")
    assert code == 0
    assert out.splitlines()[0].startswith(f"{seed_run}：完好：文件夹中的每个文件都列在 manifest.json 中（")
    assert out.splitlines()[-1].startswith("manifest.json 的 sha256：")
    code, out, _ = _run(["topics", str(seed_run), "-n", "3"], monkeypatch, capsys, LANG="en_US.UTF-8")
    assert out.splitlines()[0] == f"{seed_run}  (12 topics; relevance λ=0.6; FREX w=0.5)"


@pytest.mark.slow
def test_the_console_script_follows_a_chinese_locale(tmp_path):
    """The real process: LANG=zh_CN.UTF-8 alone gives Chinese, WORKBENCH_LANG=en English."""
    import subprocess
    import sys

    env = {"PATH": "/usr/bin:/bin", "PYTHONIOENCODING": "utf-8", "WORKBENCH_STORE": str(tmp_path / "s.sqlite"),
           "LANG": "zh_CN.UTF-8"}
    run = subprocess.run([sys.executable, "-m", "workbench", "train", "--topics", "0"], capture_output=True,
                         text=True, encoding="utf-8", env=env, timeout=120, check=False)
    assert run.returncode == 2
    assert run.stderr.splitlines()[-1] == "workbench train: 错误：参数 --topics：应为介于 1 和 1000 之间的整数，而不是 '0'"
    run = subprocess.run([sys.executable, "-m", "workbench", "train", "--topics", "0"], capture_output=True,
                         text=True, encoding="utf-8", env={**env, "WORKBENCH_LANG": "en"}, timeout=120, check=False)
    assert run.stderr.splitlines()[-1].startswith("workbench train: error: argument --topics: expected")
