"""The extractor's shortcuts for speed read what the plain way reads.

Each test sets a shortcut of ``dalian_data.extract`` against the slower
definition it replaced: the trie-shaped alternations against longest-first
ones, named-tuple groups against ``groupdict()``, the covered-position bytes
against a bisect over the spans, the numpy delimiter positions against a
regex, the difference words found once per text against a search of each
window; and the cycle collector, paused while a text is read, is resumed.
"""

import bisect
import re

from hypothesis import given, settings
from hypothesis import strategies as st

import dalian_data as dd
from dalian_data import extract

WORD_LISTS = {
    "units": list(extract._ALL_UNITS), "verbs": list(extract._RISE + extract._FALL),
    "compared verbs": list(extract._COMPARED_RISE + extract._COMPARED_FALL),
    "growth nouns": list(extract._GROWTH_NOUNS), "differences": list(extract._DIFFERENCE),
    "qualifiers before": list(extract._QUALIFIER_BEFORE), "qualifiers after": list(extract._QUALIFIER_AFTER),
    "person nouns": list(extract._PERSON_NOUNS),
}
ALL_WORDS = sorted({w for words in WORD_LISTS.values() for w in words})
CHARACTERS = sorted({c for w in ALL_WORDS for c in w} | set("3。X"))


def longest_first(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(WORD_LISTS)), st.text(alphabet=CHARACTERS, max_size=12), st.sampled_from(["", "X", "。"]))
def test_a_trie_alternation_matches_what_the_longest_first_alternation_matches(name, text, tail):
    words = WORD_LISTS[name]
    trie = re.compile(f"(?:{extract._alternation(words)}){re.escape(tail)}")
    plain = re.compile(f"(?:{longest_first(words)}){re.escape(tail)}")
    for pos in range(len(text) + 1):
        a, b = trie.match(text, pos), plain.match(text, pos)
        assert (a and a.span()) == (b and b.span()), (text, pos)


def test_every_word_list_reads_its_longest_word_where_words_nest():
    assert re.fullmatch(f"(?:{extract._alternation(['个', '个月', '个百分点'])})", "个百分点")
    assert re.match(extract._alternation(["元", "元人民币", "人民币"]), "元人民币").group(0) == "元人民币"


def corpus_texts() -> list[str]:
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent / "extract_corpus"))
    from corpus import read

    return [dd.report_text()] + [line.text for split in ("dev", "heldout") for line in read(split)]


def test_named_tuple_groups_are_the_groupdict_and_a_match_starts_with_its_sign_or_number():
    assert extract._NUMBER.groups == len(extract._NUMBER.groupindex)  # every group named: m.groups() lines up
    assert extract._PREFIX.groups == len(extract._PREFIX.groupindex)
    starts_with = set()
    for text in corpus_texts():
        folded = extract.fold(text)
        for m in extract._NUMBER.finditer(folded):
            g = extract._NumberGroups._make(m.groups())
            assert g._asdict() == m.groupdict()
            first = "sign" if g.sign else next(n for n in ("pct", "den", "cheng", "numeral") if getattr(g, n))
            assert m.start(first) == m.start()
            starts_with.add(first)
        for start in range(1, min(len(folded), 400)):
            pre = extract._PREFIX.search(folded, max(0, start - extract._PREFIX_WINDOW), start)
            if pre:
                assert extract._PrefixGroups._make(pre.groups())._asdict() == pre.groupdict()
    assert starts_with == {"sign", "pct", "den", "cheng", "numeral"}  # the corpus holds every alternative


def covers_by_bisect(spans, pos: int, strict: bool) -> bool:
    """The definition the byte per position replaced: non-overlapping spans kept in order, then bisect."""
    starts, ends = [], []
    for a, b in spans:
        if not ends or a >= ends[-1]:
            starts.append(a)
            ends.append(b)
    i = bisect.bisect_right(starts, pos)
    if not i:
        return False
    return (starts[i - 1] < pos < ends[i - 1]) if strict else pos < ends[i - 1]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 60), st.integers(1, 12)), max_size=12), st.booleans())
def test_covered_positions_are_those_a_bisect_over_the_spans_finds(pairs, strict):
    spans = sorted((a, a + n) for a, n in pairs)
    covered = extract._covered(spans, 80, strict=strict)
    assert [bool(covered[pos]) for pos in range(80)] == [covers_by_bisect(spans, pos, strict) for pos in range(80)]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("，,；;。！？!?、：:\n年3万 a😀"), max_size=60))
def test_delimiter_positions_are_those_a_regex_finds(text):
    import numpy as np

    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    for chars in (extract._SENTENCE_ENDS, extract._CLAUSE_ENDS, "\n"):
        found = extract._char_positions(codes, chars).tolist()
        assert found == [m.start() for m in re.finditer(f"[{re.escape(chars)}]", text)]


def prefix_by_search(folded: str, start: int):
    """The definition the difference-word positions replaced: a search of the window before each number."""
    if not start:
        return None
    low = max(0, start - extract._PREFIX_WINDOW)
    if folded[start - 1] not in extract._PREFIX_LAST and not extract._DIFFERENCE_WORD.search(folded, low, start):
        return None
    return extract._PREFIX.search(folded, low, start)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*"高于出低少多快慢全国省市比较增长3。 ", "高于", "少于", "高出", "同比"]), max_size=30))
def test_difference_words_found_once_give_the_prefix_a_window_search_gives(pieces):
    text = "".join(pieces)
    folded = extract.fold(text)
    differences = extract._difference_words(folded)
    for start in range(len(folded) + 1):
        got, want = extract._prefix(folded, start, differences), prefix_by_search(folded, start)
        assert (got and got.span()) == (want and want.span())


def test_the_corpus_prefixes_are_those_a_window_search_finds():
    for text in corpus_texts():
        folded = extract.fold(text)
        differences = extract._difference_words(folded)
        for m in extract._NUMBER.finditer(folded):
            got, want = extract._prefix(folded, m.start(), differences), prefix_by_search(folded, m.start())
            assert (got and got.groups()) == (want and want.groups())


def test_the_cycle_collector_is_paused_only_while_text_is_read():
    import gc

    assert gc.isenabled()
    assert len(dd.quantities("全市新增企业12家，增长5%。")) == 2
    assert gc.isenabled()  # resumed
    gc.disable()
    try:
        dd.quantities("全市新增企业12家。")
        assert not gc.isenabled()  # left paused when the caller had paused it
    finally:
        gc.enable()
    try:
        dd.quantities(b"bytes")
    except TypeError:
        pass
    assert gc.isenabled()


def test_sentence_and_paragraph_ends_are_clause_ends():
    assert set(extract._SENTENCE_ENDS) <= set(extract._CLAUSE_ENDS) and "\n" in extract._SENTENCE_ENDS
