"""A small GPT-style causal LM (pre-LayerNorm, learned positions, tied embeddings).

forward(input_ids, attention_mask, position_ids) -> logits [B, T, V], the Hugging Face
optimum layout the codeblock scorer expects. Attention uses an additive finite mask so
fully padded rows never produce NaN.
"""
import math
import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, d, h, ff):
        super().__init__()
        self.h = h
        self.ln1 = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.ln2 = nn.LayerNorm(d)
        self.fc = nn.Linear(d, ff)
        self.out = nn.Linear(ff, d)

    def forward(self, x, bias):
        B, T, D = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(D, dim=2)
        q = q.view(B, T, self.h, D // self.h).transpose(1, 2)
        k = k.view(B, T, self.h, D // self.h).transpose(1, 2)
        v = v.view(B, T, self.h, D // self.h).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(D // self.h)) + bias
        att = torch.softmax(att, dim=-1)
        y = (att @ v).transpose(1, 2).reshape(B, T, D)
        x = x + self.proj(y)
        x = x + self.out(F.gelu(self.fc(self.ln2(x))))
        return x


class CausalLM(nn.Module):
    def __init__(self, vocab_size, n_layer, n_head, d_model, d_ff, n_ctx):
        super().__init__()
        self.n_ctx = n_ctx
        self.wte = nn.Embedding(vocab_size, d_model)
        self.wpe = nn.Embedding(n_ctx, d_model)
        self.blocks = nn.ModuleList([Block(d_model, n_head, d_ff) for _ in range(n_layer)])
        self.ln_f = nn.LayerNorm(d_model)
        self.apply(self._init)
        for b in self.blocks:
            nn.init.normal_(b.proj.weight, std=0.02 / math.sqrt(2 * n_layer))
            nn.init.normal_(b.out.weight, std=0.02 / math.sqrt(2 * n_layer))

    @staticmethod
    def _init(m):
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, std=0.02)
        if isinstance(m, nn.Linear) and m.bias is not None:
            nn.init.zeros_(m.bias)

    def forward(self, input_ids, attention_mask, position_ids):
        T = input_ids.shape[1]
        x = self.wte(input_ids) + self.wpe(position_ids)
        ar = torch.arange(T, device=input_ids.device)
        causal = (ar[None, :] <= ar[:, None])[None, None, :, :]          # [1,1,T,T]
        keep = causal & (attention_mask[:, None, None, :] > 0)            # [B,1,T,T]
        bias = (~keep).to(x.dtype) * -1e9
        for b in self.blocks:
            x = b(x, bias)
        return F.linear(self.ln_f(x), self.wte.weight)


def build(cfg_model, vocab_size):
    return CausalLM(vocab_size, cfg_model["n_layer"], cfg_model["n_head"], cfg_model["d_model"],
                    cfg_model["d_ff"], cfg_model["n_ctx"])
