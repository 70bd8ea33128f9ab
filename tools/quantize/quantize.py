#!/usr/bin/python3
"""Int8 quantization of the fp32 default scorer model (models/default), written with the onnx Python API only
(Debian's python3-onnx; the onnxruntime Python package, whose quantizer this mirrors, is not needed).

Recipe (docs/scoring.md, "The int8 CPU model"):
  * every MatMul whose B input is a constant 2-D weight (an initializer, or a Transpose of one, as torch.onnx
    exports nn.Linear) becomes QuantizeLinear + ONNX Runtime's CPU contrib op com.microsoft.MatMulIntegerToFloat:
    weights int8, symmetric, one scale per output column (s_w = max|W[:, n]| / 127, W_q = round-half-even(W / s_w));
    activations uint8 with a static scale and zero point per tensor, from the calibrated [min, max] of that input
    (tools/quantize/calibration.json, written by calibrate.mjs); u8 x s8 products accumulate in int32
    (AVX512-VNNI where the CPU has it). A bias Add that follows (1-D constant) is folded in as the op's bias.
    --activations dynamic: com.microsoft.DynamicQuantizeMatMul instead (scale per activation tensor, i.e. per
    batch: a record's scores then depend on its batch mates; not shipped).
  * matmuls between two activations (attention) and the embedding tables (Gather) stay fp32;
  * the tied LM head (hidden x vocab) stays fp32 unless --lm-head int8.
The fp32 tensors kept as they are stay in SRC_DIR/model.onnx (ONNX external data: offsets into it), so the output
holds only the graph and the int8 weights (0.7 MB) and is valid beside that model.onnx only. Also written: OUT with
.json for .onnx (the recipe and the source model's sha256). The output is a pure function of the source bytes,
tools/quantize/calibration.json and the flags.

Usage: /usr/bin/python3 tools/quantize/quantize.py [SRC_DIR [OUT]] [--activations static|dynamic] [--lm-head fp32|int8]
       (defaults: models/default -> models/default/model.int8.onnx)
"""

import argparse
import hashlib
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

VERSION = 1
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LOGPROBS = 'codeblock_logprobs'


def attr(node, name, default=None):
    for a in node.attribute:
        if a.name == name:
            return helper.get_attribute_value(a)
    return default


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('src', nargs='?', default=os.path.join(ROOT, 'models', 'default'))
    ap.add_argument('out', nargs='?', help='default: SRC_DIR/model.int8.onnx')
    ap.add_argument('--lm-head', choices=['fp32', 'int8'], default='fp32')
    ap.add_argument('--activations', choices=['static', 'dynamic'], default='static')
    ap.add_argument('--calib', default=os.path.join(ROOT, 'tools', 'quantize', 'calibration.json'))
    ap.add_argument('--calib-model', help='write the fp32 model with every quantized MatMul input as an output, exit')
    args = ap.parse_args()
    args.calib_name = os.path.relpath(args.calib, ROOT)

    src_bytes = open(os.path.join(args.src, 'model.onnx'), 'rb').read()
    model = onnx.load_from_string(src_bytes)
    g = model.graph
    inits = {i.name: i for i in g.initializer}
    producers = {o: n for n in g.node for o in n.output}
    consumers = {}
    for n in g.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    graph_outputs = {o.name for o in g.output}

    def const_weight(name):
        """The [K, N] float32 array behind a MatMul's B input, or None if B is not a constant."""
        if name in inits:
            return numpy_helper.to_array(inits[name])
        p = producers.get(name)
        if p is not None and p.op_type == 'Transpose' and p.input[0] in inits:
            w = numpy_helper.to_array(inits[p.input[0]])
            perm = attr(p, 'perm')
            return np.transpose(w, list(perm)) if perm else w.T
        return None

    def bias_of(n, width):
        """(the Add node, the bias initializer name) when the MatMul's only reader adds a constant [N] bias."""
        out = n.output[0]
        cs = consumers.get(out, [])
        if out in graph_outputs or len(cs) != 1 or cs[0].op_type != 'Add':
            return None
        add = cs[0]
        other = [i for i in add.input if i != out]
        if len(other) != 1 or other[0] not in inits:
            return None
        if list(inits[other[0]].dims) != [width] or inits[other[0]].data_type != TensorProto.FLOAT:
            return None
        return add, other[0]

    matmuls = [n for n in g.node if n.op_type == 'MatMul']
    weights = {id(n): const_weight(n.input[1]) for n in matmuls}
    matmuls = [n for n in matmuls if weights[id(n)] is not None and weights[id(n)].ndim == 2]
    if not matmuls:
        sys.exit('no MatMul with a constant 2-D weight')
    vocab = max(weights[id(n)].shape[1] for n in matmuls)
    head = [n for n in matmuls if weights[id(n)].shape[1] == vocab][-1]

    targets = [n for n in matmuls if n is not head or args.lm_head == 'int8']
    if args.calib_model:
        for n in targets:
            g.output.append(helper.make_tensor_value_info(n.input[0], TensorProto.FLOAT, None))
        onnx.save(model, args.calib_model)
        print(json.dumps([n.input[0] for n in targets]))
        return
    ranges = None
    if args.activations == 'static':
        with open(args.calib) as f:
            calib = json.load(f)
        ranges = calib['ranges']
        missing = [n.input[0] for n in targets if n.input[0] not in ranges]
        if missing or calib.get('source_sha256') != hashlib.sha256(src_bytes).hexdigest():
            sys.exit(f'{args.calib} does not calibrate this model (missing {missing[:3]}); run calibrate.mjs')
    op = 'com.microsoft.' + ('MatMulIntegerToFloat' if ranges else 'DynamicQuantizeMatMul')
    activations_doc = (
        'uint8, static: one scale and zero point per tensor from calibrated [min, max] (' + args.calib_name + ')'
        if ranges
        else 'uint8, dynamic, per tensor'
    )
    replaced, removed, new_inits, quantized = {}, set(), [], []
    for n in matmuls:
        if n is head and args.lm_head == 'fp32':
            continue
        w = weights[id(n)].astype(np.float32)
        amax = np.abs(w).max(axis=0)
        s_w = np.where(amax > 0, amax / 127.0, 1.0).astype(np.float32)
        w_q = np.clip(np.round(w / s_w), -127, 127).astype(np.int8)
        base = n.name.strip('/').replace('/', '_') or n.output[0]
        wq_name, sw_name = f'{base}_Wq', f'{base}_Ws'
        new_inits += [numpy_helper.from_array(w_q, wq_name), numpy_helper.from_array(s_w, sw_name)]
        inputs, y = [n.input[0], wq_name, sw_name], n.output[0]
        found = bias_of(n, w.shape[1])
        if found is not None:
            add, bias = found
            inputs += ['', bias]  # no b_zero_point: symmetric weights
            y = add.output[0]
            removed.add(id(add))
        if ranges is None:
            replaced[id(n)] = [
                helper.make_node('DynamicQuantizeMatMul', inputs, [y], name=f'{n.name}_dqmm', domain='com.microsoft')
            ]
        else:
            # a fixed uint8 grid covering [min(lo, 0), max(hi, 0)]; values outside saturate. Every element is
            # quantized on its own, so a row's product does not depend on its batch mates (int32 sums are exact).
            lo, hi = min(ranges[n.input[0]][0], 0.0), max(ranges[n.input[0]][1], 0.0)
            s_a = np.float32((hi - lo) / 255.0 if hi > lo else 1.0)
            zp = np.uint8(np.clip(np.round(-lo / s_a), 0, 255))
            sa_name, zp_name, aq = f'{base}_As', f'{base}_Azp', f'{base}_Aq'
            new_inits += [numpy_helper.from_array(np.array(s_a), sa_name), numpy_helper.from_array(np.array(zp), zp_name)]
            bias_in = inputs[3:]  # ['', bias] (no b_zero_point) or []
            replaced[id(n)] = [
                helper.make_node('QuantizeLinear', [n.input[0], sa_name, zp_name], [aq], name=f'{n.name}_quant'),
                helper.make_node(
                    'MatMulIntegerToFloat',
                    [aq, wq_name, sa_name, sw_name, zp_name] + bias_in,
                    [y],
                    name=f'{n.name}_mmitf',
                    domain='com.microsoft',
                ),
            ]
        quantized.append(n.name)

    out_nodes = []
    for n in g.node:
        if id(n) in replaced:
            out_nodes += replaced[id(n)]
        elif id(n) not in removed:
            out_nodes.append(n)
    del g.node[:]
    g.node.extend(out_nodes)
    g.initializer.extend(new_inits)
    # drop what nothing reads any more (the fp32 weights' Transposes, the old head's Slice), then their initializers
    while True:
        used = {i for n in g.node for i in n.input} | graph_outputs
        keep = [n for n in g.node if any(o in used for o in n.output)]
        if len(keep) == len(g.node):
            break
        del g.node[:]
        g.node.extend(keep)
    used = {i for n in g.node for i in n.input}
    keep_i = [i for i in g.initializer if i.name in used]
    del g.initializer[:]
    g.initializer.extend(keep_i)
    if not any(o.domain == 'com.microsoft' for o in model.opset_import):
        model.opset_import.append(helper.make_opsetid('com.microsoft', 1))

    # Every fp32 tensor kept as it was (embeddings, LayerNorms, biases, the LM head) is not copied: it is read from
    # the source model.onnx as ONNX external data (location, offset, length of its raw bytes there), so the int8
    # file holds only the graph and the int8 weights and must sit beside the model.onnx it was made from.
    src_name = 'model.onnx'
    for init in g.initializer:
        raw = init.raw_data
        if init.data_type != TensorProto.FLOAT or len(raw) < 1024 or init.name not in inits:
            continue
        at = src_bytes.find(raw)
        if at < 0 or src_bytes.find(raw, at + 1) >= 0:
            continue  # not found exactly once: keep it inline
        init.ClearField('raw_data')
        init.data_location = TensorProto.EXTERNAL
        for k, v in (('location', src_name), ('offset', str(at)), ('length', str(len(raw)))):
            e = init.external_data.add()
            e.key, e.value = k, v
    out = args.out or os.path.join(args.src, 'model.int8.onnx')
    data = model.SerializeToString()
    with open(out, 'wb') as f:
        f.write(data)
    recipe = {
        'about': 'int8 quantization of model.onnx (tools/quantize/quantize.py; docs/scoring.md "The int8 CPU model")',
        'version': VERSION,
        'op': op,
        'weights': 'int8, symmetric, per output column',
        'activations': activations_doc,
        'quantized_matmuls': len(quantized),
        'lm_head': args.lm_head,
        'external_data': 'the fp32 tensors it keeps are read from ' + src_name + ' (same directory)',
        'source_sha256': hashlib.sha256(src_bytes).hexdigest(),
    }
    with open(out[: -len('.onnx')] + '.json' if out.endswith('.onnx') else out + '.json', 'w') as f:
        json.dump(recipe, f, indent=2)
        f.write('\n')
    print(
        f'{len(quantized)} MatMuls quantized (activations {args.activations}, LM head {args.lm_head}); '
        f'{len(src_bytes) / 1e6:.1f} MB -> {len(data) / 1e6:.1f} MB, sha256 {hashlib.sha256(data).hexdigest()}'
    )


if __name__ == '__main__':
    main()
