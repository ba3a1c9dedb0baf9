"""Ingest: decoding, furniture removal, bylines into metadata, record files, bad input."""
from pathlib import Path

import pytest

from workbench.corpus.ingest import (
    DecodeError,
    Problem,
    clean_article,
    decode_bytes,
    normalize_date,
    parse_byline,
    read_sources,
)

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def seed_docs():
    problems = []
    docs = {Path(d.source_file).name[:3]: d for d in read_sources([SEEDS], problems=problems)}
    assert problems == []
    return docs


def test_seeds_furniture_removed_content_kept():
    docs = seed_docs()
    assert len(docs) == 5
    all_text = "\n".join(d.text for d in docs.values())
    for furniture in ("图片", "无障碍", "评论一下", "打印 关闭", "上一条", "下一条", "0人参与", "当前位置",
                      "新闻推荐", "还没有评论", "最热评论", "绵阳新闻,新鲜有料"):
        assert furniture not in all_text, furniture
    # content next to furniture survives
    assert "全市基层党建必将在全面进步、全面过硬的道路上行稳至远" in docs["001"].text
    assert "游仙区委书记丁湘认为" in docs["002"].text
    assert "奋进新时代,扬帆正当时" in docs["004"].text
    assert "五年,是时间的标尺" in docs["003"].text


def test_seed_bylines_become_metadata():
    docs = seed_docs()
    assert docs["000"].meta["author"] == "殷明 王清明 韩涛"
    assert "通讯员" not in docs["000"].text
    assert docs["001"].meta["title"] == "党建激活“新动能”"
    assert docs["002"].meta["author"] == "马鑫 杨竹梅"
    assert docs["002"].meta["title"].startswith("游仙:“六项工程”")
    assert docs["003"].meta == {"author": "刘一薇", "source": "汉滨融媒", "date": "2021-09-28",
                                "title": "喜迎党代会 || 固本铸魂勇担当——十五次党代会以来汉滨区党建工作综述"}
    assert docs["004"].meta["date"] == "2019-05-21"
    assert docs["004"].meta["source"] == "乌海日报"
    assert docs["004"].meta["author"] == "颜慧 高丹妮"
    for d in docs.values():
        assert "发布时间" not in d.text and "来源:" not in d.text and "作者:" not in d.text
        if "title" in d.meta:
            assert d.meta["title"] not in d.text.split("\n")


def test_broken_line_rejoined():
    docs = seed_docs()
    assert "亮诺、践诺、销诺" in docs["002"].text


def test_byline_parser_leaves_content_alone():
    assert parse_byline("记者从市纪委监委获悉，今年以来全市共立案查处问题线索254件。") is None
    assert parse_byline("作者:刘一薇 来源:汉滨融媒 发布时间:2021-09-28 09:58") == {
        "author": "刘一薇", "source": "汉滨融媒", "date": "2021-09-28"}
    assert normalize_date("2019年05月21日") == "2019-05-21"
    assert normalize_date("2025") == "2025"


def test_clean_article_tail_block_and_crumbs():
    raw = "当前位置: 首页 > 新闻\n网格员走街串巷\n社区网格员李红霞每天巡查小区，化解邻里纠纷。\n相关新闻\n另一篇文章的标题"
    c = clean_article(raw)
    assert c.title == "网格员走街串巷"
    assert c.paragraphs == ("社区网格员李红霞每天巡查小区，化解邻里纠纷。",)
    assert "另一篇文章的标题" in c.removed


def test_removal_reasons_are_the_cleaners_own():
    from workbench.corpus.ingest import REMOVAL_REASONS, removal_reasons

    raw = ("当前位置: 首页 > 新闻\n网格员走街串巷\n作者:刘一薇 来源:汉滨融媒\n"
           "社区网格员李红霞每天巡查小区，化解邻里纠纷。\n图片\n相关新闻\n另一篇文章的标题\n浏览次数：12")
    c = clean_article(raw)
    assert list(zip(c.removed, removal_reasons(c.removed, c.title))) == [
        ("当前位置: 首页 > 新闻", "page furniture"), ("网格员走街串巷", "headline → title"),
        ("作者:刘一薇 来源:汉滨融媒", "byline → metadata"), ("图片", "page furniture"),
        ("相关新闻", "related-news block"), ("另一篇文章的标题", "related-news block"),
        ("浏览次数：12", "related-news block")]  # furniture, but after the block's header
    assert removal_reasons(["网格员走街串巷"]) == ["other"]  # a headline only with the title given
    assert set(removal_reasons(c.removed, c.title)) <= set(REMOVAL_REASONS)


def test_explore_uses_only_ingests_public_names():
    import re

    source = (Path(__file__).resolve().parents[1] / "workbench" / "analysis" / "explore.py").read_text(encoding="utf-8")
    assert re.findall(r"ingest\._\w+", source) == []


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16"])
def test_decode_encodings(encoding):
    text = "纪检监察机关立案查处问题线索，给予党纪政务处分。"
    decoded, _ = decode_bytes(text.encode(encoding))
    assert decoded == text


@pytest.mark.parametrize("data,what", [(b"%PDF-1.4\n...", "PDF"), (b"\x89PNG\r\n\x1a\n\x00\x00", "PNG"),
                                       (bytes(range(256)) * 4, "NUL")])
def test_binary_rejected(data, what):
    with pytest.raises(DecodeError, match=what):
        decode_bytes(data)


def test_bad_files_named_and_good_ones_kept(tmp_path):
    (tmp_path / "good.txt").write_text("第一书记驻村帮扶贫困户发展产业，带动群众脱贫致富。", encoding="utf-8")
    (tmp_path / "gbk.txt").write_bytes("网格员走访居民，化解矛盾纠纷，服务群众。".encode("gbk"))
    (tmp_path / "empty.txt").write_text("  \n", encoding="utf-8")
    (tmp_path / "scan.txt").write_bytes(b"%PDF-1.7 binary")
    problems: list[Problem] = []
    docs = list(read_sources([tmp_path], problems=problems))
    assert sorted(Path(d.source_file).name for d in docs) == ["gbk.txt", "good.txt"]
    msgs = sorted(str(p) for p in problems)
    assert any("empty.txt" in m and "empty" in m for m in msgs)
    assert any("scan.txt" in m and "PDF" in m for m in msgs)


def test_jsonl_bad_lines_reported_by_line(tmp_path):
    f = tmp_path / "news.jsonl"
    f.write_text("\n".join([
        '{"text": "纪委监委立案查处违纪问题。", "date": "2023-05-01", "region": "湖北"}',
        '{"text": broken',
        '[1, 2]',
        '{"title": "无正文"}',
        '{"text": "驻村第一书记带领贫困户发展产业。", "date": "2024年3月2日"}',
    ]), encoding="utf-8")
    problems = []
    docs = list(read_sources([f], problems=problems))
    assert [d.meta["date"] for d in docs] == ["2023-05-01", "2024-03-02"]
    assert docs[0].meta["region"] == "湖北" and docs[0].record == "line 1"
    assert sorted(p.where for p in problems) == ["line 2", "line 3", "line 4"]


def test_csv_broken_rows_and_text_alias(tmp_path):
    f = tmp_path / "export.csv"
    f.write_text('标题,正文,日期\n'
                 '网格治理,"社区网格员巡查小区，\n化解矛盾纠纷。",2022-01-03\n'
                 'only two,fields\n'
                 '纪检,纪检监察机关通报典型案例。,2022-02-01\n', encoding="utf-8")
    problems = []
    docs = list(read_sources([f], problems=problems))
    # 标题 and 日期 are taken as the title and the date; the original headers travel with the record.
    assert [d.meta["title"] for d in docs] == ["网格治理", "纪检"]
    assert [d.meta["date"] for d in docs] == ["2022-01-03", "2022-02-01"]
    assert docs[0].meta["__headers__"] == {"text": "正文", "title": "标题", "date": "日期"}
    assert "化解矛盾纠纷" in docs[0].text
    assert len(problems) == 1 and problems[0].where == "line 4" and "fields" in problems[0].what


def test_csv_without_text_column_names_the_file(tmp_path):
    from workbench.corpus.ingest import IngestError

    f = tmp_path / "meta_only.csv"
    f.write_text("id,date\n1,2020\n", encoding="utf-8")
    with pytest.raises(IngestError, match="meta_only.csv.*text"):
        list(read_sources([f]))


def test_bytes_parse_as_the_file_does(tmp_path):
    """ingest.read_bytes (what the Spark engine's executors call) gives the documents and problems
    read_sources gives for the same file, without touching it; JSONL lines can start later."""
    from workbench.corpus import ingest

    files = {
        "a.txt": "平桥区召开党建工作会议\n会议强调，要持续推进“整县推进”。\n".encode("gb18030"),
        "page.html": "<html><body><h1>基层治理</h1><p>推进网格化治理，服务群众。</p></body></html>".encode(),
        "news.jsonl": ('{"title": "乡村振兴", "text": "扎实推进乡村振兴，巩固拓展脱贫攻坚成果。"}\n{broken\n'
                       '{"id": 5, "body": null}\n').encode(),
        "table.csv": "标题,正文\n两学一做,深入开展两学一做学习教育。\n坏行\n".encode("utf-8-sig"),
        "empty.txt": b"",
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        expected_problems: list = []
        expected = list(ingest.read_sources([tmp_path / name], problems=expected_problems))
        problems: list = []
        got = list(ingest.read_bytes(data, str(tmp_path / name), name, problems=problems))
        assert [(d.doc_id, d.record, d.text, d.meta) for d in got] == \
            [(d.doc_id, d.record, d.text, d.meta) for d in expected], name
        assert problems == expected_problems, name
    problems = []
    shifted = list(ingest.read_bytes(files["news.jsonl"], "x.jsonl", "x.jsonl", problems=problems, first_line=41))
    assert [d.record for d in shifted] == ["line 41"] and [p.where for p in problems] == ["line 42", "line 43"]
    with pytest.raises(ingest.NoTextColumn):
        list(ingest.read_bytes("id,date\n1,2020\n".encode(), "m.csv", "m.csv", problems=problems))
    assert [ingest.classify(n) for n in ("a.TXT", "b.htm", "c.parquet", "d.pdf", "themes.toml")] == \
        ["text", "html", "records", "unread", None]
    assert "'.pdf' files are not read" in ingest.unread_problem("x/scan.pdf").what
