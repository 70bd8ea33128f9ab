#!/usr/bin/python3
"""Independent truth for def-use: beniget's def-use chains over CPython's `ast`.

stdin: JSON lines {"key": str, "segments": [{"start": cp, "text": str}, ...]} — the Python code
segments of one response in order. They are parsed separately and their bodies concatenated into
one module (a function defined in one block and used in a later block is a real dependency).
stdout: one JSON line per input line:
  {"key", "ok": bool, "error"?: str, "chains": [[def_cp, use_cp, name], ...]}
def_cp / use_cp: code point offset (in the response) of the defining node and of the using node.
Definitions without a position in the response (builtins) are not listed.
"""
import ast
import json
import sys

import beniget
import gast

from positions import Positions  # tools/py is the script directory, so on sys.path


def chains_for(rec):
    body, posmap, augtargets, stand_in = [], {}, set(), {}
    for seg in rec["segments"]:
        try:
            tree = gast.ast_to_gast(ast.parse(seg["text"]))  # beniget works on gast trees
        except (SyntaxError, ValueError) as e:
            return {"key": rec["key"], "ok": False, "error": type(e).__name__}
        pos = Positions(seg["text"], seg["start"])
        for node in gast.walk(tree):
            posmap[id(node)] = pos
            if isinstance(node, gast.AugAssign) and isinstance(node.target, gast.Name):
                augtargets.add(id(node.target))  # `x += 1` also uses x
            if isinstance(node, gast.ExceptHandler) and isinstance(node.name, gast.Name):
                stand_in[id(node.name)] = node  # gast's handler name has no position: use the handler's
        body.extend(tree.body)
    module = gast.Module(body=body, type_ignores=[])
    duc = beniget.DefUseChains()
    try:
        duc.visit(module)
    except Exception as e:  # beniget 0.4 has gaps (e.g. some match / walrus forms): no truth for it
        return {"key": rec["key"], "ok": False, "error": "beniget: %s %s" % (type(e).__name__, str(e)[:80])}
    out = []

    def where(node):
        node = stand_in.get(id(node), node)
        p = posmap.get(id(node))
        if p is None or not hasattr(node, "lineno"):
            return None
        return p.cp(node.lineno, node.col_offset)

    binding = (gast.FunctionDef, gast.AsyncFunctionDef, gast.ClassDef, gast.alias, gast.ExceptHandler)
    binding += tuple(getattr(gast, n) for n in ("MatchAs", "MatchStar", "MatchMapping") if hasattr(gast, n))

    def is_binding(node):
        if isinstance(node, gast.Name):
            return isinstance(node.ctx, (gast.Store, gast.Param))
        return isinstance(node, binding)

    for node, d in duc.chains.items():
        if not is_binding(node):
            continue
        dpos = where(node)
        if dpos is None:
            continue
        for u in d.users():
            if not (isinstance(u.node, gast.Name) and (isinstance(u.node.ctx, (gast.Load, gast.Del)) or id(u.node) in augtargets)):
                continue
            upos = where(u.node)
            if upos is None:
                continue
            out.append([dpos, upos, d.name()])
    out.sort()
    return {"key": rec["key"], "ok": True, "chains": out}


def main():
    import warnings
    warnings.simplefilter("ignore")
    import io, contextlib
    for line in sys.stdin:
        rec = json.loads(line)
        sink = io.StringIO()  # beniget prints "W: unbound identifier ..." warnings
        with contextlib.redirect_stderr(sink), contextlib.redirect_stdout(sink):
            res = chains_for(rec)
        sys.stdout.write(json.dumps(res) + "\n")


if __name__ == "__main__":
    main()
