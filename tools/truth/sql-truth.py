#!/usr/bin/python3
"""Independent truth for SQL: SQLite's own tokenizer and parser (Python's stdlib sqlite3), not tree-sitter.

stdin:  JSON lines {"key": str, "segments": [{"start": cp, "text": str}, ...]}
stdout: one JSON line per input line, in order: {"key", "segments": [SegOut, ...]} with
  SegOut = {"ok": true, "simple": [[start, end, KIND], ...], "status": [STATUS, ...], "errors": [str|null, ...]}
Offsets are code points relative to the segment text (tools/truth/README.md).

Statements: text is accumulated up to each `;` until sqlite3.complete_statement() says the accumulated text is a
complete statement (SQLite's tokenizer: strings, quoted names, comments, CREATE TRIGGER ... END). A statement's span
runs from its first token (leading blanks and comments excluded) through its `;`; text after the last `;` that
holds a token is a last statement without `;`, ending at its last token. A `;` alone is no statement. KIND is the
first word, upper-cased.

STATUS, from `EXPLAIN <statement>` on an in-memory database that holds the segment's earlier DDL (executed after
its EXPLAIN succeeds):
  valid   EXPLAIN succeeded. A table the statement names that does not exist is first created as a stub, a TEMP
          table whose columns are every word and quoted name of the statement (so column references resolve), and
          an unknown function is registered as a stub; then EXPLAIN is tried again (at most 40 rounds).
  parsed  SQLite's parser accepted the statement but a later check failed (ambiguous column, misused aggregate,
          a column a real CREATE TABLE lacks, ...): the message is in `errors`.
  syntax  SQLite's parser rejected it (`syntax error`, `unrecognized token`, `incomplete input`): another dialect
          (MySQL, T-SQL, PL/pgSQL) or broken SQL. Its span is still SQLite's statement boundary.
"""
import json
import re
import sqlite3
import sys

SYNTAX = ("syntax error", "unrecognized token", "incomplete input")
DDL = ("CREATE", "DROP", "ALTER")
MAX_ROUNDS = 40


def tokens(text, b, e):
    """(start, end) of SQLite's tokens in text[b:e]: comments and blanks skipped."""
    out, i = [], b
    while i < e:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif text.startswith("--", i):
            j = text.find("\n", i, e)
            i = e if j < 0 else j + 1
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2, e)
            i = e if j < 0 else j + 2
        elif ch in "'\"`[":
            close = "]" if ch == "[" else ch
            j = i + 1
            while j < e:
                if text[j] == close:
                    if close != "]" and j + 1 < e and text[j + 1] == close:
                        j += 2
                        continue
                    break
                j += 1
            out.append((i, min(j + 1, e)))
            i = j + 1
        else:
            j = i + 1
            if ch.isalnum() or ch == "_" or ord(ch) > 127:
                while j < e and (text[j].isalnum() or text[j] in "_$" or ord(text[j]) > 127):
                    j += 1
            out.append((i, j))
            i = j
    return out


def statements(text):
    """[(start, end, has_semicolon)] of the text's statements (code point offsets)."""
    out, cur = [], 0
    for m in re.finditer(";", text):
        p = m.end()
        if p <= cur or not sqlite3.complete_statement(text[cur:p]):
            continue
        toks = tokens(text, cur, p)
        if len(toks) > 1:  # more than the `;`
            out.append((toks[0][0], p, True))
        cur = p
    toks = tokens(text, cur, len(text))
    if toks:
        out.append((toks[0][0], toks[-1][1], False))
    return out


def stub_columns(text, b, e):
    names = []
    seen = set()
    for s, t in tokens(text, b, e):
        w = text[s:t]
        if w[0] in "\"`[":
            w = w[1:-1]
        elif not (w[0].isalpha() or w[0] == "_"):
            continue
        if w.lower() not in seen and w:
            seen.add(w.lower())
            names.append(w)
    return names or ["x"]


def quote(name):
    return '"' + name.replace('"', '""') + '"'


def check(conn, sql, cols):
    """(status, error) of one statement; creates stubs as needed."""
    err = None
    for _ in range(MAX_ROUNDS):
        try:
            conn.execute("EXPLAIN " + sql).fetchall()
            return "valid", None
        except (sqlite3.Error, sqlite3.Warning, ValueError, OverflowError) as e:
            err = str(e)
        if any(s in err for s in SYNTAX):
            return "syntax", err
        m = re.match(r"no such table: (?:(\w+)\.)?(.+)$", err)
        if m and not m.group(1):
            try:
                conn.execute("CREATE TEMP TABLE %s (%s)" % (quote(m.group(2)), ", ".join(quote(c) for c in cols)))
                continue
            except sqlite3.Error:
                return "parsed", err
        m = re.match(r"no such function: (.+)$", err)
        if m:
            conn.create_function(m.group(1), -1, lambda *a: None)
            continue
        return "parsed", err
    return "parsed", err


def segment(text):
    conn = sqlite3.connect(":memory:")
    steps = [0]

    def progress():  # executed DDL never loops, but a stub query could: stop it
        steps[0] += 1
        return 1 if steps[0] > 1000 else 0

    conn.set_progress_handler(progress, 1000)
    spans, status, errors = [], [], []
    for b, e, _ in statements(text):
        sql = text[b:e]
        kind = re.match(r"[A-Za-z_]*", sql).group(0).upper() or sql[:1]
        st, err = check(conn, sql, stub_columns(text, b, e))
        if st == "valid" and kind in DDL:
            try:
                steps[0] = 0
                conn.execute(sql)
            except (sqlite3.Error, sqlite3.Warning):
                pass
        spans.append([b, e, kind])
        status.append(st)
        errors.append(err)
    conn.close()
    return {"ok": True, "simple": spans, "status": status, "errors": errors}


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        rec = json.loads(line)
        out = {"key": rec["key"], "segments": [segment(s["text"]) for s in rec["segments"]]}
        sys.stdout.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    main()
