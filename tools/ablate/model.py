"""The default reference LM for training on packs: block-diagonal attention, weights from model.onnx.

Architecture: tools/train/model.py's `CausalLM` (pre-LayerNorm GPT, learned positions, tied
embeddings), reused through sys.path so the parameter names are the ones tools/train/export.py
wrote into the ONNX initializers (`wte.weight`, `wpe.weight`, `blocks.<i>.qkv.weight`, …, `ln_f.bias`).
Hyper-parameters come from the model directory's config.json only (n_layer, num_attention_heads,
hidden_size, intermediate_size, max_position_embeddings, vocab_size), so the same code loads the
old default (2048 ids, 3 layers, d 128) and the retrained one (4096 ids, 4 layers, d 224, 7 heads).

Packed attention: `forward(input_ids, segment_ids=None, position_ids=None, attention_mask=None)`.
`segment_ids[b, t]` numbers the samples of row b (0, 1, 2, …; -1 = padding); a query attends to a
key only when both are in the same sample and the key is not after it (causal ∧ same segment),
so no attention crosses a sample boundary. Positions are `position_ids` (they restart at 0 at
every sample, docs/formats.md). Without `segment_ids` they are derived from `position_ids`
(a new sample starts wherever position_ids == 0) and `attention_mask` (0 = padding); prefer
passing them from `seq_lens` (`segments_from_seq_lens`), the explicit boundaries.
"""
import importlib.util
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
DEFAULT_MODEL_DIR = os.path.join(REPO, "models", "default")
# tools/train/model.py, loaded under its own name (this file is also called model.py)
_spec = importlib.util.spec_from_file_location("codeblock_train_model",
                                               os.path.join(REPO, "tools", "train", "model.py"))
_train_model = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_train_model)
CausalLM = _train_model.CausalLM

NEG = -1e9  # additive mask value, finite so a fully masked (padding) row gives no NaN


def read_config(model_dir=DEFAULT_MODEL_DIR):
    with open(os.path.join(model_dir, "config.json")) as f:
        c = json.load(f)
    need = ["vocab_size", "n_layer", "num_attention_heads", "hidden_size", "intermediate_size",
            "max_position_embeddings"]
    missing = [k for k in need if k not in c]
    if missing:
        raise ValueError(f"{model_dir}/config.json lacks {missing}")
    if c["hidden_size"] % c["num_attention_heads"]:
        raise ValueError("hidden_size is not a multiple of num_attention_heads")
    if not c.get("tie_word_embeddings", True):
        raise ValueError("the ablation model expects tied embeddings (tie_word_embeddings)")
    return c


def segments_from_seq_lens(seq_lens, length=None):
    """Segment ids [T] for one row from its sample lengths; positions past sum(seq_lens) are -1 (padding)."""
    lens = [int(x) for x in seq_lens]
    total = sum(lens)
    length = total if length is None else length
    seg = np.full(length, -1, dtype=np.int64)
    seg[:total] = np.repeat(np.arange(len(lens)), lens)
    return seg


def segments_from_positions(position_ids, attention_mask=None):
    """Segment ids [B, T] from position_ids [B, T]: a sample starts wherever the position is 0."""
    seg = torch.cumsum((position_ids == 0).long(), dim=1) - 1
    if attention_mask is not None:
        seg = torch.where(attention_mask > 0, seg, torch.full_like(seg, -1))
    return seg


class PackedCausalLM(CausalLM):
    """tools/train/model.py's CausalLM with per-sample (block-diagonal) causal attention."""

    def __init__(self, cfg):
        super().__init__(cfg["vocab_size"], cfg["n_layer"], cfg["num_attention_heads"], cfg["hidden_size"],
                         cfg["intermediate_size"], cfg["max_position_embeddings"])
        self.config = cfg

    def attention_bias(self, segment_ids, dtype):
        T = segment_ids.shape[1]
        ar = torch.arange(T, device=segment_ids.device)
        causal = (ar[None, :] <= ar[:, None])[None, :, :]                              # [1, T, T]
        same = segment_ids[:, :, None] == segment_ids[:, None, :]                      # [B, T, T]
        keep = causal & same & (segment_ids[:, None, :] >= 0)
        return ((~keep).to(dtype) * NEG)[:, None, :, :]                                # [B, 1, T, T]

    def forward(self, input_ids, segment_ids=None, position_ids=None, attention_mask=None):
        """Logits [B, T, V]."""
        return F.linear(self.hidden(input_ids, segment_ids, position_ids, attention_mask), self.wte.weight)

    def hidden(self, input_ids, segment_ids=None, position_ids=None, attention_mask=None):
        """Final hidden states after ln_f [B, T, D] (the logits are their product with the tied embedding)."""
        if position_ids is None:
            raise ValueError("position_ids are required (they restart at 0 at every sample)")
        if segment_ids is None:
            segment_ids = segments_from_positions(position_ids, attention_mask)
        if int(position_ids.max()) >= self.n_ctx:
            raise ValueError(f"position {int(position_ids.max())} beyond the model context {self.n_ctx}")
        x = self.wte(input_ids) + self.wpe(position_ids)
        bias = self.attention_bias(segment_ids, x.dtype)
        for b in self.blocks:
            x = b(x, bias)
        return self.ln_f(x)


def onnx_state_dict(onnx_path):
    """The ONNX initializers as numpy arrays, by name (the torch parameter names, see export.py).

    torch.onnx.export keeps one initializer per distinct value: parameters equal to another one (all
    the zero biases and unit LayerNorm scales of a freshly initialized model) become `Identity` nodes
    whose output carries the parameter's name and whose input is the kept initializer; those are
    resolved here too.
    """
    import onnx
    from onnx import numpy_helper
    m = onnx.load(onnx_path)
    t = {i.name: numpy_helper.to_array(i) for i in m.graph.initializer}
    changed = True
    while changed:
        changed = False
        for n in m.graph.node:
            if n.op_type == "Identity" and n.input[0] in t and n.output[0] not in t:
                t[n.output[0]] = t[n.input[0]]
                changed = True
    return t


def load_model(model_dir=DEFAULT_MODEL_DIR, dtype=torch.float32, device="cpu"):
    """PackedCausalLM with config.json's shape and model.onnx's weights (every parameter must be found)."""
    cfg = read_config(model_dir)
    torch.manual_seed(0)  # the random init is overwritten below; seeded so nothing depends on it
    model = PackedCausalLM(cfg)
    inits = onnx_state_dict(os.path.join(model_dir, "model.onnx"))
    sd = model.state_dict()
    missing = [k for k in sd if k not in inits]
    if missing:
        raise ValueError(f"model.onnx lacks initializers {missing[:5]}… ({len(missing)} missing)")
    new = {}
    for k, v in sd.items():
        a = inits[k]
        if tuple(a.shape) != tuple(v.shape):
            raise ValueError(f"{k}: model.onnx has shape {a.shape}, config.json implies {tuple(v.shape)}")
        new[k] = torch.from_numpy(np.array(a, dtype=np.float32))
    model.load_state_dict(new)
    return model.to(device=device, dtype=dtype)


def param_count(model):
    return sum(p.numel() for p in model.parameters())


def token_nll(logits, input_ids):
    """-log p(input_ids[:, t] | < t) for t ≥ 1: [B, T-1] (fp32)."""
    lp = torch.log_softmax(logits[:, :-1].float(), dim=-1)
    return -lp.gather(2, input_ids[:, 1:, None]).squeeze(2)


__all__ = ["PackedCausalLM", "load_model", "read_config", "segments_from_seq_lens", "segments_from_positions",
           "onnx_state_dict", "param_count", "token_nll", "DEFAULT_MODEL_DIR", "REPO"]
