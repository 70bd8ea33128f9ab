/**
 * Human labels for coding items ("assignment", "call", "def header", "return", …) for the
 * by-type figures. The analysis files carry the tree-sitter node type of each item; for
 * `expression_statement` (which covers assignments, calls and bare expressions) the label is read
 * from the statement's top level: an `=` / `op=` / annotation outside brackets and strings.
 */

const HEADER: Record<string, string> = {
  function_definition: 'def header',
  decorated_definition: 'def header',
  class_definition: 'class header',
  if_statement: 'if header',
  for_statement: 'for header',
  while_statement: 'while header',
  with_statement: 'with header',
  try_statement: 'try header',
  match_statement: 'match header',
};

const SIMPLE: Record<string, string> = {
  return_statement: 'return',
  import_statement: 'import',
  import_from_statement: 'import',
  future_import_statement: 'import',
  raise_statement: 'raise',
  assert_statement: 'assert',
  pass_statement: 'pass',
  break_statement: 'break/continue',
  continue_statement: 'break/continue',
  global_statement: 'global/nonlocal',
  nonlocal_statement: 'global/nonlocal',
  delete_statement: 'del',
  print_statement: 'print (py2)',
  exec_statement: 'exec (py2)',
  type_alias_statement: 'type alias',
};

const CLAUSE: Record<string, string> = {
  elif_clause: 'elif',
  else_clause: 'else',
  except_clause: 'except',
  except_group_clause: 'except',
  finally_clause: 'finally',
  case_clause: 'case',
};

const AUG = new Set(['+', '-', '*', '/', '%', '&', '|', '^', '@', '<<', '>>', '**', '//']);

/** Classify the top level of an expression statement. */
export function classifyExpression(text: string): string {
  const s = text.trim();
  let depth = 0;
  let quote = '';
  let triple = false;
  let sawColon = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (quote) {
      if (ch === '\\') {
        i++;
        continue;
      }
      if (triple ? s.startsWith(quote.repeat(3), i) : ch === quote) {
        if (triple) i += 2;
        quote = '';
      }
      continue;
    }
    if (ch === '"' || ch === "'") {
      triple = s.startsWith(ch.repeat(3), i);
      quote = ch;
      if (triple) i += 2;
      continue;
    }
    if (ch === '#') break;
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') depth = Math.max(0, depth - 1);
    else if (depth === 0) {
      if (ch === ':' && s[i + 1] !== '=') sawColon = true;
      if (ch === '=' && s[i + 1] !== '=') {
        const prev = s[i - 1] ?? '';
        const prev2 = s.slice(Math.max(0, i - 2), i);
        if (prev === '=' || prev === '!' || prev === ':') continue;
        if (AUG.has(prev2) && prev2.length === 2) return 'augmented assignment';
        if (prev === '<' || prev === '>') {
          if (prev2 === '<<' || prev2 === '>>') return 'augmented assignment';
          continue; // comparison
        }
        if (AUG.has(prev)) return 'augmented assignment';
        return sawColon ? 'annotated assignment' : 'assignment';
      }
    }
  }
  if (sawColon) return 'annotation';
  if (/^await\b/.test(s)) return 'await';
  if (/^yield\b/.test(s)) return 'yield';
  if (!s.startsWith('(') && /\)\s*$/.test(s.replace(/#.*$/, ''))) return 'call';
  return 'expression';
}

/** Display label of an item. `text` is the item's source text. */
export function itemLabel(type: string, kind: string, text: string): string {
  if (kind === 'block')
    return `${(HEADER[type] ?? type.replace(/_statement$|_definition$/, '')).replace(/ header$/, '')} block`;
  if (kind === 'header') return HEADER[type] ?? `${type.replace(/_statement$|_definition$/, '')} header`;
  if (kind === 'clause') return CLAUSE[type] ?? type.replace(/_clause$/, '');
  if (type === 'expression_statement') return classifyExpression(text);
  return SIMPLE[type] ?? type.replace(/_statement$/, '');
}
