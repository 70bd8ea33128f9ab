/**
 * The target tokenizer: the tokenizer of the model being trained. Hugging Face `tokenizers`
 * (native, Rust) loaded from a tokenizer.json, plus the chat template of its
 * tokenizer_config.json. The whole templated conversation is tokenized once, with offsets —
 * never prompt and response separately (they tokenize differently at the seam).
 *
 * Offsets are Unicode code point offsets into the text (the Node binding of `tokenizers` reports
 * char offsets; verified in test/tokenize with astral characters and CRLF). Byte-level BPE may
 * split one character over several tokens: those tokens all carry the character's full range.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname } from 'node:path';
import type { ChatMessage } from '../types.js';
import { CodeblockError } from '../errors.js';
import { resolveTokenizerSpec, readJsonFile } from './bundled.js';
import { offsetsFromIds, tokenBytesOf, type TokenBytes } from './offsets.js';
import {
  ChatTemplate,
  chatTemplateFromConfig,
  renderPlain,
  specialTokenVariables,
  type RenderedConversation,
} from './template.js';

// `tokenizers` is CommonJS with a native binding; load it through require.
const require = createRequire(import.meta.url);

interface HfEncoding {
  getIds(): number[];
  getOffsets(): number[][];
}
interface HfTokenizer {
  encode(s: string, pair?: string | null, opts?: { addSpecialTokens?: boolean }): Promise<HfEncoding>;
  encodeBatch(s: string[], opts?: { addSpecialTokens?: boolean }): Promise<HfEncoding[]>;
  decode(ids: number[], skipSpecialTokens: boolean): Promise<string>;
  getNormalizer(): { normalizeString(s: string): string } | null;
  getVocabSize(withAdded?: boolean): number;
  idToToken(id: number): string | null;
  tokenToId(t: string): number | null;
}
interface HfTokenizersModule {
  Tokenizer: { fromFile(p: string): HfTokenizer; fromString(s: string): HfTokenizer };
}

export type TemplateSpec = 'auto' | 'none' | string;

export interface TargetTokenizerOptions {
  /**
   * 'auto' (chat_template of tokenizer_config.json), 'none' (plain concatenation), or a path to a .jinja file or a
   * tokenizer_config.json. Default 'auto'.
   */
  template?: TemplateSpec;
  /** Fixed date for templates that call strftime_now (yyyy-mm-dd). */
  templateDate?: string;
  /** Extra template variables (e.g. `{ enable_thinking: false }`). */
  templateVariables?: Record<string, unknown>;
  /**
   * Apply the tokenizer's post-processor special tokens (BOS...). Default: false with a chat template (as HF
   * apply_chat_template), true with 'none'.
   */
  addSpecialTokens?: boolean;
}

/** One tokenized text: ids and code point offsets (`offsets[2i]`, `offsets[2i+1]` = [start, end) of token i). */
export interface Encoded {
  ids: Int32Array;
  offsets: Int32Array;
}

export interface EncodedConversation extends RenderedConversation, Encoded {}

/** A conversation the chat template could not frame (see renderAndEncode's `settle`). */
export interface TemplateFailure {
  error: CodeblockError;
}

export interface TokenizerDescription {
  /** The spec as given (bundled tokenizer name or path). */
  spec: string;
  /** The bundled tokenizer's name, when the spec named one (the manifest key keeps its old name, `preset`). */
  preset?: string;
  /** sha256 of the tokenizer.json bytes (before any added-token filtering). */
  tokenizerSha256: string;
  /** Added tokens kept (a bundled tokenizer's added-token filtering), else absent. */
  maxAddedTokenId?: number;
  template: 'chat' | 'none';
  /** sha256 of the chat template source ('none': absent). */
  templateSha256?: string;
  addSpecialTokens: boolean;
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The binding's own offsets (`getOffsets()`: one [start, end] array per token) into a flat Int32Array. */
function bindingOffsets(e: HfEncoding, nTok: number): Int32Array {
  const offs = e.getOffsets();
  const offsets = new Int32Array(nTok * 2);
  for (let i = 0; i < nTok; i++) {
    const o = offs[i]!;
    offsets[2 * i] = o[0]!;
    offsets[2 * i + 1] = o[1]!;
  }
  return offsets;
}

/**
 * Ids and offsets of one encoding of `text`: offsets from the ids when the tokenizer is byte-level BPE and
 * its tokens spell `text` byte for byte (src/tokenize/offsets.ts), else the binding's `getOffsets()`.
 */
function toEncoded(e: HfEncoding, text: string, tb: TokenBytes | undefined): Encoded {
  const ids = Int32Array.from(e.getIds());
  const fast = tb ? offsetsFromIds(tb, ids, text) : undefined;
  return { ids, offsets: fast ?? bindingOffsets(e, ids.length) };
}

export class TargetTokenizer {
  private readonly hf: HfTokenizer;
  private readonly chat: ChatTemplate | undefined;
  private readonly addSpecial: boolean;
  private readonly normalizer: { normalizeString(s: string): string } | null;
  /** Byte strings of the token ids (byte-level BPE), for offsets without getOffsets(); else undefined. */
  private readonly tokenBytes: TokenBytes | undefined;
  readonly description: TokenizerDescription;
  /** Special-token strings from tokenizer_config.json (bos_token, eos_token, ...). */
  readonly specialTokens: Readonly<Record<string, unknown>>;
  /** Ids of the tokenizer's special added tokens (`special: true` in tokenizer.json). */
  readonly specialIds: ReadonlySet<number>;

  private constructor(
    hf: HfTokenizer,
    chat: ChatTemplate | undefined,
    addSpecial: boolean,
    description: TokenizerDescription,
    special: Record<string, unknown>,
    specialIds: ReadonlySet<number>,
    tokenBytes: TokenBytes | undefined,
  ) {
    this.specialIds = specialIds;
    this.tokenBytes = tokenBytes;
    this.hf = hf;
    this.chat = chat;
    this.addSpecial = addSpecial;
    this.normalizer = hf.getNormalizer();
    this.description = description;
    this.specialTokens = special;
  }

  /**
   * Load a target tokenizer: `spec` is a bundled tokenizer name (`qwen2.5`, `qwen3`, ...), a tokenizer.json
   * path, or a directory holding tokenizer.json (+ tokenizer_config.json).
   */
  static async load(spec: string, options: TargetTokenizerOptions = {}): Promise<TargetTokenizer> {
    return TargetTokenizer.loadSync(spec, options);
  }

  static loadSync(spec: string, options: TargetTokenizerOptions = {}): TargetTokenizer {
    const resolved = resolveTokenizerSpec(spec);
    if ((options.template ?? 'auto') === 'auto' && !resolved.tokenizerConfig) {
      throw new CodeblockError(
        `no tokenizer_config.json beside ${resolved.tokenizerJson}: pass --template none or --template <file.jinja>`,
        'E_TEMPLATE',
      );
    }
    const { Tokenizer } = require('tokenizers') as HfTokenizersModule;
    let raw: Buffer;
    try {
      raw = readFileSync(resolved.tokenizerJson);
    } catch (err) {
      throw new CodeblockError(
        `cannot read tokenizer ${resolved.tokenizerJson}: ${(err as Error).message}`,
        'E_TOKENIZER',
      );
    }
    const maxAdded = resolved.bundled?.maxAddedTokenId;
    let hf: HfTokenizer;
    const specialIds = new Set<number>();
    let tokenBytes: TokenBytes | undefined;
    try {
      const json = JSON.parse(raw.toString('utf8')) as Parameters<typeof tokenBytesOf>[0] & {
        added_tokens?: { id: number; content: string; special?: boolean }[];
      };
      if (maxAdded !== undefined) {
        json.added_tokens = (json.added_tokens ?? []).filter((t) => t.id <= maxAdded);
        hf = Tokenizer.fromString(JSON.stringify(json));
      } else {
        hf = Tokenizer.fromString(raw.toString('utf8'));
      }
      for (const t of json.added_tokens ?? []) if (t.special === true && Number.isInteger(t.id)) specialIds.add(t.id);
      try {
        tokenBytes = tokenBytesOf(json);
      } catch {
        tokenBytes = undefined; // an unusual tokenizer.json: the binding's getOffsets() serves it
      }
    } catch (err) {
      throw new CodeblockError(
        `tokenizer ${resolved.tokenizerJson} does not load: ${String((err as Error).message ?? err).split('\n')[0]}`,
        'E_TOKENIZER',
      );
    }

    const templateSpec = options.template ?? 'auto';
    let config: Record<string, unknown> = {};
    let templateSource: string | undefined;
    if (templateSpec === 'auto') {
      if (!resolved.tokenizerConfig) {
        throw new CodeblockError(
          `no tokenizer_config.json beside ${resolved.tokenizerJson}: pass --template none or --template <file.jinja>`,
          'E_TEMPLATE',
        );
      }
      config = readJsonFile(resolved.tokenizerConfig, 'tokenizer config') as Record<string, unknown>;
      templateSource = chatTemplateFromConfig(config);
      if (!templateSource) {
        throw new CodeblockError(
          `${resolved.tokenizerConfig} has no chat_template: pass --template none or --template <file.jinja>`,
          'E_TEMPLATE',
        );
      }
    } else if (templateSpec !== 'none') {
      if (resolved.tokenizerConfig)
        config = readJsonFile(resolved.tokenizerConfig, 'tokenizer config') as Record<string, unknown>;
      if (extname(templateSpec).toLowerCase() === '.json') {
        const c = readJsonFile(templateSpec, 'tokenizer config') as Record<string, unknown>;
        config = { ...config, ...c };
        templateSource = chatTemplateFromConfig(c);
        if (!templateSource) throw new CodeblockError(`${templateSpec} has no chat_template`, 'E_TEMPLATE');
      } else {
        try {
          templateSource = readFileSync(templateSpec, 'utf8');
        } catch (err) {
          throw new CodeblockError(
            `cannot read chat template ${templateSpec}: ${(err as Error).message}`,
            'E_TEMPLATE',
          );
        }
      }
    } else if (resolved.tokenizerConfig) {
      config = readJsonFile(resolved.tokenizerConfig, 'tokenizer config') as Record<string, unknown>;
    }
    const special = specialTokenVariables(config);
    const chat =
      templateSource !== undefined
        ? new ChatTemplate(templateSource, {
            variables: { ...special, ...(options.templateVariables ?? {}) },
            templateDate: options.templateDate,
          })
        : undefined;
    const addSpecial = options.addSpecialTokens ?? chat === undefined;
    const description: TokenizerDescription = {
      spec,
      ...(resolved.bundled ? { preset: resolved.bundled.name } : {}),
      tokenizerSha256: sha256(raw),
      ...(maxAdded !== undefined ? { maxAddedTokenId: maxAdded } : {}),
      template: chat ? 'chat' : 'none',
      ...(templateSource !== undefined ? { templateSha256: sha256(templateSource) } : {}),
      addSpecialTokens: addSpecial,
    };
    return new TargetTokenizer(hf, chat, addSpecial, description, special, specialIds, tokenBytes);
  }

  /** Vocabulary size including added tokens. */
  get vocabSize(): number {
    return this.hf.getVocabSize(true);
  }

  /** The chat template in use (undefined with template 'none'). */
  get chatTemplate(): ChatTemplate | undefined {
    return this.chat;
  }

  /** Id of the eos_token of tokenizer_config.json, when there is one. */
  get eosTokenId(): number | undefined {
    const eos = this.specialTokens.eos_token;
    if (typeof eos !== 'string') return undefined;
    return this.hf.tokenToId(eos) ?? undefined;
  }

  tokenToId(token: string): number | undefined {
    return this.hf.tokenToId(token) ?? undefined;
  }

  idToToken(id: number): string | undefined {
    return this.hf.idToToken(id) ?? undefined;
  }

  /** Apply the tokenizer's normalizer (NFC for Qwen); identity when it has none. */
  normalize(text: string): string {
    return this.normalizer ? this.normalizer.normalizeString(text) : text;
  }

  /**
   * Template one conversation: the prompt turns, then the response as the final assistant turn
   * (add_generation_prompt = false). Offsets are code points into `text`.
   */
  renderConversation(prompt: ChatMessage[], response: string): RenderedConversation {
    if (!Array.isArray(prompt)) throw new TypeError('prompt must be an array of chat messages');
    if (typeof response !== 'string') throw new TypeError('response must be a string');
    for (const m of prompt) {
      if (!m || typeof m.role !== 'string' || typeof m.content !== 'string')
        throw new TypeError('each prompt message needs string role and content');
    }
    return this.chat ? this.chat.renderConversation(prompt, response) : renderPlain(prompt, response);
  }

  /** Tokenize whole texts (one native batch call). */
  async encodeBatch(texts: readonly string[]): Promise<Encoded[]> {
    if (!Array.isArray(texts)) throw new TypeError('encodeBatch expects an array of strings');
    for (const t of texts) if (typeof t !== 'string') throw new TypeError('encodeBatch expects an array of strings');
    if (texts.length === 0) return [];
    const encs = await this.hf.encodeBatch(texts as string[], { addSpecialTokens: this.addSpecial });
    const tb = this.tokenBytes;
    return encs.map((e, i) => toEncoded(e, texts[i]!, tb));
  }

  async encode(text: string): Promise<Encoded> {
    const [e] = await this.encodeBatch([text]);
    return e!;
  }

  /**
   * renderConversation + encodeBatch for a batch of conversations. A conversation the template
   * cannot frame (CodeblockError E_TEMPLATE) throws — or, with `{ settle: true }`, comes back as
   * `{ error }` in its slot so the caller can reject that one record and go on.
   */
  async renderAndEncode(
    conversations: readonly { prompt: ChatMessage[]; response: string }[],
  ): Promise<EncodedConversation[]>;
  async renderAndEncode(
    conversations: readonly { prompt: ChatMessage[]; response: string }[],
    options: { settle: true },
  ): Promise<(EncodedConversation | TemplateFailure)[]>;
  async renderAndEncode(
    conversations: readonly { prompt: ChatMessage[]; response: string }[],
    options: { settle?: boolean } = {},
  ): Promise<(EncodedConversation | TemplateFailure)[]> {
    const rendered: (RenderedConversation | TemplateFailure)[] = conversations.map((c) => {
      if (!options.settle) return this.renderConversation(c.prompt, c.response);
      try {
        return this.renderConversation(c.prompt, c.response);
      } catch (err) {
        if (err instanceof CodeblockError) return { error: err };
        throw err;
      }
    });
    const ok = rendered.filter((r): r is RenderedConversation => !('error' in r));
    const encs = await this.encodeBatch(ok.map((r) => r.text));
    let k = 0;
    return rendered.map((r) => ('error' in r ? r : { ...r, ...encs[k++]! }));
  }

  /** Decode ids to text (special tokens kept unless `skipSpecialTokens`). */
  async decode(ids: ArrayLike<number>, skipSpecialTokens = false): Promise<string> {
    return this.hf.decode(Array.from(ids), skipSpecialTokens);
  }

  async decodeBatch(batch: ArrayLike<number>[], skipSpecialTokens = false): Promise<string[]> {
    return Promise.all(batch.map((ids) => this.decode(ids, skipSpecialTokens)));
  }
}

/** Concatenate per-text encodings into flat arrays with token prefix sums (`tokenStarts[i]..tokenStarts[i+1]`). */
export function concatEncodings(encs: readonly Encoded[]): {
  ids: Int32Array;
  offsets: Int32Array;
  tokenStarts: Int32Array;
} {
  const tokenStarts = new Int32Array(encs.length + 1);
  for (let i = 0; i < encs.length; i++) tokenStarts[i + 1] = tokenStarts[i]! + encs[i]!.ids.length;
  const n = tokenStarts[encs.length]!;
  const ids = new Int32Array(n);
  const offsets = new Int32Array(2 * n);
  for (let i = 0; i < encs.length; i++) {
    ids.set(encs[i]!.ids, tokenStarts[i]!);
    offsets.set(encs[i]!.offsets, 2 * tokenStarts[i]!);
  }
  return { ids, offsets, tokenStarts };
}
