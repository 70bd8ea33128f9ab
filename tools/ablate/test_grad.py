"""Gradient and training checks of the ablation harness on output written by a real `codeblock select`.

    /usr/bin/python3 tools/ablate/test_grad.py [--model-dir models/default] [--pool examples/pool.jsonl]

1. Packs: `bin/codeblock analyze POOL` (the default reference LM scores it) and `bin/codeblock select
   --format bin,jsonl,samples --tokenizer MODEL/tokenizer.json --template tools/ablate/plain-eot.jinja` for
   `--mode full` and `--mode codeblock`, in a temporary directory; read back through the shared Python reader
   (python/codeblock_sft, via packs.py, which validates every documented invariant of the format and checks the
   files against manifest.json).
2. Gradients (float64): the loss of loss.py on the packs batched as packs (block-diagonal attention,
   position_ids restarting per sample) equals — value and gradient of every parameter, max abs diff
   ≤ 1e-5 — the loss on the same samples unpacked (one padded row per sample), and the same packs cut
   into one micro-batch per pack (global normalization by the step's supervised count). A control
   run with ordinary causal attention over the whole pack (cross-sample attention allowed) must
   differ, so the check can fail.
2b. Training (`check_training`, float64): a few SGD steps on the same samples batched three ways — the packs,
   the per-sample output (samples.parquet when pyarrow is installed, samples.jsonl always), and the packs
   unpacked — give the same loss at every step (≤ 1e-6), and the loss falls: packing and the per-sample output
   change nothing about what the model learns. Every per-sample row is matched to its sample in the packs (same
   input_ids and labels).
3. Weights: model.py's torch model, loaded from model.onnx's initializers with config.json's shape,
   reproduces the log-probs the ONNX scorer (onnxruntime, in `analyze`) stored in the analysis for
   each response token (the template frames a sample exactly like the scorer: BOS + prompt + "\n" +
   response), max abs diff ≤ 2e-4.
Exit 0 when all hold; prints the figures as one JSON line (`check_packs` is used by run.py --quick).
"""
import argparse
import glob
import gzip
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import numpy as np  # noqa: E402
import torch  # noqa: E402

from loss import accumulate, collate  # noqa: E402
from model import DEFAULT_MODEL_DIR, REPO, load_model  # noqa: E402
from packs import Packs, codeblock_sft  # noqa: E402

CLI = os.path.join(REPO, "bin", "codeblock")
TEMPLATE = os.path.join(HERE, "plain-eot.jinja")
TOL_GRAD = 1e-5
TOL_LOGP = 2e-4


def grads_of(model, micro_batches):
    model.zero_grad(set_to_none=True)
    loss, n = accumulate(model, micro_batches, autocast_dtype=None, loss_dtype=torch.float64)
    g = {k: p.grad.detach().clone() for k, p in model.named_parameters() if p.grad is not None}
    return loss, n, g


def max_diff(ga, gb):
    assert ga.keys() == gb.keys(), "different parameters got gradients"
    return max(float((ga[k] - gb[k]).abs().max()) for k in ga)


def check_packs(packs_dir, model_dir=DEFAULT_MODEL_DIR, max_packs=4, max_elements=1 << 24, control=True):
    """Packed vs unpacked vs per-pack micro-batches, float64. Returns a dict of figures (raises on failure)."""
    torch.manual_seed(0)
    model = load_model(model_dir, dtype=torch.float64)
    pad = int(model.config.get("pad_token_id", model.config["vocab_size"] - 1))
    p = Packs(packs_dir)
    # the packs with the most samples (cross-sample leakage shows there), at most max_packs, while the
    # attention scores of both batches (rows × heads × T², float64) stay under max_elements
    heads = model.config["num_attention_heads"]
    order, rows_t, samp = [], [], []
    for i in sorted(range(len(p)), key=lambda i: (-len(p[i]["seq_lens"]), i)):
        lens = [int(x) for x in p[i]["seq_lens"]]
        t2, s2 = rows_t + [sum(lens)], samp + lens
        if order and (len(order) >= max_packs or max(len(t2) * max(t2) ** 2, len(s2) * max(s2) ** 2) * heads
                      > max_elements):
            break
        order, rows_t, samp = order + [i], t2, s2
    if not order:
        raise AssertionError(f"{packs_dir}: no packs")
    rows = [p[i] for i in order]
    samples = [s for i in order for s in p.samples(i)]
    if sum(len(r["seq_lens"]) for r in rows) <= len(rows):
        raise AssertionError("no pack holds two samples: the check would not test the packing")
    packed = collate(rows, pad)
    unpacked = collate(samples, pad)
    per_pack = [collate([r], pad) for r in rows]
    lp, n_p, gp = grads_of(model, [packed])
    lu, n_u, gu = grads_of(model, [unpacked])
    lm, n_m, gm = grads_of(model, per_pack)
    assert n_p == n_u == n_m == sum(r["num_supervised"] for r in rows) > 0
    out = dict(packs=len(rows), samples=len(samples), supervised=n_p, pack_tokens=int(packed["input_ids"].numel()),
               loss=lp, loss_diff_unpacked=abs(lp - lu), loss_diff_micro=abs(lp - lm),
               grad_max_diff_unpacked=max_diff(gp, gu), grad_max_diff_micro=max_diff(gp, gm),
               grad_max_abs=max(float(g.abs().max()) for g in gp.values()))
    if control:
        leaky = dict(packed, segment_ids=torch.where(packed["segment_ids"] >= 0, 0, -1))
        _, _, gl = grads_of(model, [leaky])
        out["grad_max_diff_cross_attention_control"] = max_diff(gp, gl)
    bad = [k for k in ("grad_max_diff_unpacked", "grad_max_diff_micro", "loss_diff_unpacked", "loss_diff_micro")
           if not out[k] <= TOL_GRAD]
    if bad:
        raise AssertionError(f"gradient check failed ({bad}): {json.dumps(out)}")
    if control and not out["grad_max_diff_cross_attention_control"] > 100 * TOL_GRAD:
        raise AssertionError(f"the cross-attention control does not differ: {json.dumps(out)}")
    return out


def sample_formats():
    """The per-sample formats this Python can read: samples (pyarrow) and jsonl; and why one is not."""
    try:
        import pyarrow.parquet  # noqa: F401
        return ["samples", "jsonl"], None
    except ImportError:
        return ["jsonl"], "samples.parquet not read: pyarrow is not installed"


def check_training(out_dir, model_dir=DEFAULT_MODEL_DIR, steps=3, lr=0.05, max_packs=3, max_elements=1 << 24,
                   formats=None):
    """SGD steps on packs vs per-sample output vs unpacked packs, float64: equal losses at every step."""
    p = Packs(out_dir)
    fmts, skipped = (formats, None) if formats else sample_formats()
    heads = load_model(model_dir, dtype=torch.float64).config["num_attention_heads"]
    order, rows_t, samp = [], [], []
    for i in sorted(range(len(p)), key=lambda i: (-len(p[i]["seq_lengths"]), i)):
        lens = [int(x) for x in p[i]["seq_lengths"]]
        t2, s2 = rows_t + [sum(lens)], samp + lens
        if order and (len(order) >= max_packs or max(len(t2) * max(t2) ** 2, len(s2) * max(s2) ** 2) * heads
                      > max_elements):
            break
        order, rows_t, samp = order + [i], t2, s2
    packs = [p[i] for i in order]
    unpacked = [s for i in order for s in p.samples(i)]
    if len(unpacked) <= len(packs):
        raise AssertionError("no pack holds two samples: the check would not test the packing")
    batches = {"packed": packs, "unpacked": unpacked}
    rows_read = {}
    for fmt in fmts:
        rows = codeblock_sft.open_samples(out_dir, format=fmt)
        if len(rows) != p.num_samples:
            raise AssertionError(f"{fmt}: {len(rows)} per-sample rows, the packs hold {p.num_samples} samples")
        by_ids = {}
        for r in rows:
            by_ids.setdefault(r["input_ids"].tobytes(), []).append(r)
        mine = []
        for s in unpacked:
            cands = by_ids.get(np.asarray(s["input_ids"], dtype=np.int32).tobytes(), [])
            if not cands:
                raise AssertionError(f"{fmt}: a sample of the packs is not among the per-sample rows")
            r = cands.pop(0)
            if not np.array_equal(r["labels"], s["labels"]) or not np.all(r["attention_mask"] == 1):
                raise AssertionError(f"{fmt}: row {r['id']} differs from its sample in the packs")
            mine.append(dict(input_ids=r["input_ids"], labels=r["labels"],
                             position_ids=np.arange(len(r["input_ids"]), dtype=np.int32)))
        batches[f"per_sample_{fmt}"] = mine
        rows_read[fmt] = len(rows)
    pad = None
    losses = {}
    for name, rows in batches.items():
        torch.manual_seed(0)
        model = load_model(model_dir, dtype=torch.float64)
        pad = int(model.config.get("pad_token_id", model.config["vocab_size"] - 1))
        batch = collate(rows, pad)
        opt = torch.optim.SGD(model.parameters(), lr=lr)
        curve = []
        for _ in range(steps):
            opt.zero_grad(set_to_none=True)
            loss, n = accumulate(model, [batch], autocast_dtype=None, loss_dtype=torch.float64)
            opt.step()
            curve.append(loss)
        losses[name] = curve
    ref = losses["unpacked"]
    out = dict(packs=len(packs), samples=len(unpacked), steps=steps, per_sample_rows=rows_read,
               losses=losses, max_loss_diff=max(abs(a - b) for c in losses.values() for a, b in zip(c, ref)))
    if skipped:
        out["skipped"] = skipped
    if not out["max_loss_diff"] <= 1e-6:
        raise AssertionError(f"training check failed (losses differ): {json.dumps(out)}")
    if not ref[-1] < ref[0]:
        raise AssertionError(f"training check failed (the loss does not fall): {json.dumps(out)}")
    return out


def analysis_records(analysis_dir):
    recs = {}
    for f in sorted(glob.glob(os.path.join(analysis_dir, "shard-*", "part-*.records.jsonl.gz"))):
        with gzip.open(f, "rt", encoding="utf-8") as fh:
            for line in fh:
                r = json.loads(line)
                recs[r["id"]] = r
    return recs


@torch.no_grad()
def check_logprobs(analysis_dir, samples_jsonl, model_dir=DEFAULT_MODEL_DIR, max_samples=8):
    """torch (ONNX initializers) vs the scorer's stored log-probs on the response tokens of a few samples."""
    model = load_model(model_dir, dtype=torch.float32)
    recs = analysis_records(analysis_dir)
    worst, matched, total, n_samples = 0.0, 0, 0, 0
    with open(samples_jsonl, encoding="utf-8") as fh:
        for line in fh:
            s = json.loads(line)
            r = recs.get(s["id"])
            if r is None or not r.get("scorer") or len(s["input_ids"]) > model.n_ctx:
                continue
            text, resp = s["text"], r["response"]
            start = text.rfind(resp)
            assert start >= 0, f"{s['id']}: response not found in the templated text"
            ids = torch.tensor(s["input_ids"])[None]
            logp = -torch.nn.functional.cross_entropy(model(ids, position_ids=torch.arange(ids.shape[1])[None])[0, :-1],
                                                      ids[0, 1:], reduction="none")
            by_span = {}
            for t in range(1, len(s["input_ids"])):
                a, b = s["offsets"][t]
                by_span.setdefault((a - start, b - start), float(logp[t - 1]))
            spans, ref = r["scorer"]["spans"], r["scorer"]["logp"]
            for j, lp in enumerate(ref):
                total += 1
                key = (spans[2 * j], spans[2 * j + 1])
                if lp is None or key not in by_span:
                    continue
                matched += 1
                worst = max(worst, abs(by_span[key] - lp))
            n_samples += 1
            if n_samples >= max_samples:
                break
    out = dict(logp_samples=n_samples, logp_tokens=total, logp_matched=matched, logp_max_diff=worst)
    if n_samples == 0 or matched < 0.9 * total or not worst <= TOL_LOGP:
        raise AssertionError(f"log-prob check failed: {json.dumps(out)}")
    return out


def run(cmd):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {r.returncode}:\n{r.stdout}")
    return r.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model-dir", default=DEFAULT_MODEL_DIR)
    ap.add_argument("--pool", default=os.path.join(REPO, "examples", "pool.jsonl"))
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    cfg = json.load(open(os.path.join(args.model_dir, "config.json")))
    with tempfile.TemporaryDirectory(prefix="codeblock-ablate-grad-") as work:
        a = os.path.join(work, "analysis")
        run([CLI, "analyze", args.pool, "-o", a, "--workers", "1", "--model", args.model_dir])
        figures = {}
        for mode in ("full", "codeblock"):
            o = os.path.join(work, mode)
            run([CLI, "select", a, "-o", o, "--mode", mode, "--format", "bin,jsonl,samples", "--workers", "1",
                 "--max-len", str(min(512, cfg["max_position_embeddings"])),
                 "--tokenizer", os.path.join(args.model_dir, "tokenizer.json"), "--template", TEMPLATE])
            figures[mode] = check_packs(o, args.model_dir)
            figures[f"training_{mode}"] = check_training(o, args.model_dir)
        figures["logprobs"] = check_logprobs(a, os.path.join(work, "full", "samples.jsonl"), args.model_dir)
    print(json.dumps(figures))
    print(f"ok: packed = unpacked gradients (max abs diff {figures['full']['grad_max_diff_unpacked']:.2e} full, "
          f"{figures['codeblock']['grad_max_diff_unpacked']:.2e} codeblock; tolerance {TOL_GRAD}); torch reproduces "
          f"the ONNX scorer's log-probs to {figures['logprobs']['logp_max_diff']:.2e}; {figures['training_codeblock']['steps']} "
          f"SGD steps on packs = per-sample output ({', '.join(figures['training_codeblock']['per_sample_rows'])}) = "
          f"unpacked (max loss diff {figures['training_codeblock']['max_loss_diff']:.1e})")


if __name__ == "__main__":
    main()
