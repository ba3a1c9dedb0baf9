"""Tokenization: private tokenizer, user dictionary, harvested quoted terms, stopwords, filters."""
from collections import Counter
from pathlib import Path

import jieba
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench import paths
from workbench.text.tokenize import (
    DEFAULT_POS_DROP,
    Tokenizer,
    TokenizerConfig,
    WordFinder,
    check_stopwords,
    containing_documents,
    default_config,
    get_tokenizer,
    quoting_documents,
    read_word_list,
    select_quoted_terms,
    select_slogans,
)


@pytest.fixture(scope="module")
def tk():
    return get_tokenizer(default_config())


def test_user_dictionary_keeps_domain_terms_whole(tk):
    text = "驻村工作队和第一书记推动脱贫攻坚，落实三会一课和两学一做，纪检监察组对软弱涣散党组织开展八项规定检查。"
    tokens = tk.cut(text)
    for term in ("驻村工作队", "第一书记", "脱贫攻坚", "三会一课", "两学一做", "纪检监察", "软弱涣散", "八项规定"):
        assert term in tokens, (term, tokens)


def test_private_tokenizer_leaves_jieba_global_alone(tk):
    before = dict(jieba.dt.FREQ)
    py = Tokenizer(TokenizerConfig(user_dicts=tk.config.user_dicts, engine="jieba"))
    assert py.cut("网格党支部") == ["网格党支部"]
    assert dict(jieba.dt.FREQ) == before  # the module-level tokenizer is untouched
    assert py._jieba is not jieba.dt
    assert Path(py._jieba.tmp_dir) == paths.cache_dir()
    assert (paths.cache_dir() / "jieba.cache").exists()  # its cache went to the workbench's folder


def test_engines_segment_alike(tk):
    py = Tokenizer(TokenizerConfig(user_dicts=tk.config.user_dicts, stopword_files=tk.config.stopword_files,
                                   engine="jieba"))
    text = ("平桥区始终坚持把脱贫攻坚作为重大政治任务来抓，选派第一书记和驻村工作队，"
            "建立网格党支部，纪检监察组立案查处违纪问题，严格落实中央八项规定精神。")
    assert py.raw_tokens(text) == tk.raw_tokens(text)
    assert py.cut(text) == tk.cut(text)


def test_harvested_quoted_terms_become_single_tokens():
    text = "黄冈市开展基层党建“整县推进”和“五星争创”活动，推行“一定三诺一争”工作法。“这是一个很长的引语不是口号”"
    terms = sorted(quoting_documents([text]))
    assert terms == ["一定三诺一争", "五星争创", "整县推进"]  # 2-8 CJK characters only
    plain = Tokenizer(default_config())
    assert "一定三诺一争" not in plain.cut(text)  # not in the shipped dictionary
    harvested = Tokenizer(default_config(terms))
    tokens = harvested.cut(text)
    assert {"整县推进", "五星争创", "一定三诺一争"} <= set(tokens)


def test_selected_quoted_terms_leave_out_words_that_change_no_token():
    texts = ["基层党建“整县推进”和“五星争创”活动，这“一般”不难。", "全省“整县推进”工作座谈会。“一般”而言。"]
    counts = quoting_documents(texts)
    assert counts == {"整县推进": 2, "一般": 2, "五星争创": 1}
    # 一般 is one token of jieba's own dictionary, tagged a (kept): adding it would change no token
    assert select_quoted_terms(counts, DEFAULT_POS_DROP) == ["五星争创", "整县推进"]
    assert select_quoted_terms(counts, None) == ["五星争创", "整县推进"]
    # 七一 is a dictionary word too, but tagged m (numeral): without the user word the filter drops it
    assert select_quoted_terms(Counter({"七一": 1}), DEFAULT_POS_DROP) == ["七一"]
    assert select_quoted_terms(Counter({"七一": 1}), None) == []


def test_quoting_and_containing_documents_count_documents_not_occurrences():
    texts = ["全县“整县推进”，整县推进见成效，“整县推进”再出发。", "推行“五星争创”和整县推进。", "五星争创。"]
    assert quoting_documents(texts) == {"整县推进": 1, "五星争创": 1}
    # quoted or not, each document once; overlapping terms (整县推进 holds 县推) all count
    assert containing_documents(texts, ["整县推进", "五星争创", "县推", "脱贫攻坚"]) == {
        "整县推进": 2, "五星争创": 2, "县推": 2}
    assert containing_documents(texts, []) == {}


def test_select_slogans_keeps_terms_quoted_where_they_are_used():
    quoting = Counter({"两个确立": 124, "新质生产力": 6, "推进中国式现代化": 1, "五心服务": 1})
    containing = Counter({"两个确立": 124, "新质生产力": 269, "推进中国式现代化": 301, "五心服务": 1})
    assert select_slogans(quoting, containing, quoting) == ["两个确立", "五心服务"]
    assert select_slogans(quoting, containing, ["两个确立"]) == ["两个确立"]  # candidates only
    assert select_slogans(quoting, containing, quoting, min_share=0.0) == sorted(quoting)
    # the share is inclusive: 3 of 10 documents pass 0.3, 2 of 10 do not
    assert select_slogans(Counter(a=3, b=2), Counter(a=10, b=10), "ab", 0.3) == ["a"]


def test_word_finder_names_the_words_it_finds():
    finder = WordFinder(["整县推进", "县推", "五星争创"])
    assert finder.words_in("基层党建整县推进，五星争创") == {"整县推进", "县推", "五星争创"}
    assert finder.words_in("脱贫攻坚") == set() and WordFinder([]).words_in("整县推进") == set()


def test_changed_words_and_word_finder(tk):
    more = Tokenizer(default_config(["软弱涣散村"]))
    assert more.changed_words(tk.word_set) == {"软弱涣散村"} == tk.changed_words(more.word_set)
    assert tk.changed_words(tk.word_set) == set()
    find = WordFinder(more.changed_words(tk.word_set))
    assert find("两年前，花河边村还是全镇出名的软弱涣散村。")
    assert not find("整顿软弱涣散党组织。") and not WordFinder([])("软弱涣散村")


def test_filter_joined_matches_filter_on_pairs():
    fresh = Tokenizer(default_config())  # nothing decided yet
    text = "2018年，全区立案62件；驻村工作队帮扶到户，推进脱贫攻坚，建设Web平台。"
    assert fresh.filter_joined(*fresh.segment_joined(text)) == fresh.filter(fresh.segment(text))
    assert fresh.filter_joined(*fresh.segment_joined(text)) == fresh.cut(text)  # decided tokens, memoised
    assert "web" in fresh.cut(text) and fresh.filter_joined("", "") == []


def test_filters_drop_punctuation_numbers_short_tokens_and_stopwords(tk):
    tokens = tk.cut("2018年，全区立案62件，处分105人；我们要全面加强党风廉政建设！")
    assert all(len(t) >= 2 for t in tokens)
    assert not any(ch.isdigit() for t in tokens for ch in t)
    assert "全面" not in tokens and "加强" not in tokens and "我们" not in tokens
    assert "党风廉政" in tokens


def test_filters_are_configurable():
    loose = Tokenizer(TokenizerConfig(min_len=1, drop_numbers=False, pos_drop=None))
    tokens = loose.cut("立案62件")
    assert "62" in tokens and "件" in tokens


def test_place_and_person_names_dropped_by_pos(tk):
    tokens = tk.cut("平桥区委书记李灵敏在信阳市调研网格化治理。")
    assert "信阳市" not in tokens and "李灵敏" not in tokens
    assert "网格化治理" in tokens


@pytest.mark.parametrize("name", ["zh_general.txt", "political_boilerplate.txt"])
def test_stopword_lists_are_single_tokens(tk, name):
    words = read_word_list(paths.resource_dir("stopwords") / name)
    assert len(words) > 50
    assert check_stopwords(tk, words) == []


def test_check_stopwords_flags_entries_that_never_match(tk):
    assert check_stopwords(tk, ["关于具体地说"]) == [("关于具体地说", ["关于", "具体地说"])]


def test_fingerprint_follows_file_contents(tmp_path):
    d = tmp_path / "user.txt"
    d.write_text("网格党支部 n\n", encoding="utf-8")
    a = TokenizerConfig(user_dicts=(str(d),)).fingerprint()
    d.write_text("网格党支部 n\n楼栋长 n\n", encoding="utf-8")
    assert TokenizerConfig(user_dicts=(str(d),)).fingerprint() != a


def test_cached_tokenizer_follows_an_edited_dictionary(tmp_path):
    # A notebook edits a dictionary file and prepares again, in the same process: the same config
    # (same paths) must give the new words, as the manifest records the new file's hash.
    shipped = next(p for p in paths.user_dict_files() if p.name == "party_building.txt")
    user = tmp_path / "party_building.txt"
    user.write_bytes(shipped.read_bytes())
    config = TokenizerConfig(user_dicts=(str(user),), stopword_files=tuple(map(str, paths.stopword_files())))
    text = "小区推行红色物业，楼栋长上门走访。"
    before = get_tokenizer(config).cut(text)
    assert "红色物业" in before and "楼栋长" not in before

    user.write_text(user.read_text(encoding="utf-8").replace("红色物业 n\n", "") + "楼栋长 n\n", encoding="utf-8")
    after = get_tokenizer(config)
    assert "楼栋长" in after.cut(text) and "红色物业" not in after.cut(text)
    assert after.config.fingerprint() != get_tokenizer(default_config()).config.fingerprint()

    user.write_bytes(shipped.read_bytes())  # back to the shipped words: the first tokenizer again
    assert get_tokenizer(config).cut(text) == before


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_unicode_never_crashes(text):
    tokens = get_tokenizer(default_config()).cut(text)
    assert all(isinstance(t, str) and t.strip() for t in tokens)


def test_traditional_normalised_to_simplified():
    trad = Tokenizer(default_config(to_simplified=True))
    plain = get_tokenizer(default_config())
    text = "嚴肅查處貪腐問題，紀檢監察機關立案審查。"
    assert "纪检监察" in trad.cut(text) and "纪检监察" not in plain.cut(text)
    assert trad.cut(text) == plain.cut("严肃查处贪腐问题，纪检监察机关立案审查。")
    assert trad.config.segmentation_base() != plain.config.segmentation_base()  # cached apart
