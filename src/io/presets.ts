/**
 * Field presets (DESIGN §1): map one parsed input object onto a CodeRecord.
 *
 *  - `oci`       OpenCodeInstruct: `input` (prompt) / `output` (response); `llm_judgement`,
 *                `tests_execution_status`, `average_test_score`, `unit_tests`, `domain`, … go to `meta`
 *                unchanged (they are data, never executed).
 *  - `alpaca`    `instruction` + optional `input` → one user turn (`instruction`, blank line, `input`); `output`.
 *  - `magicoder` `instruction` / `response` (Magicoder-Evol-Instruct and the shared data); also
 *                `problem` / `solution` (Magicoder-OSS-Instruct).
 *  - `messages`  `messages: [{role, content}]` (OpenAI / HF chat) or ShareGPT `conversations:
 *                [{from, value}]`; the LAST assistant turn is the response, the turns before it are the
 *                prompt, turns after it are dropped (counted in `meta.dropped_turns`).
 *
 * In every preset, a top-level string `system` field becomes a leading system turn, and every field
 * not consumed goes to `meta`.
 */
import type { ChatMessage, CodeRecord, Preset, QuarantineReason } from '../types.js';

export type Normalized =
  | { ok: true; record: CodeRecord }
  | { ok: false; reason: QuarantineReason; error: string; id?: string };

export interface RecordContext {
  file: string;
  /** 1-based line (JSONL) or 0-based row (Parquet). */
  line: number;
  ordinal: number;
}

const OCI_SIGNATURE = ['llm_judgement', 'tests_execution_status', 'average_test_score'];

/**
 * Which preset an object looks like, from its keys alone; undefined when none fits.
 * Order: messages/conversations → OCI (its signature fields, or `input`+`output` without `instruction`)
 * → alpaca (`instruction`+`output`) → magicoder (`instruction`+`response` or `problem`+`solution`).
 */
export function detectPreset(obj: unknown): Preset | undefined {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return undefined;
  return detectPresetFromKeys(Object.keys(obj), obj as Record<string, unknown>);
}

/** Same as detectPreset, from a list of column names (Parquet schemas). */
export function detectPresetFromKeys(keys: readonly string[], obj?: Record<string, unknown>): Preset | undefined {
  const has = new Set(keys);
  if (has.has('messages') || has.has('conversations')) {
    if (!obj) return 'messages';
    if (Array.isArray(obj.messages) || Array.isArray(obj.conversations)) return 'messages';
  }
  if (OCI_SIGNATURE.some((k) => has.has(k))) return 'oci';
  if (has.has('input') && has.has('output') && !has.has('instruction')) return 'oci';
  if (has.has('instruction') && has.has('output')) return 'alpaca';
  if (has.has('instruction') && has.has('response')) return 'magicoder';
  if (has.has('problem') && has.has('solution')) return 'magicoder';
  return undefined;
}

/** Columns a preset needs (for Parquet schema checks). Alternatives are joined with `|`. */
export function requiredFields(preset: Preset): string[] {
  switch (preset) {
    case 'oci':
      return ['input', 'output'];
    case 'alpaca':
      return ['instruction', 'output'];
    case 'magicoder':
      return ['instruction|problem', 'response|solution'];
    case 'messages':
      return ['messages|conversations'];
  }
}

/** Describe why no preset matched (one line). */
export function noPresetError(keys: readonly string[]): string {
  const shown = keys.slice(0, 12).join(', ') + (keys.length > 12 ? ', …' : '');
  return (
    `no preset matches the record's fields [${shown}]: expected oci (input/output), alpaca (instruction/output), ` +
    `magicoder (instruction/response) or messages (messages list); pass a preset explicitly to override`
  );
}

/** Record id: the record's `id` (string or number), else `file:line`. */
function recordId(obj: Record<string, unknown>, ctx: RecordContext): { id: string } | { error: string } {
  const v = obj.id;
  if (v === undefined || v === null || v === '') return { id: `${ctx.file}:${ctx.line}` };
  if (typeof v === 'string') return { id: v };
  if (typeof v === 'number' && Number.isFinite(v)) {
    // JSON.parse already rounded an integer beyond 2^53: two different ids could collide
    if (Number.isInteger(v) && !Number.isSafeInteger(v)) return { error: `field "id" is an integer beyond 2^53 (${v}) that cannot be represented exactly; quote it as a string` };
    return { id: String(v) };
  }
  if (typeof v === 'bigint') return { id: v.toString() };
  return { error: `field "id" must be a string or a number, got ${typeName(v)}` };
}

export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/**
 * Lone UTF-16 surrogates (legal in JSON as `\ud800`) are replaced by U+FFFD. The replacement is one
 * UTF-16 unit and one code point, exactly like the surrogate it replaces, so every code point offset
 * (and Python's `s[i:j]` over the original JSON) is unchanged; it keeps native code and tokenizers,
 * which need well-formed UTF-8, from seeing (and silently resizing) an unencodable string.
 */
export function wellFormed(s: string): string {
  const w = s as unknown as { isWellFormed(): boolean; toWellFormed(): string };
  return w.isWellFormed() ? s : w.toWellFormed();
}

type Field = { ok: true; value: string } | { ok: false; reason: QuarantineReason; error: string };

function needString(obj: Record<string, unknown>, name: string, preset: Preset): Field {
  if (!(name in obj) || obj[name] === undefined || obj[name] === null) {
    return { ok: false, reason: 'missing_field', error: `missing field "${name}" (preset ${preset})` };
  }
  const v = obj[name];
  if (typeof v !== 'string') {
    return { ok: false, reason: 'wrong_type', error: `field "${name}" must be a string, got ${typeName(v)} (preset ${preset})` };
  }
  return { ok: true, value: wellFormed(v) };
}

function optString(obj: Record<string, unknown>, name: string, preset: Preset): Field | undefined {
  const v = obj[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') {
    return { ok: false, reason: 'wrong_type', error: `field "${name}" must be a string, got ${typeName(v)} (preset ${preset})` };
  }
  return { ok: true, value: wellFormed(v) };
}

function metaOf(obj: Record<string, unknown>, consumed: readonly string[]): Record<string, unknown> {
  const meta: Record<string, unknown> = {};
  for (const k of Object.keys(obj)) if (!consumed.includes(k)) meta[k] = obj[k];
  return meta;
}

/** Normalize one parsed object under `preset`. Never throws. */
export function normalize(obj: Record<string, unknown>, preset: Preset, ctx: RecordContext): Normalized {
  const idr = recordId(obj, ctx);
  if ('error' in idr) return { ok: false, reason: 'wrong_type', error: idr.error };
  const id = idr.id;
  const fail = (f: { reason: QuarantineReason; error: string }): Normalized => ({ ok: false, reason: f.reason, error: f.error, id });

  const prompt: ChatMessage[] = [];
  let consumed: string[] = ['id'];
  const sys = preset === 'messages' ? undefined : optString(obj, 'system', preset);
  if (sys && !sys.ok) return fail(sys);
  if (sys?.ok) {
    prompt.push({ role: 'system', content: sys.value });
    consumed.push('system');
  }

  let response: string;
  const extraMeta: Record<string, unknown> = {};
  switch (preset) {
    case 'oci': {
      const input = needString(obj, 'input', preset);
      if (!input.ok) return fail(input);
      const output = needString(obj, 'output', preset);
      if (!output.ok) return fail(output);
      prompt.push({ role: 'user', content: input.value });
      response = output.value;
      consumed.push('input', 'output');
      break;
    }
    case 'alpaca': {
      const instruction = needString(obj, 'instruction', preset);
      if (!instruction.ok) return fail(instruction);
      const input = optString(obj, 'input', preset);
      if (input && !input.ok) return fail(input);
      const output = needString(obj, 'output', preset);
      if (!output.ok) return fail(output);
      const user = input?.ok && input.value.length > 0 ? `${instruction.value}\n\n${input.value}` : instruction.value;
      prompt.push({ role: 'user', content: user });
      response = output.value;
      consumed.push('instruction', 'input', 'output');
      break;
    }
    case 'magicoder': {
      const [qk, ak] = 'instruction' in obj || !('problem' in obj) ? ['instruction', 'response'] : ['problem', 'solution'];
      const q = needString(obj, qk, preset);
      if (!q.ok) return fail(q);
      const a = needString(obj, ak, preset);
      if (!a.ok) return fail(a);
      prompt.push({ role: 'user', content: q.value });
      response = a.value;
      consumed.push(qk, ak);
      break;
    }
    case 'messages': {
      const r = chatTurns(obj);
      if (!r.ok) return fail(r);
      const turns = r.turns;
      let last = -1;
      for (let i = turns.length - 1; i >= 0; i--) {
        if (turns[i]!.role === 'assistant') {
          last = i;
          break;
        }
      }
      if (last < 0) return fail({ reason: 'missing_field', error: `no assistant turn in "${r.key}" (preset messages)` });
      prompt.push(...turns.slice(0, last));
      response = turns[last]!.content;
      if (last < turns.length - 1) extraMeta.dropped_turns = turns.length - 1 - last;
      consumed = ['id', r.key];
      break;
    }
  }
  return {
    ok: true,
    record: {
      id,
      ordinal: ctx.ordinal,
      source: { file: ctx.file, line: ctx.line },
      preset,
      prompt,
      response,
      meta: { ...metaOf(obj, consumed), ...extraMeta },
    },
  };
}

const SHAREGPT_ROLES: Record<string, string> = { human: 'user', user: 'user', gpt: 'assistant', assistant: 'assistant', system: 'system', chatgpt: 'assistant', bing: 'assistant', bard: 'assistant' };

function chatTurns(
  obj: Record<string, unknown>,
): { ok: true; key: string; turns: ChatMessage[] } | { ok: false; reason: QuarantineReason; error: string } {
  const key = Array.isArray(obj.messages) ? 'messages' : Array.isArray(obj.conversations) ? 'conversations' : undefined;
  if (!key) {
    const present = 'messages' in obj ? 'messages' : 'conversations' in obj ? 'conversations' : undefined;
    if (present && obj[present] !== null && obj[present] !== undefined) {
      return { ok: false, reason: 'wrong_type', error: `field "${present}" must be a list of turns, got ${typeName(obj[present])} (preset messages)` };
    }
    return { ok: false, reason: 'missing_field', error: 'missing field "messages" (preset messages)' };
  }
  const list = obj[key] as unknown[];
  const turns: ChatMessage[] = [];
  for (let i = 0; i < list.length; i++) {
    const t = list[i];
    if (t === null || typeof t !== 'object' || Array.isArray(t)) {
      return { ok: false, reason: 'wrong_type', error: `${key}[${i}] must be an object, got ${typeName(t)}` };
    }
    const turn = t as Record<string, unknown>;
    let role: unknown = turn.role;
    let content: unknown = turn.content;
    if (role === undefined && 'from' in turn) {
      role = typeof turn.from === 'string' ? (SHAREGPT_ROLES[turn.from.toLowerCase()] ?? turn.from) : turn.from;
      content = turn.value;
    }
    if (typeof role !== 'string') {
      return { ok: false, reason: role === undefined ? 'missing_field' : 'wrong_type', error: `${key}[${i}].role must be a string, got ${typeName(role)}` };
    }
    if (Array.isArray(content)) {
      // OpenAI content parts: keep the text parts.
      const texts: string[] = [];
      for (const part of content) {
        if (part && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string') texts.push((part as { text: string }).text);
        else return { ok: false, reason: 'wrong_type', error: `${key}[${i}].content has a non-text part` };
      }
      content = texts.join('');
    }
    if (typeof content !== 'string') {
      return {
        ok: false,
        reason: content === undefined || content === null ? 'missing_field' : 'wrong_type',
        error: `${key}[${i}].content must be a string, got ${typeName(content)}`,
      };
    }
    turns.push({ role, content: wellFormed(content) });
  }
  return { ok: true, key, turns };
}
