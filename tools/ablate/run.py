"""The paper's experiment in miniature, made fair (issues #17, #29): select per arm, fine-tune, evaluate, report.

    /usr/bin/python3 tools/ablate/run.py --pool ../shared/data/evol-instruct-code-r1.jsonl --out ablate-out
    /usr/bin/python3 tools/ablate/run.py --pool ../shared/data/evol-instruct-code-r1.jsonl --out /tmp/abl --quick
                                                                        # ≤ 90 s smoke run (its first 160 records)

0. Split: every record of the pool (its first --pool-records, if given) goes to `train`, `val` or `test` by a
   hash of its line (sha256, --val-frac / --test-frac of the records; duplicates land together). Only `train`
   is analysed, selected and trained on; `val` chooses each arm's learning rate; `test` is a held-out slice
   of the pool itself, reported beside MBPP and HumanEval (which never choose anything).
1. `bin/codeblock analyze TRAIN -o OUT/analysis --model SCORER` (the reference LM scores the pool; also
   `--pair-filter off` when an arm needs it), and once with the trained model (OUT/analysis-trainer) to measure
   how far the two models are apart (per-token log-p and item-U rank correlations).
2. `bin/codeblock select` per arm: an arm is one ARMS entry (name, select arguments, analysis, step count,
   whether it is selected per seed); `--arm NAME='--mode codeblock --some-flag x'` adds one from the command
   line. Packs are written with the trained model's tokenizer (it must be the scorer's: same token ids).
3. Per arm × learning rate (--lrs) × seed: the model of model.py initialized from the TRAINED model
   (--train-model-dir, default tools/ablate/second-model: trained by tools/train with another seed and corpus
   split, not the scorer whose losses chose the selection), AdamW on the arm's packs with loss.py's loss.
   Sparse arms train for sparse_ratio of full's steps; `full-short` is full at the sparse step count.
4. Evaluation of every run: per-token NLL (nats) of the code tokens of the val slice, the test slice, and each
   --eval file's canonical solutions, rendered through the same template; per statement kind too (kinds.py:
   Python's ast classifies each code token by its enclosing statement). Each arm's lr is the grid's lr with the
   lowest mean val NLL over seeds; its results are reported at that lr.
5. Paired comparisons (COMPARISONS, at each arm's chosen lr, same seed) on every test set, paired t, Holm's
   correction over the whole family; OUT/results.json and the report (docs/ablation.md + docs/img/ablation-*.svg
   for a default-size run; --report PATH for any other; OUT/ablation.md for --quick).

Resumable: finished runs are cached in OUT/runs/<arm>-lr<lr>-seed<s>.json under a key of everything that
determines them; a re-run with the same OUT skips them (kill it any time, run it again).

--quick: the first 160 records of the pool, 2 lrs, 2 seeds, 16 full steps (2 sparse), the first 10 records of
each eval file and slice, 1 thread; it asserts that the harness learns (for every seed of the `full` arm at its
chosen lr: the mean loss of the last quarter of the steps is below that of the first quarter, and the code-token
NLL pooled over the test sets is below the untrained model's; every NLL finite) and that test_grad.py's gradient
and log-prob checks hold on its own packs; not which arm wins. Default sizes and their time arithmetic:
docs/ablation.md ("Sizes").
"""
import argparse
import hashlib
import json
import math
import os
import platform
import re
import shlex
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import numpy as np  # noqa: E402
import torch  # noqa: E402

import report  # noqa: E402
from kinds import KINDS, classify  # noqa: E402
from loss import IGNORE, accumulate, collate  # noqa: E402
from model import DEFAULT_MODEL_DIR, REPO, load_model, param_count, read_config  # noqa: E402
from packs import Packs  # noqa: E402
from stats import holm, mean_std, paired  # noqa: E402
from test_grad import analysis_records, check_logprobs, check_packs  # noqa: E402

CLI = os.path.join(REPO, "bin", "codeblock")
TEMPLATE = os.path.join(HERE, "plain-eot.jinja")
SHARED = os.path.abspath(os.path.join(REPO, "..", "shared", "data"))
SECOND_MODEL_DIR = os.path.join(HERE, "second-model")
KIND_NAMES = KINDS + ["unparsed"]  # unparsed: code tokens of a block Python's ast cannot parse (other languages)
UNPARSED = len(KINDS)


def arm(name, select, text, analysis="on", steps="sparse", per_seed=False):
    """One arm: `select` = the arguments of `codeblock select` (besides input, output, format and packing);
    analysis "on" | "off" (the pair filter of the analysis it selects from); steps "full" | "sparse";
    per_seed: selected once per seed with `--seed S` (random arms, so their spread includes the mask's)."""
    return dict(name=name, select=list(select), text=text, analysis=analysis, steps=steps, per_seed=per_seed)


# Extension point: a new arm is one entry (a selection-score variant is its `codeblock select` flags).
ARMS = [
    arm("full", ["--mode", "full"], "every response token + end-of-turn (ordinary SFT), full step count",
        steps="full"),
    arm("full-short", ["--mode", "full"], "`full` at the sparse step count (same compute as the sparse arms)"),
    arm("full-pf-off", ["--mode", "full"], "`full` on the `--pair-filter off` analysis, full step count",
        analysis="off", steps="full"),
    arm("codeblock", ["--mode", "codeblock"], "`codeblock select`'s default: code items by its selection score + "
        "prose by GCE, default budget"),
    arm("codeblock-v2", ["--mode", "codeblock", "--score-combine", "product", "--u-transform", "raw",
                         "--reach-norm", "pairs", "--u-shrink", "0"],
        "`codeblock` with version two's score (U x (1 + reach/(n-1)) x (1 + bridge), raw U, no shrinkage)"),
    arm("codeblock-pf-off", ["--mode", "codeblock"], "`codeblock` on the `--pair-filter off` analysis",
        analysis="off"),
    arm("items-no-dataflow", ["--mode", "items-no-dataflow"], "code items by utility U alone (no reach / bridge)"),
    arm("random-items", ["--mode", "random-items"], "code items at random (selection seed = training seed)",
        per_seed=True),
    arm("token-gce", ["--mode", "token-gce"], "single response tokens by GCE"),
    arm("random-tokens", ["--mode", "random-tokens"], "single response tokens at random (selection seed = "
        "training seed)", per_seed=True),
]
ARM_NAMES = [x["name"] for x in ARMS]
DEFAULT_ARMS = ["full", "full-short", "codeblock", "codeblock-v2", "items-no-dataflow", "random-items"]
# the family of paired comparisons (a − b, same seed, each at its chosen lr) on every test set; Holm over all
COMPARISONS = [("codeblock", "random-items"), ("codeblock", "full-short"), ("codeblock", "items-no-dataflow"),
               ("codeblock", "codeblock-v2"), ("items-no-dataflow", "random-items"), ("random-items", "full-short")]

# micro_packs 1 and eval_batch_tokens 2048 are the fastest per token on CPU (measured: 1 pack per micro-batch
# trains 1.3x faster than 4); on CUDA, unless given, a step is one micro-batch and eval batches 64k tokens.
DEFAULTS = dict(pool_records=0, seeds=5, lrs="1e-4,3e-4,1e-3", full_steps=150, sparse_ratio=0.1, batch_packs=6,
                micro_packs=1, max_len=1024, warmup_frac=0.1, min_lr_ratio=0.1, weight_decay=0.0, grad_clip=1.0,
                val_frac=0.1, test_frac=0.1, slice_max=150, eval_max=0, eval_batch_tokens=2048, threads=2,
                workers=2)
QUICK = dict(pool_records=160, lrs="2e-4,1e-3", seeds=2, full_steps=16, batch_packs=2, micro_packs=1, max_len=512,
             val_frac=0.15, test_frac=0.15, slice_max=10, eval_max=10, threads=1, workers=1)
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
def lr_at(step, steps, lr, a):
    warm = max(1, round(a.warmup_frac * steps))
    if step < warm:
        return lr * (step + 1) / warm
    frac = (step - warm) / max(1, steps - warm)
    return lr * (a.min_lr_ratio + (1 - a.min_lr_ratio) * 0.5 * (1 + math.cos(math.pi * frac)))


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



def head_lines(path, n, dst):
    """The first n records (non-empty lines) of a JSONL file into dst."""
    with open(path, encoding="utf-8") as fi, open(dst, "w", encoding="utf-8") as fo:
        k = 0
        for line in fi:
            if k >= n:
                break
            if line.strip():
                fo.write(line if line.endswith("\n") else line + "\n")
                k += 1
    return dst


def prepare_eval(path, name, out, a, model_dir, n_ctx, max_records):
    """Eval samples of one file: input_ids, code-token mask and statement kind per token, through the training
    template and tokenizer."""
    d = os.path.join(out, "eval", name)
    os.makedirs(d, exist_ok=True)
    src = head_lines(path, max_records, os.path.join(d, "subset.jsonl")) if max_records else path
    an, sel = os.path.join(d, "analysis"), os.path.join(d, "select")
    sh([CLI, "analyze", src, "-o", an, "--scorer", "none", "--pair-filter", "off", "--workers", str(a.workers)])
    sh([CLI, "select", an, "-o", sel, "--mode", "full", "--format", "jsonl", "--max-len", str(n_ctx),
        "--tokenizer", os.path.join(model_dir, "tokenizer.json"), "--template", TEMPLATE, "--workers", str(a.workers)])
    recs = analysis_records(an)
    samples, echoes = [], 0
    with open(os.path.join(sel, "samples.jsonl"), encoding="utf-8") as fh:
        for line in fh:
            s = json.loads(line)
            rec = recs[s["id"]]
            resp, text = rec["response"], s["text"]
            start = text.rfind(resp)
            if start < 0:
                raise AssertionError(f"{name} {s['id']}: response not found in the templated text")
            # a code block that restates the prompt before the solution (HumanEval) counts from after it
            echo = "\n".join(m["content"] for m in rec["prompt"]).rstrip()
            blocks = []  # (scored from, block start, block end, char kinds or None), text coordinates
            for x, y in code_spans(resp):
                x0 = x
                if echo and resp.startswith(echo, x) and x + len(echo) < y:
                    x += len(echo)
                    echoes += 1
                blocks.append((start + x, start + x0, start + y, classify(resp[x0:y])))
            n = len(s["input_ids"])
            mask = np.zeros(n, dtype=bool)
            kind = np.full(n, -1, dtype=np.int8)
            for t in range(1, n):
                ta, tb = s["offsets"][t]
                if tb <= ta:
                    continue
                for x, b0, y, ck in blocks:
                    if x <= ta and tb <= y:
                        mask[t] = True
                        if ck is None:
                            kind[t] = UNPARSED
                        else:  # the token's first non-space character; an all-space token: the one before it
                            i = next((i for i in range(ta, tb) if not text[i].isspace()), None)
                            kind[t] = ck[i - b0] if i is not None else ck[max(ta - 1 - b0, 0)]
                        break
            if mask.any():
                samples.append(dict(id=s["id"], input_ids=np.array(s["input_ids"], dtype=np.int64), code=mask,
                                    kind=kind))
    with open(src, encoding="utf-8") as fh:
        n_in = sum(1 for line in fh if line.strip())
    man = json.load(open(os.path.join(sel, "manifest.json")))
    kind_tokens = np.zeros(len(KIND_NAMES), dtype=np.int64)
    for s in samples:
        kind_tokens += np.bincount(s["kind"][s["code"]].astype(np.int64), minlength=len(KIND_NAMES))
    return dict(name=name, file=rel(path), records=n_in, samples=samples, rejected=man["counts"]["rejected"],
                code_tokens=int(sum(int(s["code"].sum()) for s in samples)), prompt_echoes=echoes,
                kind_tokens={k: int(kind_tokens[i]) for i, k in enumerate(KIND_NAMES)})


@torch.no_grad()
def evaluate(model, ev, device, ac, batch_tokens):
    """Token-weighted mean NLL (nats) over the code tokens of the eval set, overall and per statement kind."""
    model.eval()
    order = sorted(range(len(ev["samples"])), key=lambda i: len(ev["samples"][i]["input_ids"]))
    tot, n, i = 0.0, 0, 0
    ksum, kn = np.zeros(len(KIND_NAMES)), np.zeros(len(KIND_NAMES), dtype=np.int64)
    while i < len(order):
        j = i + 1
        while j < len(order) and (j + 1 - i) * len(ev["samples"][order[j]]["input_ids"]) <= batch_tokens:
            j += 1
        rows = [ev["samples"][k] for k in order[i:j]]
        batch = collate([dict(input_ids=r["input_ids"], labels=np.where(r["code"], r["input_ids"], IGNORE),
                              position_ids=np.arange(len(r["input_ids"]))) for r in rows], pad_id=0, device=device)
        T = batch["input_ids"].shape[1]
        kinds = np.full((len(rows), T), -1, dtype=np.int64)
        for b, r in enumerate(rows):
            kinds[b, :len(r["kind"])] = r["kind"]
        with torch.autocast(device.split(":")[0], dtype=ac or torch.bfloat16, enabled=ac is not None):
            h = model.hidden(batch["input_ids"], batch["segment_ids"], batch["position_ids"])
            tgt = batch["labels"][:, 1:]
            sel = tgt != IGNORE
            logits = torch.nn.functional.linear(h[:, :-1][sel], model.wte.weight)
        nll = torch.nn.functional.cross_entropy(logits.float(), tgt[sel], reduction="none").double().cpu().numpy()
        k = kinds[:, 1:][sel.cpu().numpy()]
        ksum += np.bincount(k, weights=nll, minlength=len(KIND_NAMES))
        kn += np.bincount(k, minlength=len(KIND_NAMES))
        tot += float(nll.sum())
        n += len(nll)
        i = j
    model.train()
    return dict(nll=tot / max(n, 1), tokens=n,
                kinds={KIND_NAMES[q]: float(ksum[q] / kn[q]) for q in range(len(KIND_NAMES)) if kn[q] > 0})


def load_rows(packs_dir):
    p = Packs(packs_dir)
    rows = []
    for i in range(len(p)):
        r = p[i]
        rows.append(dict(input_ids=np.array(r["input_ids"]), labels=np.array(r["labels"]),
                         position_ids=r["position_ids"], seq_lens=np.array(r["seq_lens"]),
                         num_supervised=r["num_supervised"]))
    return rows




def train_run(rows, steps, seed, lr, a, model_dir, device, ac, evals):
    torch.manual_seed(seed)
    model = load_model(model_dir, device=device)
    model.train()
    pad = int(model.config.get("pad_token_id", model.config["vocab_size"] - 1))
    decay = [p for _, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for _, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": a.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=lr, betas=(0.9, 0.95))
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
            g["lr"] = lr_at(step, steps, lr, a)
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
    ev = {e["name"]: evaluate(model, e, device, ac, a.eval_batch_tokens) for e in evals}
    return dict(seed=seed, lr=lr, steps=steps, loss_curve=curve, loss_first=curve[0], loss_last=curve[-1],
                nll={k: v["nll"] for k, v in ev.items()}, nll_kind={k: v["kinds"] for k, v in ev.items()},
                train_tokens=tokens, supervised_tokens=sup, train_s=round(train_s, 2),
                eval_s=round(time.time() - t1, 2), tokens_per_s=round(tokens / max(train_s, 1e-9), 1))


# -- the pool's split -------------------------------------------------------------------------------
def split_pool(pool, out, a):
    """train / val / test JSONL files of the pool's records by a hash of each line (deterministic)."""
    d = os.path.join(out, "split")
    os.makedirs(d, exist_ok=True)
    paths = {k: os.path.join(d, f"{k}.jsonl") for k in ("train", "val", "test")}
    counts = {k: 0 for k in paths}
    fh = {k: open(p + ".tmp", "w", encoding="utf-8") for k, p in paths.items()}
    with open(pool, encoding="utf-8") as src:
        n = 0
        for line in src:
            if not line.strip():
                continue
            if a.pool_records and n >= a.pool_records:
                break
            n += 1
            line = line if line.endswith("\n") else line + "\n"
            h = int(hashlib.sha256(b"codeblock-ablate-split\0" + line.encode("utf-8")).hexdigest()[:12], 16) / 16 ** 12
            k = "val" if h < a.val_frac else "test" if h < a.val_frac + a.test_frac else "train"
            fh[k].write(line)
            counts[k] += 1
    for k, f in fh.items():
        f.close()
        os.replace(paths[k] + ".tmp", paths[k])
    if min(counts.values()) == 0:
        raise SystemExit(f"the pool's split has an empty part ({counts}): use more records or larger fractions")
    return paths, counts


# -- how far apart the scorer and the trained model are ----------------------------------------------------
def ranks(x):
    """Average ranks (ties share their mean rank)."""
    x = np.asarray(x, dtype=np.float64)
    order = np.argsort(x, kind="mergesort")
    r = np.empty(len(x))
    xs = x[order]
    i = 0
    while i < len(x):
        j = i
        while j + 1 < len(x) and xs[j + 1] == xs[i]:
            j += 1
        r[order[i:j + 1]] = (i + j) / 2
        i = j + 1
    return r


def corr(x, y):
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if len(x) < 2 or x.std() == 0 or y.std() == 0:
        return None
    return float(np.corrcoef(x, y)[0, 1])


def model_distance(an_scorer, an_trainer, top_frac=0.1):
    """Per-token log-p (Pearson, Spearman) and item-U (Spearman, top-10% Jaccard) agreement of two analyses of
    the same records (same tokenizer: the tokens are matched by their code-point spans)."""
    A, B = analysis_records(an_scorer), analysis_records(an_trainer)
    lx, ly, ux, uy, keys = [], [], [], [], []
    for rid, ra in A.items():
        rb = B.get(rid)
        if rb is None or not ra.get("scorer") or not rb.get("scorer"):
            continue
        sa, sb = ra["scorer"], rb["scorer"]
        if sa.get("spans") == sb.get("spans"):
            for p, q in zip(sa["logp"], sb["logp"]):
                if p is not None and q is not None:
                    lx.append(p)
                    ly.append(q)
        ib = {(it["start"], it["end"]): it.get("u") for it in rb.get("items", [])}
        for it in ra.get("items", []):
            u2 = ib.get((it["start"], it["end"]))
            if it.get("u") is not None and u2 is not None:
                ux.append(it["u"])
                uy.append(u2)
                keys.append((rid, it["start"]))
    k = max(1, round(top_frac * len(ux)))
    top_a = {keys[i] for i in np.argsort(-np.asarray(ux), kind="mergesort")[:k]} if ux else set()
    top_b = {keys[i] for i in np.argsort(-np.asarray(uy), kind="mergesort")[:k]} if uy else set()
    return dict(tokens=len(lx), logp_pearson=corr(lx, ly), logp_spearman=corr(ranks(lx), ranks(ly)) if lx else None,
                mean_logp_scorer=float(np.mean(lx)) if lx else None,
                mean_logp_trainer=float(np.mean(ly)) if ly else None,
                items=len(ux), u_spearman=corr(ranks(ux), ranks(uy)) if ux else None, top_frac=top_frac,
                u_top_jaccard=len(top_a & top_b) / max(1, len(top_a | top_b)))


def file_sha(p):
    with open(p, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


# -- main -----------------------------------------------------------------------------------------
def parse_args(argv):
    ap = argparse.ArgumentParser(description="codeblock ablation harness (issues #17, #29)")
    ap.add_argument("--pool", required=True, help="training pool (a plain .jsonl file: it is split by line)")
    ap.add_argument("--out", required=True, help="output directory (split, analyses, packs, runs, results.json)")
    ap.add_argument("--quick", action="store_true", help="≤ 90 s smoke run with assertions (see the docstring)")
    ap.add_argument("--model-dir", default=DEFAULT_MODEL_DIR, help="the scorer: the reference LM analyze uses")
    ap.add_argument("--train-model-dir", default=SECOND_MODEL_DIR,
                    help="the model the arms fine-tune (default tools/ablate/second-model; the scorer's dir makes "
                         "the trained model the scorer, which the report flags)")
    ap.add_argument("--eval", action="append", help="eval file(s); default ../shared/data mbpp + humaneval markdown")
    ap.add_argument("--arms", help=f"comma-separated arms (default {','.join(DEFAULT_ARMS)}; known "
                                   f"{','.join(ARM_NAMES)}; `all`)")
    ap.add_argument("--arm", action="append", default=[], metavar="NAME=SELECT-ARGS",
                    help="an extra sparse arm: its `codeblock select` arguments, e.g. "
                         "--arm 'cb-x=--mode codeblock --some-flag v' (repeatable)")
    ap.add_argument("--compare", help="comma-separated A:B pairs (default: the COMPARISONS family; extra --arm "
                                      "arms are compared with codeblock and random-items)")
    ap.add_argument("--budget", type=float, help="select --budget (default: select's 0.019)")
    for k, v in DEFAULTS.items():
        ap.add_argument("--" + k.replace("_", "-"), type=type(v), default=None, help=f"default {v} (--quick: "
                        f"{QUICK.get(k, v)})")
    ap.add_argument("--device", default="auto", help="auto (cuda when present) | cpu | cuda")
    ap.add_argument("--autocast", default="auto", choices=["auto", "bf16", "none"],
                    help="auto: bf16 on CUDA with bf16 or a CPU with AMX/AVX512-BF16, else fp32")
    ap.add_argument("--report", help="markdown report path (default docs/ablation.md for a default-size run; "
                                     "--quick: OUT/ablation.md; other sizes: OUT/ablation.md)")
    ap.add_argument("--no-report", action="store_true")
    a = ap.parse_args(argv)
    a.cuda_defaults = [k for k in CUDA if getattr(a, k) is None]
    a.given = sorted(k for k in DEFAULTS if getattr(a, k) is not None)
    for k, v in DEFAULTS.items():
        if getattr(a, k) is None:
            setattr(a, k, QUICK.get(k, v) if a.quick else v)
    try:
        a.lr_grid = sorted({float(x) for x in a.lrs.split(",") if x.strip()})
    except ValueError:
        raise SystemExit(f"--lrs: not a comma-separated list of numbers: {a.lrs}")
    if not a.lr_grid or min(a.lr_grid) <= 0:
        raise SystemExit(f"--lrs: need at least one positive learning rate, got {a.lrs}")
    return a


def lr_key(lr):
    return f"{lr:g}"


def pick_arms(a):
    arms = {x["name"]: x for x in ARMS}
    for spec in a.arm:
        name, sep, args = spec.partition("=")
        if not sep or not name or not args.strip() or name in arms or not re.fullmatch(r"[A-Za-z0-9._-]+", name):
            raise SystemExit(f"--arm: expected a new NAME=SELECT-ARGS (name of letters, digits, . _ -), got {spec!r}")
        arms[name] = arm(name, shlex.split(args), f"extra arm: `select {args.strip()}`")
    extra = [s.partition("=")[0] for s in a.arm]
    if a.arms in (None, ""):
        names = DEFAULT_ARMS + extra
    elif a.arms == "all":
        names = ARM_NAMES + extra
    else:
        names = [x for x in a.arms.split(",") if x]
        unknown = [x for x in names if x not in arms]
        if unknown:
            raise SystemExit(f"unknown arms {unknown}; known: {list(arms)}")
        names += [x for x in extra if x not in names]
    names = list(dict.fromkeys(names))
    names = (["full"] if "full" in names else []) + [x for x in names if x != "full"]
    return [arms[x] for x in names]


def pick_comparisons(a, names):
    if a.compare:
        pairs = []
        for p in a.compare.split(","):
            x, sep, y = p.partition(":")
            if not sep or x not in names or y not in names or x == y:
                raise SystemExit(f"--compare: {p!r} is not A:B of two different arms of this run ({names})")
            pairs.append((x, y))
        return pairs
    pairs = [(x, y) for x, y in COMPARISONS if x in names and y in names]
    for s in a.arm:
        n = s.partition("=")[0]
        pairs += [(n, y) for y in ("codeblock", "random-items") if y in names]
    return pairs


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
    train_dir = os.path.abspath(a.train_model_dir)
    for d, what in ((model_dir, "--model-dir"), (train_dir, "--train-model-dir")):
        if not all(os.path.exists(os.path.join(d, f)) for f in ("model.onnx", "config.json", "tokenizer.json")):
            raise SystemExit(f"{what} {rel(d)}: no model.onnx + config.json + tokenizer.json there"
                             + (" (build it: tools/ablate/README.md, 'The second model')" if d == SECOND_MODEL_DIR
                                else ""))
    if file_sha(os.path.join(model_dir, "tokenizer.json")) != file_sha(os.path.join(train_dir, "tokenizer.json")):
        raise SystemExit("--train-model-dir has another tokenizer than --model-dir: the packs, scored with the "
                         "scorer's token ids, need the same one")
    same_model = file_sha(os.path.join(model_dir, "model.onnx")) == file_sha(os.path.join(train_dir, "model.onnx"))
    cfg = read_config(train_dir)
    n_ctx = cfg["max_position_embeddings"]
    if a.max_len > n_ctx:
        raise SystemExit(f"--max-len {a.max_len} exceeds the model context {n_ctx}")
    evals_in = a.eval or [os.path.join(SHARED, "mbpp-markdown.jsonl"), os.path.join(SHARED, "humaneval-markdown.jsonl")]
    for f in evals_in + [a.pool]:
        if not os.path.exists(f):
            raise SystemExit(f"no such file: {f}")
    if not a.pool.endswith(".jsonl"):
        raise SystemExit(f"--pool must be a plain .jsonl file (it is split by line), got {a.pool}")
    arms = pick_arms(a)
    names = [x["name"] for x in arms]
    comparisons = pick_comparisons(a, names)
    sparse_steps = max(1, round(a.full_steps * a.sparse_ratio))
    seeds = list(range(1, a.seeds + 1))
    wall = {}
    source = source_state()  # before anything runs: what the figures come from
    log(f"device {device}, autocast {ac}, threads {a.threads}; scorer {rel(model_dir)}, trained {rel(train_dir)}"
        f"{' (the same model!)' if same_model else ''}; arms {names}; lrs {a.lr_grid}; steps full {a.full_steps}, "
        f"sparse {sparse_steps}; seeds {seeds}")

    # 0. split
    split, split_counts = split_pool(os.path.abspath(a.pool), out, a)
    log(f"split {split_counts}")

    # 1. analyses (scorer; trainer for the distance)
    t = time.time()
    analyses = {}
    for pf in sorted({x["analysis"] for x in arms}):
        d = os.path.join(out, "analysis" if pf == "on" else "analysis-pf-off")
        sh([CLI, "analyze", split["train"], "-o", d, "--model", model_dir, "--pair-filter", pf,
            "--workers", str(a.workers)], quiet=False)
        analyses[pf] = d
    wall["analyze_s"] = round(time.time() - t, 2)
    t = time.time()
    distance = None
    if not same_model:
        d = os.path.join(out, "analysis-trainer")
        sh([CLI, "analyze", split["train"], "-o", d, "--model", train_dir, "--workers", str(a.workers)], quiet=False)
        distance = model_distance(analyses.get("on") or next(iter(analyses.values())), d)
        log(f"scorer vs trained model on the train split: log-p Spearman {distance['logp_spearman']:.3f}, "
            f"item-U Spearman {distance['u_spearman']:.3f}, top-10% U Jaccard {distance['u_top_jaccard']:.3f}")
    wall["distance_s"] = round(time.time() - t, 2)

    # 2. selects
    t = time.time()
    packs = {}
    tok = os.path.join(train_dir, "tokenizer.json")
    for x in arms:
        for s in (seeds if x["per_seed"] else [0]):
            d = os.path.join(out, "packs", x["name"] if not x["per_seed"] else f"{x['name']}-seed{s}")
            fmt = "bin,jsonl" if x["name"] == "full" else "bin"
            cmd = [CLI, "select", analyses[x["analysis"]], "-o", d, *x["select"], "--format", fmt,
                   "--max-len", str(a.max_len), "--tokenizer", tok, "--template", TEMPLATE, "--seed", str(s),
                   "--workers", str(a.workers)]
            if a.budget is not None and "full" not in x["select"]:
                cmd += ["--budget", str(a.budget)]
            sh(cmd, quiet=False)
            packs[(x["name"], s)] = d
    if ("full", 0) not in packs:  # the checks below need full packs even when the full arm is not trained
        d = os.path.join(out, "packs", "full-check")
        sh([CLI, "select", analyses[arms[0]["analysis"]], "-o", d, "--mode", "full", "--format", "bin,jsonl",
            "--max-len", str(a.max_len), "--tokenizer", tok, "--template", TEMPLATE, "--workers", str(a.workers)])
        packs[("full", 0)] = d
    wall["select_s"] = round(time.time() - t, 2)

    # 3. checks on the packs themselves: packed = unpacked gradients, torch = ONNX scorer log-probs
    t = time.time()
    n_check = 2  # packs per float64 gradient check
    checks = {"grad_full": check_packs(packs[("full", 0)], train_dir, max_packs=n_check)}
    if ("codeblock", 0) in packs:
        checks["grad_codeblock"] = check_packs(packs[("codeblock", 0)], train_dir, max_packs=n_check)
    checks["logprobs"] = check_logprobs(analyses[arms[0]["analysis"]], os.path.join(packs[("full", 0)],
                                                                                     "samples.jsonl"), model_dir)
    wall["checks_s"] = round(time.time() - t, 2)
    log(f"gradient check ok (max diff {checks['grad_full']['grad_max_diff_unpacked']:.1e}); "
        f"log-probs vs ONNX {checks['logprobs']['logp_max_diff']:.1e}")

    # 4. eval sets (val and test slices of the pool, the eval files) + the untrained models
    t = time.time()
    evals = [prepare_eval(split["val"], "pool-val", out, a, train_dir, n_ctx, a.slice_max),
             prepare_eval(split["test"], "pool-test", out, a, train_dir, n_ctx, a.slice_max)]
    evals += [prepare_eval(f, os.path.splitext(os.path.basename(f))[0], out, a, train_dir, n_ctx, a.eval_max)
              for f in evals_in]
    test_sets = [e["name"] for e in evals if e["name"] != "pool-val"]
    untrained, untrained_kind = {}, {}
    for who, d in (("trained", train_dir), ("scorer", model_dir)):
        m = load_model(d, device=device)
        ev = {e["name"]: evaluate(m, e, device, ac, a.eval_batch_tokens) for e in evals}
        untrained[who] = {k: v["nll"] for k, v in ev.items()}
        untrained_kind[who] = {k: v["kinds"] for k, v in ev.items()}
        del m
    wall["eval_prep_s"] = round(time.time() - t, 2)
    log("untrained NLL (trained model) " + ", ".join(f"{k} {v:.4f}" for k, v in untrained["trained"].items()))

    # 5. runs: arm × lr × seed, cached
    t = time.time()
    hp = {k: getattr(a, k) for k in ("batch_packs", "micro_packs", "warmup_frac", "min_lr_ratio", "weight_decay",
                                      "grad_clip")}
    planned = sum((a.full_steps if x["steps"] == "full" else sparse_steps) for x in arms) * len(seeds) * len(a.lr_grid)
    done, done_steps = 0, 0
    eval_key = [[e["name"], e["code_tokens"], e["kind_tokens"]] for e in evals]
    model_sha = file_sha(os.path.join(train_dir, "model.onnx"))[:16]
    results_arms = {}
    for x in arms:
        name = x["name"]
        steps = a.full_steps if x["steps"] == "full" else sparse_steps
        grid, man0 = {}, None
        for lr in a.lr_grid:
            runs = []
            for s in seeds:
                pd = packs[(name, s if x["per_seed"] else 0)]
                man = json.load(open(os.path.join(pd, "manifest.json")))
                man0 = man0 or man
                key = hashlib.sha256(json.dumps([name, x["select"], s, lr, steps, hp, str(ac), device, model_sha,
                                                 [f["sha256"] for f in man["files"]], eval_key],
                                                sort_keys=True).encode()).hexdigest()[:16]
                cache = os.path.join(out, "runs", f"{name}-lr{lr_key(lr)}-seed{s}.json")
                if os.path.exists(cache):
                    r = json.load(open(cache))
                    if r.get("key") == key:
                        runs.append(r)
                        done_steps += steps
                        continue
                r = train_run(load_rows(pd), steps, s, lr, a, train_dir, device, ac, evals)
                r["key"] = key
                os.makedirs(os.path.dirname(cache), exist_ok=True)
                with open(cache + ".tmp", "w") as fh:
                    json.dump(r, fh)
                os.replace(cache + ".tmp", cache)
                runs.append(r)
                done += steps
                done_steps += steps
                el = time.time() - t
                log(f"{name} lr {lr_key(lr)} seed {s}: {steps} steps, loss {r['loss_first']:.3f} → "
                    f"{r['loss_last']:.3f}, " + ", ".join(f"{k} {v:.4f}" for k, v in r["nll"].items())
                    + f" ({r['train_s']:.0f}+{r['eval_s']:.0f} s; {r['tokens_per_s']:.0f} tok/s; "
                    f"≈{el / done * (planned - done_steps) / 60:.1f} min left)")
            grid[lr_key(lr)] = dict(lr=lr, runs=runs, nll={e["name"]: mean_std([r["nll"][e["name"]] for r in runs])
                                                           for e in evals})
        chosen = min(grid, key=lambda k: (grid[k]["nll"]["pool-val"]["mean"], grid[k]["lr"]))
        runs = grid[chosen]["runs"]
        kinds = {}
        for sname in test_sets:
            kinds[sname] = {}
            for kname in KIND_NAMES:
                v = [r["nll_kind"][sname][kname] for r in runs if kname in r["nll_kind"][sname]]
                if len(v) == len(runs) and v:
                    kinds[sname][kname] = mean_std(v)
        results_arms[name] = dict(
            select=x["select"], text=x["text"], mode=(x["select"][x["select"].index("--mode") + 1]
                                                       if "--mode" in x["select"] else "codeblock"),
            pair_filter=x["analysis"], steps=steps, selected_per_seed=x["per_seed"],
            packs_dir=rel(packs[(name, seeds[0] if x["per_seed"] else 0)]),
            data=dict(selected=man0["counts"]["selected"], packs=man0["packing"]["packs"],
                      tokens=man0["packing"]["tokens"], supervised=man0["tokens"]["supervised"],
                      response=man0["tokens"]["response"], ratio=man0["tokens"]["ratio"],
                      supervised_nl=man0["tokens"]["supervised_nl"], supervised_eos=man0["tokens"]["supervised_eos"],
                      rejected=man0["counts"]["rejected"]),
            grid={k: dict(lr=v["lr"], nll=v["nll"]) for k, v in grid.items()},
            grid_runs={k: v["runs"] for k, v in grid.items()},
            chosen_lr=grid[chosen]["lr"], runs=runs, nll=grid[chosen]["nll"], nll_kind=kinds)
    wall["train_eval_s"] = round(time.time() - t, 2)

    # 6. the family of paired comparisons, Holm-corrected
    comps = []
    for x, y in comparisons:
        for sname in test_sets:
            va = {r["seed"]: r["nll"][sname] for r in results_arms[x]["runs"]}
            vb = {r["seed"]: r["nll"][sname] for r in results_arms[y]["runs"]}
            p = paired(va, vb)
            if p:
                comps.append(dict(a=x, b=y, set=sname, lr_a=results_arms[x]["chosen_lr"],
                                  lr_b=results_arms[y]["chosen_lr"], **p))
    adj, rej = holm([c["p"] for c in comps], alpha=0.05)
    for c, p_adj, r in zip(comps, adj, rej):
        c["p_holm"], c["rejected"] = p_adj, r
    wall["total_s"] = round(time.time() - t_start, 2)

    tcfg = read_config(train_dir)
    results = dict(
        issue=29, quick=a.quick, command="/usr/bin/python3 tools/ablate/run.py " + " ".join(argv),
        pool=rel(os.path.abspath(a.pool)), pool_records=a.pool_records or None, template=rel(TEMPLATE),
        split=dict(counts=split_counts, val_frac=a.val_frac, test_frac=a.test_frac, slice_max=a.slice_max),
        model=dict(dir=rel(train_dir), params=param_count(load_model(train_dir)),
                   **{k: cfg[k] for k in ("vocab_size", "n_layer", "num_attention_heads", "hidden_size",
                                          "intermediate_size", "max_position_embeddings")},
                   train_steps=tcfg.get("codeblock", {}).get("train_steps"), meta=tcfg.get("codeblock", {})),
        scorer=dict(dir=rel(model_dir), same_as_trained=same_model,
                    train_steps=read_config(model_dir).get("codeblock", {}).get("train_steps"),
                    meta=read_config(model_dir).get("codeblock", {})),
        distance=distance, heldout=(json.load(open(os.path.join(train_dir, "heldout.json")))
                                    if os.path.exists(os.path.join(train_dir, "heldout.json")) else None),
        sizes=dict(seeds=seeds, lrs=a.lr_grid, full_steps=a.full_steps, sparse_steps=sparse_steps,
                   sparse_ratio=a.sparse_ratio, max_len=a.max_len, eval_max=a.eval_max, slice_max=a.slice_max,
                   eval_batch_tokens=a.eval_batch_tokens, budget=a.budget, pool_records=a.pool_records, **hp),
        given=a.given, runtime=dict(device=device, autocast=str(ac).replace("torch.", ""), threads=a.threads,
                                    workers=a.workers, torch=torch.__version__, python=platform.python_version(),
                                    cpu=cpu_model()),
        source=source, finished=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), wall=wall, checks=checks,
        eval={e["name"]: dict(file=e["file"], records=e["records"], samples=len(e["samples"]),
                              code_tokens=e["code_tokens"], prompt_echoes=e["prompt_echoes"], rejected=e["rejected"],
                              kind_tokens=e["kind_tokens"]) for e in evals},
        test_sets=test_sets, kinds=KIND_NAMES, untrained=untrained["trained"], untrained_kind=untrained_kind,
        untrained_scorer=untrained["scorer"], arms=results_arms, comparisons=comps, defaults=DEFAULTS,
        arm_table=[dict(name=x["name"], select=x["select"], analysis=x["analysis"], steps=x["steps"],
                        per_seed=x["per_seed"]) for x in arms])
    failures = assert_learns(results) if a.quick else []
    results["quick_checks"] = (dict(failures=failures, untrained_pooled=pooled(results["untrained"], results),
                                    full_pooled=[pooled(r["nll"], results) for r in results_arms["full"]["runs"]])
                               if a.quick and "full" in results_arms else None)
    with open(os.path.join(out, "results.json.tmp"), "w") as fh:
        json.dump(results, fh, indent=1)
    os.replace(os.path.join(out, "results.json.tmp"), os.path.join(out, "results.json"))
    if not a.no_report:
        sized = [k for k in a.given if k not in ("threads", "workers", "eval_batch_tokens", "micro_packs")
                 and str(getattr(a, k)) != str(DEFAULTS[k])]
        default_size = not a.quick and not sized and not a.arm and a.arms is None and a.compare is None
        md = a.report or (os.path.join(REPO, "docs", "ablation.md") if default_size
                          else os.path.join(out, "ablation.md"))
        report.write(results, md)
        log(f"wrote {rel(md)}")
    log(f"wrote {rel(os.path.join(out, 'results.json'))}; {wall['total_s']:.0f} s")
    if failures:
        log("FAILED: " + "; ".join(failures))
        return 1
    return 0


def pooled(nll, res):
    """Code-token NLL pooled over the test sets (token-weighted)."""
    ev = res["eval"]
    ks = [k for k in res["test_sets"] if k in nll]
    n = sum(ev[k]["code_tokens"] for k in ks)
    return sum(nll[k] * ev[k]["code_tokens"] for k in ks) / max(n, 1)


def assert_learns(res):
    """--quick: the harness learns (full's loss falls; pooled test NLL finite and below the untrained model's)."""
    fails = []
    base = pooled(res["untrained"], res)
    if "full" not in res["arms"]:
        fails.append("--quick needs the full arm")
    for r in res["arms"].get("full", {}).get("runs", []):
        c = r["loss_curve"]
        k = max(1, len(c) // 4)
        if not sum(c[-k:]) / k < sum(c[:k]) / k:
            fails.append(f"full seed {r['seed']}: loss does not fall ({c[:k]} … {c[-k:]})")
        v = pooled(r["nll"], res)
        if not (math.isfinite(v) and v < base):
            fails.append(f"full seed {r['seed']} lr {r['lr']}: pooled test NLL {v} not below the untrained {base}")
    for name, arm_ in res["arms"].items():
        for runs in arm_["grid_runs"].values():
            for r in runs:
                if not all(math.isfinite(v) for v in list(r["nll"].values()) + r["loss_curve"]):
                    fails.append(f"{name} lr {r['lr']} seed {r['seed']}: non-finite loss or NLL")
    return fails


if __name__ == "__main__":
    sys.exit(main())
