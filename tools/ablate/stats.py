"""Statistics of the ablation harness: paired differences, Student's t, Holm's step-down correction.

Standard library only (no scipy on the Debian image), so test_stats.py checks them against hand-computed values.
"""
import math


def t_two_sided_p(t, df):
    """Two-sided p of Student's t with df degrees of freedom (regularized incomplete beta, continued fraction)."""
    if not math.isfinite(t):
        return 0.0
    x = df / (df + t * t)
    return _betainc(df / 2, 0.5, x)


def _betainc(a, b, x):
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    lbeta = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log(1 - x)
    if x > (a + 1) / (a + b + 2):
        return 1.0 - _betainc(b, a, 1 - x)
    # Lentz's continued fraction
    tiny, f, c, d = 1e-300, 1.0, 1.0, 0.0
    for i in range(0, 400):
        m = i // 2
        if i == 0:
            num = 1.0
        elif i % 2 == 0:
            num = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
        else:
            num = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
        d = 1.0 + num * d
        d = tiny if abs(d) < tiny else d
        c = 1.0 + num / c
        c = tiny if abs(c) < tiny else c
        d = 1.0 / d
        f *= c * d
        if abs(1.0 - c * d) < 1e-12:
            break
    return math.exp(lbeta) * (f - 1.0) / a


def mean_std(xs):
    xs = [float(x) for x in xs]
    m = sum(xs) / len(xs)
    s = math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1)) if len(xs) > 1 else 0.0
    return dict(mean=m, std=s, n=len(xs))


def paired(a_vals, b_vals):
    """Paired comparison of two arms over the seeds both have: a_vals, b_vals map seed -> value; d = a − b."""
    seeds = sorted(set(a_vals) & set(b_vals))
    d = [a_vals[s] - b_vals[s] for s in seeds]
    if not d:
        return None
    ms = mean_std(d)
    se = ms["std"] / math.sqrt(ms["n"]) if ms["n"] > 1 else 0.0
    t = ms["mean"] / se if se > 0 else (0.0 if ms["mean"] == 0 else math.copysign(math.inf, ms["mean"]))
    p = t_two_sided_p(t, ms["n"] - 1) if ms["n"] > 1 else None
    return dict(mean_diff=ms["mean"], std_diff=ms["std"], n=ms["n"], t=t if math.isfinite(t) else None, p=p,
                lower_in=sum(1 for x in d if x < 0), seeds=seeds)


def holm(pvalues, alpha=0.05):
    """Holm's step-down correction: adjusted p-values (same order as given; None stays None) and which are
    rejected at family-wise error rate alpha. Sort the m p-values ascending, p_(1) ≤ … ≤ p_(m); the adjusted
    p_(i) is max over j ≤ i of min(1, (m − j + 1) · p_(j)); H_(i) is rejected iff its adjusted p ≤ alpha (the
    same as stopping at the first p_(i) > alpha / (m − i + 1))."""
    idx = [i for i, p in enumerate(pvalues) if p is not None]
    m = len(idx)
    adj = [None] * len(pvalues)
    running = 0.0
    for rank, i in enumerate(sorted(idx, key=lambda k: (pvalues[k], k))):
        running = max(running, min(1.0, (m - rank) * pvalues[i]))
        adj[i] = running
    return adj, [a is not None and a <= alpha for a in adj]
