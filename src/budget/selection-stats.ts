/**
 * What a selection supervises, measured (issue #29): the statement-kind mix of the selected items against
 * the pool's selectable items, the share of selected items that open their response, and the Jaccard
 * overlap of two selections. `inspect`, the selection study (tools/study/selection.mjs) and the tests all
 * use these; none re-derives them.
 *
 * Statement kinds come from an item's tree-sitter node type through one table per language
 * (STATEMENT_KINDS); an expression statement is split by its text (assignment or call, as inspect's labels
 * do). A type a language's table does not name falls to the shared fallback table, then to `other`.
 */
import type { AnalysisItem, AnalysisRecord } from '../analysis/format.js';
import { classifyExpression } from './labels.js';

/** What the kind of an item is read from. */
export type KindItem = Pick<AnalysisItem, 'start' | 'end' | 'type' | 'flags'>;
/** What the kinds of a record's items are read from. */
export interface KindRecord {
  segments: AnalysisRecord['segments'];
  response: string;
  items: readonly KindItem[];
}

/** The statement kinds of the mix, in display order. */
export const STATEMENT_KINDS = ['def', 'import', 'assignment', 'condition', 'return', 'call', 'loop', 'other'] as const;
export type StatementKind = (typeof STATEMENT_KINDS)[number];

/** What the kinds mean, for reports and docs. */
export const STATEMENT_KIND_TEXT: Record<StatementKind, string> = {
  def: 'def/class headers (function, method, class, type definitions)',
  import: 'imports (import, use, include, require)',
  assignment: 'assignments and declarations with a value',
  condition: 'conditions (if/elif/else/while headers, switch/match/case arms)',
  return: 'returns',
  call: 'calls and other expression statements (print included)',
  loop: 'loops (for headers)',
  other: 'everything else (try/except, with, raise, pass, break, …)',
};

/** The kinds the issue calls "bodies": what a function does once its header is written. */
export const BODY_KINDS: readonly StatementKind[] = ['return', 'condition', 'call'];

/** `expr`: an expression statement, classified by its text (assignment, call, return). */
type Entry = StatementKind | 'expr';

const IMPORT = 'import';
const ASSIGN = 'assignment';
const RETURN = 'return';
const CALL = 'call';

/** Node types of one language by kind (a node type appears once). */
type KindLists = Partial<Record<Entry, readonly string[]>>;

const PYTHON: KindLists = {
  def: ['function_definition', 'class_definition', 'decorated_definition'],
  import: ['import_statement', 'import_from_statement', 'future_import_statement'],
  assignment: ['type_alias_statement'],
  expr: ['expression_statement'],
  return: ['return_statement'],
  condition: ['if_statement', 'elif_clause', 'else_clause', 'while_statement', 'match_statement', 'case_clause'],
  loop: ['for_statement'],
  call: ['print_statement', 'exec_statement'],
};

const JAVASCRIPT: KindLists = {
  def: [
    'function_declaration',
    'generator_function_declaration',
    'class_declaration',
    'method_definition',
    'class_static_block',
    'export_statement',
  ],
  import: ['import_statement'],
  assignment: ['lexical_declaration', 'variable_declaration', 'using_declaration', 'field_definition'],
  expr: ['expression_statement'],
  return: ['return_statement'],
  condition: [
    'if_statement',
    'else_clause',
    'while_statement',
    'do_statement',
    'switch_statement',
    'switch_case',
    'switch_default',
  ],
  loop: ['for_statement', 'for_in_statement'],
};

const TYPESCRIPT: KindLists = {
  ...JAVASCRIPT,
  def: [
    ...JAVASCRIPT.def!,
    'interface_declaration',
    'enum_declaration',
    'abstract_class_declaration',
    'internal_module',
    'module',
    'type_alias_declaration',
    'function_signature',
    'abstract_method_signature',
    'method_signature',
    'ambient_declaration',
  ],
  import: [...JAVASCRIPT.import!, 'import_alias'],
  assignment: [...JAVASCRIPT.assignment!, 'public_field_definition'],
};

const C: KindLists = {
  def: [
    'function_definition',
    'struct_specifier',
    'union_specifier',
    'enum_specifier',
    'type_definition',
    'preproc_function_def',
  ],
  import: ['preproc_include'],
  assignment: ['declaration', 'field_declaration', 'enumerator', 'preproc_def'],
  expr: ['expression_statement'],
  return: ['return_statement'],
  condition: ['if_statement', 'else_clause', 'while_statement', 'do_statement', 'switch_statement', 'case_statement'],
  loop: ['for_statement'],
};

const CPP: KindLists = {
  ...C,
  def: [
    ...C.def!,
    'class_specifier',
    'namespace_definition',
    'template_declaration',
    'alias_declaration',
    'concept_definition',
    'namespace_alias_definition',
  ],
  import: [...C.import!, 'using_declaration'],
  return: [...C.return!, 'co_return_statement', 'co_yield_statement'],
  loop: [...C.loop!, 'for_range_loop'],
};

const CSHARP: KindLists = {
  def: [
    'namespace_declaration',
    'file_scoped_namespace_declaration',
    'class_declaration',
    'struct_declaration',
    'interface_declaration',
    'enum_declaration',
    'record_declaration',
    'method_declaration',
    'constructor_declaration',
    'destructor_declaration',
    'operator_declaration',
    'conversion_operator_declaration',
    'local_function_statement',
    'delegate_declaration',
    'indexer_declaration',
    'event_declaration',
  ],
  import: ['using_directive', 'extern_alias_directive'],
  assignment: [
    'local_declaration_statement',
    'field_declaration',
    'event_field_declaration',
    'enum_member_declaration',
    'property_declaration',
  ],
  expr: ['expression_statement'],
  return: ['return_statement', 'yield_statement'],
  condition: ['if_statement', 'while_statement', 'do_statement', 'switch_statement', 'switch_section'],
  loop: ['for_statement', 'foreach_statement'],
};

const JAVA: KindLists = {
  def: [
    'class_declaration',
    'interface_declaration',
    'enum_declaration',
    'record_declaration',
    'annotation_type_declaration',
    'method_declaration',
    'constructor_declaration',
    'compact_constructor_declaration',
    'module_declaration',
    'annotation_type_element_declaration',
  ],
  import: ['import_declaration', 'package_declaration'],
  assignment: ['local_variable_declaration', 'field_declaration', 'constant_declaration', 'enum_constant'],
  expr: ['expression_statement'],
  call: ['explicit_constructor_invocation'],
  return: ['return_statement', 'yield_statement'],
  condition: [
    'if_statement',
    'while_statement',
    'do_statement',
    'switch_expression',
    'switch_block_statement_group',
    'switch_rule',
  ],
  loop: ['for_statement', 'enhanced_for_statement'],
};

const GO: KindLists = {
  def: ['function_declaration', 'method_declaration', 'type_declaration', 'method_elem'],
  import: ['import_declaration'],
  assignment: [
    'short_var_declaration',
    'assignment_statement',
    'inc_statement',
    'dec_statement',
    'var_declaration',
    'const_declaration',
    'field_declaration',
  ],
  expr: ['expression_statement'],
  call: ['go_statement', 'defer_statement', 'send_statement'],
  return: ['return_statement'],
  condition: [
    'if_statement',
    'expression_switch_statement',
    'type_switch_statement',
    'select_statement',
    'expression_case',
    'default_case',
    'type_case',
    'communication_case',
  ],
  loop: ['for_statement'],
};

const RUST: KindLists = {
  def: [
    'function_item',
    'impl_item',
    'trait_item',
    'struct_item',
    'enum_item',
    'union_item',
    'mod_item',
    'foreign_mod_item',
    'type_item',
    'function_signature_item',
    'macro_definition',
    'associated_type',
  ],
  import: ['use_declaration', 'extern_crate_declaration'],
  assignment: ['let_declaration', 'const_item', 'static_item', 'field_declaration', 'enum_variant'],
  expr: ['expression_statement'],
  call: ['macro_invocation'],
  condition: ['if_expression', 'else_clause', 'match_expression', 'match_arm', 'while_expression'],
  loop: ['for_expression', 'loop_expression'],
};

const PHP: KindLists = {
  def: [
    'function_definition',
    'class_declaration',
    'interface_declaration',
    'trait_declaration',
    'enum_declaration',
    'method_declaration',
    'namespace_definition',
  ],
  import: ['namespace_use_declaration', 'use_declaration'],
  assignment: [
    'const_declaration',
    'property_declaration',
    'global_declaration',
    'function_static_declaration',
    'enum_case',
  ],
  expr: ['expression_statement'],
  call: ['echo_statement', 'exit_statement'],
  return: ['return_statement'],
  condition: [
    'if_statement',
    'else_clause',
    'else_if_clause',
    'while_statement',
    'do_statement',
    'switch_statement',
    'case_statement',
    'default_statement',
  ],
  loop: ['for_statement', 'foreach_statement'],
};

const RUBY: KindLists = {
  def: ['method', 'singleton_method', 'class', 'module', 'singleton_class', 'alias'],
  assignment: ['assignment', 'operator_assignment'],
  expr: ['call', 'identifier'],
  return: ['return', 'next', 'yield'],
  condition: [
    'if',
    'unless',
    'while',
    'until',
    'case',
    'case_match',
    'elsif',
    'else',
    'when',
    'in_clause',
    'if_modifier',
    'unless_modifier',
    'while_modifier',
    'until_modifier',
    'conditional',
  ],
  loop: ['for'],
};

const BASH: KindLists = {
  def: ['function_definition'],
  assignment: ['variable_assignment', 'variable_assignments', 'declaration_command'],
  call: ['command', 'pipeline', 'list', 'redirected_statement', 'negated_command', 'subshell'],
  condition: [
    'if_statement',
    'elif_clause',
    'else_clause',
    'while_statement',
    'case_statement',
    'case_item',
    'test_command',
  ],
  loop: ['for_statement', 'c_style_for_statement'],
};

const CSS: KindLists = {
  import: ['import_statement'],
  assignment: ['declaration'],
};

// SQL: an item's type is its statement's first node (select, insert, create_table, ...; a WITH statement's
// keyword_with), or cte / subquery for the clause items of a statement split at its queries.
const SQL: KindLists = {
  def: ['create_table', 'create_view', 'create_materialized_view', 'create_function', 'create_index', 'alter_table'],
  assignment: ['insert', 'update', 'delete'],
  call: ['select', 'set_operation', 'keyword_with', 'cte', 'subquery'],
};

const SWIFT: KindLists = {
  def: [
    'function_declaration',
    'init_declaration',
    'deinit_declaration',
    'class_declaration',
    'protocol_declaration',
    'subscript_declaration',
    'protocol_function_declaration',
    'typealias_declaration',
    'associatedtype_declaration',
  ],
  import: ['import_declaration'],
  assignment: ['property_declaration', 'protocol_property_declaration', 'assignment', 'enum_entry'],
  // return, break, continue and throw are one node type in tree-sitter-swift
  return: ['control_transfer_statement'],
  call: ['call_expression', 'try_expression', 'await_expression', 'macro_invocation'],
  condition: [
    'if_statement',
    'guard_statement',
    'switch_statement',
    'switch_entry',
    'while_statement',
    'repeat_while_statement',
  ],
  loop: ['for_statement'],
};

const KOTLIN: KindLists = {
  def: [
    'function_declaration',
    'class_declaration',
    'object_declaration',
    'companion_object',
    'secondary_constructor',
    'anonymous_initializer',
    'getter',
    'setter',
    'type_alias',
  ],
  import: ['import', 'package_header'],
  assignment: ['property_declaration', 'assignment', 'enum_entry'],
  return: ['return_expression', 'throw_expression'],
  call: ['call_expression'],
  condition: ['if_expression', 'when_expression', 'when_entry', 'while_statement', 'do_while_statement'],
  loop: ['for_statement'],
};

/** Node-type lists per registered language (segment tag). */
const LANGUAGE_KINDS: Record<string, KindLists> = {
  python: PYTHON,
  javascript: JAVASCRIPT,
  typescript: TYPESCRIPT,
  tsx: TYPESCRIPT,
  java: JAVA,
  c: C,
  cpp: CPP,
  csharp: CSHARP,
  go: GO,
  rust: RUST,
  php: PHP,
  ruby: RUBY,
  bash: BASH,
  css: CSS,
  swift: SWIFT,
  sql: SQL,
  kotlin: KOTLIN,
};

/** Text of an expression statement that makes it an import (a call in these languages). */
const IMPORT_CALL = /^(require(_relative)?|source|include(_once)?|require_once)\b/;

function invert(lists: KindLists): Map<string, Entry> {
  const m = new Map<string, Entry>();
  for (const [kind, types] of Object.entries(lists) as Array<[Entry, readonly string[]]>)
    for (const t of types) m.set(t, kind);
  return m;
}

const BY_LANGUAGE = new Map<string, Map<string, Entry>>(
  Object.entries(LANGUAGE_KINDS).map(([lang, lists]) => [lang, invert(lists)]),
);

/** Every language's types together (first language wins): for a type met outside its own language's table. */
const FALLBACK = new Map<string, Entry>();
for (const m of BY_LANGUAGE.values()) for (const [t, k] of m) if (!FALLBACK.has(t)) FALLBACK.set(t, k);

/** The languages the table covers (a test holds it to the registry). */
export function statementKindLanguages(): string[] {
  return Object.keys(LANGUAGE_KINDS);
}

/** The node types a language's table names (a test holds them to the language's registered item types). */
export function statementKindTypes(lang: string): Map<string, string> {
  return new Map(BY_LANGUAGE.get(lang) ?? []);
}

/** Kind of an expression statement from its text. */
export function expressionKind(text: string): StatementKind {
  const s = text.trim();
  if (/^return\b/.test(s)) return RETURN;
  if (IMPORT_CALL.test(s)) return IMPORT;
  const label = classifyExpression(s);
  if (label.endsWith('assignment') || label === 'annotation') return ASSIGN;
  return CALL;
}

/** Statement kind of an item of language `lang` whose node type is `type` and source text `text`. */
export function statementKind(lang: string, type: string, text: string): StatementKind {
  const e = BY_LANGUAGE.get(lang)?.get(type) ?? FALLBACK.get(type) ?? 'other';
  return e === 'expr' ? expressionKind(text) : e;
}

/** Language (segment tag) of each item of a record: the segment holding its start ('' when none does). */
export function itemLanguages(rec: Pick<KindRecord, 'segments' | 'items'>): string[] {
  return rec.items.map((it) => rec.segments.find((s) => s.start <= it.start && it.start < s.end)?.lang ?? '');
}

/** Statement kind of every item of a record. */
export function recordStatementKinds(rec: KindRecord): StatementKind[] {
  const langs = itemLanguages(rec);
  const cps = rec.items.length ? Array.from(rec.response) : [];
  return rec.items.map((it, i) => statementKind(langs[i]!, it.type, cps.slice(it.start, it.end).join('')));
}

/** The item that opens a response: the one starting first (ties: the lower index); -1 without items. */
export function firstItem(items: readonly Pick<AnalysisItem, 'start'>[]): number {
  let best = -1;
  for (let i = 0; i < items.length; i++) if (best < 0 || items[i]!.start < items[best]!.start) best = i;
  return best;
}

/** Counts per statement kind. */
export type KindCounts = Record<StatementKind, number>;

export function emptyKindCounts(): KindCounts {
  return Object.fromEntries(STATEMENT_KINDS.map((k) => [k, 0])) as KindCounts;
}

/** Shares (0..1) of counts; all 0 when there are none. */
export function kindShares(c: KindCounts): KindCounts {
  const n = STATEMENT_KINDS.reduce((a, k) => a + c[k], 0);
  return Object.fromEntries(STATEMENT_KINDS.map((k) => [k, n ? c[k] / n : 0])) as KindCounts;
}

/** Share of body kinds (returns, conditions, calls) in counts. */
export function bodyShare(c: KindCounts): number {
  const n = STATEMENT_KINDS.reduce((a, k) => a + c[k], 0);
  return n ? BODY_KINDS.reduce((a, k) => a + c[k], 0) / n : 0;
}

/** What a selection's items are, against the pool's selectable items. */
export interface SelectionStats {
  /** Selectable items of the pool (unflagged unless flagged items are allowed) and selected items. */
  poolItems: number;
  selectedItems: number;
  pool: KindCounts;
  selected: KindCounts;
  /** Selectable items that open their response, and selected ones. */
  poolFirst: number;
  selectedFirst: number;
}

/**
 * Accumulates SelectionStats record by record: `add(rec, selected)` with the indices of the record's selected
 * items (any order). Only selectable items count in the pool (flagged ones are not, unless `allowFlagged`).
 */
export class SelectionStatsBuilder {
  private readonly s: SelectionStats = {
    poolItems: 0,
    selectedItems: 0,
    pool: emptyKindCounts(),
    selected: emptyKindCounts(),
    poolFirst: 0,
    selectedFirst: 0,
  };

  constructor(private readonly allowFlagged = false) {}

  add(rec: KindRecord, selected: Iterable<number>): void {
    const kinds = recordStatementKinds(rec);
    const first = firstItem(rec.items);
    for (let i = 0; i < rec.items.length; i++) {
      if (!this.allowFlagged && rec.items[i]!.flags.length) continue;
      this.s.poolItems++;
      this.s.pool[kinds[i]!]++;
      if (i === first) this.s.poolFirst++;
    }
    for (const i of selected) {
      if (!rec.items[i]) continue;
      this.s.selectedItems++;
      this.s.selected[kinds[i]!]++;
      if (i === first) this.s.selectedFirst++;
    }
  }

  finish(): SelectionStats {
    return { ...this.s, pool: { ...this.s.pool }, selected: { ...this.s.selected } };
  }
}

/** Share of selected items that open their response. */
export function firstShare(s: SelectionStats): number {
  return s.selectedItems ? s.selectedFirst / s.selectedItems : 0;
}

/** Selected body share ÷ pool body share (the issue asks for ≥ 0.5). */
export function bodyRatio(s: SelectionStats): number {
  const p = bodyShare(s.pool);
  return p ? bodyShare(s.selected) / p : 0;
}

/** Key of a selected item for overlaps: record id and item index. */
export function itemKey(id: string, item: number): string {
  return `${id}\u0000${item}`;
}

/** Jaccard overlap |A ∩ B| / |A ∪ B| of two selections (1 when both are empty). */
export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let inter = 0;
  for (const k of small) if (large.has(k)) inter++;
  return inter / (a.size + b.size - inter);
}
