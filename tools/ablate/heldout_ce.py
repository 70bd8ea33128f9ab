"""Held-out cross-entropy of the scorer and of the second model on the training corpus's val split.

    /usr/bin/python3 tools/ablate/heldout_ce.py WORK [--windows 256] [--scorer models/default]
                                                     [--trained tools/ablate/second-model]

WORK/val.bin is tools/train/encode_corpus.mjs's val split (every 50th file of each source, never trained on by
either model). Both models are loaded from their ONNX weights (tools/ablate/model.py) and scored on the same
evenly spaced 256-token windows (positions 0..255), fp32. Writes TRAINED/heldout.json, which run.py reports.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np  # noqa: E402
import torch  # noqa: E402

from model import DEFAULT_MODEL_DIR, REPO, load_model  # noqa: E402

SECOND = os.path.join(os.path.dirname(os.path.abspath(__file__)), "second-model")


@torch.no_grad()
def ce(model, val, starts, L):
    tot, n = 0.0, 0
    for s in starts:
        chunk = torch.from_numpy(val[s:s + L + 1].astype(np.int64))[None]
        x, y = chunk[:, :-1], chunk[:, 1:]
        logits = model(x, position_ids=torch.arange(x.shape[1])[None])
        tot += float(torch.nn.functional.cross_entropy(logits[0].float(), y[0], reduction="sum"))
        n += y.numel()
    return tot / n, n


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("work")
    ap.add_argument("--windows", type=int, default=256)
    ap.add_argument("--seq-len", type=int, default=256)
    ap.add_argument("--scorer", default=DEFAULT_MODEL_DIR)
    ap.add_argument("--trained", default=SECOND)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    val = np.fromfile(os.path.join(a.work, "val.bin"), dtype=np.uint16)
    starts = np.linspace(0, len(val) - a.seq_len - 2, a.windows).astype(np.int64)
    out = dict(split="tools/train/filelist.txt val split" + (
        " (files missing on the machine skipped: " + open(os.path.join(a.work, "skipped.json")).read() + ")"
        if os.path.exists(os.path.join(a.work, "skipped.json")) else ""), windows=a.windows, seq_len=a.seq_len)
    for who, d in (("scorer", a.scorer), ("trained", a.trained)):
        m = load_model(d).eval()
        out[who] = dict(dir=os.path.relpath(os.path.abspath(d), REPO), ce=None)
        out[who]["ce"], out["tokens"] = ce(m, val, starts, a.seq_len)
    with open(os.path.join(a.trained, "heldout.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
