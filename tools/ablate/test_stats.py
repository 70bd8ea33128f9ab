"""Checks of stats.py (Holm, paired t) and kinds.py (statement kinds) against hand-computed truth. No torch.

    /usr/bin/python3 tools/ablate/test_stats.py        # prints "ok: …", exits 1 on a failure

Run by test/ablate/stats.test.ts in `npm test`.
"""
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kinds import KINDS, classify, token_kinds  # noqa: E402
from stats import holm, paired, t_two_sided_p  # noqa: E402


def close(a, b, tol=1e-9):
    return a is not None and abs(a - b) <= tol


def check_holm():
    # by hand: sorted 0.005, 0.01, 0.03, 0.04 (m = 4) -> 4·0.005 = 0.02, 3·0.01 = 0.03, 2·0.03 = 0.06,
    # max(0.06, 1·0.04) = 0.06; at alpha 0.05 the first two are rejected, the step-down stops at 0.03 > 0.05/2
    adj, rej = holm([0.01, 0.04, 0.03, 0.005])
    assert all(close(x, y) for x, y in zip(adj, [0.03, 0.06, 0.06, 0.02])), adj
    assert rej == [True, False, False, True], rej
    # None (an untestable comparison) is left out of the family: m = 2 here
    adj, rej = holm([0.02, None, 0.04])
    assert close(adj[0], 0.04) and adj[1] is None and close(adj[2], 0.04) and rej == [True, False, True], adj
    # capped at 1; ties keep monotone adjusted values
    adj, rej = holm([0.5, 0.5, 0.9])
    assert all(close(x, y) for x, y in zip(adj, [1.0, 1.0, 1.0])) and rej == [False] * 3, adj
    # Bonferroni would reject none of these at 0.05 (3·0.02 = 0.06): Holm rejects none either, the first step fails
    assert holm([0.02, 0.03, 0.04])[1] == [False, False, False]
    # ... but when the smallest passes, the rest are tested at alpha/2, alpha/1: 0.01·3 = 0.03, 0.02·2 = 0.04,
    # 0.04·1 = 0.04 -> all rejected (Bonferroni: only the first)
    adj, rej = holm([0.01, 0.02, 0.04])
    assert all(close(x, y) for x, y in zip(adj, [0.03, 0.04, 0.04])) and rej == [True, True, True], adj


def check_t():
    # t tables: two-sided 0.05 critical values 12.706 (df 1), 2.776 (df 4), 2.228 (df 10); 0.01 at df 4: 4.604
    for t, df, p in ((12.706, 1, 0.05), (2.776, 4, 0.05), (2.228, 10, 0.05), (4.604, 4, 0.01)):
        assert abs(t_two_sided_p(t, df) - p) < 2e-4, (t, df, t_two_sided_p(t, df))
    assert close(t_two_sided_p(0.0, 4), 1.0)
    # paired: d = (1, 2, 3, 4, 5) - (0, 0, 0, 0, 0): mean 3, sd sqrt(2.5), t = 3 / (sqrt(2.5)/sqrt(5)) = 4.2426
    r = paired({s: float(s) for s in range(1, 6)}, {s: 0.0 for s in range(1, 7)})
    assert r["n"] == 5 and close(r["mean_diff"], 3.0) and close(r["t"], 3 / math.sqrt(0.5), 1e-9), r
    assert r["seeds"] == [1, 2, 3, 4, 5] and r["lower_in"] == 0
    assert abs(r["p"] - 0.01324) < 1e-4, r["p"]  # t 4.2426, df 4


CODE = '''import os
from a import b
@dec
def f(x: int) -> int:
    """doc"""
    y = x + 1  # note
    if y > 2:
        print(y)
    elif y < 0:
        return -1
    else:
        pass
    for i in range(3):
        y += i
        break
    while y:
        y -= 1
    try:
        g(y)
    except E as e:
        raise
    return y
class C(Base):
    z: int = 3
'''
# hand labels, one per line: the kind of the line's first non-space character
TRUTH = ["import", "import", "def", "def", "other", "assign", "condition", "call", "condition", "return",
         "condition", "other", "loop", "assign", "loop", "loop", "assign", "other", "call", "other", "other",
         "return", "def", "assign"]


def check_kinds():
    k = classify(CODE)
    assert k is not None and len(k) == len(CODE)
    lines = CODE.splitlines(keepends=True)
    got, pos = [], 0
    for ln in lines:
        i = pos + (len(ln) - len(ln.lstrip()))
        got.append(KINDS[k[i]])
        pos += len(ln)
    assert got == TRUTH, [(i, g, t) for i, (g, t) in enumerate(zip(got, TRUTH)) if g != t]
    # per kind: precision and recall of the line labels are both 1 (every kind of the truth occurs)
    for kind in set(TRUTH):
        tp = sum(1 for g, t in zip(got, TRUTH) if g == t == kind)
        assert tp == sum(1 for t in TRUTH if t == kind) == sum(1 for g in got if g == kind), kind
    # the comment after `y = x + 1` is not the assignment's
    c = CODE.index("# note")
    assert KINDS[k[c]] == "other" and KINDS[k[CODE.index("y = x")]] == "assign"
    # non-Python (or broken) code: no classification
    assert classify("for (let i = 0; i < n; i++) {}") is None
    # tokens: first non-space character; all-space tokens take the character before them
    text = "xx" + "y = 1\nprint(y)\n"
    kk = classify(text[2:])
    tk = token_kinds(kk, 2, [(0, 2), (2, 3), (3, 5), (5, 7), (7, 8), (8, 13)], text)
    assert [KINDS[t] if t >= 0 else None for t in tk] == [None, "assign", "assign", "assign", "assign", "call"], tk


if __name__ == "__main__":
    check_holm()
    check_t()
    check_kinds()
    print("ok: Holm (5 hand-computed families), paired t (4 table values + a hand example), statement kinds "
          f"({len(TRUTH)} hand-labelled lines, {len(set(TRUTH))} kinds)")
