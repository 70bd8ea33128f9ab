"""The paper's experiment in miniature (issue #17): select packs per arm, fine-tune, evaluate, report.

    /usr/bin/python3 tools/ablate/run.py --pool ../shared/data/evol-instruct-code-r1.jsonl --out ablate-out
    /usr/bin/python3 tools/ablate/run.py --pool ../shared/data/evol-instruct-code-r1.jsonl --out /tmp/abl --quick
                                                                        # ≤ 2 min smoke run (its first 160 records)

1. `bin/codeblock analyze POOL -o OUT/analysis --model MODEL` (the reference LM scores the pool) and,
   for the pair-filter ablation, `… --pair-filter off -o OUT/analysis-pf-off`.
2. `bin/codeblock select` per arm (`--format bin --tokenizer MODEL/tokenizer.json --template
   tools/ablate/plain-eot.jinja --max-len L`, the default budget 0.019 unless --budget): the packs are
   written with the tokenizer of the model that trains on them. The random arms are selected once
   per seed (`--seed S`: their std includes the mask's randomness); the others once.
3. Per arm and seed: the model of model.py initialized from MODEL/model.onnx, AdamW on the arm's
   packs with loss.py's loss (Σ CE over supervised tokens / supervised tokens of the step).
   Sparse arms train for sparse_ratio (1/10) of full's steps, as in the paper; `full-short` is full
   at the sparse step count (same compute as the sparse arms).
4. Evaluation: per-token NLL (nats) of the canonical solutions of each --eval file given its prompt,
   rendered through the same template (`codeblock analyze --scorer none --pair-filter off` + `select
   --mode full --format jsonl` of the eval file: the very text and tokens a trained model sees), on
   code tokens only: tokens whose code-point range lies inside the content of a fenced code block
   of the response (the lines between a ``` / ~~~ opening fence and its closing fence; prose, the
   fence lines and the end-of-turn token are not counted). A code block that starts by restating the
   prompt verbatim (HumanEval: signature + docstring, then the canonical solution) counts from after
   the restated prompt, so copying the prompt is not scored. Token-weighted mean over the file.
5. OUT/results.json (figures, per-run loss curves, the paired comparison against `full`: per seed
   d = NLL(arm) − NLL(full), mean ± std of d, paired t and its two-sided p) and a report
   (docs/ablation.md + docs/img/ablation-*.svg for a full run; OUT/ablation.md + OUT/img/ for --quick).

--quick: the first 160 records of the pool (--pool-records), lr 2e-4, 2 seeds, 16 full steps (2 sparse), the
first 16 records of each eval file,
1 thread; it asserts that the harness learns (for every seed of the `full` arm: the mean loss of the
last quarter of the steps is below that of the first quarter, and the code-token NLL pooled over
the eval sets is finite and below the untrained model's; every NLL of every arm finite) and that
test_grad.py's gradient and log-prob checks hold on its own packs; not which arm wins.
Default sizes and their time arithmetic: docs/ablation.md ("Sizes").
"""
import argparse
import hashlib
import json
import math
import os
import platform
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import numpy as np  # noqa: E402
import torch  # noqa: E402

import report  # noqa: E402
from loss import IGNORE, accumulate, collate  # noqa: E402
from model import DEFAULT_MODEL_DIR, REPO, load_model, param_count, read_config  # noqa: E402
from packs import Packs  # noqa: E402
from test_grad import analysis_records, check_logprobs, check_packs  # noqa: E402

CLI = os.path.join(REPO, "bin", "codeblock")
TEMPLATE = os.path.join(HERE, "plain-eot.jinja")
SHARED = os.path.abspath(os.path.join(REPO, "..", "shared", "data"))

# name, select mode, analysis (pair filter), steps ("full" | "sparse"), selected per seed
ARMS = [
    ("full", "full", "on", "full", False),
    ("full-short", "full", "on", "sparse", False),
    ("full-pf-off", "full", "off", "full", False),
    ("codeblock", "codeblock", "on", "sparse", False),
    ("codeblock-pf-off", "codeblock", "off", "sparse", False),
    ("items-no-dataflow", "items-no-dataflow", "on", "sparse", False),
    ("random-items", "random-items", "on", "sparse", True),
    ("token-gce", "token-gce", "on", "sparse", False),
    ("random-tokens", "random-tokens", "on", "sparse", True),
]
ARM_NAMES = [a[0] for a in ARMS]

# micro_packs 1 and eval_batch_tokens 2048 are the fastest per token on CPU (measured: 1 pack per micro-batch
# trains 1.3x faster than 4); on CUDA, unless given, a step is one micro-batch and eval batches 64k tokens.
DEFAULTS = dict(pool_records=0, seeds=3, full_steps=150, sparse_ratio=0.1, batch_packs=8, micro_packs=1, max_len=1024, lr=1e-3,
                warmup_frac=0.1, min_lr_ratio=0.1, weight_decay=0.0, grad_clip=1.0, eval_max=0,
                eval_batch_tokens=2048, threads=2, workers=2)
# --quick's lr: 32 packs per run are too few for 1e-3 (measured: the full arm's eval NLL rose above the untrained
# model's); 2e-4 lowers it (3.56 -> 3.45 on MBPP's first 16)
QUICK = dict(pool_records=160, lr=2e-4, seeds=2, full_steps=16, batch_packs=2, micro_packs=1, max_len=512,
             eval_max=16, threads=1, workers=1)
CUDA = dict(micro_packs=None, eval_batch_tokens=65536)  # None: = batch_packs


def log(msg):
    print(f"[ablate {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def sh(cmd, quiet=True):
    t0 = time.time()
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {r.returncode}:\n{r.stdout[-4000:]}")
    if not quiet:
        lines = r.stdout.strip().splitlines() or ["(no output)"]
        log(next((x for x in reversed(lines) if " input = " in x), lines[-1]))
    return time.time() - t0


def source_state():
    """The commit the run is made from, and whether the checkout differed from it (tracked files changed)."""
    def git(*args):
        r = subprocess.run(["git", "-C", REPO, *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        return r.stdout.strip() if r.returncode == 0 else None
    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no")
    return dict(commit=commit, dirty=bool(status) if status is not None else None)


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            names = [ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")]
        return f"{len(names)} × {names[0]}" if names else None
    except OSError:
        return platform.processor() or None


def rel(p):
    """A path as the report shows it: relative to the repository when under its parent (../shared/data/…)."""
    p = os.path.abspath(p)
    return os.path.relpath(p, REPO) if p.startswith(os.path.dirname(REPO) + os.sep) else p


# -- schedule ---------------------------------------------------------------------------------------
def lr_at(step, steps, a):
    warm = max(1, round(a.warmup_frac * steps))
    if step < warm:
        return a.lr * (step + 1) / warm
    frac = (step - warm) / max(1, steps - warm)
    return a.lr * (a.min_lr_ratio + (1 - a.min_lr_ratio) * 0.5 * (1 + math.cos(math.pi * frac)))


def autocast_dtype(a, device):
    if a.autocast == "none":
        return None
    if a.autocast == "bf16":
        return torch.bfloat16
    if device.startswith("cuda"):
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else None
    try:
        flags = open("/proc/cpuinfo").read()
    except OSError:
        return None
    return torch.bfloat16 if ("amx_bf16" in flags or "avx512_bf16" in flags) else None


# -- evaluation data ------------------------------------------------------------------------------
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def code_spans(text):
    """Code-point spans [a, b) of the contents of fenced code blocks in markdown `text` (unclosed: to the end)."""
    spans, pos, opened = [], 0, None
    for m in re.finditer(r"[^\n]*\n|[^\n]+$", text):
        line = m.group(0)
        f = FENCE.match(line)
        if opened is None:
            if f and not (f.group(1)[0] == "`" and "`" in line[f.end():]):
                opened = (f.group(1), pos + len(line))
        elif f and f.group(1)[0] == opened[0][0] and len(f.group(1)) >= len(opened[0]) and not line[f.end():].strip():
            spans.append((opened[1], pos))
            opened = None
        pos += len(line)
    if opened is not None:
        spans.append((opened[1], pos))
    return [(a, b) for a, b in spans if b > a]


def prepare_eval(path, name, out, a, model_dir, n_ctx):
    """Eval samples of one file: input_ids + code-token mask, through the training template and tokenizer."""
    d = os.path.join(out, "eval", name)
    os.makedirs(d, exist_ok=True)
    src = path
    if a.eval_max:
        src = os.path.join(d, "subset.jsonl")
        with open(path, encoding="utf-8") as fi, open(src, "w", encoding="utf-8") as fo:
            for i, line in enumerate(fi):
                if i >= a.eval_max:
                    break
                fo.write(line)
    an, sel = os.path.join(d, "analysis"), os.path.join(d, "select")
    sh([CLI, "analyze", src, "-o", an, "--scorer", "none", "--pair-filter", "off", "--workers", str(a.workers)])
    sh([CLI, "select", an, "-o", sel, "--mode", "full", "--format", "jsonl", "--max-len", str(n_ctx),
        "--tokenizer", os.path.join(model_dir, "tokenizer.json"), "--template", TEMPLATE, "--workers", str(a.workers)])
    recs = analysis_records(an)
    samples, n_in, echoes = [], 0, 0
    with open(os.path.join(sel, "samples.jsonl"), encoding="utf-8") as fh:
        for line in fh:
            s = json.loads(line)
            rec = recs[s["id"]]
            resp = rec["response"]
            start = s["text"].rfind(resp)
            if start < 0:
                raise AssertionError(f"{name} {s['id']}: response not found in the templated text")
            # a code block that restates the prompt before the solution (HumanEval) counts from after it
            echo = "\n".join(m["content"] for m in rec["prompt"]).rstrip()
            spans = []
            for x, y in code_spans(resp):
                if echo and resp.startswith(echo, x) and x + len(echo) < y:
                    x += len(echo)
                    echoes += 1
                spans.append((start + x, start + y))
            mask = np.zeros(len(s["input_ids"]), dtype=bool)
            for t in range(1, len(s["input_ids"])):
                ta, tb = s["offsets"][t]
                mask[t] = tb > ta and any(x <= ta and tb <= y for x, y in spans)
            if mask.any():
                samples.append(dict(id=s["id"], input_ids=np.array(s["input_ids"], dtype=np.int64), code=mask))
    with open(src, encoding="utf-8") as fh:
        n_in = sum(1 for line in fh if line.strip())
    man = json.load(open(os.path.join(sel, "manifest.json")))
    return dict(name=name, file=rel(path), records=n_in, samples=samples, rejected=man["counts"]["rejected"],
                code_tokens=int(sum(int(s["code"].sum()) for s in samples)), prompt_echoes=echoes)


@torch.no_grad()
def evaluate(model, ev, device, ac, batch_tokens):
    """Token-weighted mean NLL (nats) over the code tokens of the eval set."""
    model.eval()
    order = sorted(range(len(ev["samples"])), key=lambda i: len(ev["samples"][i]["input_ids"]))
    tot, n, i = 0.0, 0, 0
    while i < len(order):
        j = i + 1
        while j < len(order) and (j + 1 - i) * len(ev["samples"][order[j]]["input_ids"]) <= batch_tokens:
            j += 1
        rows = [ev["samples"][k] for k in order[i:j]]
        batch = collate([dict(input_ids=r["input_ids"], labels=np.where(r["code"], r["input_ids"], IGNORE),
                              position_ids=np.arange(len(r["input_ids"]))) for r in rows], pad_id=0, device=device)
        with torch.autocast(device.split(":")[0], dtype=ac or torch.bfloat16, enabled=ac is not None):
            h = model.hidden(batch["input_ids"], batch["segment_ids"], batch["position_ids"])
            tgt = batch["labels"][:, 1:]
            sel = tgt != IGNORE
            logits = torch.nn.functional.linear(h[:, :-1][sel], model.wte.weight)
        tot += float(torch.nn.functional.cross_entropy(logits.float(), tgt[sel], reduction="sum"))
        n += int(sel.sum())
        i = j
    model.train()
    return dict(nll=tot / max(n, 1), tokens=n)


# -- training -------------------------------------------------------------------------------------
def load_rows(packs_dir):
    p = Packs(packs_dir)
    rows = []
    for i in range(len(p)):
        r = p[i]
        rows.append(dict(input_ids=np.array(r["input_ids"]), labels=np.array(r["labels"]),
                         position_ids=r["position_ids"], seq_lens=np.array(r["seq_lens"]),
                         num_supervised=r["num_supervised"]))
    return rows


def train_run(rows, steps, seed, a, model_dir, device, ac, evals):
    torch.manual_seed(seed)
    model = load_model(model_dir, device=device)
    model.train()
    pad = int(model.config.get("pad_token_id", model.config["vocab_size"] - 1))
    decay = [p for _, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for _, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": a.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=a.lr, betas=(0.9, 0.95))
    rng = np.random.default_rng(seed)
    order, k = rng.permutation(len(rows)), 0
    curve, t0, tokens, sup = [], time.time(), 0, 0
    for step in range(steps):
        take = []
        for _ in range(a.batch_packs):
            if k == len(order):
                order, k = rng.permutation(len(rows)), 0
            take.append(rows[order[k]])
            k += 1
        micro = [collate(take[m:m + a.micro_packs], pad, device) for m in range(0, len(take), a.micro_packs)]
        for g in opt.param_groups:
            g["lr"] = lr_at(step, steps, a)
        opt.zero_grad(set_to_none=True)
        loss, n = accumulate(model, micro, autocast_dtype=ac)
        if a.grad_clip > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), a.grad_clip)
        opt.step()
        curve.append(round(loss, 5))
        tokens += sum(len(r["input_ids"]) for r in take)
        sup += n
    train_s = time.time() - t0
    t1 = time.time()
    nll = {e["name"]: evaluate(model, e, device, ac, a.eval_batch_tokens) for e in evals}
    return dict(seed=seed, steps=steps, loss_curve=curve, loss_first=curve[0], loss_last=curve[-1],
                nll={k: v["nll"] for k, v in nll.items()}, train_tokens=tokens, supervised_tokens=sup,
                train_s=round(train_s, 2), eval_s=round(time.time() - t1, 2),
                tokens_per_s=round(tokens / max(train_s, 1e-9), 1))


# -- statistics -----------------------------------------------------------------------------------
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


def paired(arm_runs, ref_runs, name):
    ref = {r["seed"]: r["nll"][name] for r in ref_runs}
    d = [r["nll"][name] - ref[r["seed"]] for r in arm_runs if r["seed"] in ref]
    if not d:
        return None
    ms = mean_std(d)
    se = ms["std"] / math.sqrt(ms["n"]) if ms["n"] > 1 else 0.0
    t = ms["mean"] / se if se > 0 else (0.0 if ms["mean"] == 0 else math.copysign(math.inf, ms["mean"]))
    p = t_two_sided_p(t, ms["n"] - 1) if ms["n"] > 1 else None
    return dict(mean_diff=ms["mean"], std_diff=ms["std"], n=ms["n"], t=t if math.isfinite(t) else None, p=p,
                lower_in=sum(1 for x in d if x < 0))


# -- main -----------------------------------------------------------------------------------------
def parse_args(argv):
    ap = argparse.ArgumentParser(description="codeblock ablation harness (issue #17)")
    ap.add_argument("--pool", required=True, help="training pool (any format codeblock analyze reads)")
    ap.add_argument("--out", required=True, help="output directory (analyses, packs, runs, results.json)")
    ap.add_argument("--quick", action="store_true", help="≤ 2 min smoke run with assertions (see the docstring)")
    ap.add_argument("--model-dir", default=DEFAULT_MODEL_DIR, help="reference LM = the model trained (HF layout)")
    ap.add_argument("--eval", action="append", help="eval file(s); default ../shared/data mbpp + humaneval markdown")
    ap.add_argument("--arms", help=f"comma-separated subset of {','.join(ARM_NAMES)} (full is always run)")
    ap.add_argument("--budget", type=float, help="select --budget (default: select's 0.019)")
    for k, v in DEFAULTS.items():
        ap.add_argument("--" + k.replace("_", "-"), type=type(v), default=None, help=f"default {v} (--quick: "
                        f"{QUICK.get(k, v)})")
    ap.add_argument("--device", default="auto", help="auto (cuda when present) | cpu | cuda")
    ap.add_argument("--autocast", default="auto", choices=["auto", "bf16", "none"],
                    help="auto: bf16 on CUDA with bf16 or a CPU with AMX/AVX512-BF16, else fp32")
    ap.add_argument("--report", help="markdown report path (default docs/ablation.md; --quick: OUT/ablation.md)")
    ap.add_argument("--no-report", action="store_true")
    a = ap.parse_args(argv)
    a.cuda_defaults = [k for k in CUDA if getattr(a, k) is None]
    for k, v in DEFAULTS.items():
        if getattr(a, k) is None:
            setattr(a, k, QUICK.get(k, v) if a.quick else v)
    return a


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    a = parse_args(argv)
    t_start = time.time()
    torch.set_num_threads(a.threads)
    device = ("cuda" if torch.cuda.is_available() else "cpu") if a.device == "auto" else a.device
    ac = autocast_dtype(a, device)
    if device.startswith("cuda"):
        for k in a.cuda_defaults:
            setattr(a, k, CUDA[k] if CUDA[k] is not None else a.batch_packs)
    out = os.path.abspath(a.out)
    os.makedirs(out, exist_ok=True)
    model_dir = os.path.abspath(a.model_dir)
    cfg = read_config(model_dir)
    n_ctx = cfg["max_position_embeddings"]
    if a.max_len > n_ctx:
        raise SystemExit(f"--max-len {a.max_len} exceeds the model context {n_ctx}")
    evals_in = a.eval or [os.path.join(SHARED, "mbpp-markdown.jsonl"), os.path.join(SHARED, "humaneval-markdown.jsonl")]
    for f in evals_in + [a.pool]:
        if not os.path.exists(f):
            raise SystemExit(f"no such file: {f}")
    pool = os.path.abspath(a.pool)
    if a.pool_records > 0:  # the first N records only (a plain JSONL pool)
        if not pool.endswith(".jsonl"):
            raise SystemExit(f"--pool-records needs a plain .jsonl pool, got {a.pool}")
        head = os.path.join(out, "pool-head.jsonl")
        with open(pool, encoding="utf-8") as src, open(head, "w", encoding="utf-8") as dst:
            n = 0
            for line in src:
                if n >= a.pool_records:
                    break
                if line.strip():
                    dst.write(line if line.endswith("\n") else line + "\n")
                    n += 1
        pool = head
    arms = [x for x in ARMS if a.arms is None or x[0] == "full" or x[0] in a.arms.split(",")]
    if a.arms:
        unknown = set(a.arms.split(",")) - set(ARM_NAMES)
        if unknown:
            raise SystemExit(f"unknown arms {sorted(unknown)}; known: {ARM_NAMES}")
    sparse_steps = max(1, round(a.full_steps * a.sparse_ratio))
    seeds = list(range(1, a.seeds + 1))
    wall = {}
    source = source_state()  # before anything runs: what the figures come from
    log(f"device {device}, autocast {ac}, threads {a.threads}; model {rel(model_dir)} "
        f"(V {cfg['vocab_size']}, {cfg['n_layer']} layers, d {cfg['hidden_size']}); steps full {a.full_steps}, "
        f"sparse {sparse_steps}; seeds {seeds}")

    # 1. analyses
    t = time.time()
    analyses = {}
    for pf in sorted({x[2] for x in arms}):
        d = os.path.join(out, "analysis" if pf == "on" else "analysis-pf-off")
        sh([CLI, "analyze", pool, "-o", d, "--model", model_dir, "--pair-filter", pf, "--workers", str(a.workers)],
           quiet=False)
        analyses[pf] = d
    wall["analyze_s"] = round(time.time() - t, 2)

    # 2. selects
    t = time.time()
    packs = {}
    for name, mode, pf, _, per_seed in arms:
        for s in (seeds if per_seed else [0]):
            d = os.path.join(out, "packs", name if not per_seed else f"{name}-seed{s}")
            fmt = "bin,jsonl" if name == "full" else "bin"
            cmd = [CLI, "select", analyses[pf], "-o", d, "--mode", mode, "--format", fmt, "--max-len", str(a.max_len),
                   "--tokenizer", os.path.join(model_dir, "tokenizer.json"), "--template", TEMPLATE,
                   "--seed", str(s), "--workers", str(a.workers)]
            if a.budget is not None and mode != "full":
                cmd += ["--budget", str(a.budget)]
            sh(cmd, quiet=False)
            packs[(name, s)] = d
    wall["select_s"] = round(time.time() - t, 2)

    # 3. checks on the packs themselves: packed = unpacked gradients, torch = ONNX scorer log-probs
    t = time.time()
    n_check = 2 if a.quick else 4  # packs per float64 gradient check
    checks = {"grad_full": check_packs(packs[("full", 0)], model_dir, max_packs=n_check)}
    if ("codeblock", 0) in packs:
        checks["grad_codeblock"] = check_packs(packs[("codeblock", 0)], model_dir, max_packs=n_check)
    checks["logprobs"] = check_logprobs(analyses["on"], os.path.join(packs[("full", 0)], "samples.jsonl"), model_dir)
    wall["checks_s"] = round(time.time() - t, 2)
    log(f"gradient check ok (max diff {checks['grad_full']['grad_max_diff_unpacked']:.1e}); "
        f"log-probs vs ONNX {checks['logprobs']['logp_max_diff']:.1e}")

    # 4. eval sets + the untrained model
    t = time.time()
    evals = [prepare_eval(f, os.path.splitext(os.path.basename(f))[0], out, a, model_dir, n_ctx) for f in evals_in]
    base = load_model(model_dir, device=device)
    untrained = {e["name"]: evaluate(base, e, device, ac, a.eval_batch_tokens)["nll"] for e in evals}
    del base
    wall["eval_prep_s"] = round(time.time() - t, 2)
    log("untrained NLL " + ", ".join(f"{k} {v:.4f}" for k, v in untrained.items()))

    # 5. runs
    results_arms = {}
    t = time.time()
    hp = {k: getattr(a, k) for k in ("batch_packs", "micro_packs", "lr", "warmup_frac", "min_lr_ratio",
                                      "weight_decay", "grad_clip")}
    planned = sum((a.full_steps if x[3] == "full" else sparse_steps) for x in arms) * len(seeds)
    done = 0
    for name, mode, pf, kind, per_seed in arms:
        steps = a.full_steps if kind == "full" else sparse_steps
        runs, manifests = [], []
        for s in seeds:
            pd = packs[(name, s if per_seed else 0)]
            man = json.load(open(os.path.join(pd, "manifest.json")))
            key = hashlib.sha256(json.dumps([name, s, steps, hp, str(ac), device, rel(model_dir),
                                             [f["sha256"] for f in man["files"]], [e["code_tokens"] for e in evals]],
                                            sort_keys=True).encode()).hexdigest()[:16]
            cache = os.path.join(out, "runs", f"{name}-seed{s}.json")
            if os.path.exists(cache):
                r = json.load(open(cache))
                if r.get("key") == key:
                    runs.append(r)
                    manifests.append(man)
                    log(f"{name} seed {s}: cached")
                    continue
            r = train_run(load_rows(pd), steps, s, a, model_dir, device, ac, evals)
            r["key"] = key
            os.makedirs(os.path.dirname(cache), exist_ok=True)
            with open(cache + ".tmp", "w") as fh:
                json.dump(r, fh)
            os.replace(cache + ".tmp", cache)
            runs.append(r)
            manifests.append(man)
            done += steps
            el = time.time() - t
            log(f"{name} seed {s}: {steps} steps, loss {r['loss_first']:.3f} → {r['loss_last']:.3f}, "
                + ", ".join(f"{k} {v:.4f}" for k, v in r["nll"].items()) + f" ({r['train_s']:.0f}+{r['eval_s']:.0f} s; "
                f"{r['tokens_per_s']:.0f} tok/s; ≈{el / done * (planned - done) / 60:.1f} min left)")
        m0 = manifests[0]
        results_arms[name] = dict(
            mode=mode, pair_filter=pf, steps=steps, selected_per_seed=per_seed,
            packs_dir=rel(packs[(name, seeds[0] if per_seed else 0)]),
            data=dict(selected=m0["counts"]["selected"], packs=m0["packing"]["packs"], tokens=m0["packing"]["tokens"],
                      supervised=m0["tokens"]["supervised"], response=m0["tokens"]["response"],
                      ratio=m0["tokens"]["ratio"], supervised_nl=m0["tokens"]["supervised_nl"],
                      supervised_eos=m0["tokens"]["supervised_eos"], rejected=m0["counts"]["rejected"]),
            runs=runs,
            nll={e["name"]: mean_std([r["nll"][e["name"]] for r in runs]) for e in evals})
    wall["train_eval_s"] = round(time.time() - t, 2)
    for name, r in results_arms.items():
        r["vs_full"] = ({e["name"]: paired(r["runs"], results_arms["full"]["runs"], e["name"]) for e in evals}
                        if name != "full" else None)
    wall["total_s"] = round(time.time() - t_start, 2)

    results = dict(
        issue=17, quick=a.quick, command="/usr/bin/python3 tools/ablate/run.py " + " ".join(argv),
        pool=rel(os.path.abspath(a.pool)), pool_records=a.pool_records or None, template=rel(TEMPLATE),
        model=dict(dir=rel(model_dir), params=param_count(load_model(model_dir)),
                   **{k: cfg[k] for k in ("vocab_size", "n_layer", "num_attention_heads", "hidden_size",
                                          "intermediate_size", "max_position_embeddings")},
                   train_steps=cfg.get("codeblock", {}).get("train_steps")),
        sizes=dict(seeds=seeds, full_steps=a.full_steps, sparse_steps=sparse_steps, sparse_ratio=a.sparse_ratio,
                   max_len=a.max_len, eval_max=a.eval_max, eval_batch_tokens=a.eval_batch_tokens, budget=a.budget,
                   **hp),
        runtime=dict(device=device, autocast=str(ac).replace("torch.", ""), threads=a.threads, workers=a.workers,
                     torch=torch.__version__, python=platform.python_version(), cpu=cpu_model()),
        source=source,
        finished=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), wall=wall, checks=checks,
        eval={e["name"]: dict(file=e["file"], records=e["records"], samples=len(e["samples"]),
                              code_tokens=e["code_tokens"], prompt_echoes=e["prompt_echoes"], rejected=e["rejected"])
              for e in evals},
        untrained=untrained, arms=results_arms, defaults=DEFAULTS)
    failures = assert_learns(results) if a.quick else []
    full_pooled = [pooled(r["nll"], results["eval"]) for r in results_arms["full"]["runs"]]
    results["quick_checks"] = (dict(failures=failures, untrained_pooled=pooled(untrained, results["eval"]),
                                    full_pooled=full_pooled) if a.quick else None)
    with open(os.path.join(out, "results.json.tmp"), "w") as fh:
        json.dump(results, fh, indent=1)
    os.replace(os.path.join(out, "results.json.tmp"), os.path.join(out, "results.json"))
    if not a.no_report:
        md = a.report or (os.path.join(out, "ablation.md") if a.quick else os.path.join(REPO, "docs", "ablation.md"))
        report.write(results, md)
        log(f"wrote {rel(md)}")
    log(f"wrote {rel(os.path.join(out, 'results.json'))}; {wall['total_s']:.0f} s")
    if failures:
        log("FAILED: " + "; ".join(failures))
        return 1
    return 0


def pooled(nll, ev):
    """Code-token NLL pooled over the eval sets (token-weighted)."""
    n = sum(ev[k]["code_tokens"] for k in nll)
    return sum(v * ev[k]["code_tokens"] for k, v in nll.items()) / max(n, 1)


def assert_learns(res):
    """--quick: the harness learns (full's loss falls; pooled eval NLL finite and below the untrained model's)."""
    fails = []
    base = pooled(res["untrained"], res["eval"])
    for r in res["arms"]["full"]["runs"]:
        c = r["loss_curve"]
        k = max(1, len(c) // 4)
        if not sum(c[-k:]) / k < sum(c[:k]) / k:
            fails.append(f"full seed {r['seed']}: loss does not fall ({c[:k]} … {c[-k:]})")
        v = pooled(r["nll"], res["eval"])
        if not (math.isfinite(v) and v < base):
            fails.append(f"full seed {r['seed']}: pooled eval NLL {v} not below the untrained {base}")
    for name, arm in res["arms"].items():
        for r in arm["runs"]:
            if not all(math.isfinite(v) for v in list(r["nll"].values()) + r["loss_curve"]):
                fails.append(f"{name} seed {r['seed']}: non-finite loss or NLL")
    return fails


if __name__ == "__main__":
    sys.exit(main())
