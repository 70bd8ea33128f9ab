/**
 * Chat templates rendered as Hugging Face `apply_chat_template(messages, tokenize=False,
 * add_generation_prompt=False)` renders them: the Jinja template from tokenizer_config.json with
 * trim_blocks + lstrip_blocks (what @huggingface/jinja does), the special tokens map (bos_token,
 * eos_token, unk_token, pad_token, ... as strings) and `messages`.
 *
 * Determinism: `strftime_now` (used by a few templates for "today's date") is pinned to a fixed
 * date (`templateDate`, default 2024-07-26) so the same input renders the same text on every run.
 */
import { createHash } from 'node:crypto';
import { Environment, Interpreter, Template } from '@huggingface/jinja';
import type { ChatMessage } from '../types.js';
import { CodeblockError } from '../errors.js';
import { cpLength } from './codepoints.js';

export interface RenderedConversation {
  /** The full text the tokenizer sees. */
  text: string;
  /** Code point range of the (rendered) response inside `text`. */
  responseStart: number;
  responseEnd: number;
  /**
   * Code points of leading whitespace of the original response that the template dropped
   * (e.g. Qwen3 strips leading newlines). Usually 0. Response code point `r` lies at
   * `text` code point `responseStart + r - responseOffset` when
   * `responseOffset <= r < responseOffset + (responseEnd - responseStart)`.
   */
  responseOffset: number;
}

export interface ChatTemplateOptions {
  /** Special tokens and other template variables (bos_token, eos_token, ...). */
  variables?: Record<string, unknown>;
  /** Fixed date for `strftime_now` (ISO yyyy-mm-dd). */
  templateDate?: string;
}

const MARKER = '\uE000codeblock\uE001response\uE002';

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

function strftime(date: Date, fmt: string): string {
  const p2 = (n: number) => String(n).padStart(2, '0');
  return fmt.replace(/%([a-zA-Z%])/g, (_, c: string) => {
    switch (c) {
      case 'd':
        return p2(date.getUTCDate());
      case 'm':
        return p2(date.getUTCMonth() + 1);
      case 'Y':
        return String(date.getUTCFullYear());
      case 'y':
        return p2(date.getUTCFullYear() % 100);
      case 'b':
        return MONTHS[date.getUTCMonth()]!.slice(0, 3);
      case 'B':
        return MONTHS[date.getUTCMonth()]!;
      case 'a':
        return DAYS[date.getUTCDay()]!.slice(0, 3);
      case 'A':
        return DAYS[date.getUTCDay()]!;
      case 'H':
        return p2(date.getUTCHours());
      case 'M':
        return p2(date.getUTCMinutes());
      case 'S':
        return p2(date.getUTCSeconds());
      case 'j': {
        const start = Date.UTC(date.getUTCFullYear(), 0, 1);
        return String(Math.floor((date.getTime() - start) / 86400000) + 1).padStart(3, '0');
      }
      case '%':
        return '%';
      default:
        return `%${c}`;
    }
  });
}

function pyRange(start: number, stop?: number, step = 1): number[] {
  if (stop === undefined) {
    stop = start;
    start = 0;
  }
  if (step === 0) throw new Error('range() step must not be zero');
  const out: number[] = [];
  if (step > 0) for (let i = start; i < stop; i += step) out.push(i);
  else for (let i = start; i > stop; i += step) out.push(i);
  return out;
}

/** Special-token value from tokenizer_config.json: a string or an AddedToken object `{content}`. */
function tokenString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string')
    return (v as { content: string }).content;
  return undefined;
}

/** Template variables from a tokenizer_config.json (HF's `special_tokens_map`). */
const SPECIAL_TOKEN_NAMES = [
  'bos_token',
  'eos_token',
  'unk_token',
  'sep_token',
  'pad_token',
  'cls_token',
  'mask_token',
];
/** The variables specialTokenVariables sets. */
const SPECIAL_TOKEN_KEYS: ReadonlySet<string> = new Set([...SPECIAL_TOKEN_NAMES, 'additional_special_tokens']);

export function specialTokenVariables(config: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of SPECIAL_TOKEN_NAMES) {
    const s = tokenString(config[key]);
    if (s !== undefined) out[key] = s;
  }
  const extra = config.additional_special_tokens;
  if (Array.isArray(extra))
    out.additional_special_tokens = extra.map(tokenString).filter((s): s is string => s !== undefined);
  return out;
}

/** The chat template string of a tokenizer_config.json (a string, or a list of named templates: 'default'). */
export function chatTemplateFromConfig(config: Record<string, unknown>): string | undefined {
  const t = config.chat_template;
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) {
    const named = t as { name?: unknown; template?: unknown }[];
    const def = named.find((e) => e && e.name === 'default') ?? named[0];
    if (def && typeof def.template === 'string') return def.template;
  }
  return undefined;
}

/**
 * Templates rendered without the Jinja interpreter: sha256 of the exact template source → a function giving
 * the text for `messages` (undefined: this conversation needs the interpreter). Each is checked byte for byte
 * against the @huggingface/jinja render on every record of ../shared/data and on edge cases
 * (test/tokenize/template-fast.test.ts); any other source, even one differing by a space, goes through Jinja.
 */
const DIRECT_RENDERERS: Record<string, (messages: readonly ChatMessage[]) => string | undefined> = {
  // Qwen2.5 / Qwen2.5-Coder Instruct (models/target/qwen2.5/tokenizer_config.json) without `tools`
  cd8e9439f0570856fd70470bf8889ebd8b5d1107207f67a5efb46e342330527f: renderQwen25,
};

const QWEN25_DEFAULT_SYSTEM = 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.';

/**
 * The Qwen2.5 template for system / user / assistant turns without tool calls (the only messages codeblock
 * builds): a system turn (the first message when it is one, else the default), then every turn as
 * `<|im_start|>role\ncontent<|im_end|>\n`. Other roles (tool, unknown) go through Jinja.
 */
function renderQwen25(messages: readonly ChatMessage[]): string | undefined {
  for (const m of messages) if (typeof m?.content !== 'string') return undefined; // Jinja's own coercion
  const first = messages[0];
  let out =
    first && first.role === 'system'
      ? `<|im_start|>system\n${first.content}<|im_end|>\n`
      : `<|im_start|>system\n${QWEN25_DEFAULT_SYSTEM}<|im_end|>\n`;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!;
    if (m.role === 'system') {
      if (i > 0) out += `<|im_start|>system\n${m.content}<|im_end|>\n`;
    } else if (m.role === 'user' || m.role === 'assistant') {
      out += `<|im_start|>${m.role}\n${m.content}<|im_end|>\n`;
    } else return undefined;
  }
  return out;
}

export class ChatTemplate {
  readonly source: string;
  private readonly template: Template;
  private readonly variables: Record<string, unknown>;
  /** The template's direct renderer (DIRECT_RENDERERS), when it has one and the variables allow it. */
  private readonly direct: ((messages: readonly ChatMessage[]) => string | undefined) | undefined;

  constructor(source: string, options: ChatTemplateOptions = {}) {
    if (typeof source !== 'string' || source.length === 0)
      throw new TypeError('chat template must be a non-empty string');
    this.source = source;
    try {
      this.template = new Template(source);
    } catch (err) {
      throw new CodeblockError(`chat template does not parse: ${(err as Error).message}`, 'E_TEMPLATE');
    }
    const date = new Date(`${options.templateDate ?? '2024-07-26'}T00:00:00Z`);
    if (Number.isNaN(date.getTime()))
      throw new RangeError(`templateDate must be yyyy-mm-dd, got ${options.templateDate}`);
    this.variables = { ...(options.variables ?? {}) };
    this.strftimeNow = (fmt: unknown) => strftime(date, String(fmt));
    // the direct renderers know only the template's own variables: any extra one (tools, ...) means Jinja
    const extra = Object.keys(this.variables).filter((k) => !SPECIAL_TOKEN_KEYS.has(k));
    const hash = createHash('sha256').update(source).digest('hex');
    this.direct = extra.length === 0 ? DIRECT_RENDERERS[hash] : undefined;
  }

  private readonly strftimeNow: (fmt: unknown) => string;

  /** Template.render of @huggingface/jinja with the same globals, but strftime_now pinned. */
  private run(items: Record<string, unknown>): string {
    const env = new Environment();
    env.set('false', false);
    env.set('true', true);
    env.set('none', null);
    env.set('raise_exception', (args: unknown) => {
      throw new Error(String(args));
    });
    env.set('range', pyRange);
    env.set('strftime_now', this.strftimeNow);
    env.set('True', true);
    env.set('False', false);
    env.set('None', null);
    for (const [k, v] of Object.entries(items)) env.set(k, v);
    return (new Interpreter(env).run(this.template.parsed) as { value: string }).value;
  }

  /** Render `messages` exactly like HF apply_chat_template(tokenize=False). */
  render(messages: ChatMessage[], addGenerationPrompt = false): string {
    if (this.direct && !addGenerationPrompt) {
      const text = this.direct(messages);
      if (text !== undefined) return text;
    }
    return this.renderJinja(messages, addGenerationPrompt);
  }

  /** `render` through the Jinja interpreter, always (the reference the direct renderers are tested against). */
  renderJinja(messages: ChatMessage[], addGenerationPrompt = false): string {
    try {
      return this.run({
        ...this.variables,
        messages: messages.map((m) => ({ role: m.role, content: m.content })),
        add_generation_prompt: addGenerationPrompt,
      });
    } catch (err) {
      throw new CodeblockError(`chat template failed to render: ${(err as Error).message}`, 'E_TEMPLATE');
    }
  }

  /**
   * Render prompt + assistant response and locate the response in the text. The template is
   * rendered once with a marker in place of the response (to find the prefix and suffix it
   * wraps the response in) and once for real; the real text must be prefix + R + suffix with R
   * the response, or the response with whitespace stripped off its ends (Qwen3 strips leading
   * newlines), else E_TEMPLATE.
   */
  renderConversation(prompt: ChatMessage[], response: string): RenderedConversation {
    if (response.length === 0) throw new CodeblockError('cannot template an empty response', 'E_TEMPLATE');
    const marked = this.render([...prompt, { role: 'assistant', content: MARKER }]);
    const at = marked.indexOf(MARKER);
    if (at < 0 || marked.indexOf(MARKER, at + 1) >= 0) {
      throw new CodeblockError(
        at < 0
          ? 'chat template does not render the assistant message'
          : 'chat template renders the response more than once',
        'E_TEMPLATE',
      );
    }
    const prefix = marked.slice(0, at);
    const suffix = marked.slice(at + MARKER.length);
    const text = this.render([...prompt, { role: 'assistant', content: response }]);
    if (!text.startsWith(prefix) || !text.endsWith(suffix) || text.length < prefix.length + suffix.length) {
      throw new CodeblockError(
        'chat template renders this response with a different frame (e.g. it rewrites reasoning blocks); cannot ' +
          'locate the response',
        'E_TEMPLATE',
      );
    }
    const middle = text.slice(prefix.length, text.length - suffix.length);
    let offset16 = 0;
    if (middle !== response) {
      // Accept only whitespace stripped off either end (e.g. Qwen3's content.lstrip('\n')):
      // response = A + middle + B with A, B whitespace, and exactly one such split.
      const lead = response.length - response.trimStart().length;
      const found: number[] = [];
      if (middle.length > 0) {
        for (let k = 0; k <= lead; k++) {
          if (response.startsWith(middle, k) && response.slice(k + middle.length).trim() === '') found.push(k);
        }
      }
      if (found.length !== 1) {
        throw new CodeblockError(
          'chat template changes the response text beyond stripping whitespace; cannot map response offsets',
          'E_TEMPLATE',
        );
      }
      offset16 = found[0]!;
    }
    const responseStart = cpLength(prefix);
    const responseEnd = responseStart + cpLength(middle);
    return {
      text,
      responseStart,
      responseEnd,
      responseOffset: offset16 === 0 ? 0 : cpLength(response.slice(0, offset16)),
    };
  }
}

/**
 * Map a response span [start, end) (code points of the original response) to code points of the
 * rendered text; the part the template dropped (see `responseOffset`) is clipped away. Returns
 * undefined when nothing of the span is in the text.
 */
export function responseSpanToText(
  r: RenderedConversation,
  start: number,
  end: number,
): { start: number; end: number } | undefined {
  const len = r.responseEnd - r.responseStart;
  const a = Math.max(start - r.responseOffset, 0);
  const b = Math.min(end - r.responseOffset, len);
  if (!(b > a)) return undefined;
  return { start: r.responseStart + a, end: r.responseStart + b };
}

/**
 * `--template none`: plain concatenation. The prompt turns' contents joined by "\n", then "\n",
 * then the response (just the response when the prompt is empty). No special tokens are added by
 * the template; the tokenizer's own post-processor (e.g. a BOS) is applied at encoding.
 */
export function renderPlain(prompt: ChatMessage[], response: string): RenderedConversation {
  if (response.length === 0) throw new CodeblockError('cannot template an empty response', 'E_TEMPLATE');
  const head = prompt.length ? `${prompt.map((m) => m.content).join('\n')}\n` : '';
  const start = cpLength(head);
  return { text: head + response, responseStart: start, responseEnd: start + cpLength(response), responseOffset: 0 };
}
