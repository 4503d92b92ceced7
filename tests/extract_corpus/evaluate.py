"""Recall, precision and F1 of quantities() on the evaluation corpus, overall and per construction.

    .venv/bin/python tests/extract_corpus/evaluate.py            # dev split (the one tuned on)
    .venv/bin/python tests/extract_corpus/evaluate.py heldout    # the held-out split
    .venv/bin/python tests/extract_corpus/evaluate.py all -v     # both, listing every error

See corpus.py for the format and the scoring rule.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from corpus import SPLITS, evaluate, f1, read  # noqa: E402


def report(split: str, verbose: bool = False) -> float:
    from dalian_data import quantities

    lines = [line for name in (SPLITS if split == "all" else [split]) for line in read(name)]
    counts, errors = evaluate(lines, quantities)
    print(f"{split}: {len(lines)} sentences, {counts['all']['tp'] + counts['all']['fn']} labelled quantities")
    print(f"{'construction':<16}{'gold':>6}{'found':>7}{'precision':>11}{'recall':>8}{'F1':>7}")
    for name, c in sorted(counts.items(), key=lambda kv: (kv[0] == "all", kv[0])):
        precision, recall, score = f1(c)
        print(f"{name:<16}{c['tp'] + c['fn']:>6}{c['tp'] + c['fp']:>7}{precision:>11.3f}{recall:>8.3f}{score:>7.3f}")
    if verbose:
        print("\n".join(errors))
    return f1(counts["all"])[2]


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    report(args[0] if args else "dev", verbose="-v" in sys.argv)
