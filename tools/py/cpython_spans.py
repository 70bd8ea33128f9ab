#!/usr/bin/python3
"""Independent truth for coding items: CPython's own parser (`ast`).

stdin: JSON lines {"key": str, "segments": [{"start": cp, "text": str}, ...]} (the Python code
segments of one response, with their code point offset in the response).
stdout: one JSON line per input line:
  {"key", "segments": [{"ok": bool, "error"?: str,
                         "simple": [[start, end, type], ...],      # simple statements, code points
                         "compound": [[start, type], ...],          # compound statement starts (first '@')
                         "docstrings": n}]}                         # string-only expression statements (prose)
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


def analyze(seg):
    text = seg["text"]
    pos = Positions(text, seg["start"])
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError) as e:
        return {"ok": False, "error": type(e).__name__ + ": " + str(e)[:120]}
    simple, compound, docs = [], [], 0
    for node in ast.walk(tree):
        if not isinstance(node, ast.stmt):
            continue
        if isinstance(node, COMPOUND):
            compound.append([stmt_start(node, pos, pos.lines), type(node).__name__])
        elif is_docstring(node):
            docs += 1
        else:
            simple.append([pos.cp(node.lineno, node.col_offset), pos.cp(node.end_lineno, node.end_col_offset),
                           type(node).__name__])
    return {"ok": True, "simple": simple, "compound": compound, "docstrings": docs}


def main():
    for line in sys.stdin:
        rec = json.loads(line)
        out = {"key": rec["key"], "segments": [analyze(s) for s in rec["segments"]]}
        sys.stdout.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    main()
