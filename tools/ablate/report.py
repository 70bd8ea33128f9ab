"""docs/ablation.md (and two hand-written SVGs) from tools/ablate/run.py's results.json.

    /usr/bin/python3 tools/ablate/report.py ablate-out/results.json [docs/ablation.md]

The SVGs go to img/ beside the markdown file, named after it: <stem>-nll.svg (NLL per arm at its chosen
learning rate, mean ± std over seeds, one panel per test set, the untrained model as a dashed line) and
<stem>-loss.svg (training loss per arm at its chosen lr, seed mean, against the fraction of the run).
A run whose sizes differ from run.py's defaults gets a banner that lists them: it is not the experiment.
"""
import json
import math
import os
import sys
from html import escape

COLORS = ["#1f77b4", "#aec7e8", "#17becf", "#d62728", "#ff9896", "#2ca02c", "#98df8a", "#9467bd", "#8c564b",
          "#e377c2", "#7f7f7f", "#bcbd22"]

FULL_COMMAND = ("/usr/bin/python3 tools/ablate/run.py --pool ../shared/data/evol-instruct-code-r1.jsonl "
                "--out ablate-out")


def fmt(x, d=4):
    return "—" if x is None or (isinstance(x, float) and not math.isfinite(x)) else f"{x:.{d}f}"


def fmt_p(p):
    if p is None:
        return "—"
    return "<0.001" if p < 1e-3 else f"{p:.3f}"


# -- SVG ------------------------------------------------------------------------------------------
def svg_nll(res):
    arms = list(res["arms"])
    sets = list(res["test_sets"])
    row_h, top, left, pw, gap = 22, 46, 150, 300, 40
    h = top + row_h * len(arms) + 44
    w = left + len(sets) * (pw + gap) + 10
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
           'font-family="sans-serif" font-size="12">',
           f'<rect width="{w}" height="{h}" fill="white"/>',
           f'<text x="{w / 2}" y="16" text-anchor="middle" font-size="14">Code-token NLL per arm '
           f'(nats/token, mean ± std over {len(res["sizes"]["seeds"])} seeds at each arm\'s chosen lr; '
           'dashed: untrained)</text>']
    for si, s in enumerate(sets):
        x0 = left + si * (pw + gap)
        vals = []
        for a in arms:
            m = res["arms"][a]["nll"][s]
            vals += [m["mean"] - m["std"], m["mean"] + m["std"]]
        vals.append(res["untrained"][s])
        lo, hi = min(vals), max(vals)
        pad = (hi - lo) * 0.08 or 0.01
        lo, hi = lo - pad, hi + pad
        X = lambda v: x0 + (v - lo) / (hi - lo) * pw  # noqa: E731
        y_end = top + row_h * len(arms)
        out.append(f'<text x="{x0 + pw / 2}" y="36" text-anchor="middle" font-weight="bold">{escape(s)}</text>')
        out.append(f'<rect x="{x0}" y="{top - 6}" width="{pw}" height="{y_end - top + 6}" fill="none" stroke="#999"/>')
        for k in range(5):
            v = lo + (hi - lo) * (k + 0.5) / 5
            out.append(f'<line x1="{X(v):.1f}" y1="{top - 6}" x2="{X(v):.1f}" y2="{y_end}" stroke="#eee"/>')
            out.append(f'<text x="{X(v):.1f}" y="{y_end + 14}" text-anchor="middle" font-size="10">{v:.3f}</text>')
        u = res["untrained"][s]
        out.append(f'<line x1="{X(u):.1f}" y1="{top - 6}" x2="{X(u):.1f}" y2="{y_end}" stroke="#555" '
                   'stroke-dasharray="4,3"/>')
        for i, a in enumerate(arms):
            y = top + row_h * i + row_h / 2 - 3
            m = res["arms"][a]["nll"][s]
            c = COLORS[i % len(COLORS)]
            if si == 0:
                out.append(f'<text x="{left - 8}" y="{y + 4}" text-anchor="end">{escape(a)}</text>')
            out.append(f'<line x1="{X(m["mean"] - m["std"]):.1f}" y1="{y}" x2="{X(m["mean"] + m["std"]):.1f}" '
                       f'y2="{y}" stroke="{c}" stroke-width="2"/>')
            for e in (m["mean"] - m["std"], m["mean"] + m["std"]):
                out.append(f'<line x1="{X(e):.1f}" y1="{y - 4}" x2="{X(e):.1f}" y2="{y + 4}" stroke="{c}" '
                           'stroke-width="2"/>')
            out.append(f'<circle cx="{X(m["mean"]):.1f}" cy="{y}" r="4" fill="{c}" stroke="black" '
                       'stroke-width="0.5"/>')
        out.append(f'<text x="{x0 + pw / 2}" y="{y_end + 30}" text-anchor="middle">NLL (nats/token)</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def smooth(xs, k):
    if k <= 1:
        return xs
    out, acc = [], 0.0
    for i, x in enumerate(xs):
        acc += x
        if i >= k:
            acc -= xs[i - k]
        out.append(acc / min(i + 1, k))
    return out


def svg_loss(res):
    arms = list(res["arms"])
    w, h, left, top, pw, ph = 720, 380, 60, 40, 470, 290
    curves = {}
    for a in arms:
        runs = res["arms"][a]["runs"]
        n = min(len(r["loss_curve"]) for r in runs)
        mean = [sum(r["loss_curve"][i] for r in runs) / len(runs) for i in range(n)]
        curves[a] = smooth(mean, max(1, n // 20))
    vals = [v for c in curves.values() for v in c if math.isfinite(v)]
    lo, hi = min(vals), max(vals)
    pad = (hi - lo) * 0.05 or 0.01
    lo, hi = lo - pad, hi + pad
    X = lambda f: left + f * pw  # noqa: E731
    Y = lambda v: top + (hi - v) / (hi - lo) * ph  # noqa: E731
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
           'font-family="sans-serif" font-size="12">',
           f'<rect width="{w}" height="{h}" fill="white"/>',
           f'<text x="{w / 2}" y="18" text-anchor="middle" font-size="14">Training loss (CE over the supervised '
           'tokens of each step; seed mean, moving average)</text>',
           f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#999"/>']
    for k in range(6):
        v = lo + (hi - lo) * k / 5
        out.append(f'<line x1="{left}" y1="{Y(v):.1f}" x2="{left + pw}" y2="{Y(v):.1f}" stroke="#eee"/>')
        out.append(f'<text x="{left - 6}" y="{Y(v) + 4:.1f}" text-anchor="end" font-size="10">{v:.2f}</text>')
        out.append(f'<text x="{X(k / 5):.1f}" y="{top + ph + 14}" text-anchor="middle" font-size="10">'
                   f'{k / 5:.1f}</text>')
    out.append(f'<text x="{left + pw / 2}" y="{top + ph + 32}" text-anchor="middle">fraction of the arm\'s steps'
               '</text>')
    for i, a in enumerate(arms):
        c, ys = COLORS[i % len(COLORS)], curves[a]
        n = len(ys)
        pts = " ".join(f"{X((j + 0.5) / n):.1f},{Y(v):.1f}" for j, v in enumerate(ys))
        out.append(f'<polyline points="{pts}" fill="none" stroke="{c}" stroke-width="1.8"/>')
        ly = top + 10 + 18 * i
        out.append(f'<line x1="{left + pw + 14}" y1="{ly}" x2="{left + pw + 34}" y2="{ly}" stroke="{c}" '
                   'stroke-width="3"/>')
        out.append(f'<text x="{left + pw + 40}" y="{ly + 4}">{escape(a)} ({res["arms"][a]["steps"]})</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def default_sizes(d, tokens_per_s=None, eval_s=None):
    """The arithmetic behind the default sizes (run.py DEFAULTS), for about 90 min on 2 CPU cores."""
    if not d:
        return ""
    tokens_per_s = tokens_per_s or DEFAULT_RATES["tokens_per_s"]
    eval_s = eval_s or DEFAULT_RATES["eval_s"]
    lrs = [x for x in str(d["lrs"]).split(",") if x]
    sp = max(1, round(d["full_steps"] * d["sparse_ratio"]))
    n_arms = 5  # run.py DEFAULT_ARMS: full + 4 sparse-step arms (full-short, codeblock, items-no-dataflow,
    #             random-items)
    steps = d["seeds"] * len(lrs) * (d["full_steps"] + (n_arms - 1) * sp)
    tokens = steps * d["batch_packs"] * d["max_len"] * DEFAULT_RATES["fill"]
    runs = d["seeds"] * len(lrs) * n_arms
    train_min = tokens / tokens_per_s / 60
    eval_min = (runs + 2) * eval_s / 60
    fixed = DEFAULT_RATES["fixed_min"]
    return (f"Default sizes (`run.py` without size flags), chosen for about 90 min on 2 CPU cores: {len(lrs)} lrs × "
            f"{d['seeds']} seeds × (`full` {d['full_steps']} steps + {n_arms - 1} sparse-step arms × {sp} steps) = "
            f"{steps:,} steps of {d['batch_packs']} packs of ≤ {d['max_len']} tokens (≈{DEFAULT_RATES['fill']:.0%} "
            f"full) ≈ {tokens / 1e6:.1f}M tokens; at the {tokens_per_s / 1000:.1f}k tokens/s "
            f"{DEFAULT_RATES['rate_note']} "
            f"≈ {train_min:.0f} min of training, plus {runs + 2} evaluations of the four eval sets (≈{eval_s} s "
            "each, "
            f"{DEFAULT_RATES['eval_note']}: ≈{eval_min:.0f} min) and ≈{fixed} min of analyses, selects and checks: "
            f"≈{train_min + eval_min + fixed:.0f} min. Every size is a flag (`--lrs`, `--seeds`, `--full-steps`, "
            "`--batch-packs`, `--pool-records`, `--slice-max`, `--eval-max`, …); run.py logs each run and an "
            "estimate "
            "of what is left, and caches finished runs in OUT/runs/: a killed run resumes where it stopped when the "
            "same command is run again.")


# measured rates behind default_sizes (tools/ablate/README.md says where they come from)
DEFAULT_RATES = dict(tokens_per_s=6000, fill=0.9, eval_s=8, fixed_min=6,
                     rate_note="assumed for the 1.05M-parameter second model on 2 free threads (the 3.57M-parameter "
                               "default model trained at a measured 3.4k tokens/s there, issue #17's run; a third of "
                               "the parameters, discounted for the fixed per-token costs)",
                     eval_note="the 3.57M model evaluated MBPP + HumanEval in a measured 7.4 s per run; the pool "
                               "slices add 300 records, the smaller model runs faster")


def source_line(res):
    """Which code the figures come from (run.py records the commit before it starts)."""
    src = res.get("source") or {}
    if not src.get("commit"):
        return "Source: not recorded (not run from a git checkout)."
    state = {True: "with uncommitted changes to tracked files", False: "clean checkout"}.get(src.get("dirty"),
                                                                                               "state unknown")
    return f"Made from commit `{src['commit'][:12]}` ({state}) by `{res['command']}`" + (
        f", {res['finished']}." if res.get("finished") else ".")


# -- markdown -------------------------------------------------------------------------------------
def ms(m, d=4):
    return f"{m['mean']:.{d}f} ± {m['std']:.{d}f}" if m else "—"


def banner(res):
    """A run that is not the experiment says so first."""
    if res["quick"]:
        return ["> **`--quick` smoke run, not the experiment.** It shows the report's shape and the harness's checks;",
                "> its numbers say nothing about which arm is better. The experiment: " + f"`{FULL_COMMAND}`.", ""]
    d, s = res.get("defaults") or {}, res["sizes"]
    diff = []
    for k in res.get("given") or []:
        v, dv = s.get(k, (res.get("split") or {}).get(k)), d.get(k)
        if k == "seeds":
            v = len(s["seeds"])
        if k == "lrs":
            v = ",".join(f"{x:g}" for x in s["lrs"])
            dv = ",".join(f"{x:g}" for x in sorted(float(y) for y in str(dv).split(",") if y))
        if k in ("threads", "workers", "eval_batch_tokens", "micro_packs"):
            continue
        if str(v) != str(dv):
            diff.append(f"{k.replace('_', '-')} {v} (default {dv})")
    arms_default = [a for a in res["arms"]] == ["full", "full-short", "codeblock", "items-no-dataflow",
                                                 "random-items"]
    if not diff and arms_default:
        return []
    what = []
    if diff:
        what.append("sizes " + "; ".join(diff))
    if not arms_default:
        what.append("arms " + ", ".join(f"`{a}`" for a in res["arms"]))
    return [f"> **Reduced run, not the default experiment** ({' — '.join(what)}). Its figures are what this run "
            f"measured, at these sizes; the experiment is `{FULL_COMMAND}` (docs/ablation.md).", ""]


def best_lr_edge(res, a):
    lrs = res["sizes"]["lrs"]
    lr = res["arms"][a]["chosen_lr"]
    return len(lrs) > 1 and (lr == min(lrs) or lr == max(lrs))


def reading(res):
    arms, sets, comps = res["arms"], res["test_sets"], res["comparisons"]
    n = len(res["sizes"]["seeds"])
    lrs = res["sizes"]["lrs"]
    L = []
    sig = [c for c in comps if c["rejected"]]
    L.append(f"**Family.** {len(comps)} paired comparisons ({len({(c['a'], c['b']) for c in comps})} arm pairs × "
             f"{len(sets)} test sets), each arm at its own validation-chosen lr, {n} seeds; Holm's correction at "
             "family-wise α = 0.05.")
    L.append("")
    if sig:
        L.append("**Differences that survive Holm's correction:**")
        L.append("")
        for c in sig:
            L.append(f"- `{c['a']}` {'<' if c['mean_diff'] < 0 else '>'} `{c['b']}` on {c['set']}: "
                     f"{c['mean_diff']:+.4f} nats/token (lower in {c['lower_in']}/{c['n']} seeds, Holm p "
                     f"{fmt_p(c['p_holm'])}).")
    else:
        L.append("**No difference survives Holm's correction** at these sizes: every comparison below is within "
                 "seed noise once the family is accounted for.")
    L.append("")
    # does the direction of each comparison depend on the lr? (both arms at the same lr, seed means)
    L.append("**Does the direction depend on the learning rate?** For each compared pair, the sign of "
             "mean NLL(a) − NLL(b) with both arms at the same lr, per test set (descriptive; not in the family):")
    L.append("")
    L.append("| a − b | " + " | ".join(sets) + " |")
    L.append("| --- | " + " | ".join("---" for _ in sets) + " |")
    for x, y in dict.fromkeys((c["a"], c["b"]) for c in comps):
        cells = []
        for sname in sets:
            sg = []
            for k in arms[x]["grid"]:
                if k in arms[y]["grid"]:
                    d = arms[x]["grid"][k]["nll"][sname]["mean"] - arms[y]["grid"][k]["nll"][sname]["mean"]
                    sg.append(f"{k}: {d:+.3f}")
            cells.append(", ".join(sg))
        L.append(f"| `{x}` − `{y}` | " + " | ".join(cells) + " |")
    L.append("")
    L.append("## What it does and does not show")
    L.append("")
    edge = [a for a in arms if best_lr_edge(res, a)]
    L.append("- **It does show** how each arm does at the learning rate its own validation slice prefers, with the "
             "seed-paired differences and a correction for testing many pairs; and, per statement kind, which "
             "kinds of code tokens an arm's training moved.")
    L.append("- **It does not show** a ranking at any single learning rate: the lr-by-lr table above is "
             "descriptive, and a difference seen at one lr only is not a finding. "
             + (f"The chosen lr of {', '.join(f'`{a}`' for a in edge)} is at the edge of the grid "
                f"({', '.join(f'{x:g}' for x in lrs)}): its best lr may lie outside it, so its figures are a bound."
                if edge else "Every chosen lr is inside the grid."))
    L.append("- Mean NLL over all code tokens weights statement kinds by how often each occurs in the eval set "
             "(the kind table gives the shares); an arm that supervises mostly one kind can win or lose the mean "
             "on that kind alone — read the kind table before the mean.")
    who = ("**the scorer itself** (not a fair setup)" if res["scorer"]["same_as_trained"]
           else "a second model, not the scorer")
    L.append(f"- The trained model is {who}"
             f" ({res['model']['params']:,} parameters); both are small LMs trained on non-`../shared/data` "
             "corpora, the pool is one data set, and the arms train for few steps: these are statements about "
             "this setup, not about the paper's scale.")
    h = res.get("heldout") or {}
    ce_s, ce_t = h.get("scorer", {}).get("ce"), h.get("trained", {}).get("ce")
    if ce_s and ce_t and ce_t > ce_s + 0.5:
        L.append(f"- The trained model is much weaker than the scorer (held-out CE {h['trained']['ce']:.2f} against "
                 f"{h['scorer']['ce']:.2f} nats/token): fine-tuning mostly teaches it what any code teaches, so "
                 "the arms' differences say little about selection for a model that already knows code. A stronger "
                 "second model: tools/ablate/second-model-full.json (tools/ablate/README.md).")
    L.append(f"- {n} seeds: a paired t-test with {n - 1} degrees of freedom needs large, consistent differences; "
             "'not significant' here is not 'equal'.")
    return L


def markdown(res, img_rel, stem):
    sets = res["test_sets"]
    allsets = list(res["eval"])
    s, m, rt, w = res["sizes"], res["model"], res["runtime"], res["wall"]
    lrs = s["lrs"]
    L = ["# Ablation: the paper's experiment in miniature, with a fair protocol (issues #17, #29)", "",
         "<!-- generated by tools/ablate/run.py (tools/ablate/report.py) from results.json; do not edit -->", ""]
    L += banner(res)
    sc = res["scorer"]
    L += [f"The pool `{res['pool']}`" + (f" (its first {res['pool_records']} records)" if res.get("pool_records")
                                            else "")
          + f" is split by a hash of each record into train ({res['split']['counts']['train']}), val "
          f"({res['split']['counts']['val']}) and test ({res['split']['counts']['test']}). Each arm selects "
          f"supervision from the train part with `codeblock select` (the selection scored by `{sc['dir']}`), "
          + ("fine-tunes **the scorer itself**" if sc["same_as_trained"] else "fine-tunes **another model**")
          + f", `{m['dir']}` ({m['params']:,} parameters: {m['n_layer']} layers, d "
          f"{m['hidden_size']}), at each learning rate of the grid ({', '.join(f'{x:g}' for x in lrs)}) and "
          f"{len(s['seeds'])} seeds, and is scored by the per-token NLL of code tokens. Each arm's lr is the one "
          "with the lowest mean NLL on the **val** slice; results are reported at that lr on the **test** slice "
          "of the pool and on " + " and ".join(f"`{res['eval'][x]['file']}`" for x in sets if x != "pool-test")
          + ", which choose nothing. Lower is better.", "", source_line(res), ""]
    if sc["same_as_trained"]:
        L += ["> **The trained model is the scorer** (`--train-model-dir` = `--model-dir`): the arms train on the "
              "tokens their own model found hardest. Not the fair setup.", ""]
    # lr grid
    L += ["## Learning-rate grid (validation: pool-val)", "",
          "| arm | steps | " + " | ".join(f"lr {x:g}" for x in lrs) + " | chosen |",
          "| --- | ---: | " + " | ".join("---:" for _ in lrs) + " | ---: |",
          "| untrained | 0 | " + " | ".join(f"{res['untrained']['pool-val']:.4f}" for _ in lrs) + " | — |"]
    for a, arm in res["arms"].items():
        cells = []
        for x in lrs:
            g = arm["grid"].get(f"{x:g}")
            v = ms(g["nll"]["pool-val"]) if g else "—"
            cells.append(f"**{v}**" if g and g["lr"] == arm["chosen_lr"] else v)
        L.append(f"| `{a}` | {arm['steps']} | " + " | ".join(cells) + f" | {arm['chosen_lr']:g} |")
    L += ["", f"Code-token NLL of the val slice ({res['eval']['pool-val']['samples']} samples, "
          f"{res['eval']['pool-val']['code_tokens']:,} code tokens), mean ± std over seeds "
          + ", ".join(str(x) for x in s["seeds"]) + "; bold: the chosen lr (lowest mean).", ""]
    # results at the chosen lr
    L += ["## Results at each arm's chosen learning rate", "",
          "| arm | lr | steps | supervised tokens | " + " | ".join(f"{x} NLL" for x in sets) + " |",
          "| --- | ---: | ---: | ---: | " + " | ".join("---:" for _ in sets) + " |",
          "| untrained (trained model) | — | 0 | — | " + " | ".join(f"{res['untrained'][x]:.4f}" for x in sets)
          + " |",
          f"| scorer `{sc['dir']}` (not trained) | — | — | — | "
          + " | ".join(f"{res['untrained_scorer'][x]:.4f}" for x in sets) + " |"]
    for a, arm in res["arms"].items():
        L.append(f"| `{a}` | {arm['chosen_lr']:g} | {arm['steps']} | {arm['data']['supervised']:,} | "
                 + " | ".join(ms(arm["nll"][x]) for x in sets) + " |")
    L += ["", f"![Code-token NLL per arm]({img_rel}/{stem}-nll.svg)", "",
          "Every lr, every test set (mean ± std over seeds; descriptive):", "",
          "| arm | lr | " + " | ".join(sets) + " |", "| --- | ---: | " + " | ".join("---:" for _ in sets) + " |"]
    for a, arm in res["arms"].items():
        for k, g in arm["grid"].items():
            mark = " (chosen)" if g["lr"] == arm["chosen_lr"] else ""
            L.append(f"| `{a}` | {k}{mark} | " + " | ".join(ms(g["nll"][x]) for x in sets) + " |")
    # comparisons
    L += ["", "## Paired comparisons, Holm-corrected", "",
          "| a − b | test set | lr a / b | mean Δ ± std | a lower in | t | p | Holm p | < 0.05 after Holm |",
          "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- |"]
    for c in res["comparisons"]:
        L.append(f"| `{c['a']}` − `{c['b']}` | {c['set']} | {c['lr_a']:g} / {c['lr_b']:g} | "
                 f"{c['mean_diff']:+.4f} ± {c['std_diff']:.4f} | {c['lower_in']}/{c['n']} | "
                 f"{fmt(c['t'], 2)} | {fmt_p(c['p'])} | {fmt_p(c['p_holm'])} | "
                 f"{'**yes**' if c['rejected'] else 'no'} |")
    L += ["", "Δ per seed = NLL(a) − NLL(b), same seed, each arm at its chosen lr; two-sided paired t; Holm's "
          "step-down over every row of this table (tools/ablate/stats.py, checked against hand-computed values by "
          "test_stats.py).", "", "## Reading", ""]
    L += reading(res)
    # statement kinds
    L += ["", "## By statement kind", "",
          "Each code token takes the kind of the statement that encloses it (tools/ablate/kinds.py: Python's `ast`, "
          "independent of codeblock's items; a compound statement owns its header, e.g. `def …:` or `if …:`; "
          "`unparsed`: blocks `ast` cannot parse, e.g. other languages). Code-token NLL per kind, each arm at its "
          "chosen lr (mean over seeds); the share row is the kind's fraction of the set's scored tokens.", ""]
    for x in sets:
        kt = res["eval"][x]["kind_tokens"]
        tot = max(1, sum(kt.values()))
        kinds = [k for k in res["kinds"] if kt.get(k, 0) > 0]
        L += [f"**{x}**", "", "| arm | " + " | ".join(kinds) + " |",
              "| --- | " + " | ".join("---:" for _ in kinds) + " |",
              "| share | " + " | ".join(f"{100 * kt[k] / tot:.1f}%" for k in kinds) + " |",
              "| untrained | " + " | ".join(fmt(res["untrained_kind"]["trained"][x].get(k), 3) for k in kinds) + " |"]
        for a, arm in res["arms"].items():
            L.append(f"| `{a}` | " + " | ".join(
                fmt(arm["nll_kind"][x][k]["mean"], 3) if k in arm["nll_kind"][x] else "—" for k in kinds) + " |")
        L.append("")
    # the two models
    d = res.get("distance")
    mm, sm = m.get("meta") or {}, sc.get("meta") or {}
    L += ["## The scorer and the trained model", "",
          "| | scorer | trained model |", "| --- | --- | --- |",
          f"| directory | `{sc['dir']}` | `{m['dir']}` |",
          f"| parameters | {sm['params']:,} | {m['params']:,} |" if isinstance(sm.get("params"), int) else
          f"| parameters | — | {m['params']:,} |",
          f"| training steps (tools/train) | {sm.get('train_steps', '—')} | {mm.get('train_steps', '—')} |",
          f"| held-out CE of the training corpus's val split (nats/token){' ¹' if res.get('heldout') else ''} | "
          f"{fmt((res.get('heldout') or {}).get('scorer', {}).get('ce'), 3)} | "
          f"{fmt((res.get('heldout') or {}).get('trained', {}).get('ce'), 3)} |"]
    for x in allsets:
        L.append(f"| code-token NLL, {x} | {res['untrained_scorer'][x]:.4f} | {res['untrained'][x]:.4f} |")
    L.append("")
    if d:
        L += [f"On the train split ({d['tokens']:,} response tokens, {d['items']:,} items, each analysed by both "
              "models with the same tokenizer): per-token log-p Pearson "
              f"{fmt(d['logp_pearson'], 3)}, Spearman {fmt(d['logp_spearman'], 3)} (mean log-p "
              f"{fmt(d['mean_logp_scorer'], 3)} "
              f"scorer, {fmt(d['mean_logp_trainer'], 3)} trained model); item utility U: Spearman "
              f"{fmt(d['u_spearman'], 3)}, and the top {100 * d['top_frac']:.0f}% of items by U overlap at Jaccard "
              f"{d['u_top_jaccard']:.3f}. The two agree on which tokens are easy, but the trained model does not "
              "see the scorer's ranking of items as its own: it is not mining its own hardest tokens."
              if (d.get("u_top_jaccard") or 0) < 0.9 else "", ""]
        if (d.get("u_top_jaccard") or 0) >= 0.9:
            L[-2] = (f"Per-token log-p Spearman {fmt(d['logp_spearman'], 3)}, item-U Spearman "
                     f"{fmt(d['u_spearman'], 3)}, "
                     f"top-{100 * d['top_frac']:.0f}% Jaccard {d['u_top_jaccard']:.3f}: the two models rank items "
                     "almost "
                     "alike.")
    h = res.get("heldout")
    if h:
        L += [f"¹ tools/ablate/heldout_ce.py: {h['windows']} evenly spaced {h['seq_len']}-token windows "
              f"({h['tokens']:,} tokens) of {h['split']}, both models from their ONNX weights.", ""]
    L += ["The trained model's recipe: tools/ablate/second-model.json (tools/train with another seed, a smaller "
          "network and fewer steps; tools/ablate/README.md, 'The second model').", ""]
    # arms
    L += ["## Arms", "",
          "| arm | select | analysis | steps | samples | packs | pack tokens | supervised | ratio | of which eos |",
          "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for a, arm in res["arms"].items():
        dd = arm["data"]
        L.append(f"| `{a}` | `{' '.join(arm['select'])}` | pair filter {arm['pair_filter']} | {arm['steps']} | "
                 f"{dd['selected']:,} | {dd['packs']:,} | {dd['tokens']:,} | {dd['supervised']:,} | "
                 f"{100 * dd['ratio']:.2f}% | {dd['supervised_eos']:,} |")
    L += [""] + [f"- `{a}`: {arm['text']}" for a, arm in res["arms"].items()]
    L += ["", "A new arm is one `ARMS` entry in tools/ablate/run.py (name, `codeblock select` arguments, analysis, "
          "step count), or `--arm NAME='SELECT ARGS'` on the command line; `--compare A:B,…` sets the family.", "",
          "## Method", "",
          f"- **Split.** Each record of the pool goes to val (hash < {res['split']['val_frac']}), test (< "
          f"{res['split']['val_frac'] + res['split']['test_frac']:.2f}) or train by sha256 of its line, so "
          "duplicates stay together; only train is analysed, selected and trained on. At most "
          f"{res['split']['slice_max'] or 'all'} records of val and of test are evaluated.",
          f"- **Packs.** `bin/codeblock select … --format bin --max-len {s['max_len']} --tokenizer "
          f"{m['dir']}/tokenizer.json --template {res['template']}` (the scorer's tokenizer: the same file). The "
          "template frames a conversation as `<|endoftext|>` + prompt + `\\n` + response + `<|endoftext|>`, the "
          "trailing `<|endoftext|>` being the end-of-turn token select supervises.",
          "- **Model.** `tools/ablate/model.py`: tools/train/model.py's GPT with block-diagonal causal attention per "
          "sample of a pack and positions restarting per sample; weights from the trained model's `model.onnx`.",
          "- **Loss** (`tools/ablate/loss.py`): Σ CE over supervised tokens ÷ supervised tokens of the optimizer "
          "step, across its micro-batches.",
          f"- **Optimizer.** AdamW (β 0.9/0.95, weight decay {s['weight_decay']}), lr from the grid, linear warm-up "
          f"over {100 * s['warmup_frac']:.0f}% of the steps, cosine to {100 * s['min_lr_ratio']:.0f}%, grad clip "
          f"{s['grad_clip']}; {s['batch_packs']} packs per step; every run starts from the trained model's ONNX "
          "weights; the seed sets the pack order (and the random arms' selection).",
          f"- **Steps.** full-step arms {s['full_steps']}; sparse arms and `full-short` {s['sparse_steps']} "
          f"(= {s['sparse_ratio']} × full).",
          "- **Eval.** Each set goes through `codeblock analyze --scorer none --pair-filter off` and `select --mode "
          "full --format jsonl` with the same tokenizer and template. NLL is averaged over the tokens inside a "
          "fenced code block's content (prose, fence lines and `<|endoftext|>` excluded); a block that restates "
          "the prompt verbatim (HumanEval) counts from after it.", ""]
    L += ["| eval set | role | records | evaluated | code tokens | prompt restated (not scored) | not evaluated |",
          "| --- | --- | ---: | ---: | ---: | ---: | --- |"]
    for x, e in res["eval"].items():
        rej = ", ".join(f"{k} {v}" for k, v in sorted(e["rejected"].items())) or "—"
        role = "chooses the lr" if x == "pool-val" else "test"
        L.append(f"| {x} | {role} | {e['records']} | {e['samples']} | {e['code_tokens']:,} | "
                 f"{e.get('prompt_echoes', 0)} | {rej} |")
    c = res["checks"]
    L += ["", "## Checks (run before training, on this run's packs)", "",
          f"- Gradients, float64, `full` packs: packed vs unpacked max abs diff "
          f"{c['grad_full']['grad_max_diff_unpacked']:.1e}; vs one micro-batch per pack "
          f"{c['grad_full']['grad_max_diff_micro']:.1e} (tolerance 1e-5); control with attention across samples "
          f"{c['grad_full']['grad_max_diff_cross_attention_control']:.1e}."]
    if "grad_codeblock" in c:
        L.append(f"- Same on `codeblock` packs: {c['grad_codeblock']['grad_max_diff_unpacked']:.1e} / "
                 f"{c['grad_codeblock']['grad_max_diff_micro']:.1e}.")
    L += [f"- The torch model reproduces the log-probs `analyze`'s ONNX scorer stored, max abs diff "
          f"{c['logprobs']['logp_max_diff']:.1e} over {c['logprobs']['logp_matched']} response tokens.", "",
          "## Sizes and wall time", "",
          f"Measured on this run: device {rt['device']}"
          + (f" ({rt['cpu']})" if rt.get("cpu") and rt["device"] == "cpu" else "")
          + f", autocast {rt['autocast']}, {rt['threads']} torch thread(s), torch {rt['torch']}.", "",
          "| phase | wall |", "| --- | ---: |"]
    for k, label in (("analyze_s", "analyze (scorer)"), ("distance_s", "analyze (trained model) + distance"),
                     ("select_s", "select, every arm"), ("checks_s", "gradient + log-prob checks"),
                     ("eval_prep_s", "eval sets + untrained eval"), ("train_eval_s", "training + eval, every run"),
                     ("total_s", "total")):
        if k in w:
            L.append(f"| {label} | {w[k] / 60:.1f} min ({w[k]:.0f} s) |")
    runs = [r for a in res["arms"].values() for g in a["grid_runs"].values() for r in g]
    tok = sum(r["train_tokens"] for r in runs)
    tr = sum(r["train_s"] for r in runs)
    ev = sum(r["eval_s"] for r in runs)
    L += ["", f"{len(runs)} runs (cached ones count with the time they took when run), {tok:,} pack tokens trained "
          f"({tok / max(tr, 1e-9):,.0f} tokens/s), {tr / 60:.1f} min training, {ev / 60:.1f} min evaluation "
          f"({ev / max(len(runs), 1):.1f} s per run).", "", default_sizes(res.get("defaults")), "",
          "## Reproduce", "", "```sh", "npx tsc -p tsconfig.json   # dist/ for bin/codeblock",
          FULL_COMMAND + "   # the experiment (default sizes; resumable: re-run the same command)"]
    if res["command"].split("run.py ", 1)[-1] != FULL_COMMAND.split("run.py ", 1)[-1]:
        L.append(res["command"] + "   # this page")
    L += ["```", "",
          "Files: OUT/results.json (every figure above, per-run loss curves), OUT/split/, OUT/packs/<arm>/, "
          "OUT/runs/<arm>-lr<lr>-seed<s>.json (the cache). The checks alone: `/usr/bin/python3 "
          "tools/ablate/test_grad.py`, `/usr/bin/python3 tools/ablate/test_stats.py`.", ""]
    return "\n".join(L)


def write(res, md_path):
    d = os.path.dirname(os.path.abspath(md_path))
    stem = os.path.splitext(os.path.basename(md_path))[0]
    img = os.path.join(d, "img")
    os.makedirs(img, exist_ok=True)
    with open(os.path.join(img, f"{stem}-nll.svg"), "w") as f:
        f.write(svg_nll(res))
    with open(os.path.join(img, f"{stem}-loss.svg"), "w") as f:
        f.write(svg_loss(res))
    with open(md_path, "w") as f:
        f.write(markdown(res, "img", stem))


if __name__ == "__main__":
    results = json.load(open(sys.argv[1]))
    write(results, sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), "..", "..", "docs",
                                                                        "ablation.md"))
