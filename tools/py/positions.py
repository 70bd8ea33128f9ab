"""Shared by the truth scripts: CPython (lineno, byte col) positions → code point offsets."""


class Positions:
    """(lineno, byte col) → code point offset in the response."""

    def __init__(self, text, base):
        self.base = base
        self.lines = text.splitlines(keepends=True)  # same line breaks as CPython's tokenizer for \n, \r\n, \r
        self.starts = []
        cp = 0
        for ln in self.lines:
            self.starts.append(cp)
            cp += len(ln)
        self.starts.append(cp)

    def cp(self, lineno, col):
        i = lineno - 1
        if i >= len(self.lines):
            return self.base + self.starts[-1]
        line = self.lines[i].encode("utf-8")
        return self.base + self.starts[i] + len(line[:col].decode("utf-8", errors="ignore"))
