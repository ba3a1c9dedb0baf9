"""Bad input, as researchers' database exports deliver it: every good document is kept, every bad
one is named (file, line or record, what is wrong, what was done), the ingest summary and report
file agree, and the exit code tells a script what happened.

Kinds of bad input tried here, 45 (tests/test_ingest.py covers the basic cases besides):
 encodings, detected: 1 UTF-8, 2 UTF-8 with BOM, 3 GB18030 beyond GBK, 4 GBK, 5 UTF-16 LE with
   BOM, 6 UTF-16 BE with BOM, 7 UTF-16 LE without BOM, 8 UTF-16 BE without BOM, 9 a UTF-16 BOM on
   broken bytes, 10 a UTF-8 BOM on GBK bytes, 11 UTF-8 with its last character cut off, 12 UTF-8
   with a stray invalid byte, 13 GBK bytes that look like damaged UTF-8;
 not text: 14 PDF, 15 PNG, 16 random bytes, 17 mostly control characters, 18 a .pdf in a folder;
 size and shape: 19 empty file, 20 whitespace-only file, 21 a 50 MB single line, 22 80,000 long
   unpunctuated lines (was quadratic), 23 NUL bytes in text, 24 control characters in text,
   25 mixed line endings (CRLF, CR, LF, U+2028), 26 NUL and control characters in record fields;
 HTML: 27 a page (.html: head, script, style, noscript, comments, entities), 28 a fragment in a
   .txt, 29 markup in a CSV field, 30 malformed markup that took html.parser minutes;
 CSV: 31 an unclosed quote (the rows after it are kept), 32 a wrong number of fields, 33 no text
   column beside good files, 34 no text column alone, 35 a renamed text column, 36 embedded
   newlines, 37 a field beyond csv's 131,072-character limit;
 JSONL: 38 a malformed line, 39 a line without text, 40 non-object lines (string, number, null),
   41 text that is a JSON object, 42 CR-only and CRLF line endings;
 43 a duplicate under another name and encoding (a record of its own, its text stored once); 44 documents with no words left after cleaning
   (furniture only, symbols and digits only); plus a missing path (exit 1, nothing stored) and
   Traditional characters folded to Simplified when asked; 45 a broken .xlsx beside good files.
"""
import json
import random
import re
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from workbench.corpus import ingest, store
from workbench.corpus.ingest import Problem, html_to_text, looks_like_html, make_document, read_sources

# One line of stderr per problem: "workbench: PATH[:line N|:row N]: WHAT (ACTION)".
MESSAGE = re.compile(r"^workbench: (?P<path>\S.*?)(?::(?P<where>(?:line|row|record) \d+))?: "
                     r"(?P<what>\S.*) \((?P<action>[^()]+)\)$")
SUMMARY = re.compile(r"^corpus '(?P<corpus>[^']+)': (?P<added>\d+) added, (?P<unchanged>\d+) unchanged, "
                     r"(?P<updated>\d+) updated, (?P<skipped>\d+) skipped(?: \((?P<why>.+?)\))?"
                     r"(?:; (?P<repeated>\d+) with the text of an earlier record \(modelled once\))?"
                     r"(?:; columns: (?P<columns>.+))?$")

S = {  # distinct sentences, so no two good documents share an id by accident
    "utf8": "第一书记驻村帮扶贫困户发展产业，带动群众脱贫致富。",
    "bom": "社区网格员走访居民，化解矛盾纠纷，服务群众。",
    "gb18030": "纪检监察机关通报㐀典型案例，严肃查处违纪问题。",  # 㐀 (U+3400) is not in GBK
    "gbk": "基层党组织开展主题党日活动，党员积极参与。",
    "le": "乡村振兴战略稳步推进，农村人居环境持续改善。",
    "be": "八项规定精神落实落细，纠治四风持续深化。",
    "nul": "网格党支部组织志愿服务，帮助困难群众解决实际问题。",
    "ctrl": "驻村工作队走访建档立卡户，逐户核实帮扶措施。",
    "cut": "政府工作报告提出稳就业保民生。推进高质量发展取得成效",
    "stray": "两学一做学习教育常态化制度化，推动全面从严治党向基层延伸。",
    "dup": "纪检监察机关持续纠治四风，立案查处享乐主义问题。",
}
ENDINGS = ["城市基层党建引领社区治理。", "党员干部下沉社区报到服务。", "网格化管理提升治理效能。",
           "志愿服务队伍不断壮大。", "居民满意度明显提高。"]


def cli(*args, store_path: Path, timeout=120):
    env = {"WORKBENCH_STORE": str(store_path), "PATH": "/usr/bin:/bin", "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "workbench", *map(str, args)], capture_output=True,
                          text=True, encoding="utf-8", env=env, timeout=timeout)


def stored(store_path: Path) -> dict[str, list[str]]:
    """file name -> texts of the documents stored from it."""
    out: dict[str, list[str]] = {}
    with closing(sqlite3.connect(store_path)) as conn:
        for source, text in conn.execute("SELECT source_file, text FROM records JOIN documents USING (doc_id)"):
            out.setdefault(Path(source).name, []).append(text)
    return out


def parse_messages(stderr: str) -> list[dict]:
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    bad = [ln for ln in lines if not MESSAGE.match(ln)]
    assert not bad, f"messages not in the one-line form: {bad}"
    return [MESSAGE.match(ln).groupdict() for ln in lines]


def build_messy_folder(src: Path) -> dict:
    """Every kind of bad input in one export folder; returns what each should produce."""
    src.mkdir()
    w = lambda name, data: (src / name).write_bytes(data)  # noqa: E731
    # Good documents, each needing detection or repair.
    w("utf8.txt", S["utf8"].encode())
    w("utf8_bom.txt", b"\xef\xbb\xbf" + S["bom"].encode())
    w("gb18030.txt", S["gb18030"].encode("gb18030"))
    w("gbk.txt", S["gbk"].encode("gbk"))
    w("utf16le.txt", b"\xff\xfe" + S["le"].encode("utf-16-le"))
    w("utf16be.txt", b"\xfe\xff" + S["be"].encode("utf-16-be"))
    w("nul_inside.txt", S["nul"][:6].encode() + b"\x00\x00" + S["nul"][6:].encode())
    w("control_chars.txt", ("驻村工作队\x07走访建档立卡户，\x1b逐户核实\x0e帮扶措施。").encode())
    w("mixed_endings.txt", ("\r\n".join(ENDINGS[:2]) + "\r" + ENDINGS[2] + "\n" + ENDINGS[3] + "\u2028"
                            + ENDINGS[4] + "\r\n").encode())
    w("truncated_utf8.txt", (S["cut"] + "。").encode()[:-2])  # "。" is 3 bytes: cut mid-character
    stray = S["stray"].encode()
    w("stray_byte.txt", stray[:30] + b"\xff" + stray[30:])
    w("page.html", """<!DOCTYPE html><html><head><title>站点标题</title>
<script>document.write("<p>不应出现</p>"); alert(1)</script><style>p { color: red }</style></head>
<body><div>当前位置: 首页 &gt; 党建</div><noscript>请启用脚本</noscript>
<h1>网格党建</h1><p>网格党支部&nbsp;把服务送到
群众家门口。</p><ul><li>党员联系户&amp;楼栋长</li><li>每周走访一次。</li></ul>
<!-- 注释不是正文 --></body></html>""".encode())
    w("fragment.txt", "<p>驻村第一书记带领群众发展特色产业。</p><p>村集体经济收入稳步增长。</p><br><p>群众获得感增强。</p>"
      .encode("gbk"))
    w("dup_a.txt", S["dup"].encode())
    w("dup_b.txt", S["dup"].encode("gb18030"))  # same text, other name and encoding
    (src / "records.csv").write_text(
        "标题,正文,日期\r\n"
        "甲,纪委监委开展警示教育，筑牢拒腐防变思想防线。,2022-01-01\r\n"
        '乙,"基层减负持续推进，\r\n文山会海明显减少。",2022-01-02\r\n'
        '丙,"未闭合的引号让后面的行都成了一个字段,2022-01-03\r\n'
        "丁,坏行之后的一行照样读入，巡察整改落实到位。,2022-01-04\r\n"
        "戊,只有两个字段\r\n"
        "己,<p>网页字段：党员教育培训全覆盖。</p><p>培训质量不断提升。</p><p>学用结合。</p>,2022-01-06\r\n",
        encoding="utf-8")
    (src / "records.jsonl").write_bytes("\r\n".join([
        json.dumps({"text": "巡视整改任务逐项销号，整改成效明显。", "date": "2023-05-01"}, ensure_ascii=False),
        '{"text": broken',
        '"just a string"',
        "42",
        "null",
        json.dumps({"title": "无正文"}, ensure_ascii=False),
        json.dumps({"text": {"body": "嵌套对象不是正文"}}, ensure_ascii=False),
        json.dumps({"text": "清廉机关建设深入推进，廉政风险防控有力。"}, ensure_ascii=False),
    ]).encode())
    # Bad inputs, each skipped with a message.
    w("empty.txt", b"")
    w("blank.txt", " \t\r\n\u3000\n".encode())
    w("scan.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    w("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    w("noise.txt", random.Random(7).randbytes(4096))
    w("binary_ctrl.txt", bytes(range(1, 32)) * 50)
    w("furniture_only.txt", "图片\n打印 关闭\n上一条\n返回顶部\n".encode())
    w("symbols_only.txt", "……\n123 456\n———\n".encode())
    w("bom_on_gbk.txt", b"\xef\xbb\xbf" + "错误的字节顺序标记".encode("gbk"))
    w("meta.csv", "编号,日期\n1,2020-01-01\n".encode())
    w("paper.pdf", b"%PDF-1.4 ...")
    w("themes.toml", b"[themes]\n")  # not a document: passed over without a message
    expected_problems = [  # (file, where, words in the message)
        ("empty.txt", None, "empty file"),
        ("blank.txt", None, "empty file: whitespace only"),
        ("scan.txt", None, "not a text file: looks like a PDF file"),
        ("image.txt", None, "not a text file: looks like a PNG image"),
        ("noise.txt", None, "not a text file"),
        ("binary_ctrl.txt", None, "control characters"),
        ("furniture_only.txt", None, "no text left after cleaning"),
        ("symbols_only.txt", None, "no text left after cleaning"),
        ("bom_on_gbk.txt", None, "invalid UTF-8 after a UTF-8 byte-order mark"),
        ("meta.csv", None, "no text column"),
        ("paper.pdf", None, "unsupported file type"),
        ("records.csv", "line 5", "broken CSV row"),
        ("records.csv", "line 7", "wrong number of fields: 2 where the header has 3"),
        ("records.jsonl", "line 2", "malformed JSON"),
        ("records.jsonl", "line 3", "not a JSON object: the line holds a string"),
        ("records.jsonl", "line 4", "not a JSON object: the line holds a number"),
        ("records.jsonl", "line 5", "not a JSON object: the line holds null"),
        ("records.jsonl", "line 6", "no text: the 'text' field is missing or empty"),
        ("records.jsonl", "line 7", "no text: the 'text' field holds a JSON object"),
    ]
    return {"problems": expected_problems}


def test_messy_export_folder_through_the_cli(tmp_path):
    src = tmp_path / "export"
    expected = build_messy_folder(src)
    db, report = tmp_path / "store.sqlite", tmp_path / "report.txt"
    r = cli("ingest", src, "--corpus", "messy", "--report", report, store_path=db)
    assert r.returncode == 3, r.stderr  # success, but some inputs were skipped

    # one line per problem, each naming file, line, what is wrong and what was done
    messages = parse_messages(r.stderr)
    found = {(Path(m["path"]).name, m["where"]): m for m in messages}
    for name, where, words in expected["problems"]:
        m = found.get((name, where))
        assert m is not None, f"no message for {name} {where or ''}: {r.stderr}"
        assert words in m["what"], (name, where, m["what"])
        assert m["action"] == "skipped"
        if m["path"] != name and not m["path"].startswith("export/"):
            assert Path(m["path"]).exists(), m["path"]  # the full path of the file
    assert len(messages) == len(expected["problems"]), r.stderr
    assert "themes.toml" not in r.stderr

    # the summary: added / unchanged / skipped with reasons; the report file says the same
    out = r.stdout.strip().splitlines()
    summary = SUMMARY.match(out[0])
    assert summary, out
    assert int(summary["skipped"]) == len(expected["problems"])
    assert int(summary["added"]) == 21 and int(summary["unchanged"]) == 0 and summary["repeated"] == "1"
    for reason in ("2 empty file", "4 not a text file", "2 no text left after cleaning",
                   "1 broken CSV row", "1 malformed JSON", "3 not a JSON object", "2 no text"):
        assert reason in summary["why"], (reason, summary["why"])
    assert out[1] == f"report: {report}"
    lines = report.read_text(encoding="utf-8").splitlines()
    assert lines[0] == out[0]
    assert sorted(lines[1:]) == sorted(ln.removeprefix("workbench: ") for ln in r.stderr.splitlines() if ln)

    # every good document is in the store, decoded, repaired and cleaned
    docs = stored(db)
    for name, key in [("utf8.txt", "utf8"), ("utf8_bom.txt", "bom"), ("gb18030.txt", "gb18030"),
                      ("gbk.txt", "gbk"), ("utf16le.txt", "le"), ("utf16be.txt", "be"), ("nul_inside.txt", "nul"),
                      ("control_chars.txt", "ctrl"), ("stray_byte.txt", "stray"), ("dup_a.txt", "dup"),
                      ("dup_b.txt", "dup")]:
        assert docs[name] == [S[key]], name
    assert docs["truncated_utf8.txt"] == [S["cut"]]
    assert docs["mixed_endings.txt"] == ["\n".join(ENDINGS)]
    page = docs["page.html"][0]
    assert page.split("\n") == ["网格党支部 把服务送到群众家门口。", "党员联系户&楼栋长", "每周走访一次。"]
    assert "不应出现" not in page and "alert" not in page and "color" not in page and "请启用脚本" not in page
    assert docs["fragment.txt"] == ["驻村第一书记带领群众发展特色产业。\n村集体经济收入稳步增长。\n群众获得感增强。"]
    csv_texts = sorted(docs["records.csv"])
    assert len(csv_texts) == 4
    assert "基层减负持续推进，\n文山会海明显减少。" in csv_texts  # embedded CRLF newline kept as a break
    assert "坏行之后的一行照样读入，巡察整改落实到位。" in csv_texts  # the row after the unclosed quote
    assert any(t.startswith("网页字段：党员教育培训全覆盖。\n") for t in csv_texts)  # HTML field extracted
    assert len(docs["records.jsonl"]) == 2
    assert sum(len(v) for v in docs.values()) == 21

    # rerunning changes nothing and says so
    again = cli("ingest", src, "--corpus", "messy", "--report", tmp_path / "again.txt", store_path=db)
    assert again.returncode == 3
    assert again.stdout.startswith("corpus 'messy': 0 added, 21 unchanged, 0 updated, 19 skipped")


def test_clean_ingest_exits_0_and_reingest_is_unchanged(tmp_path):
    src = tmp_path / "clean"
    src.mkdir()
    for i, text in enumerate(ENDINGS):
        (src / f"{i}.txt").write_text(text, encoding="utf-8")
    db = tmp_path / "s.sqlite"
    r = cli("ingest", src, "--corpus", "c", "--report", tmp_path / "r.txt", store_path=db)
    assert (r.returncode, r.stderr) == (0, "")
    assert r.stdout.splitlines()[0] == "corpus 'c': 5 added, 0 unchanged, 0 updated, 0 skipped"
    r = cli("ingest", src, "--corpus", "c", "--report", tmp_path / "r2.txt", store_path=db)
    assert r.returncode == 0 and r.stdout.splitlines()[0] == "corpus 'c': 0 added, 5 unchanged, 0 updated, 0 skipped"
    assert (tmp_path / "r2.txt").read_text(encoding="utf-8") == "corpus 'c': 0 added, 5 unchanged, 0 updated, 0 skipped\n"


def test_missing_path_exits_1_before_storing_anything(tmp_path):
    src = tmp_path / "good"
    src.mkdir()
    (src / "a.txt").write_text(S["utf8"], encoding="utf-8")
    db = tmp_path / "s.sqlite"
    r = cli("ingest", src, tmp_path / "nowhere", "--corpus", "c", store_path=db)
    assert r.returncode == 1
    assert r.stderr.strip() == f"workbench: error: {tmp_path / 'nowhere'}: no such file or folder"
    assert not db.exists() or stored(db) == {}  # the good folder was not half-ingested


def test_renamed_text_column(tmp_path):
    f = tmp_path / "dump.csv"
    f.write_text("id,article_body\n1,纪检监察机关立案审查违纪问题。\n2,驻村工作队帮扶群众增收。\n", encoding="utf-8")
    db = tmp_path / "s.sqlite"
    r = cli("ingest", f, "--corpus", "c", store_path=db)
    assert r.returncode == 1  # the only source has no usable column: nothing could be read
    assert r.stderr.strip() == (f"workbench: error: {f}: no text column (text, content, body, 正文, 内容 ...): "
                                "the columns are id, article_body; name it with --text-column")
    r = cli("ingest", f, "--corpus", "c", "--text-column", "article_body", store_path=db)
    assert r.returncode == 0 and "2 added" in r.stdout
    assert sorted(stored(db)["dump.csv"]) == ["纪检监察机关立案审查违纪问题。", "驻村工作队帮扶群众增收。"]


def test_missing_text_column_does_not_lose_the_other_files(tmp_path):
    (tmp_path / "a.txt").write_text(S["utf8"], encoding="utf-8")
    (tmp_path / "b.xlsx").write_bytes(b"")  # broken spreadsheet
    (tmp_path / "meta.csv").write_text("id,date\n1,2020\n", encoding="utf-8")
    problems: list[Problem] = []
    docs = list(read_sources([tmp_path], problems=problems))
    assert [d.text for d in docs] == [S["utf8"]]
    assert {Path(p.path).name: p.what.split(":")[0] for p in problems} == {
        "b.xlsx": "cannot read as XLSX", "meta.csv": "no text column (text, content, body, 正文, 内容 ...)"}


def test_nothing_readable_exits_1(tmp_path):
    (tmp_path / "scan.txt").write_bytes(b"%PDF-1.5\x00binary")
    (tmp_path / "empty.txt").write_bytes(b"")
    r = cli("ingest", tmp_path, "--corpus", "c", "--report", tmp_path / "r.txt", store_path=tmp_path / "s.sqlite")
    assert "scan.txt: not a text file: looks like a PDF file (skipped)" in r.stderr
    assert "0 added, 0 unchanged, 0 updated, 2 skipped" in r.stdout
    assert r.returncode == 1


# -- in-process: size, speed, and the finer points ---------------------------------------------

# How long these inputs take is measured by bench/budgets.py, not asserted here.


@pytest.mark.slow
def test_50_mb_single_line_is_read_whole(tmp_path):
    import tracemalloc

    sentence = "各级党组织深入开展党史学习教育，推动学史明理学史增信学史崇德学史力行。"  # 36 chars, 108 bytes
    f = tmp_path / "one_line.txt"
    n = 50_000_000 // len(sentence.encode())
    f.write_bytes(sentence.encode() * n)
    size = f.stat().st_size
    assert size > 49_900_000
    tracemalloc.start()
    try:
        problems: list[Problem] = []
        docs = list(read_sources([f], problems=problems))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert problems == [] and len(docs) == 1
    assert len(docs[0].text) == n * len(sentence)  # nothing lost, one paragraph
    # the text held as str is 2 bytes per CJK character (~33 MB); a few copies at most
    assert peak < 8 * size, f"peak {peak / 1e6:.0f} MB for a {size / 1e6:.0f} MB file"
    with closing(store.connect(tmp_path / "s.sqlite")) as conn:  # and it stores
        rep = store.ingest(conn, [f], "big")
        assert rep.added == 1
        assert conn.execute("SELECT length(text) FROM documents").fetchone()[0] == n * len(sentence)


def test_long_unpunctuated_lines_are_rejoined_in_bounded_paragraphs(tmp_path):
    # 80,000 long lines with no sentence end: the old re-joining was quadratic (400 s for 3 MB)
    line = "网格员走访居民化解矛盾纠纷服务群众推进基层治理现代化建设工作不断深入开展"
    f = tmp_path / "no_punctuation.txt"
    f.write_text("\n".join([line] * 80_000), encoding="utf-8")
    (doc,) = read_sources([f])
    paragraphs = doc.text.split("\n")
    assert "".join(paragraphs) == line * 80_000 or "".join(paragraphs) == line * 79_999  # headline lifted
    assert max(map(len, paragraphs)) <= ingest._MAX_JOIN + len(line)


@pytest.mark.parametrize("junk", ["<a ", "<a b='", "</", "<!--", "<noscript>", "<script>", "<<p>"])
def test_malformed_html_keeps_the_text_before_it(junk):
    # html.parser (Python 3.11.7) took 15 s on 30 KB of "<a " and minutes on 120 KB
    markup = "<html><body><p>正文开头。</p>" + junk * 40_000
    assert html_to_text(markup).startswith("正文开头。")


def test_html_extraction_rules():
    page = ('<html><head><title>题</title><meta charset="gbk"><script>var s = "</p>";</script></head>'
            '<body><h2>标题</h2><p class="a>b">第一段&#26032;闻，\n  第二行。</p><div>A&amp;B<br/>C</div>'
            '<table><tr><td>甲</td><td>乙</td></tr><tr><td>丙</td></tr></table>'
            '<template><p>模板</p></template><svg><text>图形</text></svg><p>3 < 5 成立</p>'
            '<script>unclosed("')
    assert html_to_text(page).split("\n") == ["标题", "第一段新闻，第二行。", "A&B", "C", "甲 乙", "丙", "3 < 5 成立"]
    assert html_to_text("<html><head><title>无结束<body><p>正文在此。</p>") == "正文在此。"
    assert looks_like_html("<!DOCTYPE html><p>x</p>") and looks_like_html("<p>a</p><p>b</p><br>")
    # prose quoting a tag pair stays prose: the text is kept as written
    assert not looks_like_html("网格员<script>alert(1)</script>走访居民。")
    doc = make_document("网格员<script>alert(1)</script>走访居民。", "a.txt")
    assert doc.text == "网格员<script>alert(1)</script>走访居民。"


def test_csv_field_beyond_the_csv_module_limit(tmp_path):
    big = "党的建设新的伟大工程深入推进。" * 20_000  # 300,000 characters > csv's 131,072
    f = tmp_path / "long.csv"
    f.write_text(f'text,date\n"{big}",2024-01-01\n短文本也要读到，巡察整改。,2024-01-02\n', encoding="utf-8")
    problems: list[Problem] = []
    docs = list(read_sources([f], problems=problems))
    assert problems == [] and [len(d.text) for d in docs] == [len(big), 13]
    import csv
    assert csv.field_size_limit() == 131_072  # the process-wide limit is left as it was


def test_jsonl_line_numbers_with_cr_only_endings(tmp_path):
    f = tmp_path / "mac.jsonl"
    f.write_bytes('{"text": "第一条记录。"}\r{bad\r\r{"content": "第四行用别名。"}\r'.encode())
    problems: list[Problem] = []
    docs = list(read_sources([f], problems=problems))
    assert [(d.record, d.text) for d in docs] == [("line 1", "第一条记录。"), ("line 4", "第四行用别名。")]
    assert [(p.where, p.what.split(" (")[0]) for p in problems] == [("line 2", "malformed JSON")]


def test_utf16_le_be_with_bom_and_gb18030_beyond_gbk(tmp_path):
    text = "𠮷㐀乡村振兴，五级书记抓。"  # a 4-byte GB18030 character and a UTF-16 surrogate pair
    for name, data in {"le.txt": b"\xff\xfe" + text.encode("utf-16-le"),
                       "be.txt": b"\xfe\xff" + text.encode("utf-16-be"),
                       "gb.txt": text.encode("gb18030")}.items():
        (tmp_path / name).write_bytes(data)
    problems: list[Problem] = []
    assert [d.text for d in read_sources([tmp_path], problems=problems)] == [text] * 3
    assert problems == []


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("text", ["Party building 党建 2024, grid 网格 governance. " * 20,  # ASCII-heavy
                                  "一二三abc纪检监察机关，立案审查。" * 30])  # CJK-heavy, 一 has a NUL byte
def test_utf16_without_bom_is_detected(text, encoding):
    assert ingest.decode_bytes(text.encode(encoding)) == (text, encoding)


def test_utf16_bom_with_odd_bytes_is_named_not_a_crash(tmp_path):
    (tmp_path / "odd.txt").write_bytes(b"\xff\xfe" + "纪检".encode("utf-16-le") + b"\x00\xd8")  # lone surrogate
    (tmp_path / "ok.txt").write_text(S["utf8"], encoding="utf-8")
    problems: list[Problem] = []
    assert [d.text for d in read_sources([tmp_path], problems=problems)] == [S["utf8"]]
    assert len(problems) == 1 and "invalid UTF-16" in str(problems[0]) and "odd.txt" in str(problems[0])


def test_gbk_text_is_not_taken_for_damaged_utf8():
    # GBK bytes form valid UTF-8 pairs by chance (C2-DF + A1-BF); the text must still read as GBK
    text = "党员干部要自觉践行社会主义核心价值观，严守政治纪律和政治规矩。" * 3
    decoded, enc = ingest.decode_bytes(text.encode("gbk"))
    assert (decoded, enc) == (text, "gb18030")


def test_record_fields_with_control_characters_and_nul(tmp_path):
    f = tmp_path / "r.jsonl"
    f.write_text(json.dumps({"text": "纪检\u0000监察\u0007机关\u200b通报。", "author": "张\u0000三"}) + "\n",
                 encoding="utf-8")
    (doc,) = read_sources([f])
    assert doc.text == "纪检监察机关通报。" and doc.meta["author"] == "张三"


# -- Traditional characters -------------------------------------------------------------------

@pytest.mark.slow
def test_traditional_and_simplified_count_as_one_term_when_asked(tmp_path):
    import dataclasses

    from workbench import engines
    from workbench.models.lda import ModelConfig
    from workbench.text import preprocess

    if "to_simplified" not in {f.name for f in dataclasses.fields(preprocess.CorpusConfig)}:
        pytest.skip("CorpusConfig has no to_simplified option yet (the tokenizer's Traditional -> Simplified step)")
    src = tmp_path / "mixed"
    src.mkdir()
    simplified = ["纪检监察机关严肃查处贪腐问题，巡察整改落实到位。", "党员干部警示教育，筑牢贪腐防线，巡察整改。"]
    traditional = ["紀檢監察機關嚴肅查處貪腐問題，巡察整改落實到位，警示教育。", "黨員幹部警示教育，築牢貪腐防線，巡察整改見效。"]
    for i, text in enumerate(simplified + traditional):
        (src / f"{i}.txt").write_text(text, encoding="utf-8")
    common = dict(no_below=1, no_above=1.0, store_path=tmp_path / "s.sqlite", progress=False)
    plain = preprocess.prepare([src], preprocess.CorpusConfig(min_tokens=1, workers=1, to_simplified=False), **common)
    assert {"贪腐", "貪腐"} <= set(plain.vocab.terms)  # two spellings, two terms
    detected = preprocess.prepare([src], preprocess.CorpusConfig(min_tokens=1, workers=1), **common)
    assert "贪腐" in detected.vocab.terms and "貪腐" not in detected.vocab.terms  # the default finds them
    assert detected.stats["traditional"]["converted_documents"] == 2
    folded = preprocess.prepare([src], preprocess.CorpusConfig(min_tokens=1, workers=1, to_simplified=True), **common)
    terms = list(folded.vocab.terms)
    assert "贪腐" in terms and "貪腐" not in terms
    assert folded.vocab.corpus_freq[terms.index("贪腐")] == 4  # one term, counted in all four documents
    # the stored text keeps the writer's characters; only the tokens are folded
    assert any("貪腐" in d.text for d in folded.documents())
    run = engines.train([src], corpus_config=preprocess.CorpusConfig(min_tokens=1, workers=1, to_simplified=True),
                         model_config=ModelConfig(num_topics=2, iterations=20, no_below=1, no_above=1.0),
                         out_dir=tmp_path / "runs", store_path=tmp_path / "s.sqlite", progress=False)
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["tokenizer"]["to_simplified"] is True
    assert manifest["config"]["corpus"]["to_simplified"] is True
