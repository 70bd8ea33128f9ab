/**
 * SQL. Statement spans against SQLite's own parser (tools/truth/sql-truth.py: sqlite3.complete_statement
 * boundaries, EXPLAIN validity; test/structure/sql-truth.helpers.ts), recall and precision asserted, skips counted.
 * Items and def-use edges of the fixtures were checked by hand against the rules in docs/languages/sql.md.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeStructureBatch } from '../../src/structure/index.js';
import { analyzeColumns, DEFAULT_WORK_BUDGET, nativeOptions } from '../../src/structure/native.js';
import { coverageLine, fence, sharedCoverage, structureOf } from './lang.helpers.js';
import {
  bareIsSql,
  compareSql,
  sqlCandidates,
  sqlFigureLine,
  sqlTruth,
  sqlTruthAvailable,
  type SqlRec,
} from './sql-truth.helpers.js';

const LANG = 'sql';

test('SQL statement spans agree with SQLite on the shared data (recall and precision >= 99%)', {
  skip: !sqlTruthAvailable() && 'needs /usr/bin/python3 and ../shared/data',
}, () => {
  const cands = sqlCandidates();
  const truth = sqlTruth(cands);
  const recs: SqlRec[] = [];
  const tr: typeof truth = [];
  let bareSeen = 0;
  cands.forEach((c, i) => {
    if (c.from === 'bare') {
      bareSeen++;
      if (!bareIsSql(truth[i]!)) return;
    }
    recs.push(c);
    tr.push(truth[i]!);
  });
  const fences = recs.filter((r) => r.from === 'fence').length;
  const bare = recs.length - fences;
  const f = compareSql(recs, tr);
  console.log(`# corpus: ${fences} SQL-tagged fences, ${bare} of ${bareSeen} fence-less responses SQLite parses whole`);
  console.log(`# ${sqlFigureLine('sql vs SQLite', f)}`);
  for (const m of f.misses) console.log(`#   miss: ${m}`);
  const compared = f.valid + f.parsed;
  assert.ok(fences >= 40 && bare >= 80 && compared >= 120, `corpus too small: ${fences} fences, ${bare} bare`);
  assert.ok(f.matched / compared >= 0.99, `recall ${f.matched}/${compared}`);
  assert.ok(f.itemsMatched / f.items >= 0.99, `precision ${f.itemsMatched}/${f.items}`);
  // the skips are SQLite syntax errors only (other dialects), and stay a minority
  assert.ok(f.skippedSyntax <= 0.2 * f.statements, `${f.skippedSyntax} of ${f.statements} skipped`);
});

// The comparison fails when items disagree with SQLite: a merged pair of statements, statements that start later.
test('the SQLite comparison detects wrong spans (it can fail)', {
  skip: !sqlTruthAvailable() && 'needs /usr/bin/python3',
}, () => {
  const recs: SqlRec[] = [{ key: 'k', from: 'fence', text: 'SELECT 1;\nSELECT 2 FROM t WHERE a IN (SELECT 3);' }];
  const truth = sqlTruth(recs);
  assert.deepEqual(
    truth[0]!.simple!.map(([s, e]) => [s, e]),
    [
      [0, 9],
      [10, 48],
    ],
  );
  assert.equal(compareSql(recs, truth).matched, 2);
  const bad = [{ ...truth[0]!, simple: [[0, 48, 'SELECT']] as Array<[number, number, string]>, status: ['valid'] }];
  assert.equal(compareSql(recs, bad as typeof truth).matched, 0);
  assert.equal(compareSql(recs, bad as typeof truth).itemsMatched, 0, 'precision: no item in a matched statement');
  const cut = [{ ...truth[0]!, simple: truth[0]!.simple!.map(([s, e, k]) => [s + 1, e, k]) }];
  assert.equal(compareSql(recs, cut as typeof truth).matched, 0);
  const split = [
    { ...truth[0]!, simple: [[0, 4, 'SELECT'], ...truth[0]!.simple!], status: ['valid', 'valid', 'valid'] },
  ];
  assert.equal(compareSql(recs, split as typeof truth).matched, 2, 'recall: a statement with no item of its own');
});

const edgesOf = (r: { result: { edges: Array<[number, number]> } }) =>
  [...new Set(r.result.edges.map(([a, b]) => `${a}->${b}`))].sort().join(' ');

// Tables: a created table is declared for the rest of the script, case-insensitively (Departments / departments,
// EMPLOYEES); REFERENCES names a table (a use). A statement with no subquery is one item through its `;`, so its
// aliases (e, d) bind inside that item and add no edge; an alias does not leave its statement (the last `e`).
test('SQL fixture s1: tables created and used, case-insensitive; one item per statement', () => {
  const code = [
    '-- schema',
    'CREATE TABLE Departments (id INT PRIMARY KEY, name VARCHAR(50));',
    'CREATE TABLE employees (id INT, dept_id INT REFERENCES departments(id), salary DECIMAL(10, 2));',
    'INSERT INTO employees (id, dept_id, salary) VALUES (1, 1, 5000);',
    'update EMPLOYEES set salary = salary * 1.1 where id = 1;',
    'SELECT d.name, e.salary',
    'FROM employees AS e',
    'JOIN departments d ON e.dept_id = d.id',
    'WHERE e.salary > 100;',
    'SELECT e.id FROM other;',
  ].join('\n');
  const r = structureOf(LANG, code);
  assert.deepEqual(r.items, [
    'simple CREATE TABLE Departments (id INT PRIMARY KEY, name VARCHAR(50));',
    'simple CREATE TABLE employees (id INT, dept_id INT REFERENCES departments(id), salary DECIMAL(10, 2));',
    'simple INSERT INTO employees (id, dept_id, salary) VALUES (1, 1, 5000);',
    'simple update EMPLOYEES set salary = salary * 1.1 where id = 1;',
    'simple SELECT d.name, e.salary FROM employees AS e JOIN departments d ON e.dept_id = d.id WHERE e.salary > 100;',
    'simple SELECT e.id FROM other;',
  ]);
  assert.deepEqual(
    r.result.items.map((it) => it.type),
    ['create_table', 'create_table', 'insert', 'update', 'select', 'select'],
  );
  assert.equal(edgesOf(r), '0->1 0->4 1->2 1->3 1->4');
});

// CTEs: `WITH big AS (` is the statement's header, each CTE's query an item, `), vip AS (` a clause; the main query
// runs from `)` to the first subquery's `(` (a clause), each subquery an item, `) AND EXISTS (` a clause. big is
// declared in the header and used by vip's query and the main query; vip by the IN subquery; the alias c (declared
// in the main query's clause) by the correlated EXISTS subquery; orders (created) by both queries naming it. A CTE
// name does not leave its statement (the last SELECT).
test('SQL fixture s2: CTE names and a correlated alias across the clause items of one statement', () => {
  const code = [
    'CREATE TABLE orders (id INT, customer_id INT, total INT);',
    'WITH big AS (',
    '  SELECT customer_id, SUM(total) AS spent FROM orders GROUP BY customer_id',
    '), vip AS (',
    '  SELECT customer_id FROM big WHERE spent > 1000',
    ')',
    'SELECT c.name, b.spent',
    'FROM customers c',
    'JOIN big b ON b.customer_id = c.id',
    'WHERE c.id IN (SELECT customer_id FROM vip)',
    '  AND EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id);',
    'SELECT * FROM big;',
  ].join('\n');
  const r = structureOf(LANG, code);
  assert.deepEqual(r.items, [
    'simple CREATE TABLE orders (id INT, customer_id INT, total INT);',
    'header WITH big AS (',
    'simple SELECT customer_id, SUM(total) AS spent FROM orders GROUP BY customer_id',
    'clause ), vip AS (',
    'simple SELECT customer_id FROM big WHERE spent > 1000',
    'clause ) SELECT c.name, b.spent FROM customers c JOIN big b ON b.customer_id = c.id WHERE c.id IN (',
    'simple SELECT customer_id FROM vip',
    'clause ) AND EXISTS (',
    'simple SELECT 1 FROM orders o WHERE o.customer_id = c.id',
    'simple SELECT * FROM big;',
  ]);
  assert.equal(edgesOf(r), '0->2 0->8 1->4 1->5 3->6 5->8');
});

// Subqueries: a derived table's alias s (declared in the clause after its subquery) is used by the select list
// before it (an alias is visible in its whole statement) and by the correlated scalar subquery; the subquery's own
// alias o stays inside it (the `o.id` of the last clause resolves to nothing); the tail after the last subquery is
// a clause item (it holds core tokens), without the `;`.
test('SQL fixture s3: subquery headers as clause items, derived-table and subquery alias scopes', () => {
  const code = [
    'CREATE TABLE orders (id INT, customer_id INT, total INT);',
    'SELECT s.total',
    'FROM (SELECT o.customer_id, SUM(o.total) AS total FROM orders o GROUP BY o.customer_id) AS s',
    'WHERE s.total > (SELECT AVG(x.total) FROM orders x WHERE x.customer_id = s.customer_id)',
    '  AND o.id = 1;',
  ].join('\n');
  const r = structureOf(LANG, code);
  assert.deepEqual(r.items, [
    'simple CREATE TABLE orders (id INT, customer_id INT, total INT);',
    'header SELECT s.total FROM (',
    'simple SELECT o.customer_id, SUM(o.total) AS total FROM orders o GROUP BY o.customer_id',
    'clause ) AS s WHERE s.total > (',
    'simple SELECT AVG(x.total) FROM orders x WHERE x.customer_id = s.customer_id',
    'clause ) AND o.id = 1',
  ]);
  assert.deepEqual(
    r.result.items.map((it) => it.type),
    ['create_table', 'select', 'subquery', 'subquery', 'subquery', 'select'],
  );
  assert.equal(edgesOf(r), '0->2 0->4 3->1 3->4');
});

// Transactions: BEGIN, each statement and COMMIT are items (the grammar puts COMMIT's `;` after the transaction
// node, so that item ends at COMMIT); a table created in one fence is used in the next SQL fence.
test('SQL fixture s4: a transaction and a table used across fences', () => {
  const second = fence('mysql', 'BEGIN;\nINSERT INTO USERS VALUES (1);\nCOMMIT;');
  const text = `${fence('sql', 'CREATE TABLE users (id INT);')}\nThen:\n\n${second}`;
  const r = analyzeStructureBatch([text], { parseTimeoutMs: 0 })[0]!;
  assert.ok(r.ok);
  const cps = Array.from(text);
  assert.deepEqual(
    r.result.items.map((it) => `${it.kind} ${cps.slice(it.start, it.end).join('').trim()}`),
    ['simple CREATE TABLE users (id INT);', 'simple BEGIN;', 'simple INSERT INTO USERS VALUES (1);', 'simple COMMIT'],
  );
  assert.deepEqual(r.result.edges, [[0, 2]]);
});

test('SQL fence aliases', () => {
  for (const tag of ['sql', 'mysql', 'postgresql', 'postgres', 'psql', 'plsql', 'sqlite', 'tsql', 'mssql', 'pgsql']) {
    const r = structureOf(tag, 'SELECT 1;');
    assert.equal(r.result.segments[0]!.lang, LANG, tag);
    assert.deepEqual(r.items, ['simple SELECT 1;'], tag);
  }
});

// The language of the first segment of an untagged fence ('none': no segment, no_code).
function detected(code: string): string {
  const out = analyzeStructureBatch([`Code:\n\n\`\`\`\n${code}\`\`\`\n`], { parseTimeoutMs: 0 })[0]!;
  return out.ok ? out.result.segments[0]!.lang : 'none';
}

test('SQL untagged detection: strong signals and a clean parse only', () => {
  const cases: Array<[string, string]> = [
    ['SELECT name FROM users WHERE age > 30;\n', 'sql'],
    ['select u.name\nfrom users u\njoin orders o on o.user_id = u.id;\n', 'sql'],
    ['INSERT INTO t (a) VALUES (1);\nUPDATE t SET a = 2 WHERE a = 1;\n', 'sql'],
    ['CREATE TABLE t (id INT PRIMARY KEY);\n', 'sql'],
    ['WITH x AS (SELECT 1 AS a) SELECT a FROM x;\n', 'sql'],
    ['with open("f") as fh:\n    data = fh.read()\nselect = [x for x in data]\n', 'python'],
    ['query = """\nSELECT * FROM users WHERE id = 1\n"""\ncursor.execute(query)\n', 'python'],
    ['const sql = `\nSELECT * FROM users WHERE id = 1`;\ndb.query(sql);\n', 'javascript'],
    ['Select the rows from the table where the id is set.\nUpdate them from here.\n', 'none'],
  ];
  for (const [code, want] of cases) assert.equal(detected(code), want, code);
  const bare = analyzeStructureBatch(['SELECT name\nFROM employees\nWHERE salary > 50000;'], { parseTimeoutMs: 0 })[0]!;
  assert.ok(bare.ok && bare.result.segments[0]!.lang === LANG);
});

test('SQL over the shared data: fenced SQL itemized (figure printed)', {
  skip: !sqlTruthAvailable() && 'needs ../shared/data',
}, () => {
  const c = sharedCoverage([LANG]);
  console.log(`# ${coverageLine('sql shared data', c)}`);
  assert.ok(c.blocks >= 40);
  // MySQL `REGEXP` / `INTERVAL 3 MONTH` and T-SQL batches do not parse in the grammar (docs/languages/sql.md)
  assert.ok(c.share >= 0.8, `share ${c.share}`);
});

// Hostile SQL (issue #28): each record is analyzed or rejected with a reason, deterministically (the same status
// and work count twice), a work_budget rejection within one charge of the budget.
test('hostile SQL: huge IN-list, 10k-deep subqueries, unterminated string and comment, within the work budget', () => {
  const deep = (n: number) => `${'SELECT a FROM t WHERE a IN ('.repeat(n)}SELECT 1${')'.repeat(n)};`;
  const cases: Array<[string, string, number[]]> = [
    [
      '200K-value IN list',
      `SELECT * FROM t WHERE id IN (${Array.from({ length: 200_000 }, (_, i) => i).join(', ')});`,
      [2],
    ],
    ['10k-deep nested subqueries', deep(10_000), [2]],
    ['1k-deep nested subqueries', deep(1_000), [0]],
    ['unterminated string', `SELECT 'abc${'x'.repeat(50_000)}\nFROM t;\nINSERT INTO t VALUES (1);`, [0, 1]],
    ['unterminated comment', `SELECT 1; /* ${'never closed '.repeat(5000)}`, [0, 1]],
  ];
  const texts = cases.map(([, body]) => fence('sql', body));
  const run = () => analyzeColumns(texts, nativeOptions({ workBudget: DEFAULT_WORK_BUDGET, wallTimeoutMs: 0 }));
  const a = run();
  const b = run();
  assert.deepEqual([b.status, b.work], [a.status, a.work], 'deterministic');
  cases.forEach(([name, , want], i) => {
    const st = a.status[i]!;
    const w = a.work[i]!;
    console.log(`# ${name}: status ${st}, ${w} work units`);
    assert.ok(want.includes(st), `${name}: status ${st}`);
    if (st === 2) assert.ok(w > DEFAULT_WORK_BUDGET && w <= DEFAULT_WORK_BUDGET + 2 * texts[i]!.length + 10_000, name);
    else assert.ok(w <= DEFAULT_WORK_BUDGET, name);
  });
  // 1k-deep costs about a tenth of the budget: the subquery split is linear in the depth
  assert.ok(a.work[2]! < DEFAULT_WORK_BUDGET / 5, `1k-deep: ${a.work[2]}`);
});
