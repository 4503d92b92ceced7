"""Every sentence of the dev split of the evaluation corpus reads exactly as labelled.

Each mark gives offsets, value, unit, kind, qualifier and upper bound, so this
covers every construction of the extractor's rules (traditional characters,
digit grouping, Chinese decimals and mixed numerals, percent words and shares,
units, lists, direction, qualifiers, ranges, periods, set phrases). The
held-out split is not read here: it is scored only by
``tests/extract_corpus/evaluate.py heldout``.
"""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "extract_corpus"))

from corpus import evaluate, f1, parse_line, read, score_line  # noqa: E402

from dalian_data import quantities  # noqa: E402

DEV = read("dev")
CONSTRUCTIONS = {"trad", "grouping", "fullwidth", "cn_decimal", "mixed", "percent_word", "latin_unit", "paren_unit",
                 "space_unit", "measure_word", "list_unit", "direction", "printed_minus", "growth_noun", "points",
                 "under", "qualifier", "range", "period", "base", "not_quantity"}


@pytest.mark.parametrize("line", DEV, ids=[f"{line.number}-{line.construction}" for line in DEV])
def test_each_dev_sentence_reads_as_labelled(line):
    tp, fp, fn, messages = score_line(line, quantities(line.text))
    assert (fp, fn) == (0, 0), "\n".join(messages)


def test_the_corpus_covers_every_construction_with_enough_quantities():
    heldout = read("heldout")
    assert CONSTRUCTIONS <= {line.construction for line in DEV}
    assert CONSTRUCTIONS <= {line.construction for line in heldout}
    assert sum(len(line.gold) for line in DEV + heldout) >= 300
    assert not {line.text for line in DEV} & {line.text for line in heldout}, "a sentence in both splits"
    traditional = [line for line in DEV + heldout if any(ch in line.text for ch in "萬億個項點減長兩歲")]
    assert len(traditional) >= 30


def test_the_scorer_counts_a_wrong_value_as_one_miss_and_one_false_positive():
    line = parse_line("plain", "全年完成【8条|8|条】。")
    wrong = quantities("全年完成9条。")
    assert score_line(line, wrong)[:3] == (0, 1, 1)
    wrong_unit = parse_line("plain", "全年完成【8条|8|个】。")
    assert score_line(wrong_unit, quantities("全年完成8条。"))[:3] == (0, 1, 1)
    counts, _ = evaluate([line], quantities)
    assert f1(counts["all"]) == (1.0, 1.0, 1.0)
