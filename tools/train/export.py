"""Export the trained checkpoint to models/default/ in the Hugging Face optimum layout.

  model.onnx     opset 17; inputs input_ids, attention_mask, position_ids [batch, sequence] int64;
                 outputs logits [batch, sequence, vocab] and codeblock_logprobs [batch, sequence-1]
                 (the fused head, built here with onnx.helper — an implementation independent of the
                 Node-side rewrite in src/scoring/fuse.ts, which handles user models).
  config.json    model hyper-parameters + token ids.
Usage: /usr/bin/python3 tools/train/export.py [workDir=/tmp/codeblock-train] [outDir=models/default]
"""
import json, os, sys
import numpy as np
import torch
import onnx
from onnx import helper, TensorProto, numpy_helper

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
from model import build

repo = os.path.abspath(os.path.join(here, "..", ".."))
work = sys.argv[1] if len(sys.argv) > 1 else "/tmp/codeblock-train"
out_dir = sys.argv[2] if len(sys.argv) > 2 else os.path.join(repo, "models", "default")
cfg = json.load(open(os.path.join(here, "config.json")))
V = cfg["tokenizer"]["vocab_size"]
model = build(cfg["model"], V)
ck = torch.load(os.path.join(work, "ckpt.pt"), map_location="cpu")
model.load_state_dict(ck["model"])
model.eval()

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
m = onnx.load(raw)
g = m.graph
P = "codeblock_fused/"
c = lambda name, v: numpy_helper.from_array(np.array(v, dtype=np.int64), P + name)
g.initializer.extend([c("one", [1]), c("zero", [0]), c("minus_one", [-1]), c("big", [2**62]), c("axis2", [2])])
g.node.extend([
    helper.make_node("Slice", ["input_ids", P + "one", P + "big", P + "one"], [P + "next_ids"], name=P + "next_ids"),
    helper.make_node("Unsqueeze", [P + "next_ids", P + "axis2"], [P + "index"], name=P + "index"),
    helper.make_node("Slice", ["logits", P + "zero", P + "minus_one", P + "one"], [P + "logits_prefix"], name=P + "logits_prefix"),
    helper.make_node("LogSoftmax", [P + "logits_prefix"], [P + "log_softmax"], axis=-1, name=P + "log_softmax"),
    helper.make_node("GatherElements", [P + "log_softmax", P + "index"], [P + "gathered"], axis=2, name=P + "gather"),
    helper.make_node("Squeeze", [P + "gathered", P + "axis2"], ["codeblock_logprobs"], name=P + "squeeze"),
])
g.output.append(helper.make_tensor_value_info("codeblock_logprobs", TensorProto.FLOAT, ["batch_size", "sequence_length_minus_1"]))
m.producer_name = "codeblock tools/train/export.py"
helper.set_model_props(m, {"codeblock_fused_head": "1", "codeblock_train_steps": str(ck.get("step")),
                           "codeblock_val_ce_stdlib": str(ck.get("val_ce"))})
onnx.checker.check_model(m)
os.makedirs(out_dir, exist_ok=True)
onnx.save(m, os.path.join(out_dir, "model.onnx"))
mc = cfg["model"]
eos = V - 1  # <|endoftext|> is the last id (see train_tokenizer.mjs)
json.dump({"model_type": "codeblock-gpt", "architectures": ["CodeblockGPT"], "vocab_size": V,
           "n_layer": mc["n_layer"], "num_attention_heads": mc["n_head"], "hidden_size": mc["d_model"],
           "intermediate_size": mc["d_ff"], "max_position_embeddings": mc["n_ctx"],
           "bos_token_id": eos, "eos_token_id": eos, "pad_token_id": eos, "tie_word_embeddings": True,
           "torch_dtype": "float32", "codeblock": {"fused_head_output": "codeblock_logprobs",
           "trained_by": "tools/train/train.py", "train_steps": ck.get("step"), "params": sum(p.numel() for p in model.parameters())}},
          open(os.path.join(out_dir, "config.json"), "w"), indent=2)
print("exported", os.path.getsize(os.path.join(out_dir, "model.onnx")), "bytes; steps", ck.get("step"))
