// biome-ignore-all lint/suspicious/noExplicitAny: protobufjs decodes into untyped messages
/**
 * The subset of onnx.proto (ONNX IR, https://github.com/onnx/onnx/blob/main/onnx/onnx.proto) that the
 * fused-head rewrite needs, as a protobufjs JSON descriptor. Field numbers are those of onnx.proto.
 *
 * Reading: fields not listed here are skipped on decode — we only *read* the model's interface
 * (inputs, outputs, opsets, external-data locations). Writing: we never re-encode the source model; we
 * append a second `graph` (field 7) record holding only the new nodes, initializers and outputs.
 * Protobuf merges repeated occurrences of an embedded message field (repeated fields concatenate), so
 * every byte of the original model — including fields this subset does not know — is preserved.
 */
import protobuf from 'protobufjs';

const descriptor = {
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            ir_version: { type: 'int64', id: 1 },
            producer_name: { type: 'string', id: 2 },
            producer_version: { type: 'string', id: 3 },
            domain: { type: 'string', id: 4 },
            model_version: { type: 'int64', id: 5 },
            graph: { type: 'GraphProto', id: 7 },
            opset_import: { rule: 'repeated', type: 'OperatorSetIdProto', id: 8 },
            metadata_props: { rule: 'repeated', type: 'StringStringEntryProto', id: 14 },
          },
        },
        OperatorSetIdProto: {
          fields: { domain: { type: 'string', id: 1 }, version: { type: 'int64', id: 2 } },
        },
        StringStringEntryProto: {
          fields: { key: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } },
        },
        GraphProto: {
          fields: {
            node: { rule: 'repeated', type: 'NodeProto', id: 1 },
            name: { type: 'string', id: 2 },
            initializer: { rule: 'repeated', type: 'TensorProto', id: 5 },
            input: { rule: 'repeated', type: 'ValueInfoProto', id: 11 },
            output: { rule: 'repeated', type: 'ValueInfoProto', id: 12 },
          },
        },
        /** Read-only view of a graph that skips nodes and initializers (cheap decode of large models). */
        GraphInterfaceProto: {
          fields: {
            name: { type: 'string', id: 2 },
            input: { rule: 'repeated', type: 'ValueInfoProto', id: 11 },
            output: { rule: 'repeated', type: 'ValueInfoProto', id: 12 },
            initializer: { rule: 'repeated', type: 'TensorLocationProto', id: 5 },
          },
        },
        ModelInterfaceProto: {
          fields: {
            ir_version: { type: 'int64', id: 1 },
            graph: { type: 'GraphInterfaceProto', id: 7 },
            opset_import: { rule: 'repeated', type: 'OperatorSetIdProto', id: 8 },
            metadata_props: { rule: 'repeated', type: 'StringStringEntryProto', id: 14 },
          },
        },
        /** TensorProto without its payload fields: name, data_location, external_data only. */
        TensorLocationProto: {
          fields: {
            name: { type: 'string', id: 8 },
            external_data: { rule: 'repeated', type: 'StringStringEntryProto', id: 13 },
            data_location: { type: 'int32', id: 14 },
          },
        },
        NodeProto: {
          fields: {
            input: { rule: 'repeated', type: 'string', id: 1 },
            output: { rule: 'repeated', type: 'string', id: 2 },
            name: { type: 'string', id: 3 },
            op_type: { type: 'string', id: 4 },
            attribute: { rule: 'repeated', type: 'AttributeProto', id: 5 },
            domain: { type: 'string', id: 7 },
          },
        },
        AttributeProto: {
          fields: {
            name: { type: 'string', id: 1 },
            f: { type: 'float', id: 2 },
            i: { type: 'int64', id: 3 },
            s: { type: 'bytes', id: 4 },
            ints: { rule: 'repeated', type: 'int64', id: 8 },
            type: { type: 'int32', id: 20 },
          },
        },
        TensorProto: {
          fields: {
            dims: { rule: 'repeated', type: 'int64', id: 1 },
            data_type: { type: 'int32', id: 2 },
            int64_data: { rule: 'repeated', type: 'int64', id: 7 },
            name: { type: 'string', id: 8 },
            raw_data: { type: 'bytes', id: 9 },
          },
        },
        ValueInfoProto: {
          fields: {
            name: { type: 'string', id: 1 },
            type: { type: 'TypeProto', id: 2 },
            doc_string: { type: 'string', id: 3 },
          },
        },
        TypeProto: {
          fields: { tensor_type: { type: 'TypeProtoTensor', id: 1 } },
        },
        TypeProtoTensor: {
          fields: { elem_type: { type: 'int32', id: 1 }, shape: { type: 'TensorShapeProto', id: 2 } },
        },
        TensorShapeProto: {
          fields: { dim: { rule: 'repeated', type: 'Dimension', id: 1 } },
        },
        Dimension: {
          fields: { dim_value: { type: 'int64', id: 1 }, dim_param: { type: 'string', id: 2 } },
          oneofs: { value: { oneof: ['dim_value', 'dim_param'] } },
        },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(descriptor);
export const ModelInterfaceProto = root.lookupType('onnx.ModelInterfaceProto');
export const GraphProto = root.lookupType('onnx.GraphProto');

/** ONNX TensorProto.DataType values used here. */
export const DT = { FLOAT: 1, INT32: 6, INT64: 7, BOOL: 9, FLOAT16: 10, DOUBLE: 11, BFLOAT16: 16 } as const;
export const ATTR = { FLOAT: 1, INT: 2, STRING: 3, INTS: 7 } as const;

export interface DimInfo {
  value?: number;
  param?: string;
}
export interface ValueInfo {
  name: string;
  elemType: number;
  dims: DimInfo[] | undefined;
}
export interface ModelInterface {
  irVersion: number;
  /** opset version of the default ("" / "ai.onnx") domain */
  opset: number;
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  /** distinct external data file locations referenced by initializers */
  externalData: string[];
  metadata: Record<string, string>;
}

function toNum(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v && typeof v === 'object' && 'toNumber' in v) return (v as { toNumber(): number }).toNumber();
  if (typeof v === 'string') return Number(v);
  return 0;
}

function valueInfo(v: any): ValueInfo {
  const tt = v.type?.tensor_type;
  const dims: DimInfo[] | undefined = tt?.shape
    ? (tt.shape.dim ?? []).map((d: any) =>
        d.dim_param ? { param: d.dim_param as string } : d.dim_value != null ? { value: toNum(d.dim_value) } : {},
      )
    : undefined;
  return { name: String(v.name ?? ''), elemType: tt ? Number(tt.elem_type ?? 0) : 0, dims };
}

/** Decode the model's interface. Throws protobufjs errors on malformed bytes (the caller wraps them). */
export function readModelInterface(bytes: Uint8Array): ModelInterface {
  const m: any = ModelInterfaceProto.decode(bytes);
  const g = m.graph;
  if (!g) throw new Error('no graph in ModelProto');
  const opsetEntry = (m.opset_import ?? []).find((o: any) => !o.domain || o.domain === 'ai.onnx');
  const ext = new Set<string>();
  for (const t of g.initializer ?? []) {
    if (t.data_location === 1) for (const kv of t.external_data ?? []) if (kv.key === 'location') ext.add(kv.value);
  }
  const metadata: Record<string, string> = {};
  for (const kv of m.metadata_props ?? []) metadata[kv.key] = kv.value;
  return {
    irVersion: toNum(m.ir_version),
    opset: opsetEntry ? toNum(opsetEntry.version) : 0,
    inputs: (g.input ?? []).map(valueInfo),
    outputs: (g.output ?? []).map(valueInfo),
    externalData: [...ext].sort(),
    metadata,
  };
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/** Encode a protobuf length-delimited field header (tag + varint length). */
export function fieldHeader(fieldNumber: number, length: number): Uint8Array {
  const out: number[] = [];
  const varint = (x: number) => {
    while (x > 0x7f) {
      out.push((x & 0x7f) | 0x80);
      x = Math.floor(x / 128);
    }
    out.push(x);
  };
  varint((fieldNumber << 3) | 2);
  varint(length);
  return Uint8Array.from(out);
}
