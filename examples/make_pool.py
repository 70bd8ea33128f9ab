#!/usr/bin/env python3
"""Source of examples/pool.jsonl: a small OpenCodeInstruct-shaped pool written for codeblock.

Every record here was written by the project (nothing is copied from a dataset). Edit the records
below and regenerate with:

    /usr/bin/python3 examples/make_pool.py        # writes examples/pool.jsonl

The script checks each record's Python blocks with CPython's own parser: all must parse except
those marked broken=True, which must not.
"""
import ast
import hashlib
import json
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
FENCE = "```"

RECORDS = []


def judgement(rc, lc, ec, note="The solution meets the stated requirements."):
    return json.dumps(
        {
            "requirement_conformance": {"score": rc, "justification": note if rc >= 4 else "The solution ignores part of the requirements."},
            "logical_correctness": {"score": lc, "justification": "The logic is correct and consistent." if lc >= 4 else "The logic is wrong for common inputs."},
            "edge_case_consideration": {"score": ec, "justification": "Edge cases such as empty input are handled." if ec >= 4 else "Edge cases are not considered."},
        }
    )


def add(slug, instruction, output, tests, statuses=None, scores=(5, 5, 5), domain="generic", algo="self-instruct", broken=False, rid=None):
    if statuses is None:
        statuses = ["pass"] * len(tests)
    score = sum(s == "pass" for s in statuses) / len(statuses) if statuses else 0.0
    RECORDS.append(
        {
            "id": rid or hashlib.md5(slug.encode()).hexdigest(),
            "input": instruction,
            "output": output,
            "domain": domain,
            "generation_algorithm": algo,
            "llm_judgement": judgement(*scores),
            "unit_tests": json.dumps(tests),
            "tests_execution_status": json.dumps(statuses),
            "average_test_score": f"{score:g}" if score not in (0.0, 1.0) else str(int(score)),
            "_broken": broken,
        }
    )


def py(code):
    return f"{FENCE}python\n{code.strip(chr(10))}\n{FENCE}"


# 1. decorator from the standard library, short explanation
add(
    "fib-lru",
    "Write a function `fib(n)` that returns the n-th Fibonacci number (fib(0) = 0, fib(1) = 1). It must run in linear time for n up to 500.",
    "A memoized recursive definition keeps the code close to the mathematical one while avoiding the exponential blow-up:\n\n"
    + py('''
from functools import lru_cache


@lru_cache(maxsize=None)
def fib(n: int) -> int:
    """Return the n-th Fibonacci number."""
    if n < 0:
        raise ValueError("n must be non-negative")
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)
''')
    + "\n\n`lru_cache` stores every computed value, so each `fib(k)` is evaluated once and the total work is O(n).",
    ["assert fib(0) == 0", "assert fib(1) == 1", "assert fib(10) == 55", "assert fib(50) == 12586269025"],
    domain="algorithmic",
)

# 2. definition in one block, usage in a later block
add(
    "csv-line",
    "Implement `split_csv_line(line, sep=',')` that splits one CSV line into fields. Fields may be wrapped in double quotes, and a quoted field may contain the separator or a doubled quote `\"\"`.",
    "We scan the line once, tracking whether we are inside quotes.\n\n"
    + py('''
def split_csv_line(line, sep=","):
    fields, buf = [], []
    in_quotes = False
    i = 0
    while i < len(line):
        ch = line[i]
        if in_quotes:
            if ch == '"' and i + 1 < len(line) and line[i + 1] == '"':
                buf.append('"')
                i += 1
            elif ch == '"':
                in_quotes = False
            else:
                buf.append(ch)
        elif ch == '"':
            in_quotes = True
        elif ch == sep:
            fields.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
        i += 1
    fields.append("".join(buf))
    return fields
''')
    + "\n\nExample usage:\n\n"
    + py('''
row = 'id,"name, with comma","say ""hi"""'
parts = split_csv_line(row)
print(parts)  # ['id', 'name, with comma', 'say "hi"']
assert len(parts) == 3
''')
    + "\n",
    ['assert split_csv_line("a,b") == ["a", "b"]', 'assert split_csv_line(\'"a,b",c\') == ["a,b", "c"]', 'assert split_csv_line("") == [""]'],
)

# 3. dataclass + methods + classmethod
add(
    "inventory-dataclass",
    "Create an `Inventory` class that stores item quantities, supports `add(name, qty)`, `remove(name, qty)` (raising `KeyError` for unknown items and `ValueError` when removing more than is stocked) and a `from_pairs` constructor.",
    py('''
from dataclasses import dataclass, field


@dataclass
class Inventory:
    items: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_pairs(cls, pairs):
        inv = cls()
        for name, qty in pairs:
            inv.add(name, qty)
        return inv

    def add(self, name: str, qty: int = 1) -> None:
        if qty <= 0:
            raise ValueError("quantity must be positive")
        self.items[name] = self.items.get(name, 0) + qty

    def remove(self, name: str, qty: int = 1) -> None:
        if name not in self.items:
            raise KeyError(name)
        if qty > self.items[name]:
            raise ValueError(f"only {self.items[name]} {name} in stock")
        self.items[name] -= qty
        if self.items[name] == 0:
            del self.items[name]

    @property
    def total(self) -> int:
        return sum(self.items.values())
''')
    + "\n\nThe `total` property gives the number of units across all items.",
    ["inv = Inventory.from_pairs([('a', 2)]); inv.remove('a'); assert inv.items == {'a': 1}", "assert Inventory().total == 0"],
)

# 4. with / try / except / finally, pathlib
add(
    "read-config",
    "Write `load_settings(path)` that reads a `key = value` settings file, ignores blank lines and `#` comments, and returns a dict. If the file does not exist, return an empty dict; on a malformed line raise `ValueError` naming the line number.",
    "Here is a straightforward implementation using `pathlib` and a context manager:\n\n"
    + py('''
from pathlib import Path


def load_settings(path):
    settings = {}
    try:
        with Path(path).open(encoding="utf-8") as fh:
            for lineno, raw in enumerate(fh, start=1):
                line = raw.strip()
                if not line or line.startswith("#"):
                    continue
                key, sep, value = line.partition("=")
                if not sep:
                    raise ValueError(f"line {lineno}: expected 'key = value'")
                settings[key.strip()] = value.strip()
    except FileNotFoundError:
        return {}
    finally:
        print(f"loaded {len(settings)} settings from {path}")
    return settings
''')
    + "\n\n- `partition` splits on the first `=` only, so values may contain `=`.\n- The `finally` clause runs whether or not the file existed.",
    ["assert load_settings('/nonexistent/x.cfg') == {}"],
)

# 5. comprehensions + walrus
add(
    "walrus-filter",
    "Given a list of strings, return a dict mapping each string whose normalized form (stripped, lower-cased) is longer than 3 characters to that normalized form. Use a single comprehension.",
    py('''
def normalized_long(words):
    return {w: n for w in words if len(n := w.strip().lower()) > 3}


squares = [x * x for x in range(10) if x % 2 == 0]
pairs = {(a, b) for a in range(3) for b in range(a)}
print(normalized_long(["  Apple", "to", "BANANA  "]), squares, sorted(pairs))
''')
    + "\n\nThe walrus operator `:=` binds `n` inside the condition so the normalization runs once per word.",
    ['assert normalized_long(["  Apple", "to"]) == {"  Apple": "apple"}'],
    scores=(5, 5, 4),
)

# 6. global / nonlocal
add(
    "counters",
    "Show how to keep a call counter for a function in two ways: with a module-level global and with a closure using `nonlocal`.",
    "Using a global variable:\n\n"
    + py('''
CALLS = 0


def tracked():
    global CALLS
    CALLS += 1
    return CALLS
''')
    + "\n\nUsing a closure, which keeps the state private:\n\n"
    + py('''
def make_counter(start=0):
    count = start

    def step(by=1):
        nonlocal count
        count += by
        return count

    return step


counter = make_counter()
counter()
print(counter(5))  # 6
''')
    + "\n\nPrefer the closure: each counter has its own state and nothing leaks into the module namespace.",
    ["c = make_counter(); c(); assert c(2) == 3", "assert tracked() >= 1"],
)

# 7. match statement
add(
    "match-commands",
    "Write `run(command)` for a tiny robot: `\"go <n>\"` moves forward n steps, `\"turn left\"` / `\"turn right\"` rotate, `\"stop\"` returns the final position. Use structural pattern matching and keep the state in a small class.",
    py('''
class Robot:
    def __init__(self):
        self.x, self.y, self.heading = 0, 0, 0  # heading in degrees

    def run(self, command: str):
        match command.split():
            case ["go", steps] if steps.isdigit():
                dx, dy = {0: (0, 1), 90: (1, 0), 180: (0, -1), 270: (-1, 0)}[self.heading]
                self.x += dx * int(steps)
                self.y += dy * int(steps)
            case ["turn", ("left" | "right") as side]:
                self.heading = (self.heading + (90 if side == "right" else -90)) % 360
            case ["stop"]:
                return (self.x, self.y)
            case _:
                raise ValueError(f"unknown command: {command!r}")
        return None
''')
    + "\n",
    ["r = Robot(); r.run('go 2'); r.run('turn right'); r.run('go 1'); assert r.run('stop') == (1, 2)"],
    domain="algorithmic",
)

# 8. async
add(
    "async-fetch",
    "Write an async function `fetch_all(urls, fetch, limit=5)` that calls the coroutine `fetch(url)` for every URL with at most `limit` requests in flight, and returns the results in input order. Failed fetches should yield `None`.",
    "An `asyncio.Semaphore` bounds concurrency and `asyncio.gather` keeps the order:\n\n"
    + py('''
import asyncio


async def fetch_all(urls, fetch, limit=5):
    sem = asyncio.Semaphore(limit)

    async def one(url):
        async with sem:
            try:
                return await fetch(url)
            except Exception:
                return None

    return await asyncio.gather(*(one(u) for u in urls))
''')
    + "\n\nUsage with a fake fetcher:\n\n"
    + py('''
async def fake_fetch(url):
    await asyncio.sleep(0.01)
    if url.endswith("bad"):
        raise IOError(url)
    return len(url)


print(asyncio.run(fetch_all(["a", "bb", "x/bad"], fake_fetch)))  # [1, 2, None]
''')
    + "\n",
    ["assert asyncio.run(fetch_all([], None)) == []"],
)

# 9. bash + python blocks
add(
    "cli-wordcount",
    "Write a small command-line tool `wc.py` that prints the number of lines, words and characters of a file, and show how to run it.",
    "Save this as `wc.py`:\n\n"
    + py('''
import argparse
import sys


def count(text):
    return text.count("\\n"), len(text.split()), len(text)


def main(argv=None):
    parser = argparse.ArgumentParser(description="count lines, words, chars")
    parser.add_argument("path")
    args = parser.parse_args(argv)
    with open(args.path, encoding="utf-8") as fh:
        lines, words, chars = count(fh.read())
    print(f"{lines:>8}{words:>8}{chars:>8} {args.path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
''')
    + "\n\nRun it from a shell:\n\n"
    + f"{FENCE}bash\npython3 wc.py README.md\nprintf 'a b\\nc\\n' > /tmp/t.txt && python3 wc.py /tmp/t.txt\n{FENCE}\n",
    ['assert count("a b\\nc\\n") == (2, 3, 6)'],
)

# 10. JavaScript only (asked for JS)
add(
    "js-debounce",
    "Implement a `debounce(fn, ms)` helper in JavaScript.",
    "In JavaScript this is a closure over a timer id:\n\n"
    + f"{FENCE}javascript\nfunction debounce(fn, ms) {{\n  let timer = null;\n  return function (...args) {{\n    clearTimeout(timer);\n    timer = setTimeout(() => fn.apply(this, args), ms);\n  }};\n}}\n\nconst log = debounce((msg) => console.log(msg), 200);\nlog('a'); log('b'); // prints only 'b'\n{FENCE}\n\n"
    + "Each call cancels the pending one, so `fn` runs once the calls stop for `ms` milliseconds.",
    [],
    statuses=[],
)

# 11. broken Python (missing colon and unbalanced parenthesis)
add(
    "broken-mean",
    "Write `mean(values)` that returns the arithmetic mean of a non-empty list and raises `ValueError` for an empty one.",
    py('''
def mean(values)
    if not values:
        raise ValueError("empty input"
    return sum(values) / len(values)
''')
    + "\n",
    ["assert mean([1, 2, 3]) == 2", "assert mean([4]) == 4"],
    statuses=["fail", "fail"],
    scores=(3, 2, 3),
    broken=True,
)

# 12. unicode: emoji in strings and comments, non-ASCII identifiers
add(
    "unicode-geometry",
    "Schreibe eine Funktion `kreisfläche(radius)`, die die Fläche eines Kreises berechnet, und eine Funktion, die das Ergebnis mit einem Emoji formatiert.",
    "Python erlaubt Unicode-Bezeichner (PEP 3131) 🐍:\n\n"
    + py('''
import math

π = math.pi  # 🥧 pi as a non-ASCII name


def kreisfläche(radius: float) -> float:
    """Fläche eines Kreises — area of a circle."""
    if radius < 0:
        raise ValueError("Radius muss ≥ 0 sein 🚫")
    return π * radius ** 2


def hübsch(wert: float) -> str:
    größe = round(wert, 2)
    return f"⭕ Fläche = {größe} m² ✅"


print(hübsch(kreisfläche(1.5)))  # ⭕ Fläche = 7.07 m² ✅
''')
    + "\n\nDas Emoji 🎉 im String zählt als ein Zeichen, belegt aber zwei UTF-16-Einheiten.",
    ["assert abs(kreisfläche(1) - math.pi) < 1e-9", "assert hübsch(1).startswith('⭕')"],
)

# 13. CRLF line endings throughout the output
add(
    "crlf-reverse-words",
    "Write `reverse_words(s)` that reverses the order of words in a sentence, collapsing runs of spaces.",
    (
        "Split on whitespace and join in reverse:\n\n"
        + py('''
def reverse_words(s):
    words = s.split()
    return " ".join(reversed(words))


print(reverse_words("  the quick   brown fox "))
''')
        + "\n\nThis runs in O(n) time.\n"
    ).replace("\n", "\r\n"),
    ['assert reverse_words("a b") == "b a"', 'assert reverse_words("   ") == ""'],
)

# 14. low test score
add(
    "low-tests-palindrome",
    "Write `is_palindrome(s)` that ignores case and non-alphanumeric characters.",
    py('''
def is_palindrome(s):
    return s == s[::-1]
''')
    + "\n\nThis compares the string with its reverse.",
    ["assert is_palindrome('aba')", "assert is_palindrome('A man, a plan, a canal: Panama')", "assert is_palindrome('No lemon, no melon')", "assert not is_palindrome('ab')", "assert is_palindrome('Aa')"],
    statuses=["pass", "fail", "fail", "pass", "fail"],
    scores=(2, 3, 1),
)

# 15. low judgement, tests pass
add(
    "low-judgement-max",
    "Write `largest(nums)` that returns the largest number of a list without using `max`, and returns `None` for an empty list.",
    py('''
def largest(nums):
    return sorted(nums)[-1]
''')
    + "\n",
    ["assert largest([3, 9, 2]) == 9", "assert largest([-1]) == -1"],
    scores=(1, 3, 1),
)

# 16. empty output
add(
    "empty-output",
    "Write a function that returns the transpose of a matrix given as a list of lists.",
    "",
    ["assert transpose([[1, 2], [3, 4]]) == [[1, 3], [2, 4]]"],
    statuses=["fail"],
    scores=(1, 1, 1),
)

# 17. generator + itertools
add(
    "chunked-generator",
    "Write a generator `chunked(iterable, size)` that yields lists of `size` items (the last may be shorter) and works on infinite iterators.",
    py('''
from itertools import islice


def chunked(iterable, size):
    if size < 1:
        raise ValueError("size must be >= 1")
    it = iter(iterable)
    while chunk := list(islice(it, size)):
        yield chunk
''')
    + "\n\nBecause it pulls items lazily with `islice`, `chunked(itertools.count(), 3)` works too:\n\n"
    + py('''
from itertools import count

gen = chunked(count(), 3)
print(next(gen), next(gen))  # [0, 1, 2] [3, 4, 5]
print(list(chunked("abcdefg", 3)))
''')
    + "\n",
    ["assert list(chunked([1, 2, 3, 4], 3)) == [[1, 2, 3], [4]]", "assert list(chunked([], 2)) == []"],
)

# 18. context manager class
add(
    "timer-context",
    "Implement a context manager class `Timer` that measures the elapsed wall time of a block and stores it in `elapsed`; it must not swallow exceptions.",
    py('''
import time


class Timer:
    def __init__(self, clock=time.perf_counter):
        self._clock = clock
        self.elapsed = None

    def __enter__(self):
        self._start = self._clock()
        return self

    def __exit__(self, exc_type, exc, tb):
        self.elapsed = self._clock() - self._start
        return False
''')
    + "\n\nUsage:\n\n"
    + py('''
with Timer() as t:
    total = sum(i * i for i in range(100_000))
print(f"took {t.elapsed:.4f}s, total={total}")
''')
    + "\n\nReturning `False` from `__exit__` lets any exception propagate.",
    ["with Timer() as t: pass\nassert t.elapsed >= 0"],
)

# 19. untagged fence that is Python, and a `py` tag
add(
    "untagged-fence",
    "How do I count word frequencies in a text and print the three most common words?",
    "Use `collections.Counter`:\n\n"
    + f"{FENCE}\nfrom collections import Counter\nimport re\n\ntext = \"the cat and the hat and the bat\"\nwords = re.findall(r\"[a-z']+\", text.lower())\nfor word, n in Counter(words).most_common(3):\n    print(word, n)\n{FENCE}\n\n"
    + "or, as a reusable function:\n\n"
    + f"{FENCE}py\ndef top_words(text, k=3):\n    return Counter(re.findall(r\"[a-z']+\", text.lower())).most_common(k)\n{FENCE}\n",
    ["assert top_words('a a b')[0] == ('a', 2)"],
    scores=(5, 4, 4),
)

# 20. bare Python, no fences at all
add(
    "bare-python",
    "Write a function `flatten(nested)` that flattens arbitrarily nested lists.",
    'def flatten(nested):\n    """Flatten nested lists into one list."""\n    out = []\n    stack = [iter(nested)]\n    while stack:\n        for item in stack[-1]:\n            if isinstance(item, list):\n                stack.append(iter(item))\n                break\n            out.append(item)\n        else:\n            stack.pop()\n    return out\n',
    ["assert flatten([1, [2, [3, [4]]], 5]) == [1, 2, 3, 4, 5]", "assert flatten([]) == []"],
)

# 21. fence that never closes
add(
    "unclosed-fence",
    "Write `clamp(x, lo, hi)`.",
    "Here you go:\n\n" + f"{FENCE}python\ndef clamp(x, lo, hi):\n    if lo > hi:\n        raise ValueError('lo > hi')\n    return max(lo, min(x, hi))\n",
    ["assert clamp(5, 0, 3) == 3", "assert clamp(-1, 0, 3) == 0"],
    scores=(5, 5, 3),
)

# 22. SQL + Python (sqlite3)
add(
    "sqlite-top-customers",
    "Using sqlite3, write `top_customers(conn, n)` returning the n customers with the highest total order amount.",
    "The query:\n\n"
    + f"{FENCE}sql\nSELECT c.name, SUM(o.amount) AS total\nFROM customers c JOIN orders o ON o.customer_id = c.id\nGROUP BY c.id\nORDER BY total DESC\nLIMIT ?;\n{FENCE}\n\n"
    + "and the Python wrapper:\n\n"
    + py('''
import sqlite3

QUERY = """
SELECT c.name, SUM(o.amount) AS total
FROM customers c JOIN orders o ON o.customer_id = c.id
GROUP BY c.id ORDER BY total DESC LIMIT ?
"""


def top_customers(conn: sqlite3.Connection, n: int = 5):
    cur = conn.execute(QUERY, (n,))
    return [(name, total) for name, total in cur.fetchall()]
''')
    + "\n",
    ["conn = sqlite3.connect(':memory:'); assert callable(top_customers)"],
)

# 23. tabs for indentation
add(
    "tabs-gcd",
    "Write `gcd(a, b)` using the Euclidean algorithm.",
    "```python\ndef gcd(a, b):\n\ta, b = abs(a), abs(b)\n\twhile b:\n\t\ta, b = b, a % b\n\treturn a\n```\n",
    ["assert gcd(12, 18) == 6", "assert gcd(0, 5) == 5"],
    domain="algorithmic",
    scores=(5, 5, 4),
)

# 24. decorator with arguments + functools.wraps
add(
    "retry-decorator",
    "Write a decorator `retry(times, exceptions)` that re-runs the wrapped function up to `times` times when it raises one of `exceptions`, re-raising the last error.",
    py('''
import functools


def retry(times=3, exceptions=(Exception,)):
    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            last = None
            for attempt in range(1, times + 1):
                try:
                    return fn(*args, **kwargs)
                except exceptions as exc:
                    last = exc
                    print(f"attempt {attempt} failed: {exc}")
            raise last

        return wrapper

    return decorate
''')
    + "\n\nExample:\n\n"
    + py('''
calls = []


@retry(times=3, exceptions=(ZeroDivisionError,))
def flaky():
    calls.append(1)
    return 1 / (len(calls) - 1)


print(flaky(), len(calls))  # 1.0 2
''')
    + "\n",
    ["assert flaky.__name__ == 'flaky'"],
)

# 25. BFS on a grid
add(
    "grid-bfs",
    "Given a grid of '.' (free) and '#' (wall), return the length of the shortest path from the top-left to the bottom-right cell moving in 4 directions, or -1.",
    "Breadth-first search visits cells in order of distance:\n\n"
    + py('''
from collections import deque


def shortest_path(grid):
    if not grid or grid[0][0] == "#" or grid[-1][-1] == "#":
        return -1
    rows, cols = len(grid), len(grid[0])
    dist = {(0, 0): 0}
    queue = deque([(0, 0)])
    while queue:
        r, c = queue.popleft()
        if (r, c) == (rows - 1, cols - 1):
            return dist[r, c]
        for dr, dc in ((1, 0), (-1, 0), (0, 1), (0, -1)):
            nr, nc = r + dr, c + dc
            if 0 <= nr < rows and 0 <= nc < cols and grid[nr][nc] == "." and (nr, nc) not in dist:
                dist[nr, nc] = dist[r, c] + 1
                queue.append((nr, nc))
    return -1
''')
    + "\n\nEach cell enters the queue at most once, so the run time is O(rows × cols).",
    ['assert shortest_path(["..", ".."]) == 2', 'assert shortest_path([".#", "#."]) == -1'],
    domain="algorithmic",
    algo="evol-instruct",
)

# 26. heapq top-k with key
add(
    "heap-topk",
    "Return the k largest items of an iterable according to a key function, in descending order, in O(n log k).",
    py('''
import heapq


def top_k(items, k, key=lambda x: x):
    if k <= 0:
        return []
    heap = []
    for index, item in enumerate(items):
        entry = (key(item), -index, item)
        if len(heap) < k:
            heapq.heappush(heap, entry)
        elif entry > heap[0]:
            heapq.heapreplace(heap, entry)
    return [item for _, _, item in sorted(heap, reverse=True)]
''')
    + "\n\nThe `-index` tie-breaker keeps the result stable and avoids comparing items themselves.",
    ["assert top_k([5, 1, 9, 3], 2) == [9, 5]", "assert top_k(['aa', 'b'], 1, key=len) == ['aa']"],
    domain="algorithmic",
)

# 27. custom exception hierarchy + raise from
add(
    "custom-exceptions",
    "Define a `ConfigError` exception hierarchy and a `parse_port(value)` function that raises `InvalidPortError` (a `ConfigError`) chained to the original error.",
    py('''
class ConfigError(Exception):
    """Base class for configuration problems."""


class InvalidPortError(ConfigError):
    def __init__(self, value):
        super().__init__(f"invalid port: {value!r}")
        self.value = value


def parse_port(value):
    try:
        port = int(value)
    except (TypeError, ValueError) as exc:
        raise InvalidPortError(value) from exc
    if not 0 < port < 65536:
        raise InvalidPortError(value)
    return port
''')
    + "\n",
    ["assert parse_port('8080') == 8080"],
)

# 28. __slots__, staticmethod, dunder methods
add(
    "vector-slots",
    "Write a small 2-D `Vector` class with `__slots__`, addition, scalar multiplication, equality, `abs()` and a `zero()` static constructor.",
    py('''
import math


class Vector:
    __slots__ = ("x", "y")

    def __init__(self, x=0.0, y=0.0):
        self.x = x
        self.y = y

    @staticmethod
    def zero():
        return Vector()

    def __add__(self, other):
        return Vector(self.x + other.x, self.y + other.y)

    def __mul__(self, k):
        return Vector(self.x * k, self.y * k)

    __rmul__ = __mul__

    def __eq__(self, other):
        return isinstance(other, Vector) and (self.x, self.y) == (other.x, other.y)

    def __abs__(self):
        return math.hypot(self.x, self.y)

    def __repr__(self):
        return f"Vector({self.x}, {self.y})"
''')
    + "\n\n`__slots__` removes the per-instance `__dict__`, which saves memory when you create millions of vectors.",
    ["assert Vector(1, 2) + Vector(3, 4) == Vector(4, 6)", "assert abs(Vector(3, 4)) == 5", "assert 2 * Vector(1, 1) == Vector(2, 2)"],
)

# 29. typing: Protocol, TypedDict, generics
add(
    "typing-protocol",
    "Show a typed function `total_area(shapes)` that accepts any objects with an `area()` method, using `typing.Protocol`, and a `TypedDict` for a summary result.",
    py('''
from typing import Iterable, Protocol, TypedDict


class HasArea(Protocol):
    def area(self) -> float: ...


class Summary(TypedDict):
    count: int
    total: float


def total_area(shapes: Iterable[HasArea]) -> Summary:
    count, total = 0, 0.0
    for shape in shapes:
        count += 1
        total += shape.area()
    return {"count": count, "total": total}


class Square:
    def __init__(self, side: float) -> None:
        self.side = side

    def area(self) -> float:
        return self.side ** 2
''')
    + "\n\nExample: `total_area([Square(2), Square(3)])` returns `{'count': 2, 'total': 13.0}`.",
    ["assert total_area([Square(2), Square(3)]) == {'count': 2, 'total': 13.0}"],
)

# 30. for-else, while-else, assert, del, keyword-only and positional-only params
add(
    "find-first-prime",
    "Write `first_prime(numbers, /, *, start=0)` that returns the first prime in `numbers[start:]` or `None`. Use `for ... else`.",
    py('''
def is_prime(n):
    if n < 2:
        return False
    d = 2
    while d * d <= n:
        if n % d == 0:
            return False
        d += 1
    else:
        return True


def first_prime(numbers, /, *, start=0):
    assert start >= 0, "start must be non-negative"
    for n in numbers[start:]:
        if is_prime(n):
            found = n
            break
    else:
        return None
    del n
    return found
''')
    + "\n",
    ["assert first_prime([4, 6, 7, 9]) == 7", "assert first_prime([4, 6], start=1) is None"],
    domain="algorithmic",
)

# 31. regex + string processing, lambda and sorted key
add(
    "log-parse",
    "Parse log lines like `2024-05-01 12:00:03 ERROR disk full` and return the error messages sorted by time, newest first.",
    "A compiled regular expression with named groups keeps this readable:\n\n"
    + py('''
import re
from datetime import datetime

LINE = re.compile(r"(?P<ts>\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}) (?P<level>[A-Z]+) (?P<msg>.*)")


def errors_newest_first(lines):
    parsed = []
    for line in lines:
        m = LINE.fullmatch(line.strip())
        if m and m["level"] == "ERROR":
            parsed.append((datetime.strptime(m["ts"], "%Y-%m-%d %H:%M:%S"), m["msg"]))
    return [msg for _, msg in sorted(parsed, key=lambda p: p[0], reverse=True)]
''')
    + "\n\nLines that do not match the pattern are skipped silently.",
    ["assert errors_newest_first(['2024-05-01 12:00:03 ERROR disk full']) == ['disk full']"],
    scores=(5, 5, 4),
)

# 32. exact duplicate of record 5 (same input and output, different id)
dup = dict(RECORDS[4])
dup["id"] = hashlib.md5(b"walrus-filter-duplicate").hexdigest()
RECORDS.append(dup)

# 33. OrderedDict LRU cache class
add(
    "lru-class",
    "Implement an `LRUCache` class with `get(key)` (returning -1 if missing) and `put(key, value)`, evicting the least recently used entry when full. Both operations must be O(1).",
    py('''
from collections import OrderedDict


class LRUCache:
    def __init__(self, capacity: int):
        if capacity <= 0:
            raise ValueError("capacity must be positive")
        self.capacity = capacity
        self._data = OrderedDict()

    def get(self, key):
        if key not in self._data:
            return -1
        self._data.move_to_end(key)
        return self._data[key]

    def put(self, key, value):
        self._data[key] = value
        self._data.move_to_end(key)
        if len(self._data) > self.capacity:
            self._data.popitem(last=False)
''')
    + "\n\n`OrderedDict.move_to_end` and `popitem(last=False)` are both constant time.",
    ["c = LRUCache(1); c.put(1, 1); c.put(2, 2); assert c.get(1) == -1", "c = LRUCache(2); c.put(1, 1); assert c.get(1) == 1"],
    algo="evol-instruct",
)

# 34. recursion on a tree + yield from
add(
    "tree-walk",
    "Given a binary tree node class with `val`, `left`, `right`, write an in-order traversal generator and a function computing the tree height.",
    py('''
class Node:
    def __init__(self, val, left=None, right=None):
        self.val, self.left, self.right = val, left, right


def inorder(node):
    if node is None:
        return
    yield from inorder(node.left)
    yield node.val
    yield from inorder(node.right)


def height(node):
    return 0 if node is None else 1 + max(height(node.left), height(node.right))
''')
    + "\n\nFor example:\n\n"
    + py('''
root = Node(2, Node(1), Node(4, Node(3)))
print(list(inorder(root)), height(root))  # [1, 2, 3, 4] 3
''')
    + "\n",
    ["assert list(inorder(Node(2, Node(1), Node(3)))) == [1, 2, 3]", "assert height(None) == 0"],
    domain="algorithmic",
)

# 35. Python 2 code (broken under Python 3)
add(
    "python2-print",
    "Print the squares of the numbers 1 to 5.",
    "```python\nfor i in range(1, 6):\n    print i * i\n```\n",
    ["assert True"],
    statuses=["fail"],
    scores=(2, 2, 1),
    broken=True,
)

# 36. prose only, no code
add(
    "prose-only",
    "What is the difference between a list and a tuple in Python?",
    "A list is mutable: you can append, remove or replace elements after creating it. A tuple is immutable, so it can be used as a dictionary key or a set member when its elements are hashable. Tuples are also slightly smaller and faster to create, and by convention they hold heterogeneous records while lists hold homogeneous sequences.",
    [],
    statuses=[],
)

# 37. binary search with bisect-like semantics, TS block too
add(
    "binary-search",
    "Implement `lower_bound(a, x)` returning the first index i with a[i] >= x in a sorted list, and show the same in TypeScript.",
    py('''
def lower_bound(a, x):
    lo, hi = 0, len(a)
    while lo < hi:
        mid = (lo + hi) // 2
        if a[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo
''')
    + "\n\nThe TypeScript version is identical in structure:\n\n"
    + f"{FENCE}typescript\nexport function lowerBound(a: number[], x: number): number {{\n  let lo = 0, hi = a.length;\n  while (lo < hi) {{\n    const mid = (lo + hi) >> 1;\n    if (a[mid] < x) lo = mid + 1; else hi = mid;\n  }}\n  return lo;\n}}\n{FENCE}\n",
    ["assert lower_bound([1, 3, 3, 5], 3) == 1", "assert lower_bound([], 1) == 0", "assert lower_bound([1, 2], 9) == 2"],
    domain="algorithmic",
)

# 38. matrix ops with zip and nested comprehension, lambda
add(
    "matrix-multiply",
    "Write `matmul(a, b)` for matrices given as lists of lists, raising `ValueError` on incompatible shapes.",
    py('''
def matmul(a, b):
    if not a or not b or len(a[0]) != len(b):
        raise ValueError("incompatible shapes")
    cols = list(zip(*b))
    return [[sum(x * y for x, y in zip(row, col)) for col in cols] for row in a]


identity = lambda n: [[int(i == j) for j in range(n)] for i in range(n)]
''')
    + "\n\n`zip(*b)` transposes `b` so each output cell is a dot product of a row and a column.",
    ["assert matmul([[1, 2]], [[3], [4]]) == [[11]]", "assert matmul(identity(2), [[5, 6], [7, 8]]) == [[5, 6], [7, 8]]"],
    scores=(4, 5, 5),
)

# 39. groupby + json
add(
    "group-records",
    "Given a JSON array of `{\"team\": ..., \"score\": ...}` objects, return a JSON object mapping each team to its average score, rounded to two decimals.",
    "We sort by team, group with `itertools.groupby`, and average:\n\n"
    + py('''
import json
from itertools import groupby
from operator import itemgetter


def team_averages(payload: str) -> str:
    rows = sorted(json.loads(payload), key=itemgetter("team"))
    result = {}
    for team, group in groupby(rows, key=itemgetter("team")):
        scores = [row["score"] for row in group]
        result[team] = round(sum(scores) / len(scores), 2)
    return json.dumps(result, sort_keys=True)
''')
    + "\n",
    ['assert team_averages(\'[{"team": "a", "score": 1}, {"team": "a", "score": 2}]\') == \'{"a": 1.5}\''],
    algo="evol-instruct",
)

# 40. deeply nested control flow with elif/else and while
add(
    "fizzbuzz-variants",
    "Write `fizzbuzz(n, rules=((3, 'Fizz'), (5, 'Buzz')))` returning the list of strings for 1..n, where rules can be customized.",
    py('''
def fizzbuzz(n, rules=((3, "Fizz"), (5, "Buzz"))):
    out = []
    i = 1
    while i <= n:
        word = "".join(name for d, name in rules if i % d == 0)
        if word:
            out.append(word)
        elif i % 7 == 0 and not rules:
            out.append("Seven")
        else:
            out.append(str(i))
        i += 1
    return out
''')
    + "\n\nWith the default rules `fizzbuzz(15)[-1]` is `'FizzBuzz'`.",
    ["assert fizzbuzz(15)[-1] == 'FizzBuzz'", "assert fizzbuzz(3, rules=()) == ['1', '2', '3']"],
    statuses=["pass", "pass"],
)

# 41. low test score with a plausible but wrong solution, and a usage block
add(
    "median-wrong",
    "Write `median(values)` returning the median of a list of numbers.",
    py('''
def median(values):
    ordered = sorted(values)
    return ordered[len(ordered) // 2]
''')
    + "\n\nExample:\n\n"
    + py('''
print(median([3, 1, 2]))  # 2
''')
    + "\n",
    ["assert median([3, 1, 2]) == 2", "assert median([1, 2, 3, 4]) == 2.5", "assert median([5]) == 5", "assert median([1, 1, 2, 2]) == 1.5"],
    statuses=["pass", "fail", "pass", "fail"],
    scores=(4, 2, 2),
)


def python_blocks(text):
    """Python code of a response: fenced blocks tagged python/py/python3 or untagged (unclosed ones run
    to the end); a response without fences that starts like code is one block."""
    lines = text.replace("\r\n", "\n").split("\n")
    blocks, cur, tag = [], None, None
    for line in lines:
        if line.startswith(FENCE):
            if cur is None:
                tag, cur = line[3:].strip().lower(), []
            else:
                if tag in ("", "python", "py", "python3"):
                    blocks.append("\n".join(cur))
                cur = None
        elif cur is not None:
            cur.append(line)
    if cur is not None and tag in ("", "python", "py", "python3"):
        blocks.append("\n".join(cur))
    if not blocks and FENCE not in text and text.startswith(("def ", "import ", "class ")):
        blocks = [text]
    return blocks


def main():
    for rec in RECORDS:
        broken = rec.pop("_broken", False) if "_broken" in rec else False
        blocks = python_blocks(rec["output"])
        ok = True
        for b in blocks:
            try:
                ast.parse(b)
            except SyntaxError:
                ok = False
        if broken:
            assert not ok, f"{rec['id']} should not parse"
        else:
            assert ok, f"{rec['id']} should parse"
    ids = [r["id"] for r in RECORDS]
    assert len(set(ids)) == len(ids)
    with open(os.path.join(HERE, "pool.jsonl"), "w", encoding="utf-8", newline="\n") as fh:
        for rec in RECORDS:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print(f"wrote {len(RECORDS)} records to examples/pool.jsonl")


if __name__ == "__main__":
    main()
