/**
 * Field presets (README.md, "Inputs"): map one parsed input object onto a CodeRecord.
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
 *  - `trl`       TRL's prompt-completion layout: `prompt` / `completion`, both strings (standard) or both message
 *                lists (conversational: `prompt` the turns before the answer, `completion` the assistant turn);
 *                the completion's last assistant turn is the response, its turns before that join the prompt.
 *
 * `--fields` (parseFields / applyFields) renames a record's own fields onto these names before detection.
 *
 * In every preset, a top-level string `system` field becomes a leading system turn, and every field
 * not consumed goes to `meta`.
 */
import { CodeblockError } from '../errors.js';
import type { ChatMessage, CodeRecord, QuarantineReason } from './record.js';

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

/** What a preset's normalization yields: the user turn(s), the response and the consumed fields. */
type PresetFields =
  | {
      ok: true;
      prompt: ChatMessage[];
      response: string;
      consumed: string[];
      extraMeta?: Record<string, unknown>;
      /** The turns carry their own system message: a top-level `system` field is not consumed. */
      ownSystem?: boolean;
    }
  | { ok: false; reason: QuarantineReason; error: string };

export interface PresetSpec {
  readonly name: string;
  /** Detection tries presets in ascending `detectOrder`; the first whose `detect` is true wins. */
  readonly detectOrder: number;
  /** Whether an object with these keys (and, from JSON, the object itself) looks like this preset. */
  readonly detect: (has: ReadonlySet<string>, obj?: Record<string, unknown>) => boolean;
  /** Columns the preset needs (Parquet schema checks); alternatives joined with `|`. */
  readonly required: readonly string[];
  /** How the no-preset error names what the preset expects. */
  readonly expects: string;
  /** Map the object onto prompt turns and a response (the shared `id`/`system` handling is in `normalize`). */
  readonly fields: (obj: Record<string, unknown>) => PresetFields;
}

/**
 * Input presets, one entry each (README.md, "Inputs"): the single source of `--preset` (its choices
 * besides `auto`), of detection, of the Parquet schema check and of normalization. Adding a
 * preset = one entry here (docs/architecture.md, "Add an input preset").
 */
export const PRESET_TABLE = [
  {
    name: 'oci',
    detectOrder: 1,
    detect: (has) =>
      OCI_SIGNATURE.some((k) => has.has(k)) || (has.has('input') && has.has('output') && !has.has('instruction')),
    required: ['input', 'output'],
    expects: 'input/output',
    fields: (obj) => {
      const input = needString(obj, 'input', 'oci');
      if (!input.ok) return input;
      const output = needString(obj, 'output', 'oci');
      if (!output.ok) return output;
      const prompt: ChatMessage[] = [{ role: 'user', content: input.value }];
      return { ok: true, prompt, response: output.value, consumed: ['input', 'output'] };
    },
  },
  {
    name: 'alpaca',
    detectOrder: 2,
    detect: (has) => has.has('instruction') && has.has('output'),
    required: ['instruction', 'output'],
    expects: 'instruction/output',
    fields: (obj) => {
      const instruction = needString(obj, 'instruction', 'alpaca');
      if (!instruction.ok) return instruction;
      const input = optString(obj, 'input', 'alpaca');
      if (input && !input.ok) return input;
      const output = needString(obj, 'output', 'alpaca');
      if (!output.ok) return output;
      const user = input?.ok && input.value.length > 0 ? `${instruction.value}\n\n${input.value}` : instruction.value;
      const prompt: ChatMessage[] = [{ role: 'user', content: user }];
      return { ok: true, prompt, response: output.value, consumed: ['instruction', 'input', 'output'] };
    },
  },
  {
    name: 'magicoder',
    detectOrder: 3,
    detect: (has) => (has.has('instruction') && has.has('response')) || (has.has('problem') && has.has('solution')),
    required: ['instruction|problem', 'response|solution'],
    expects: 'instruction/response',
    fields: (obj) => {
      const [qk, ak] =
        'instruction' in obj || !('problem' in obj) ? ['instruction', 'response'] : ['problem', 'solution'];
      const q = needString(obj, qk, 'magicoder');
      if (!q.ok) return q;
      const a = needString(obj, ak, 'magicoder');
      if (!a.ok) return a;
      return { ok: true, prompt: [{ role: 'user', content: q.value }], response: a.value, consumed: [qk, ak] };
    },
  },
  {
    name: 'messages',
    detectOrder: 0,
    detect: (has, obj) =>
      (has.has('messages') || has.has('conversations')) &&
      (!obj || Array.isArray(obj.messages) || Array.isArray(obj.conversations)),
    required: ['messages|conversations'],
    expects: 'messages list',
    fields: (obj) => {
      const r = chatTurns(obj);
      if (!r.ok) return r;
      const turns = r.turns;
      let last = -1;
      for (let i = turns.length - 1; i >= 0; i--) {
        if (turns[i]!.role === 'assistant') {
          last = i;
          break;
        }
      }
      if (last < 0) {
        return { ok: false, reason: 'missing_field', error: `no assistant turn in "${r.key}" (preset messages)` };
      }
      const extraMeta: Record<string, unknown> = {};
      if (last < turns.length - 1) extraMeta.dropped_turns = turns.length - 1 - last;
      const response = turns[last]!.content;
      return { ok: true, prompt: turns.slice(0, last), response, consumed: [r.key], extraMeta, ownSystem: true };
    },
  },
  {
    name: 'trl',
    detectOrder: 4,
    detect: (has) => has.has('prompt') && has.has('completion'),
    required: ['prompt', 'completion'],
    expects: 'prompt/completion, strings or message lists',
    fields: (obj) => trlFields(obj),
  },
] as const satisfies readonly PresetSpec[];

export type Preset = (typeof PRESET_TABLE)[number]['name'];

/** Preset names in table order (the `--preset` choices after `auto`). */
export const PRESETS = PRESET_TABLE.map((p) => p.name) as readonly Preset[];

const DETECTION: readonly PresetSpec[] = [...PRESET_TABLE].sort((a, b) => a.detectOrder - b.detectOrder);

function presetSpec(preset: string): PresetSpec {
  const p = (PRESET_TABLE as readonly PresetSpec[]).find((x) => x.name === preset);
  if (!p) throw new RangeError(`unknown preset "${preset}" (known: ${PRESETS.join(', ')})`);
  return p;
}

/** `--preset` help: the option's line, then what each preset reads. */
export function presetsHelp(): string {
  const each = PRESET_TABLE.map((p) => `${p.name} (${p.expects})`).join(', ');
  return `input field preset, auto-detected per file by default: ${each}`;
}

/**
 * Which preset an object looks like, from its keys alone; undefined when none fits.
 * Order (each entry's detectOrder): messages/conversations → OCI (its signature fields, or
 * `input`+`output` without `instruction`) → alpaca (`instruction`+`output`) → magicoder
 * (`instruction`+`response` or `problem`+`solution`).
 */
export function detectPreset(obj: unknown): Preset | undefined {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return undefined;
  return detectPresetFromKeys(Object.keys(obj), obj as Record<string, unknown>);
}

/** Same as detectPreset, from a list of column names (Parquet schemas). */
export function detectPresetFromKeys(keys: readonly string[], obj?: Record<string, unknown>): Preset | undefined {
  const has = new Set(keys);
  return DETECTION.find((p) => p.detect(has, obj))?.name as Preset | undefined;
}

/** Columns a preset needs (for Parquet schema checks). Alternatives are joined with `|`. */
export function requiredFields(preset: Preset): string[] {
  return [...presetSpec(preset).required];
}

/** Describe why no preset matched (one line). */
export function noPresetError(keys: readonly string[]): string {
  const shown = keys.slice(0, 12).join(', ') + (keys.length > 12 ? ', …' : '');
  const list = PRESET_TABLE.map((p) => `${p.name} (${p.expects})`);
  const expected = `${list.slice(0, -1).join(', ')} or ${list[list.length - 1]}`;
  return `no preset matches the record's fields [${shown}]: expected ${expected}; pass a preset explicitly to override`;
}

/** Record id: the record's `id` (string or number), else `file:line`. */
function recordId(obj: Record<string, unknown>, ctx: RecordContext): { id: string } | { error: string } {
  const v = obj.id;
  if (v === undefined || v === null || v === '') return { id: `${ctx.file}:${ctx.line}` };
  if (typeof v === 'string') return { id: v };
  if (typeof v === 'number' && Number.isFinite(v)) {
    // JSON.parse already rounded an integer beyond 2^53: two different ids could collide
    if (Number.isInteger(v) && !Number.isSafeInteger(v))
      return {
        error: `field "id" is an integer beyond 2^53 (${v}) that cannot be represented exactly; quote it as a string`,
      };
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
  return optString(obj, name, preset)!; // present: a string or a wrong_type failure
}

function optString(obj: Record<string, unknown>, name: string, preset: Preset): Field | undefined {
  const v = obj[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') {
    return {
      ok: false,
      reason: 'wrong_type',
      error: `field "${name}" must be a string, got ${typeName(v)} (preset ${preset})`,
    };
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
  const fail = (f: { reason: QuarantineReason; error: string }): Normalized => ({
    ok: false,
    reason: f.reason,
    error: f.error,
    id,
  });
  const spec = presetSpec(preset);

  const prompt: ChatMessage[] = [];
  const consumed: string[] = ['id'];
  // a top-level `system` string is a leading system turn, except where the turns carry their own
  const sys = preset === 'messages' ? undefined : optString(obj, 'system', preset);
  if (sys && !sys.ok) return fail(sys);
  const f = spec.fields(obj);
  if (!f.ok) return fail(f);
  if (sys?.ok && !f.ownSystem) {
    prompt.push({ role: 'system', content: sys.value });
    consumed.push('system');
  }
  prompt.push(...f.prompt);
  consumed.push(...f.consumed);
  return {
    ok: true,
    record: {
      id,
      ordinal: ctx.ordinal,
      source: { file: ctx.file, line: ctx.line },
      preset,
      prompt,
      response: f.response,
      meta: { ...metaOf(obj, consumed), ...(f.extraMeta ?? {}) },
    },
  };
}

const SHAREGPT_ROLES: Record<string, string> = {
  human: 'user',
  user: 'user',
  gpt: 'assistant',
  assistant: 'assistant',
  system: 'system',
  chatgpt: 'assistant',
  bing: 'assistant',
  bard: 'assistant',
};

function chatTurns(
  obj: Record<string, unknown>,
): { ok: true; key: string; turns: ChatMessage[] } | { ok: false; reason: QuarantineReason; error: string } {
  const key = Array.isArray(obj.messages) ? 'messages' : Array.isArray(obj.conversations) ? 'conversations' : undefined;
  if (!key) {
    const present = 'messages' in obj ? 'messages' : 'conversations' in obj ? 'conversations' : undefined;
    if (present && obj[present] !== null && obj[present] !== undefined) {
      return {
        ok: false,
        reason: 'wrong_type',
        error: `field "${present}" must be a list of turns, got ${typeName(obj[present])} (preset messages)`,
      };
    }
    return { ok: false, reason: 'missing_field', error: 'missing field "messages" (preset messages)' };
  }
  const turns = parseTurns(key, obj[key] as unknown[]);
  return turns.ok ? { ok: true, key, turns: turns.turns } : turns;
}

/** A list of chat turns (`{role, content}` or ShareGPT `{from, value}`), named `key` in errors. */
function parseTurns(
  key: string,
  list: readonly unknown[],
): { ok: true; turns: ChatMessage[] } | { ok: false; reason: QuarantineReason; error: string } {
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
      return {
        ok: false,
        reason: role === undefined ? 'missing_field' : 'wrong_type',
        error: `${key}[${i}].role must be a string, got ${typeName(role)}`,
      };
    }
    if (Array.isArray(content)) {
      // OpenAI content parts: keep the text parts.
      const texts: string[] = [];
      for (const part of content) {
        if (part && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string')
          texts.push((part as { text: string }).text);
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
  return { ok: true, turns };
}

/** TRL prompt-completion: both strings, or both message lists (the `trl` preset). */
function trlFields(obj: Record<string, unknown>): PresetFields {
  const { prompt, completion } = obj;
  for (const [k, v] of [
    ['prompt', prompt],
    ['completion', completion],
  ] as const) {
    if (v === undefined || v === null)
      return { ok: false, reason: 'missing_field', error: `missing field "${k}" (preset trl)` };
    if (typeof v !== 'string' && !Array.isArray(v)) {
      const error = `field "${k}" must be a string or a list of messages, got ${typeName(v)} (preset trl)`;
      return { ok: false, reason: 'wrong_type', error };
    }
  }
  const consumed = ['prompt', 'completion'];
  if (typeof prompt === 'string' && typeof completion === 'string') {
    return {
      ok: true,
      prompt: [{ role: 'user', content: wellFormed(prompt) }],
      response: wellFormed(completion),
      consumed,
    };
  }
  if (!Array.isArray(prompt) || !Array.isArray(completion)) {
    const error = 'fields "prompt" and "completion" must both be strings or both be message lists (preset trl)';
    return { ok: false, reason: 'wrong_type', error };
  }
  const p = parseTurns('prompt', prompt);
  if (!p.ok) return p;
  const c = parseTurns('completion', completion);
  if (!c.ok) return c;
  let last = -1;
  for (let i = c.turns.length - 1; i >= 0 && last < 0; i--) if (c.turns[i]!.role === 'assistant') last = i;
  if (last < 0) return { ok: false, reason: 'missing_field', error: 'no assistant turn in "completion" (preset trl)' };
  const extraMeta: Record<string, unknown> = {};
  if (last < c.turns.length - 1) extraMeta.dropped_turns = c.turns.length - 1 - last;
  const turns = [...p.turns, ...c.turns.slice(0, last)];
  return { ok: true, prompt: turns, response: c.turns[last]!.content, consumed, extraMeta, ownSystem: true };
}

/**
 * `--fields`: which of a record's own fields play which part, e.g. `prompt=question,response=answer`.
 * Grammar: comma-separated `ROLE=FIELD` pairs, each ROLE at most once, FIELD a non-empty column/key name without
 * `,` or `=`. ROLEs and the name each renames to (so the presets above, auto-detected, read them):
 */
export const FIELD_ROLES = {
  /** a string (one user turn) or a message list (the turns before the answer) */
  prompt: 'prompt',
  /** a string, or a message list whose last assistant turn is the answer (with `prompt`: the trl preset) */
  response: 'completion',
  /** one chat list, `{role, content}` or `{from, value}` turns (the messages preset) */
  messages: 'messages',
  system: 'system',
  id: 'id',
} as const;
export type FieldRole = keyof typeof FIELD_ROLES;
/** role → the record's field name */
export type FieldMap = Partial<Record<FieldRole, string>>;

/** Parse and check a `--fields` value; one-line CodeblockError (E_USAGE) on anything wrong. */
export function parseFields(spec: string | FieldMap | undefined): FieldMap | undefined {
  if (spec === undefined || spec === '') return undefined;
  const bad = (why: string): never => {
    throw new CodeblockError(
      `--fields: ${why} (expected ROLE=FIELD[,ROLE=FIELD…], e.g. prompt=question,response=answer)`,
      'E_USAGE',
    );
  };
  const pairs: [string, unknown][] =
    typeof spec === 'string'
      ? spec.split(',').map((p) => {
          const eq = p.indexOf('=');
          if (eq < 0) bad(`"${p}" is not ROLE=FIELD`);
          return [p.slice(0, eq).trim(), p.slice(eq + 1).trim()];
        })
      : Object.entries(spec);
  const roles = Object.keys(FIELD_ROLES) as FieldRole[];
  const map: FieldMap = {};
  const sources = new Set<string>();
  for (const [role, field] of pairs) {
    if (!roles.includes(role as FieldRole)) bad(`unknown role "${role}" (roles: ${roles.join(', ')})`);
    if (typeof field !== 'string' || field === '' || /[,=]/.test(field)) bad(`role "${role}" needs a field name`);
    if (map[role as FieldRole] !== undefined) bad(`role "${role}" given twice`);
    if (sources.has(field as string)) bad(`field "${field}" given for two roles`);
    sources.add(field as string);
    map[role as FieldRole] = field as string;
  }
  const has = (r: FieldRole) => map[r] !== undefined;
  if (has('messages') && (has('prompt') || has('response'))) bad('"messages" excludes "prompt" and "response"');
  if (has('prompt') !== has('response') && !has('messages')) bad('"prompt" and "response" go together');
  return map;
}

/** The preset a mapping reads as: `messages` for a messages role, `trl` for prompt/response, else none. */
export function presetForFields(map: FieldMap): Preset | undefined {
  if (map.messages !== undefined) return 'messages';
  if (map.prompt !== undefined) return 'trl';
  return undefined;
}

/** A mapping as `--fields` text (for error messages). */
export function fieldsText(map: FieldMap): string {
  return Object.entries(map)
    .map(([r, f]) => `${r}=${f}`)
    .join(',');
}

/** The names a record's keys (or a Parquet file's columns) have after the mapping. */
export function mapKeys(keys: readonly string[], map: FieldMap): string[] {
  const renamed = new Map(Object.entries(map).map(([role, field]) => [field, FIELD_ROLES[role as FieldRole]]));
  const targets = new Set<string>(renamed.values());
  // a field already named like a target that is not itself mapped is replaced by the mapped one
  return keys.filter((k) => renamed.has(k) || !targets.has(k)).map((k) => renamed.get(k) ?? k);
}

/** Fields of the mapping that `keys` lack (the required roles: all but system and id). */
export function missingMapped(keys: readonly string[], map: FieldMap): string[] {
  const have = new Set(keys);
  return Object.entries(map)
    .filter(([role, field]) => role !== 'system' && role !== 'id' && !have.has(field))
    .map(([, field]) => field);
}

/** Rename one record's fields under the mapping; a missing mapped field quarantines it (one line). */
export function applyFields(
  obj: Record<string, unknown>,
  map: FieldMap,
): { ok: true; obj: Record<string, unknown> } | { ok: false; reason: QuarantineReason; error: string; id?: string } {
  const missing = missingMapped(
    Object.keys(obj).filter((k) => obj[k] !== undefined && obj[k] !== null),
    map,
  );
  if (missing.length) {
    const error = `missing field ${missing.map((m) => `"${m}"`).join(', ')} (--fields ${fieldsText(map)})`;
    const id = obj[map.id ?? 'id'];
    const known = typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id)) ? String(id) : undefined;
    return { ok: false, reason: 'missing_field', error, ...(known === undefined ? {} : { id: known }) };
  }
  const renamed = new Map(Object.entries(map).map(([role, field]) => [field, FIELD_ROLES[role as FieldRole]]));
  const targets = new Set<string>(renamed.values());
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(obj)) {
    const to = renamed.get(k);
    if (to !== undefined) out[to] = obj[k];
    else if (!targets.has(k)) out[k] = obj[k]; // a field already named like a target is replaced by the mapped one
  }
  return { ok: true, obj: out };
}
