#!/usr/bin/python3
"""Independent truth for coding items: CPython's own parser (`ast`).

stdin: JSON lines {"key": str, "segments": [{"start": cp, "text": str}, ...]} (the Python code
segments of one response, with their code point offset in the response).
stdout: one JSON line per input line:
  {"key", "segments": [{"ok": bool, "error"?: str,
                         "simple": [[start, end, type], ...],      # simple statements, code points
                         "compound": [[start, type], ...],          # compound statement starts (first '@')
                         "clauses": [[start, type], ...],           # else/except/finally/case keyword starts
                         "docstrings": [[start, end], ...]}]}       # string-only expression statements (prose)
Offsets are Unicode code points into the response (ast columns are UTF-8 byte offsets per line).
"""
import ast
import json
import sys

from positions import Positions  # tools/py is the script directory, so on sys.path

COMPOUND = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.Try, ast.With, ast.AsyncWith,
            ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Match)
if hasattr(ast, "TryStar"):
    COMPOUND = COMPOUND + (ast.TryStar,)


def is_docstring(node):
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str) \
        or isinstance(node, ast.Expr) and isinstance(node.value, ast.JoinedStr)


def stmt_start(node, pos, text_lines):
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.decorator_list:
        d = node.decorator_list[0]
        # the '@' precedes the decorator expression on its line
        line = text_lines[d.lineno - 1].encode("utf-8")
        col = line.rfind(b"@", 0, d.col_offset)
        return pos.cp(d.lineno, col if col >= 0 else d.col_offset)
    return pos.cp(node.lineno, node.col_offset)


def keyword_line(pos, first_line, last_line, word):
    """Code point of `word` starting a line in first_line..last_line (1-based), or None."""
    for ln in range(first_line, last_line + 1):
        raw = pos.lines[ln - 1]
        stripped = raw.lstrip()
        if stripped.startswith(word) and (len(stripped) == len(word) or not (stripped[len(word)].isalnum() or stripped[len(word)] == "_")):
            return pos.cp(ln, len(raw.encode("utf-8")) - len(stripped.encode("utf-8")))
    return None


def clause_starts(node, pos):
    """else / except / finally / case clauses of one compound statement (no ast node carries `else`)."""
    out = []

    def after(stmts):
        return max(getattr(x, "end_lineno", x.lineno) for x in stmts)

    if isinstance(node, (ast.If, ast.For, ast.AsyncFor, ast.While)) and node.orelse:
        first = node.orelse[0]
        elif_ = isinstance(node, ast.If) and len(node.orelse) == 1 and isinstance(first, ast.If) \
            and pos.lines[first.lineno - 1].encode("utf-8")[first.col_offset:].startswith(b"elif")
        if not elif_:
            cp = keyword_line(pos, after(node.body) + 1, first.lineno, "else")
            if cp is not None:
                out.append([cp, "else"])
    if isinstance(node, ast.Try) or (hasattr(ast, "TryStar") and isinstance(node, ast.TryStar)):
        for h in node.handlers:
            out.append([pos.cp(h.lineno, h.col_offset), "except"])
        if node.orelse:
            cp = keyword_line(pos, after(node.handlers[-1].body) + 1, node.orelse[0].lineno, "else")
            if cp is not None:
                out.append([cp, "else"])
        if node.finalbody:
            prev = node.orelse or (node.handlers[-1].body if node.handlers else node.body)
            cp = keyword_line(pos, after(prev) + 1, node.finalbody[0].lineno, "finally")
            if cp is not None:
                out.append([cp, "finally"])
    if isinstance(node, ast.Match):
        for c in node.cases:
            line = pos.lines[c.pattern.lineno - 1].encode("utf-8")
            col = line.rfind(b"case", 0, c.pattern.col_offset)
            out.append([pos.cp(c.pattern.lineno, col if col >= 0 else c.pattern.col_offset), "case"])
    return out


def analyze(seg):
    text = seg["text"]
    pos = Positions(text, seg["start"])
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError) as e:
        return {"ok": False, "error": type(e).__name__ + ": " + str(e)[:120]}
    simple, compound, clauses, docs = [], [], [], []
    for node in ast.walk(tree):
        if not isinstance(node, ast.stmt):
            continue
        if isinstance(node, COMPOUND):
            compound.append([stmt_start(node, pos, pos.lines), type(node).__name__])
            clauses.extend(clause_starts(node, pos))
        elif is_docstring(node):
            docs.append([pos.cp(node.lineno, node.col_offset), pos.cp(node.end_lineno, node.end_col_offset)])
        else:
            simple.append([pos.cp(node.lineno, node.col_offset), pos.cp(node.end_lineno, node.end_col_offset),
                           type(node).__name__])
    return {"ok": True, "simple": simple, "compound": compound, "clauses": clauses, "docstrings": docs}


def main():
    for line in sys.stdin:
        rec = json.loads(line)
        out = {"key": rec["key"], "segments": [analyze(s) for s in rec["segments"]]}
        sys.stdout.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    main()
