"""Tiny ONNX fixtures for the scoring tests (committed under test/fixtures/scoring/, a few KB each).

  tiny-kv/        a causal LM shaped unlike the default model: byte-level vocab (257), 1 layer, d=16,
                  untied head, NO position_ids input (positions from cumsum(attention_mask) like HF),
                  a KV-cache interface (past_key_values.0.key/value in, present.0.* out), int64 inputs,
                  weights in external data (model.onnx + model.onnx_data). Random weights (seeded):
                  it is a shape/plumbing fixture, not a language model.
  tiny-op12/      a bigram-style LM exported at opset 12 (Unsqueeze/Squeeze take axes as attributes there),
                  inputs input_ids, attention_mask, position_ids; weights inline.
  wrong-inputs/   a graph whose inputs are not a causal LM's (pixel_values) -> must be refused clearly.

Usage: /usr/bin/python3 tools/train/make_fixtures.py   (never run by CI; outputs are committed)
"""
import json, math, os
import torch
import torch.nn as nn
import torch.nn.functional as F
import onnx

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "test", "fixtures", "scoring")
torch.manual_seed(1234)


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


def byte_tokenizer(eos="<|eos|>"):
    m = bytes_to_unicode()
    vocab = {m[b]: b for b in range(256)}
    bl = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": True}
    return {"version": "1.0", "truncation": None, "padding": None,
            "added_tokens": [{"id": 256, "content": eos, "single_word": False, "lstrip": False, "rstrip": False,
                              "normalized": False, "special": True}],
            "normalizer": None, "pre_tokenizer": bl, "post_processor": bl, "decoder": bl,
            "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                      "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False,
                      "vocab": vocab, "merges": []}}


class TinyKV(nn.Module):
    def __init__(self, V=257, d=16, h=2, n_ctx=64):
        super().__init__()
        self.h, self.d = h, d
        self.wte = nn.Embedding(V, d)
        self.wpe = nn.Embedding(n_ctx, d)
        self.ln = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.o = nn.Linear(d, d)
        self.head = nn.Linear(d, V, bias=True)
        for p in self.parameters():
            nn.init.normal_(p, std=0.5)

    def forward(self, input_ids, attention_mask, past_key, past_value):
        B, T = input_ids.shape
        P = past_key.shape[2]
        pos = (torch.cumsum(attention_mask, dim=1) - 1).clamp(min=0)[:, P:]
        x = self.wte(input_ids) + self.wpe(pos)
        q, k, v = self.qkv(self.ln(x)).split(self.d, dim=2)
        hd = self.d // self.h
        q = q.view(B, T, self.h, hd).transpose(1, 2)
        k = torch.cat([past_key, k.view(B, T, self.h, hd).transpose(1, 2)], dim=2)
        v = torch.cat([past_value, v.view(B, T, self.h, hd).transpose(1, 2)], dim=2)
        qi = torch.arange(T)[:, None] + P
        kj = torch.arange(k.shape[2])[None, :]
        keep = (kj <= qi)[None, None] & (attention_mask[:, None, None, :] > 0)
        att = (q @ k.transpose(-2, -1)) / math.sqrt(hd) + (~keep).float() * -1e9
        y = (att.softmax(-1) @ v).transpose(1, 2).reshape(B, T, self.d)
        x = x + self.o(y)
        return self.head(x), k, v


def export_tiny_kv():
    out = os.path.join(root, "tiny-kv")
    os.makedirs(out, exist_ok=True)
    m = TinyKV().eval()
    B, T, P = 2, 5, 3
    ids = torch.randint(0, 257, (B, T))
    am = torch.ones(B, P + T, dtype=torch.long)
    pk = torch.randn(B, 2, P, 8)
    pv = torch.randn(B, 2, P, 8)
    tmp = os.path.join(out, "tmp.onnx")
    torch.onnx.export(m, (ids, am, pk, pv), tmp, opset_version=17,
                      input_names=["input_ids", "attention_mask", "past_key_values.0.key", "past_key_values.0.value"],
                      output_names=["logits", "present.0.key", "present.0.value"],
                      dynamic_axes={"input_ids": {0: "batch_size", 1: "sequence_length"},
                                    "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
                                    "past_key_values.0.key": {0: "batch_size", 2: "past_sequence_length"},
                                    "past_key_values.0.value": {0: "batch_size", 2: "past_sequence_length"},
                                    "logits": {0: "batch_size", 1: "sequence_length"},
                                    "present.0.key": {0: "batch_size", 2: "total_sequence_length"},
                                    "present.0.value": {0: "batch_size", 2: "total_sequence_length"}})
    model = onnx.load(tmp)
    os.remove(tmp)
    for f in ("model.onnx", "model.onnx_data"):
        if os.path.exists(os.path.join(out, f)):
            os.remove(os.path.join(out, f))
    onnx.save_model(model, os.path.join(out, "model.onnx"), save_as_external_data=True, all_tensors_to_one_file=True,
                    location="model.onnx_data", size_threshold=0)
    onnx.checker.check_model(os.path.join(out, "model.onnx"))
    json.dump(byte_tokenizer(), open(os.path.join(out, "tokenizer.json"), "w"))
    json.dump({"model_type": "codeblock-tiny-kv", "vocab_size": 257, "n_positions": 64, "num_attention_heads": 2,
               "hidden_size": 16, "eos_token_id": 256, "use_cache": True,
               "_note": "random weights; a plumbing fixture made by tools/train/make_fixtures.py"},
              open(os.path.join(out, "config.json"), "w"), indent=1)


class TinyOp12(nn.Module):
    def __init__(self, V=257, d=4, n_ctx=64):
        super().__init__()
        self.wte = nn.Embedding(V, d)
        self.wpe = nn.Embedding(n_ctx, d)
        self.head = nn.Linear(d, V)
        for p in self.parameters():
            nn.init.normal_(p, std=0.7)

    def forward(self, input_ids, attention_mask, position_ids):
        x = self.wte(input_ids) + self.wpe(position_ids) * attention_mask[..., None].float()
        return self.head(torch.tanh(x))


def export_tiny_op12():
    out = os.path.join(root, "tiny-op12")
    os.makedirs(out, exist_ok=True)
    ids = torch.randint(0, 257, (2, 5))
    torch.onnx.export(TinyOp12().eval(), (ids, torch.ones_like(ids), torch.arange(5)[None].expand(2, 5).contiguous()),
                      os.path.join(out, "model.onnx"), opset_version=12,
                      input_names=["input_ids", "attention_mask", "position_ids"], output_names=["logits"],
                      dynamic_axes={k: {0: "batch_size", 1: "sequence_length"} for k in ("input_ids", "attention_mask", "position_ids", "logits")})
    json.dump(byte_tokenizer(), open(os.path.join(out, "tokenizer.json"), "w"))
    json.dump({"model_type": "codeblock-tiny-op12", "vocab_size": 257, "max_position_embeddings": 64, "bos_token_id": 256,
               "eos_token_id": 256, "_note": "random weights; a plumbing fixture made by tools/train/make_fixtures.py"},
              open(os.path.join(out, "config.json"), "w"), indent=1)


class NotLM(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)

    def forward(self, pixel_values):
        return self.fc(pixel_values)


def export_wrong_inputs():
    out = os.path.join(root, "wrong-inputs")
    os.makedirs(out, exist_ok=True)
    torch.onnx.export(NotLM(), (torch.randn(1, 4),), os.path.join(out, "model.onnx"), opset_version=17,
                      input_names=["pixel_values"], output_names=["logits"], dynamic_axes={"pixel_values": {0: "b"}})
    json.dump(byte_tokenizer(), open(os.path.join(out, "tokenizer.json"), "w"))
    json.dump({"model_type": "not-a-causal-lm"}, open(os.path.join(out, "config.json"), "w"))


if __name__ == "__main__":
    export_tiny_kv()
    export_tiny_op12()
    export_wrong_inputs()
    for d in ("tiny-kv", "tiny-op12", "wrong-inputs"):
        p = os.path.join(root, d)
        print(d, {f: os.path.getsize(os.path.join(p, f)) for f in sorted(os.listdir(p))})
