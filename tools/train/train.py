"""Train the default scorer LM on the tokenized stdlib corpus (see encode_corpus.mjs).

Usage: /usr/bin/python3 tools/train/train.py [workDir=/tmp/codeblock-train] [--resume] [--until=STEP]
                                            [--train-overrides=FILE.json]
--train-overrides: a JSON object merged over config.json's "train" (another seed, fewer steps: the ablation
harness's second model, tools/ablate/second-model.json), its "model" object over config.json's "model"; the
merged settings are written to <work>/train_overrides.json (export.py needs the same --layers/--d-model/...).
Writes <work>/ckpt.pt (and <work>/log.jsonl). Reproducible: seed + config.json + filelist.txt.
One invocation stops after max_wall_seconds; --resume continues from <work>/ckpt.pt on the same
step-based LR schedule (up to max_steps), with the data sampler re-seeded by (seed, step). A checkpoint
written without optimizer state (older runs) resumes with fresh AdamW moments.
"""
import json, math, os, sys, time
import numpy as np
import torch
import torch.nn.functional as F

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
from model import build

cfg = json.load(open(os.path.join(here, "config.json")))
tc = cfg["train"]
overrides = next((a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--train-overrides=")), None)
if overrides:
    ov = json.load(open(overrides))
    unknown = sorted(set(ov) - set(tc) - {"note", "model"}) + sorted(set(ov.get("model", {})) - set(cfg["model"]))
    if unknown:
        raise SystemExit(f"--train-overrides: unknown keys {unknown}")
    tc = {**tc, **{k: v for k, v in ov.items() if k not in ("note", "model")}}
    cfg["model"] = {**cfg["model"], **ov.get("model", {})}
args = [a for a in sys.argv[1:] if not a.startswith("--")]
resume = "--resume" in sys.argv
until = next((int(a.split("=", 1)[1]) for a in sys.argv[1:] if a.startswith("--until=")), None)
work = args[0] if args else "/tmp/codeblock-train"
if overrides:
    os.makedirs(work, exist_ok=True)
    json.dump({"train": tc, "model": cfg["model"]}, open(os.path.join(work, "train_overrides.json"), "w"), indent=1)
torch.set_num_threads(tc["num_threads"])
torch.manual_seed(tc["seed"])
rng = np.random.default_rng(tc["seed"])

train = np.fromfile(os.path.join(work, "train.bin"), dtype=np.uint16).astype(np.int64)
val = np.fromfile(os.path.join(work, "val.bin"), dtype=np.uint16).astype(np.int64)
V = cfg["tokenizer"]["vocab_size"]
model = build(cfg["model"], V)
n_params = sum(p.numel() for p in model.parameters())
print(f"params {n_params}  train tokens {len(train)}  val tokens {len(val)}", flush=True)

decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
opt = torch.optim.AdamW([{"params": decay, "weight_decay": tc["weight_decay"]},
                         {"params": no_decay, "weight_decay": 0.0}], lr=tc["lr"], betas=(0.9, 0.95))
L, B, n_ctx = tc["seq_len"], tc["batch_size"], cfg["model"]["n_ctx"]
# bf16 autocast: matmuls in bfloat16 (AMX/AVX512-BF16 make them ~25x faster than fp32 on recent x86 CPUs);
# weights, optimizer state and the loss stay fp32, and the exported ONNX model is fp32
amp = tc.get("autocast") == "bf16"


def forward(x, mask, pos):
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=amp):
        return model(x, mask, pos).float()
max_steps = tc["max_steps"]


def lr_at(step):
    if step < tc["warmup_steps"]:
        return tc["lr"] * (step + 1) / tc["warmup_steps"]
    frac = min(1.0, (step - tc["warmup_steps"]) / max(1, max_steps - tc["warmup_steps"]))
    return tc["lr"] * (tc["min_lr_ratio"] + (1 - tc["min_lr_ratio"]) * 0.5 * (1 + math.cos(math.pi * frac)))


def batch():
    starts = rng.integers(0, len(train) - L - 1, size=B)
    x = torch.from_numpy(np.stack([train[s:s + L + 1] for s in starts]))
    off = rng.integers(0, n_ctx - L + 1, size=B) if tc["random_position_offset"] else np.zeros(B, dtype=np.int64)
    pos = torch.from_numpy(off[:, None] + np.arange(L)[None, :])
    return x[:, :-1], x[:, 1:], pos


@torch.no_grad()
def evaluate(windows=None):
    """Mean CE (nats/token) of the validation split: all of it, or `windows` evenly spaced L-token windows."""
    model.eval()
    tot, n = 0.0, 0
    starts = range(0, len(val) - 1, L)
    if windows:
        starts = np.linspace(0, len(val) - L - 2, windows).astype(np.int64)
    for s in starts:
        chunk = torch.from_numpy(val[s:s + L + 1])[None]
        if chunk.shape[1] < 2:
            break
        x, y = chunk[:, :-1], chunk[:, 1:]
        logits = forward(x, torch.ones_like(x), torch.arange(x.shape[1])[None])
        tot += F.cross_entropy(logits[0], y[0], reduction="sum").item()
        n += y.numel()
    model.train()
    return tot / n


step = 0
if resume and not os.path.exists(os.path.join(work, "ckpt.pt")):
    print("no checkpoint yet: starting at step 0", flush=True)
    resume = False
if resume:
    ck = torch.load(os.path.join(work, "ckpt.pt"), map_location="cpu")
    model.load_state_dict(ck["model"])
    if "opt" in ck:
        opt.load_state_dict(ck["opt"])
    step = ck["step"]
    rng = np.random.default_rng([tc["seed"], step])
    print(f"resumed at step {step} (optimizer state {'restored' if 'opt' in ck else 'fresh'})", flush=True)

log = open(os.path.join(work, "log.jsonl"), "a")
t0 = time.time()
def keep_going():
    if until is not None:  # replay: stop exactly where a recorded run stopped, ignoring the wall clock
        return step < min(until, max_steps)
    return step < max_steps and time.time() - t0 < tc["max_wall_seconds"]


while keep_going():
    for g in opt.param_groups:
        g["lr"] = lr_at(step)
    x, y, pos = batch()
    logits = forward(x, torch.ones_like(x), pos)
    loss = F.cross_entropy(logits.reshape(-1, V), y.reshape(-1))
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), tc["grad_clip"])
    opt.step()
    step += 1
    if step % 10 == 0 or step % tc["ckpt_every"] == 0:
        rec = {"step": step, "loss": round(loss.item(), 4), "lr": lr_at(step), "t": round(time.time() - t0, 1)}
        if step % tc["eval_every"] == 0:
            rec["val_ce"] = round(evaluate(tc["eval_windows"]), 4)
        if step % tc["ckpt_every"] == 0:
            tmp = os.path.join(work, "ckpt.pt.tmp")
            torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "step": step}, tmp)
            os.replace(tmp, os.path.join(work, "ckpt.pt"))
        print(json.dumps(rec), flush=True)
        log.write(json.dumps(rec) + "\n"); log.flush()

vce = evaluate()
torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "step": step, "val_ce": vce, "params": n_params},
           os.path.join(work, "ckpt.pt"))
print(json.dumps({"done": True, "steps": step, "val_ce": vce, "seconds": round(time.time() - t0, 1)}), flush=True)
