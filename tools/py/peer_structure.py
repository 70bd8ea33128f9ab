#!/usr/bin/python3
"""Python peer for the structure benchmark (bench/structure.ts): the same job done the usual Python
way — markdown fences split with a line scanner, CPython `ast` for statements, beniget for def-use
chains, item graph, reach and Brandes betweenness in pure Python — over the same records, with N
processes (multiprocessing.Pool, chunks of 64).

usage: peer_structure.py --processes N [--repeat R] FILE.jsonl ...
prints one JSON object: {"records", "seconds", "recordsPerSec", "processes", "cpuSeconds", "items", "edges"}.
"seconds" covers the pool start and the analysis of every record (records already in memory).
"""
import argparse
import ast
import bisect
import contextlib
import io
import json
import re
import sys
import time
from collections import deque
from multiprocessing import Pool

import beniget
import gast

FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})[ \t]*([^`\n]*)$")
PY_TAGS = {"python", "py", "python3", "py3", "python2", "py2", "ipython", "ipython3", "gyp", "sage"}
COMPOUND = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.Try, ast.With, ast.AsyncWith,
            ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Match)


def fenced_blocks(text):
    lines = text.split("\n")
    out, cur, fence = [], None, None
    for ln in lines:
        if fence is None:
            m = FENCE.match(ln)
            if m:
                fence = m.group(1)
                tag = m.group(2).strip().split(" ")[0].lower() if m.group(2).strip() else ""
                cur = (tag, [])
        else:
            s = ln.strip()
            if s and set(s) == {fence[0]} and len(s) >= len(fence):
                out.append((cur[0], "\n".join(cur[1]) + "\n"))
                fence, cur = None, None
            else:
                cur[1].append(ln)
    if fence is not None:
        out.append((cur[0], "\n".join(cur[1])))
    if not out and "```" not in text and "~~~" not in text:
        out.append(("", text))
    return out


def looks_python(tree):
    for s in tree.body:
        if not isinstance(s, ast.Expr) or isinstance(s.value, (ast.Call, ast.Await)):
            return True
    return False


def python_segments(text):
    segs = []
    for tag, body in fenced_blocks(text):
        if tag in PY_TAGS:
            try:
                segs.append(ast.parse(body))
            except (SyntaxError, ValueError):
                pass
        elif tag == "":
            try:
                t = ast.parse(body)
            except (SyntaxError, ValueError):
                continue
            if looks_python(t):
                segs.append(t)
    return segs


def metrics(n, edges):
    succ = [[] for _ in range(n)]
    for a, b in edges:
        succ[a].append(b)
    reach, bc = [0.0] * n, [0.0] * n
    for s in range(n):
        sigma, dist, pred, order = [0.0] * n, [-1] * n, [[] for _ in range(n)], []
        sigma[s], dist[s] = 1.0, 0
        q = deque([s])
        while q:
            v = q.popleft()
            order.append(v)
            for w in succ[v]:
                if dist[w] < 0:
                    dist[w] = dist[v] + 1
                    q.append(w)
                if dist[w] == dist[v] + 1:
                    sigma[w] += sigma[v]
                    pred[w].append(v)
        reach[s] = (len(order) - 1) / (n - 1) if n > 1 else 0.0
        delta = [0.0] * n
        for w in reversed(order):
            for v in pred[w]:
                delta[v] += sigma[v] / sigma[w] * (1 + delta[w])
            if w != s:
                bc[w] += delta[w]
    norm = (n - 1) * (n - 2)
    return reach, [x / norm if norm > 0 else 0.0 for x in bc]


def analyze(text):
    trees = python_segments(text)
    if not trees:
        return (0, 0)
    items, body, seg_of = [], [], {}
    for k, tree in enumerate(trees):
        for node in ast.walk(tree):
            if isinstance(node, ast.stmt):
                if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                    continue
                items.append((k, node.lineno, node.col_offset))
        g = gast.ast_to_gast(tree)
        for node in gast.walk(g):
            seg_of[id(node)] = k
        body.extend(g.body)
    items.sort()
    duc = beniget.DefUseChains()
    sink = io.StringIO()
    try:
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            duc.visit(gast.Module(body=body, type_ignores=[]))
    except Exception:
        return (len(items), 0)

    def item_of(node):
        k = seg_of.get(id(node))
        if k is None or not hasattr(node, "lineno"):
            return -1
        return bisect.bisect_right(items, (k, node.lineno, node.col_offset)) - 1

    edges = set()
    for node, d in duc.chains.items():
        if not isinstance(node, (gast.Name, gast.FunctionDef, gast.AsyncFunctionDef, gast.ClassDef, gast.alias)):
            continue
        i = item_of(node)
        if i < 0:
            continue
        for u in d.users():
            if isinstance(u.node, gast.Name):
                j = item_of(u.node)
                if j >= 0 and j != i:
                    edges.add((i, j))
    metrics(len(items), sorted(edges))
    return (len(items), len(edges))


def analyze_chunk(texts):
    return [analyze(t) for t in texts]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--processes", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()
    texts = []
    for f in a.files:
        with open(f, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    texts.append(json.loads(line)["response"])
    texts = texts * a.repeat
    chunks = [texts[i:i + 64] for i in range(0, len(texts), 64)]
    import resource

    def cpu():
        s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime

    c0 = cpu()
    t0 = time.perf_counter()
    with Pool(a.processes) as pool:
        res = [r for chunk in pool.imap(analyze_chunk, chunks) for r in chunk]
    dt = time.perf_counter() - t0
    cpu_s = cpu() - c0  # pool children are reaped at the end of the `with`: their CPU is counted
    print(json.dumps({"records": len(texts), "seconds": dt, "recordsPerSec": len(texts) / dt, "processes": a.processes,
                      "cpuSeconds": cpu_s,
                      "items": sum(r[0] for r in res), "edges": sum(r[1] for r in res)}))


if __name__ == "__main__":
    main()
