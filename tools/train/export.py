"""Export the trained checkpoint to models/default/ in the Hugging Face optimum layout.

  model.onnx     opset 17; inputs input_ids, attention_mask, position_ids [batch, sequence] int64;
                 outputs logits [batch, sequence, vocab] and codeblock_logprobs [batch, sequence-1]
                 (the fused head, built here with onnx.helper — an implementation independent of the
                 Node-side rewrite in src/scoring/fuse.ts, which handles user models).
  config.json    model hyper-parameters + token ids.
Usage: /usr/bin/python3 tools/train/export.py [workDir=/tmp/codeblock-train] [outDir=models/default]
         [--random] [--layers N] [--d-model N] [--heads N] [--ff N] [--ctx N] [--fp16] [--no-head] [--seed N]
  --random   no checkpoint: seeded random weights (speed checks of larger models: scripts/device-check.sh,
             the bench's busy-fraction row); the sizes override tools/train/config.json's model; the
             tokenizer is models/default's (copied into outDir).
  --no-head  logits only (no codeblock_logprobs): a plain optimum-layout export, which the scorer fuses itself.
  --fp16     weights, activations and logits in float16 (constants clamped to ±65504, so the attention mask
             stays finite); the fused head casts the logits to float32 before LogSoftmax, so
             codeblock_logprobs stays float32.
"""
import argparse, json, os, shutil, sys
import numpy as np
import torch
import onnx
from onnx import helper, TensorProto, numpy_helper

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
from model import build

repo = os.path.abspath(os.path.join(here, "..", ".."))
ap = argparse.ArgumentParser()
ap.add_argument("work", nargs="?", default="/tmp/codeblock-train")
ap.add_argument("out", nargs="?", default=os.path.join(repo, "models", "default"))
ap.add_argument("--random", action="store_true")
ap.add_argument("--fp16", action="store_true")
ap.add_argument("--no-head", action="store_true")
ap.add_argument("--seed", type=int, default=1)
for k in ("layers", "d-model", "heads", "ff", "ctx"):
    ap.add_argument("--" + k, type=int)
args = ap.parse_args()
work, out_dir = args.work, args.out
cfg = json.load(open(os.path.join(here, "config.json")))
V = cfg["tokenizer"]["vocab_size"]
mc = dict(cfg["model"])
for k, key in (("layers", "n_layer"), ("d_model", "d_model"), ("heads", "n_head"), ("ff", "d_ff"), ("ctx", "n_ctx")):
    if getattr(args, k) is not None:
        mc[key] = getattr(args, k)
torch.manual_seed(args.seed)
model = build(mc, V)
if args.random:
    ck = {"step": 0, "val_ce": None}
else:
    ck = torch.load(os.path.join(work, "ckpt.pt"), map_location="cpu")
    model.load_state_dict(ck["model"])
model.eval()
os.makedirs(work, exist_ok=True)

B, T = 2, 7
ids = torch.randint(0, V, (B, T))
raw = os.path.join(work, "raw.onnx")
torch.onnx.export(model, (ids, torch.ones_like(ids), torch.arange(T)[None].expand(B, T).contiguous()), raw,
                  opset_version=17, do_constant_folding=False,
                  input_names=["input_ids", "attention_mask", "position_ids"], output_names=["logits"],
                  dynamic_axes={"input_ids": {0: "batch_size", 1: "sequence_length"},
                                "attention_mask": {0: "batch_size", 1: "sequence_length"},
                                "position_ids": {0: "batch_size", 1: "sequence_length"},
                                "logits": {0: "batch_size", 1: "sequence_length"}})
def f16(arr):
    return np.clip(arr, -65504, 65504).astype(np.float16)


def to_fp16(m):
    """Every float32 tensor of the graph becomes float16, but for the fused head's own float32 tail."""
    g = m.graph
    keep = {"codeblock_fused/logits_f32", "codeblock_fused/log_softmax", "codeblock_fused/gathered", "codeblock_logprobs"}
    for i, t in enumerate(g.initializer):
        if t.data_type == TensorProto.FLOAT:
            g.initializer[i].CopyFrom(numpy_helper.from_array(f16(numpy_helper.to_array(t)), t.name))
    for n in g.node:
        if n.name == "codeblock_fused/to_f32":
            continue
        for a in n.attribute:
            if a.type == onnx.AttributeProto.TENSOR and a.t.data_type == TensorProto.FLOAT:
                a.t.CopyFrom(numpy_helper.from_array(f16(numpy_helper.to_array(a.t)), a.t.name))
            if n.op_type == "Cast" and a.name == "to" and a.i == TensorProto.FLOAT:
                a.i = TensorProto.FLOAT16
    for v in list(g.output) + list(g.value_info):
        if v.type.tensor_type.elem_type == TensorProto.FLOAT and v.name not in keep:
            v.type.tensor_type.elem_type = TensorProto.FLOAT16


m = onnx.load(raw)
g = m.graph
if not args.no_head:
    P = "codeblock_fused/"
    c = lambda name, v: numpy_helper.from_array(np.array(v, dtype=np.int64), P + name)
    g.initializer.extend([c("one", [1]), c("zero", [0]), c("minus_one", [-1]), c("big", [2**62]), c("axis2", [2])])
    g.node.extend([
        helper.make_node("Slice", ["input_ids", P + "one", P + "big", P + "one"], [P + "next_ids"], name=P + "next_ids"),
        helper.make_node("Unsqueeze", [P + "next_ids", P + "axis2"], [P + "index"], name=P + "index"),
        helper.make_node("Slice", ["logits", P + "zero", P + "minus_one", P + "one"], [P + "logits_prefix"], name=P + "logits_prefix"),
        helper.make_node("Cast", [P + "logits_prefix"], [P + "logits_f32"], to=TensorProto.FLOAT, name=P + "to_f32"),
        helper.make_node("LogSoftmax", [P + "logits_f32"], [P + "log_softmax"], axis=-1, name=P + "log_softmax"),
        helper.make_node("GatherElements", [P + "log_softmax", P + "index"], [P + "gathered"], axis=2, name=P + "gather"),
        helper.make_node("Squeeze", [P + "gathered", P + "axis2"], ["codeblock_logprobs"], name=P + "squeeze"),
    ])
    g.output.append(helper.make_tensor_value_info("codeblock_logprobs", TensorProto.FLOAT, ["batch_size", "sequence_length_minus_1"]))
if args.fp16:
    to_fp16(m)
m.producer_name = "codeblock tools/train/export.py"
helper.set_model_props(m, {"codeblock_fused_head": "0" if args.no_head else "1", "codeblock_train_steps": str(ck.get("step")),
                           "codeblock_val_ce_stdlib": str(ck.get("val_ce"))})
onnx.checker.check_model(m)
os.makedirs(out_dir, exist_ok=True)
onnx.save(m, os.path.join(out_dir, "model.onnx"))
if args.random:
    shutil.copy(os.path.join(repo, "models", "default", "tokenizer.json"), os.path.join(out_dir, "tokenizer.json"))
eos = V - 1  # <|endoftext|> is the last id (see train_tokenizer.mjs)
json.dump({"model_type": "codeblock-gpt", "architectures": ["CodeblockGPT"], "vocab_size": V,
           "n_layer": mc["n_layer"], "num_attention_heads": mc["n_head"], "hidden_size": mc["d_model"],
           "intermediate_size": mc["d_ff"], "max_position_embeddings": mc["n_ctx"],
           "bos_token_id": eos, "eos_token_id": eos, "pad_token_id": eos, "tie_word_embeddings": True,
           "torch_dtype": "float16" if args.fp16 else "float32", "codeblock": {"fused_head_output": "codeblock_logprobs",
           "trained_by": "random (export.py --random)" if args.random else "tools/train/train.py", "train_steps": ck.get("step"), "params": sum(p.numel() for p in model.parameters())}},
          open(os.path.join(out_dir, "config.json"), "w"), indent=2)
print("exported", os.path.getsize(os.path.join(out_dir, "model.onnx")), "bytes; steps", ck.get("step"))
