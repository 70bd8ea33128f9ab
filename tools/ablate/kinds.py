"""Statement kind of every character of a Python code block (issue #29: eval NLL by statement kind).

Python's `ast` is the classifier: independent of codeblock's tree-sitter items, so the eval's breakdown does not
share the selection's notion of a statement. Kinds:

| kind | what is painted with it |
|---|---|
| def | `def` / `async def` / `class` headers (decorators through the `:` before the body) |
| import | `import …`, `from … import …` |
| assign | `x = …`, `x += …`, `x: T = …` |
| condition | `if` / `elif` headers and the `else:` between an `if`'s bodies |
| return | `return …`, `yield …` (as a statement) |
| call | an expression statement that is a call (`print(x)`, `xs.append(y)`, `await f()`) |
| loop | `for` / `while` headers (and their `else:`), `break`, `continue` |
| other | every other statement (`try`/`except`, `with`, `raise`, `assert`, `pass`, docstrings, …) and what |
|   | no statement covers (comments, blank lines) |

A compound statement paints only its header (from its first decorator or keyword to where its first body
statement starts) and the lines between its bodies (`else:`, `except …:`, `finally:`); the body's statements
paint themselves. `classify(code)` returns one kind index per character, or None when the code does not parse.
"""
import ast

KINDS = ["def", "import", "assign", "condition", "return", "call", "loop", "other"]
K = {k: i for i, k in enumerate(KINDS)}


def _simple_kind(node):
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return "import"
    if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
        return "assign"
    if isinstance(node, ast.Return):
        return "return"
    if isinstance(node, ast.Expr):
        v = node.value.value if isinstance(node.value, ast.Await) else node.value
        if isinstance(v, ast.Call):
            return "call"
        if isinstance(v, (ast.Yield, ast.YieldFrom)):
            return "return"
        return "other"
    if isinstance(node, (ast.Break, ast.Continue)):
        return "loop"
    return "other"


def _compound_kind(node):
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return "def"
    if isinstance(node, ast.If):
        return "condition"
    if isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
        return "loop"
    return "other"


def _bodies(node):
    """The statement lists of a compound statement, in source order."""
    out = []
    for f in ("body", "handlers", "orelse", "finalbody", "cases"):
        v = getattr(node, f, None)
        if v:
            out.append(v)
    return out


def classify(code):
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError):
        return None
    lines = code.splitlines(keepends=True)
    starts, acc = [], 0
    for ln in lines:
        starts.append(acc)
        acc += len(ln)
    starts.append(acc)

    def off(lineno, col):  # ast columns are UTF-8 byte offsets within the line
        if lineno - 1 >= len(lines):
            return len(code)
        line = lines[lineno - 1]
        return starts[lineno - 1] + len(line.encode("utf-8")[:col].decode("utf-8", errors="ignore"))

    kinds = [K["other"]] * len(code)

    def paint(a, b, kind):
        for i in range(max(0, a), min(b, len(code))):
            kinds[i] = K[kind]

    def start_of(n):
        decos = getattr(n, "decorator_list", None)
        first = decos[0] if decos else n
        # handlers (ExceptHandler) and match cases carry positions like statements
        a = off(first.lineno, first.col_offset)
        if decos:  # the decorator expression's position is after its `@`
            a = code.rfind("@", 0, a) if code.rfind("@", 0, a) >= 0 else a
        return a

    def visit(stmts):
        for n in stmts:
            a, b = start_of(n), off(n.end_lineno, n.end_col_offset)
            bodies = _bodies(n)
            if not bodies:
                paint(a, b, _simple_kind(n))
                continue
            kind = _compound_kind(n)
            paint(a, b, kind)  # header and the lines between bodies; the bodies repaint themselves
            for body in bodies:
                # the body's own extent first gets `other` (its comments, blank lines), then its statements
                if not hasattr(body[0], "lineno"):  # match cases: no position of their own
                    for c in body:
                        visit(c.body)
                    continue
                ba = start_of(body[0]) if not isinstance(body[0], ast.ExceptHandler) else None
                if ba is not None:
                    bb = off(body[-1].end_lineno, body[-1].end_col_offset)
                    if not (isinstance(n, ast.If) and body is n.orelse and len(body) == 1
                            and isinstance(body[0], ast.If)):
                        paint(ba, bb, "other")
                if isinstance(body[0], ast.ExceptHandler):
                    for h in body:
                        visit([h])
                else:
                    visit(body)

    visit(tree.body)
    return kinds


def token_kinds(kinds, code_start, offsets, text):
    """Kind index per token (-1 outside the block): a token takes the kind of its first non-space character in
    the block; an all-whitespace token (newline, indentation) the kind of the character before it."""
    out = []
    n = len(kinds)
    for ta, tb in offsets:
        a, b = ta - code_start, tb - code_start
        if b <= 0 or a >= n or tb <= ta:
            out.append(-1)
            continue
        k = -1
        for i in range(max(a, 0), min(b, n)):
            if not text[code_start + i].isspace():
                k = kinds[i]
                break
        if k < 0:
            k = kinds[a - 1] if a - 1 >= 0 else kinds[max(a, 0)]
        out.append(k)
    return out
