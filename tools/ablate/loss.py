"""Batching and the sparse-supervision loss of the ablation harness.

The loss of one optimizer step, over its gradient-accumulation micro-batches m = 1..M:

    L_step = ( Σ_m Σ_{(b,t) ∈ sup(m)} CE(logits_m[b, t-1], labels_m[b, t]) ) / N_step
    N_step = Σ_m #{(b, t) : labels_m[b, t] ≠ -100}

- labels are aligned with input_ids and not pre-shifted (docs/formats.md): the label at position t
  is predicted from the logits at t-1 (`logits[:, :-1]` against `labels[:, 1:]`). The first token of
  every sample is never supervised, so no label of a pack is predicted across a sample boundary
  (packs.py checks it), and attention never crosses one (model.py's block-diagonal mask).
- Global normalization: the sum of token cross-entropies is divided by the number of supervised
  tokens of the whole step, not averaged per micro-batch or per pack. At ~2% density a per-batch
  mean would weight a pack with 3 supervised tokens like one with 300; with N_step every supervised
  token has the same weight, however the step is cut into micro-batches (test_grad.py checks both:
  packed = unpacked, and one batch = two micro-batches).
- Each micro-batch calls backward on (its CE sum) / N_step, so the accumulated gradient is ∇L_step.
  N_step is known before the forward passes (num_supervised is in the index).
- Logits are computed only at the positions that predict a supervised label (the tied head applied
  to those hidden states): the same loss, without the V-wide head on the ~98% unsupervised tokens.
- CE is computed in float32 (float64 in the gradient test) even under bf16 autocast.
"""
import numpy as np
import torch
import torch.nn.functional as F

IGNORE = -100


def collate(rows, pad_id, device="cpu"):
    """Rows (dicts with input_ids, labels, position_ids, seq_lengths) padded to the longest: tensors [B, T].

    A row is a pack (several samples, segment ids 0..k-1) or one sample; padding has segment -1,
    label -100, position 0 and token pad_id.
    """
    T = max(len(r["input_ids"]) for r in rows)
    B = len(rows)
    ids = np.full((B, T), pad_id, dtype=np.int64)
    lab = np.full((B, T), IGNORE, dtype=np.int64)
    pos = np.zeros((B, T), dtype=np.int64)
    seg = np.full((B, T), -1, dtype=np.int64)
    for b, r in enumerate(rows):
        n = len(r["input_ids"])
        ids[b, :n] = r["input_ids"]
        lab[b, :n] = r["labels"]
        pos[b, :n] = r["position_ids"]
        lens = r.get("seq_lengths", r.get("seq_lens"))
        lens = [n] if lens is None else [int(x) for x in lens]
        seg[b, :n] = np.repeat(np.arange(len(lens)), lens)
    t = lambda a: torch.from_numpy(a).to(device)  # noqa: E731
    return dict(input_ids=t(ids), labels=t(lab), position_ids=t(pos), segment_ids=t(seg),
                num_supervised=int((lab != IGNORE).sum()))


def ce_sum(model, batch, autocast_dtype=None, loss_dtype=torch.float32):
    """(Σ CE over the supervised tokens of the batch, their count). Differentiable."""
    dev = batch["input_ids"].device.type
    with torch.autocast(dev, dtype=autocast_dtype or torch.bfloat16, enabled=autocast_dtype is not None):
        h = model.hidden(batch["input_ids"], batch["segment_ids"], batch["position_ids"])
    target = batch["labels"][:, 1:]
    sel = target != IGNORE
    hs = h[:, :-1][sel]                                         # hidden states that predict a supervised token
    with torch.autocast(dev, dtype=autocast_dtype or torch.bfloat16, enabled=autocast_dtype is not None):
        logits = F.linear(hs, model.wte.weight)
    loss = F.cross_entropy(logits.to(loss_dtype), target[sel], reduction="sum")
    return loss, int(sel.sum())


def accumulate(model, micro_batches, autocast_dtype=None, loss_dtype=torch.float32):
    """Backward of L_step over the micro-batches (gradients accumulate into .grad). Returns (L_step, N_step)."""
    n_step = sum(mb["num_supervised"] for mb in micro_batches)
    if n_step == 0:
        return 0.0, 0
    total = 0.0
    for mb in micro_batches:
        if mb["num_supervised"] == 0:
            continue
        s, n = ce_sum(model, mb, autocast_dtype, loss_dtype)
        assert n == mb["num_supervised"]
        (s / n_step).backward()
        total += float(s.detach())
    return total / n_step, n_step
