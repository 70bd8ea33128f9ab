"""PyTorch side of the reader: map-style datasets and the varlen (padding-free) collate.

    from codeblock_sft.torch import PackDataset, collate_varlen
    loader = torch.utils.data.DataLoader(PackDataset("out"), batch_size=8, shuffle=True, collate_fn=collate_varlen)
    for batch in loader:
        model(input_ids=batch["input_ids"], position_ids=batch["position_ids"],
              cu_seq_lens_q=batch["cu_seq_lens_q"], cu_seq_lens_k=batch["cu_seq_lens_k"],
              max_length_q=batch["max_length_q"], max_length_k=batch["max_length_k"])

`collate_varlen` returns what transformers' DataCollatorWithFlattening(return_flash_attn_kwargs=True) returns
(src/transformers/data/data_collator.py): input_ids / labels / position_ids as int64 [1, T], the batch's samples
concatenated without padding; cu_seq_lens_q / cu_seq_lens_k int32 [samples + 1]; max_length_q / max_length_k
Python ints (the names of transformers' FlashAttentionKwargs, src/transformers/modeling_flash_attention_utils.py).
Also seq_lengths (int32, TRL's name) and num_supervised (int: the batch's supervised tokens, for a loss
normalized by supervised tokens rather than per batch). Labels are not shifted.
"""
import numpy as np
import torch

from . import IGNORE_INDEX, open_packs, open_samples

__all__ = ["PackDataset", "SampleDataset", "collate_varlen"]


_NP = {torch.int64: np.int64, torch.int32: np.int32}


def _t(a, dtype):
    if isinstance(a, torch.Tensor):
        return a.to(dtype)
    # a copy: memmap views (bin) are read-only, which torch warns about
    return torch.from_numpy(np.array(a, dtype=_NP[dtype]))


class PackDataset(torch.utils.data.Dataset):
    """Packs of an output directory, one item per pack: input_ids, labels, position_ids (int64), seq_lengths
    (int32) tensors and num_supervised (int). Arguments as codeblock_sft.open_packs."""

    def __init__(self, out_dir, format=None, verify="digest"):
        self.packs = open_packs(out_dir, format=format, verify=verify)

    def __len__(self):
        return len(self.packs)

    def __getitem__(self, i):
        p = self.packs[i]
        return dict(input_ids=_t(p["input_ids"], torch.int64), labels=_t(p["labels"], torch.int64),
                    position_ids=_t(p["position_ids"], torch.int64), seq_lengths=_t(p["seq_lengths"], torch.int32),
                    num_supervised=int(p["num_supervised"]))


class SampleDataset(torch.utils.data.Dataset):
    """Per-sample rows (--format samples or jsonl), one item per sample: input_ids, labels, attention_mask, position_ids
    (int64) tensors, id (str) and num_supervised (int). Arguments as codeblock_sft.open_samples."""

    def __init__(self, out_dir, format=None, verify="digest"):
        self.samples = open_samples(out_dir, format=format, verify=verify)

    def __len__(self):
        return len(self.samples)

    def __getitem__(self, i):
        s = self.samples[i]
        n = len(s["input_ids"])
        return dict(input_ids=_t(s["input_ids"], torch.int64), labels=_t(s["labels"], torch.int64),
                    attention_mask=_t(s["attention_mask"], torch.int64), position_ids=torch.arange(n),
                    id=s["id"], num_supervised=int((np.asarray(s["labels"]) != IGNORE_INDEX).sum()))


def collate_varlen(items):
    """Concatenate packs (or per-sample rows: an item without seq_lengths is one sample) into one padding-free
    row with flash-attention varlen boundaries (see the module docstring)."""
    if not items:
        raise ValueError("collate_varlen needs at least one item")
    ids, labels, lens = [], [], []
    for it in items:
        n = len(it["input_ids"])
        sl = it.get("seq_lengths")
        sl = [n] if sl is None else [int(x) for x in sl]
        if sum(sl) != n:
            raise ValueError(f"seq_lengths sum to {sum(sl)}, not the item's {n} tokens")
        if len(it["labels"]) != n:
            raise ValueError(f"{len(it['labels'])} labels for {n} input_ids")
        ids.append(_t(it["input_ids"], torch.int64))
        labels.append(_t(it["labels"], torch.int64))
        lens.extend(sl)
    seq_lengths = torch.tensor(lens, dtype=torch.int32)
    cu = torch.zeros(len(lens) + 1, dtype=torch.int32)
    cu[1:] = torch.cumsum(seq_lengths, 0, dtype=torch.int32)
    position_ids = torch.cat([torch.arange(n, dtype=torch.int64) for n in lens])
    label_row = torch.cat(labels)
    max_length = int(seq_lengths.max())
    return dict(input_ids=torch.cat(ids)[None], labels=label_row[None], position_ids=position_ids[None],
                seq_lengths=seq_lengths, cu_seq_lens_q=cu, cu_seq_lens_k=cu, max_length_q=max_length,
                max_length_k=max_length, num_supervised=int((label_row != IGNORE_INDEX).sum()))
