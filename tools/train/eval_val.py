"""Held-out cross-entropy of the trained checkpoint per corpus source (the val split: every 50th file of each
source, never trained on), in nats/token, for models/README.md's per-language table (Go, Rust and the
other languages the responses of ../shared/data hold little or none of).

Usage: /usr/bin/python3 tools/train/eval_val.py [workDir=/tmp/codeblock-train]
Reads <work>/ckpt.pt, <work>/val.bin, <work>/val_sources.json (encode_corpus.mjs).
"""
import json, os, sys
import numpy as np
import torch
import torch.nn.functional as F

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
from model import build

work = sys.argv[1] if len(sys.argv) > 1 else "/tmp/codeblock-train"
cfg = json.load(open(os.path.join(here, "config.json")))
V = cfg["tokenizer"]["vocab_size"]
model = build(cfg["model"], V)
model.load_state_dict(torch.load(os.path.join(work, "ckpt.pt"), map_location="cpu")["model"])
model.eval()
torch.set_num_threads(cfg["train"]["num_threads"])
val = np.fromfile(os.path.join(work, "val.bin"), dtype=np.uint16).astype(np.int64)
sources = json.load(open(os.path.join(work, "val_sources.json")))
L = 512
out = {}
with torch.no_grad():
    for name, ranges in sources.items():
        tot, n = 0.0, 0
        for a, b in ranges:
            doc = val[a:b]
            for s in range(0, len(doc) - 1, L):
                chunk = torch.from_numpy(doc[s:s + L + 1])[None]
                if chunk.shape[1] < 2:
                    break
                x, y = chunk[:, :-1], chunk[:, 1:]
                logits = model(x, torch.ones_like(x), torch.arange(x.shape[1])[None])
                tot += F.cross_entropy(logits[0], y[0], reduction="sum").item()
                n += y.numel()
        out[name] = {"tokens": n, "ce": tot / max(1, n)}
        print(json.dumps({name: out[name]}), flush=True)
print("\n| source (held-out files) | tokens | CE nats/token |\n|---|---:|---:|")
for name, r in out.items():
    print(f"| {name} | {r['tokens']} | {r['ce']:.3f} |")
