"""Read the extractor's evaluation corpus and score quantities() on it.

Each line of ``dev.txt`` / ``heldout.txt`` is ``CONSTRUCTION<TAB>SENTENCE`` and
marks every quantity ``【quote|value|unit|kind|qualifier|upper】`` (kind,
qualifier and upper may be left off: level, exact, none). A prediction is
right when its offsets, value, unit, kind, qualifier and upper are all the
marked ones; anything else is a false positive, and a mark with no right
prediction a false negative.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).parent
SPLITS = {"dev": HERE / "dev.txt", "heldout": HERE / "heldout.txt"}
_MARK = re.compile(r"【([^】]*)】")


@dataclass(frozen=True)
class Gold:
    start: int
    end: int
    quote: str
    value: float
    unit: str
    kind: str = "level"
    qualifier: str = "exact"
    upper: float | None = None


@dataclass
class Line:
    construction: str
    text: str
    gold: list[Gold] = field(default_factory=list)
    number: int = 0


def parse_line(construction: str, marked: str, number: int = 0) -> Line:
    """Strip the marks from ``marked`` and return the sentence with its gold quantities."""
    text, gold, pos = [], [], 0
    offset = 0
    for m in _MARK.finditer(marked):
        text.append(marked[pos:m.start()])
        offset += m.start() - pos
        quote, value, unit, *rest = m.group(1).split("|")
        kind = rest[0] if len(rest) > 0 and rest[0] else "level"
        qualifier = rest[1] if len(rest) > 1 and rest[1] else "exact"
        upper = float(rest[2]) if len(rest) > 2 and rest[2] else None
        gold.append(Gold(offset, offset + len(quote), quote, float(value), unit, kind, qualifier, upper))
        text.append(quote)
        offset += len(quote)
        pos = m.end()
    text.append(marked[pos:])
    return Line(construction, "".join(text), gold, number)


def read(split: str) -> list[Line]:
    lines = []
    for number, raw in enumerate(SPLITS[split].read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip() or raw.startswith("#"):
            continue
        construction, marked = raw.split("\t", 1)
        lines.append(parse_line(construction, marked, number))
    return lines


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None or (isinstance(b, float) and math.isnan(b)):
        return (a is None) == (b is None or (isinstance(b, float) and math.isnan(b)))
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def score_line(line: Line, found) -> tuple[int, int, int, list[str]]:
    """(true positives, false positives, false negatives, messages) of one line."""
    predicted = [
        (int(r.start), int(r.end), float(r.value), str(r.unit), str(r.kind), str(r.qualifier),
         None if r.upper != r.upper else float(r.upper), str(r.quote))
        for r in found.itertuples()
    ]
    unmatched = list(predicted)
    tp, messages = 0, []
    for g in line.gold:
        hit = next((p for p in unmatched if p[0] == g.start and p[1] == g.end and _same(g.value, p[2])
                    and p[3] == g.unit and p[4] == g.kind and p[5] == g.qualifier and _same(g.upper, p[6])), None)
        if hit:
            unmatched.remove(hit)
            tp += 1
        else:
            messages.append(f"missed {g}")
    messages += [f"spurious {p}" for p in unmatched]
    return tp, len(unmatched), len(line.gold) - tp, messages


def evaluate(lines: list[Line], extract) -> tuple[dict[str, Counter], list[str]]:
    """Counts of tp/fp/fn per construction and overall ('all'), and one message per error."""
    counts: dict[str, Counter] = {"all": Counter()}
    errors = []
    for line in lines:
        tp, fp, fn, messages = score_line(line, extract(line.text))
        for key in ("all", line.construction):
            counts.setdefault(key, Counter()).update(tp=tp, fp=fp, fn=fn)
        errors += [f"line {line.number} {line.text}\n    {message}" for message in messages]
    return counts, errors


def f1(c: Counter) -> tuple[float, float, float]:
    precision = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 1.0
    recall = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 1.0
    return precision, recall, (2 * precision * recall / (precision + recall) if precision + recall else 0.0)
