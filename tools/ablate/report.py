"""docs/ablation.md (and two hand-written SVGs) from tools/ablate/run.py's results.json.

    /usr/bin/python3 tools/ablate/report.py ablate-out/results.json [docs/ablation.md]

The SVGs go to img/ beside the markdown file: ablation-nll.svg (NLL per arm, mean ± std over
seeds, one panel per eval set, the untrained model as a dashed line) and ablation-loss.svg (training
loss per arm, seed mean, against the fraction of the run).
"""
import json
import math
import os
import sys
from html import escape

COLORS = ["#1f77b4", "#aec7e8", "#17becf", "#d62728", "#ff9896", "#2ca02c", "#98df8a", "#9467bd", "#8c564b",
          "#e377c2", "#7f7f7f", "#bcbd22"]

ARM_TEXT = {
    "full": "every response token + end-of-turn (ordinary SFT), full step count",
    "full-short": "`full` at the sparse step count (same compute as the sparse arms)",
    "full-pf-off": "`full` on the `--pair-filter off` analysis (no pair filters), full step count",
    "codeblock": "code items by U·(1 + λr·Reach + λb·Bridge) + prose by GCE, default budget",
    "codeblock-pf-off": "`codeblock` on the `--pair-filter off` analysis",
    "items-no-dataflow": "code items by utility U alone (no reach / bridge)",
    "random-items": "code items at random (selection seed = training seed)",
    "token-gce": "single response tokens by GCE",
    "random-tokens": "single response tokens at random (selection seed = training seed)",
}


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
    sets = list(res["eval"])
    row_h, top, left, pw, gap = 22, 46, 150, 300, 40
    h = top + row_h * len(arms) + 44
    w = left + len(sets) * (pw + gap) + 10
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
           'font-family="sans-serif" font-size="12">',
           f'<rect width="{w}" height="{h}" fill="white"/>',
           f'<text x="{w / 2}" y="16" text-anchor="middle" font-size="14">Code-token NLL per arm '
           f'(nats/token, mean ± std over {len(res["sizes"]["seeds"])} seeds; dashed: untrained)</text>']
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


# -- markdown -------------------------------------------------------------------------------------
def reading(res):
    sets = list(res["eval"])
    arms = res["arms"]
    n = len(res["sizes"]["seeds"])
    lines = []
    if res["quick"]:
        head = f"first {res['pool_records']} records of " if res.get("pool_records") else ""
        lines.append(f"This is a `--quick` smoke run ({head}{res['pool']}, {res['sizes']['full_steps']} full steps, "
                     f"{n} seeds, {' + '.join(str(res['eval'][s]['samples']) for s in sets)} eval samples): it shows "
                     "that the harness runs end to end and learns; its numbers say nothing about which arm is "
                     "better.")
        lines.append("")
        q = res.get("quick_checks") or {}
        if q.get("full_pooled"):
            lines.append(f"Pooled over the eval sets, `full`'s code-token NLL went from {q['untrained_pooled']:.4f} "
                         "(untrained) to " + ", ".join(f"{v:.4f}" for v in q["full_pooled"]) + " (per seed); the "
                         "quick checks " + ("passed." if not q.get("failures")
                                             else "FAILED: " + "; ".join(q["failures"])))
            lines.append("")
    # arms that trained on exactly what an earlier arm trained on (same loss curves and NLLs for every seed)
    twins = {}
    names = list(arms)
    for i, a in enumerate(names):
        for b in names[:i]:
            if b not in twins and arms[a]["steps"] == arms[b]["steps"] and all(
                    ra["loss_curve"] == rb["loss_curve"] and ra["nll"] == rb["nll"]
                    for ra, rb in zip(arms[a]["runs"], arms[b]["runs"])):
                twins[a] = b
                break
    if not res["quick"]:
        pooled = {a: sum(arms[a]["nll"][x]["mean"] * res["eval"][x]["code_tokens"] for x in sets)
                  / max(1, sum(res["eval"][x]["code_tokens"] for x in sets)) for a in arms}
        base = sum(res["untrained"][x] * res["eval"][x]["code_tokens"] for x in sets) / max(
            1, sum(res["eval"][x]["code_tokens"] for x in sets))
        better = [a for a in arms if pooled[a] < base]
        worse = [a for a in arms if pooled[a] >= base]
        lines.append(f"**Headline.** Pooled over both eval sets (token-weighted), the untrained model's code-token "
                     f"NLL is {base:.4f}. Arms below it after training: "
                     + (", ".join(f"`{a}` ({pooled[a]:.4f})" for a in sorted(better, key=pooled.get)) or "none")
                     + "; at or above it: "
                     + (", ".join(f"`{a}` ({pooled[a]:.4f})" for a in sorted(worse, key=pooled.get)) or "none")
                     + ".")
        lines.append("")
        sparse = [a for a in arms if arms[a]["mode"] != "full"]
        if sparse and all(pooled[a] >= base for a in sparse):
            def first_loss(a):
                runs = arms[a]["runs"]
                return sum(r["loss_curve"][0] for r in runs) / max(1, len(runs))
            lo_s, hi_s = min(first_loss(a) for a in sparse), max(first_loss(a) for a in sparse)
            full_first = first_loss("full") if "full" in arms else float("nan")
            best_sparse = min(sparse, key=pooled.get)
            lines.append(
                "Every sparse arm ends above the untrained model, so at this scale the paper's claim (sparse "
                "supervision trains as well as full SFT) is **not reproduced**. What the numbers show: with "
                f"{arms[sparse[0]]['steps']} steps at the full arm's learning rate and ~2% of the tokens supervised, "
                f"each update is driven by few, hard tokens (the sparse arms' first training loss is {lo_s:.1f}–"
                f"{hi_s:.1f} nats per supervised token, `full`'s {full_first:.1f}), and it moves the whole next-token "
                "distribution the eval measures. The harness does not tune a learning rate or a step count per arm, "
                "so this is one setting, not the best each arm could do. "
                f"The least harmful sparse arm is `{best_sparse}` ({pooled[best_sparse]:.4f})"
                + (": the selection signal (items the reference LM finds hard, ranked by data flow) hurts more than "
                   "items at random here." if best_sparse.startswith("random") else "."))
            lines.append("")
    for a, b in twins.items():
        why = ("on this pool the pair filters reject nothing that this mode would keep, so " if a == f"{b}-pf-off"
               else "")
        lines.append(f"`{a}` trained on exactly the packs of `{b}` (identical loss curves and NLLs for every seed): "
                     f"{why}the two arms are one measurement shown twice.")
        lines.append("")
    for s in sets:
        ranked = sorted(arms, key=lambda a: arms[a]["nll"][s]["mean"])
        u = res["untrained"][s]
        lines.append(f"- **{s}** (untrained {u:.4f}): best {ranked[0]} ({arms[ranked[0]]['nll'][s]['mean']:.4f}), "
                     f"worst {ranked[-1]} ({arms[ranked[-1]]['nll'][s]['mean']:.4f}); order "
                     + " < ".join(ranked) + ".")
        sig = [a for a in arms if (arms[a]["vs_full"] or {}).get(s) and arms[a]["vs_full"][s]["p"] is not None
               and arms[a]["vs_full"][s]["p"] < 0.05]
        better = [a for a in sig if arms[a]["vs_full"][s]["mean_diff"] < 0]
        worse = [a for a in sig if arms[a]["vs_full"][s]["mean_diff"] > 0]
        lines.append(f"  Paired against `full` (p < 0.05, {n} seeds): lower NLL — {', '.join(better) or 'none'}; "
                     f"higher — {', '.join(worse) or 'none'}; the rest are within seed noise.")
        cb, rnd = arms.get("codeblock"), arms.get("random-items")
        if cb and rnd:
            d = cb["nll"][s]["mean"] - rnd["nll"][s]["mean"]
            noise = math.hypot(cb["nll"][s]["std"], rnd["nll"][s]["std"])
            lines.append(f"  `codeblock` − `random-items`: {d:+.4f} (seed std of the difference ≈ {noise:.4f}); "
                         f"`codeblock` − `full-short` (same steps): "
                         f"{cb['nll'][s]['mean'] - arms['full-short']['nll'][s]['mean']:+.4f}."
                         if "full-short" in arms else
                         f"  `codeblock` − `random-items`: {d:+.4f} (seed std of the difference ≈ {noise:.4f}).")
    lines.append("")
    lines.append(f"With {n} seeds a paired t-test has {n - 1} degree{'s' if n != 2 else ''} of freedom: only "
                 "large, consistent differences reach p < 0.05, and 9 arms × 2 eval sets are compared without a "
                 "multiple-testing "
                 "correction. The model is the small default reference LM (not a code LLM), the pool is small and "
                 "every sparse arm sees 1/10 of full's steps, so these are statements about this setup, not about "
                 "the paper's.")
    return lines


def default_sizes(d, tokens_per_s=3500, eval_s=20, fixed_min=6):
    """The arithmetic behind the default sizes (run.py DEFAULTS), for 90 min on 2 CPU cores."""
    if not d:
        return ""
    sp = max(1, round(d["full_steps"] * d["sparse_ratio"]))
    steps = d["seeds"] * (2 * d["full_steps"] + 7 * sp)
    tokens = steps * d["batch_packs"] * d["max_len"]
    runs = d["seeds"] * 9
    train_min = tokens / tokens_per_s / 60
    eval_min = (runs + 1) * eval_s / 60
    return (f"Default sizes (`run.py` without `--quick`), chosen for 90 min on 2 CPU cores: {d['seeds']} seeds × "
            f"(2 full-step arms × {d['full_steps']} steps + 7 sparse-step arms × {sp} steps) = {steps:,} steps of "
            f"{d['batch_packs']} packs × ≤{d['max_len']} tokens ≈ {tokens / 1e6:.1f}M tokens. The retrained default "
            "model (3.56M parameters) trains at 1.5–2k tokens/s on one thread shared with another job (bf16 autocast, "
            "4 layers, d 224, 1024-token packs, one pack per micro-batch, measured); two free threads are taken as "
            f"≈{tokens_per_s / 1000:.1f}k tokens/s: ≈{train_min:.0f} min of training, plus {runs + 1} evaluations "
            f"of the ~1,140 MBPP + HumanEval samples (≈{eval_s} s each, ≈{eval_min:.0f} min; the old 0.9M-parameter "
            "model took 16 s on one shared thread with 16k-token batches, the default 2k-token ones are ~2× "
            "faster), two LM-scored analyses of the 1,966-record pool (the old model "
            f"scored 300 records in 13.5 s) and 12 selects (≈{fixed_min} min together): "
            f"≈{train_min + eval_min + fixed_min:.0f} min, leaving room for a slower machine. Every size is a flag "
            "(`--full-steps`, `--batch-packs`, `--seeds`, `--max-len`, `--eval-max`, …); run.py logs each run's "
            "wall time and an estimate of what is left, and "
            "caches finished runs in OUT/runs/ (a re-run with the same sizes resumes).")


def source_line(res):
    """Which code the figures come from (run.py records the commit before it starts)."""
    src = res.get("source") or {}
    if not src.get("commit"):
        return "Source: not recorded (not run from a git checkout)."
    state = {True: "with uncommitted changes to tracked files", False: "clean checkout"}.get(src.get("dirty"),
                                                                                               "state unknown")
    return f"Made from commit `{src['commit'][:12]}` ({state}) by `{res['command']}`" + (
        f", {res['finished']}." if res.get("finished") else ".")


def markdown(res, img_rel):
    sets = list(res["eval"])
    s, m, rt, w = res["sizes"], res["model"], res["runtime"], res["wall"]
    L = ["# Ablation: the paper's experiment in miniature (issue #17)", "",
         "<!-- generated by tools/ablate/run.py (tools/ablate/report.py) from results.json; do not edit -->", ""]
    if res["quick"]:
        L += ["> **`--quick` smoke run, not the experiment.** The experiment is the full-size run (its command is",
              "> under *Reproduce*). This page shows the report's shape and the harness's checks.", ""]
    L += [f"Each arm selects supervision from the same pool with `codeblock select`, fine-tunes the default "
          f"reference LM ({m['params']:,} parameters: {m['n_layer']} layers, d {m['hidden_size']}, "
          f"{m['num_attention_heads']} heads, {m['vocab_size']} ids) on the packs from its ONNX weights, and is "
          f"scored by the per-token NLL of the canonical solutions' code tokens of "
          + " and ".join(f"`{res['eval'][x]['file']}`" for x in sets) + ". Lower is better.", "",
          source_line(res), "",
          "## Results", "",
          "| arm | steps | supervised tokens | " + " | ".join(f"{x} NLL | Δ vs full (paired) | p" for x in sets) + " |",
          "| --- | ---: | ---: | " + " | ".join("---: | ---: | ---:" for _ in sets) + " |",
          "| untrained | 0 | — | " + " | ".join(f"{res['untrained'][x]:.4f} | — | —" for x in sets) + " |"]
    for a, arm in res["arms"].items():
        cells = []
        for x in sets:
            nl, vf = arm["nll"][x], (arm["vs_full"] or {}).get(x)
            cells.append(f"{nl['mean']:.4f} ± {nl['std']:.4f}")
            cells.append(f"{vf['mean_diff']:+.4f} ± {vf['std_diff']:.4f} ({vf['lower_in']}/{vf['n']} lower)"
                         if vf else "—")
            cells.append(fmt_p(vf["p"]) if vf else "—")
        L.append(f"| `{a}` | {arm['steps']} | {arm['data']['supervised']:,} | " + " | ".join(cells) + " |")
    L += ["", "Mean ± sample std over seeds " + ", ".join(str(x) for x in s["seeds"]) + ". Δ: per seed, NLL(arm) − "
          "NLL(`full`) with the same seed; mean ± std of those differences, how many seeds the arm is lower in, and "
          "the two-sided paired t-test's p.", "",
          f"![Code-token NLL per arm]({img_rel}/ablation-nll.svg)", "",
          f"![Training loss per arm]({img_rel}/ablation-loss.svg)", "",
          "The training loss is the CE over each arm's own supervised tokens: sparse arms supervise different, "
          "usually harder tokens, so the curves show that each arm learns, not which is better.", "",
          "## Reading", ""]
    L += reading(res)
    L += ["", "## Arms", "",
          "| arm | select | analysis | steps | samples | packs | pack tokens | supervised | ratio | of which eos |",
          "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for a, arm in res["arms"].items():
        d = arm["data"]
        L.append(f"| `{a}` | `--mode {arm['mode']}` | pair filter {arm['pair_filter']} | {arm['steps']} | "
                 f"{d['selected']:,} | {d['packs']:,} | {d['tokens']:,} | {d['supervised']:,} | "
                 f"{100 * d['ratio']:.2f}% | {d['supervised_eos']:,} |")
    L += [""] + [f"- `{a}`: {ARM_TEXT.get(a, '')}" for a in res["arms"]]
    L += ["", "## Method", "",
          f"- **Packs.** `bin/codeblock select … --format bin --max-len {s['max_len']} --tokenizer "
          f"{m['dir']}/tokenizer.json --template {res['template']}`: the target tokenizer is the trained model's "
          "own. Its only special token is `<|endoftext|>`, so the template frames a conversation the way the "
          "model's corpus and the scorer do — `<|endoftext|>` + prompt turns, each followed by `\\n` + the "
          "response + `<|endoftext|>`; the trailing `<|endoftext|>` is the end-of-turn token select supervises "
          "(`--supervise-eos`). A Qwen-style ChatML template would tokenize `<|im_start|>` / `<|im_end|>` as "
          "plain text (no such ids), leaving no end-of-turn token. Read with `tools/ablate/packs.py` (numpy.memmap "
          "of the layout in docs/formats.md, every invariant checked).",
          "- **Model.** `tools/ablate/model.py`: tools/train/model.py's GPT with block-diagonal causal attention per "
          "sample of a pack (segments from `seq_lens`) and `position_ids` restarting per sample; weights from "
          "`model.onnx`'s initializers, shape from `config.json`.",
          "- **Loss** (`tools/ablate/loss.py`): Σ CE over supervised tokens (label at t predicted from t−1; labels "
          "are not pre-shifted) ÷ the number of supervised tokens of the optimizer step, across its "
          "gradient-accumulation micro-batches.",
          f"- **Optimizer.** AdamW (β 0.9/0.95, weight decay {s['weight_decay']}), lr {s['lr']}, linear warm-up over "
          f"{100 * s['warmup_frac']:.0f}% of the steps, cosine to {100 * s['min_lr_ratio']:.0f}%, grad clip "
          f"{s['grad_clip']}; {s['batch_packs']} packs per step in micro-batches of {s['micro_packs']}; every run "
          "starts from the ONNX weights; the seed sets the pack order (and torch's RNG; the model has no dropout).",
          f"- **Steps.** `full`, `full-pf-off`: {s['full_steps']}; every sparse arm and `full-short`: "
          f"{s['sparse_steps']} (= {s['sparse_ratio']} × full, as in the paper).",
          "- **Eval.** Each eval file goes through `codeblock analyze --scorer none --pair-filter off` and `select "
          f"--mode full --format jsonl --max-len {m['max_position_embeddings']}` with the same tokenizer and "
          "template (prompt = the task, response = the canonical solution in a ```python fence). NLL is averaged "
          "over the tokens whose code-point range lies inside a fenced code block's content (the lines between "
          "the fences; prose, fence lines and `<|endoftext|>` excluded), each predicted from everything before "
          "it. A code block that starts by restating the prompt verbatim (HumanEval's responses: the signature "
          "and docstring, then the canonical solution) counts from after the restated prompt, so copying it is "
          "not scored.", ""]
    L += ["| eval set | records | evaluated | code tokens | prompt restated (not scored) | not evaluated |",
          "| --- | ---: | ---: | ---: | ---: | --- |"]
    for x, e in res["eval"].items():
        rej = ", ".join(f"{k} {v}" for k, v in sorted(e["rejected"].items())) or "—"
        L.append(f"| {x} | {e['records']} | {e['samples']} | {e['code_tokens']:,} | {e.get('prompt_echoes', 0)} | "
                 f"{rej} |")
    c = res["checks"]
    L += ["", "## Checks (run before training, on this run's packs)", "",
          f"- Gradients, float64, `full` packs: packed (block-diagonal) vs the same samples unpacked, max abs diff "
          f"{c['grad_full']['grad_max_diff_unpacked']:.1e}; vs one micro-batch per pack "
          f"{c['grad_full']['grad_max_diff_micro']:.1e} ({c['grad_full']['packs']} packs, "
          f"{c['grad_full']['samples']} samples; tolerance 1e-5). Control with attention across samples: "
          f"{c['grad_full']['grad_max_diff_cross_attention_control']:.1e}."]
    if "grad_codeblock" in c:
        L.append(f"- Same on `codeblock` packs: {c['grad_codeblock']['grad_max_diff_unpacked']:.1e} / "
                 f"{c['grad_codeblock']['grad_max_diff_micro']:.1e}.")
    L += [f"- The torch model from the ONNX initializers reproduces the log-probs `analyze`'s ONNX scorer stored, "
          f"max abs diff {c['logprobs']['logp_max_diff']:.1e} over {c['logprobs']['logp_matched']} response tokens of "
          f"{c['logprobs']['logp_samples']} samples.", "",
          "## Sizes and wall time", "",
          f"Measured on this run: device {rt['device']}"
          + (f" ({rt['cpu']})" if rt.get("cpu") and rt["device"] == "cpu" else "")
          + f", autocast {rt['autocast']}, {rt['threads']} torch thread(s), torch {rt['torch']}.", "",
          "| phase | wall |", "| --- | ---: |"]
    n_an = len({a["pair_filter"] for a in res["arms"].values()})
    for k, label in (("analyze_s", f"analyze (LM scoring) ×{n_an}"),
                     ("select_s", "select, every arm"), ("checks_s", "gradient + log-prob checks"),
                     ("eval_prep_s", "eval sets + untrained eval"), ("train_eval_s", "training + eval, every run"),
                     ("total_s", "total")):
        L.append(f"| {label} | {w[k] / 60:.1f} min ({w[k]:.0f} s) |")
    runs = [r for a in res["arms"].values() for r in a["runs"]]
    tok = sum(r["train_tokens"] for r in runs)
    tr = sum(r["train_s"] for r in runs)
    ev = sum(r["eval_s"] for r in runs)
    L += ["", f"{len(runs)} runs, {tok:,} pack tokens trained ({tok / max(tr, 1e-9):,.0f} tokens/s), "
          f"{tr / 60:.1f} min training, {ev / 60:.1f} min evaluation ({ev / max(len(runs), 1):.1f} s per run).", "",
          default_sizes(res.get("defaults")), "",
          "## Reproduce", "", "```sh", "npx tsc -p tsconfig.json   # dist/ for bin/codeblock",
          *([FULL_COMMAND + "   # the experiment (default sizes)", res["command"] + "   # this page"] if res["quick"]
            else [res["command"]]),
          "```", "",
          "Files: OUT/results.json (every figure above, per-run loss curves), OUT/packs/<arm>/ (manifest.json, "
          "packs.bin/.idx), OUT/runs/<arm>-seed<s>.json. The gradient check alone: `/usr/bin/python3 "
          "tools/ablate/test_grad.py`.", ""]
    return "\n".join(L)


def write(res, md_path):
    d = os.path.dirname(os.path.abspath(md_path))
    img = os.path.join(d, "img")
    os.makedirs(img, exist_ok=True)
    with open(os.path.join(img, "ablation-nll.svg"), "w") as f:
        f.write(svg_nll(res))
    with open(os.path.join(img, "ablation-loss.svg"), "w") as f:
        f.write(svg_loss(res))
    with open(md_path, "w") as f:
        f.write(markdown(res, "img"))


if __name__ == "__main__":
    results = json.load(open(sys.argv[1]))
    write(results, sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), "..", "..", "docs",
                                                                        "ablation.md"))
