"""Reader of codeblock output directories (docs/formats.md): packs and per-sample rows as numpy arrays.

    import codeblock_sft
    for pack in codeblock_sft.load_packs("out"):            # format="bin" (numpy only) or "parquet" (pyarrow)
        pack["input_ids"], pack["labels"], pack["position_ids"], pack["seq_lengths"]   # int32 arrays
        pack["num_supervised"]                               # int
    for row in codeblock_sft.load_samples("out"):            # format="samples" (pyarrow) or "jsonl"
        row["input_ids"], row["labels"], row["attention_mask"], row["id"]

Conventions (Hugging Face): labels are -100 where unsupervised and NOT pre-shifted (the model shifts);
position_ids restart at 0 at every sample; seq_lengths (TRL's name) are the sample lengths of a pack.

Before anything is read, the output directory is checked against its manifest.json (the rules of the Node
reader, src/output/verify.ts): every listed file present with its listed size, the files read listed, and at
verify="digest" (the default) of their listed sha256; verify="size" checks sizes only; verify=False skips the
manifest. A missing manifest or a mismatch raises ManifestError with a one-line message.
"""
import hashlib
import json
import os

import numpy as np

__all__ = ["Error", "ManifestError", "FormatError", "MissingDependencyError", "FORMAT_FILES", "PACK_FORMATS",
           "SAMPLE_FORMATS", "IGNORE_INDEX", "read_manifest", "verify_output", "open_packs", "load_packs",
           "open_samples", "load_samples", "Packs", "Samples"]
__version__ = "0.1.0"

IGNORE_INDEX = -100
MANIFEST = "manifest.json"

# The files of each output format: src/output/formats.ts (FORMAT_TABLE) is the source; test/python/reader.test.ts
# checks that this table agrees with it.
FORMAT_FILES = {
    "parquet": ("packs.parquet",),
    "bin": ("packs.cbpk", "packs.cbpk.idx"),
    "samples": ("samples.parquet",),
    "jsonl": ("samples.jsonl",),
}
# Formats holding packs / per-sample rows, in the order a reader prefers them when none is asked for.
PACK_FORMATS = ("bin", "parquet")
SAMPLE_FORMATS = ("samples", "jsonl")

BIN_MAGIC = b"CBLKIDX\x00"
BIN_VERSION = 1
BIN_HEADER_BYTES = 64
BIN_LAYOUT_INTERLEAVED = 1
AGAIN = "run the same codeblock command again"


class Error(Exception):
    """Base class of this package's errors; the message is one line."""


class ManifestError(Error):
    """The output directory does not match its manifest.json (or has none)."""


class FormatError(Error):
    """A file is not in the documented layout (docs/formats.md)."""


class MissingDependencyError(Error, ImportError):
    """An optional dependency (pyarrow for Parquet) is not installed."""


# -- manifest ----------------------------------------------------------------------------------------------------
def read_manifest(out_dir):
    """manifest.json of `out_dir` as a dict (unknown fields kept); ManifestError when it is missing or unreadable."""
    path = os.path.join(out_dir, MANIFEST)
    try:
        with open(path, encoding="utf-8") as fh:
            m = json.load(fh)
    except FileNotFoundError:
        if not os.path.isdir(out_dir):
            raise ManifestError(f"{out_dir} is not a directory") from None
        raise ManifestError(f"{out_dir} has no {MANIFEST}: not a complete codeblock output directory "
                            f"(codeblock run / select; an interrupted run leaves none): {AGAIN}") from None
    except (OSError, ValueError) as e:
        raise ManifestError(f"cannot read {path}: {str(e).splitlines()[0]}") from None
    if not isinstance(m, dict) or not isinstance(m.get("files"), list):
        raise ManifestError(f"{path} is not a codeblock manifest (no files list)")
    for f in m["files"]:
        if not isinstance(f, dict) or not isinstance(f.get("path"), str) or not isinstance(f.get("sha256"), str):
            raise ManifestError(f"{path} is not a codeblock manifest (bad file entry {json.dumps(f)[:80]})")
    return m


def _sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def verify_output(out_dir, files, verify="digest"):
    """Check `out_dir` against its manifest before reading `files` (names relative to it). Returns the manifest
    (None at verify=False). verify: "digest" (sizes and sha256 of `files`), "size" (sizes only) or False."""
    if verify is False or verify is None:
        return None
    if verify not in ("digest", "size"):
        raise ValueError(f"verify must be 'digest', 'size' or False, got {verify!r}")
    m = read_manifest(out_dir)
    listed = {f["path"]: f for f in m["files"]}
    for name in files:
        if name not in listed:
            holds = ", ".join(sorted(listed)) or "no files"
            raise ManifestError(f"{out_dir}: {name} is not listed in {MANIFEST} (this output holds {holds})")
    for f in m["files"]:
        path = os.path.join(out_dir, f["path"])
        try:
            size = os.path.getsize(path)
        except OSError:
            raise ManifestError(f"{out_dir}: incomplete output: {f['path']} is listed in {MANIFEST} but missing: "
                                f"{AGAIN}") from None
        if f.get("bytes") is not None and size != f["bytes"]:
            raise ManifestError(f"{out_dir}: {f['path']} has {size} bytes, {MANIFEST} says {f['bytes']} (damaged, or "
                                f"from another run): {AGAIN}")
    if verify == "digest":
        for name in files:
            if _sha256(os.path.join(out_dir, name)) != listed[name]["sha256"]:
                raise ManifestError(f"{out_dir}: {name} does not match its sha256 in {MANIFEST} (damaged, or from "
                                    f"another run): {AGAIN}")
    return m


def _pick(out_dir, format, formats, verify):
    if format is not None:
        if format not in formats:
            raise ValueError(f"format must be {' or '.join(repr(f) for f in formats)}, got {format!r}")
        return format
    if verify:
        names = {f["path"] for f in read_manifest(out_dir)["files"]}
        have = lambda f: all(n in names for n in FORMAT_FILES[f])  # noqa: E731
    else:
        have = lambda f: all(os.path.exists(os.path.join(out_dir, n)) for n in FORMAT_FILES[f])  # noqa: E731
    for f in formats:
        if have(f):
            return f
    want = " nor ".join(" + ".join(FORMAT_FILES[f]) for f in formats)
    raise ManifestError(f"{out_dir} has neither {want} (select with --format {' or '.join(formats)})")


def _check_count(out_dir, manifest, what, got, want_path):
    if manifest is None:
        return
    want = manifest
    for k in want_path:
        want = want.get(k) if isinstance(want, dict) else None
    if isinstance(want, int) and want != got:
        raise ManifestError(f"{out_dir}: {got} {what}, {MANIFEST} says {want} ({'.'.join(want_path)}): {AGAIN}")


def _pyarrow(what, other):
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise MissingDependencyError(f"reading {what} needs pyarrow, which is not installed (pip install pyarrow); "
                                     f"or read format={other!r} if the output has it") from None
    return pq


# -- packs -------------------------------------------------------------------------------------------------------
def _pad8(n):
    return n + (-n) % 8


def _positions(seq_lengths):
    n = int(np.sum(seq_lengths, dtype=np.int64))
    pos = np.ones(n, dtype=np.int32)
    if n == 0:
        return pos
    starts = np.cumsum(seq_lengths, dtype=np.int64)[:-1]
    pos[0] = 0
    pos[starts] = 1 - np.asarray(seq_lengths[:-1], dtype=np.int32)
    return np.cumsum(pos, dtype=np.int32)


class Packs:
    """Random access to the packs of an output directory (a sequence of dicts of numpy int32 arrays).

    bin: packs.cbpk is memory-mapped (input_ids/labels are views, no copy); parquet: the table is read with
    pyarrow. validate=True checks every documented invariant of every pack (docs/formats.md)."""

    def __init__(self, out_dir, format=None, verify="digest", validate=False):
        self.out_dir = out_dir
        self.format = _pick(out_dir, format, PACK_FORMATS, verify)
        self.manifest = verify_output(out_dir, FORMAT_FILES[self.format], verify)
        if self.format == "bin":
            self._open_bin()
        else:
            self._open_parquet()
        _check_count(out_dir, self.manifest, "packs", self.num_packs, ("packing", "packs"))
        _check_count(out_dir, self.manifest, "pack tokens", self.num_tokens, ("packing", "tokens"))
        if validate:
            for i in range(self.num_packs):
                self._check_pack(i)

    # bin: docs/formats.md, "bin"
    def _open_bin(self):
        data_name, idx_name = FORMAT_FILES["bin"]
        idx_path = os.path.join(self.out_dir, idx_name)
        idx = np.fromfile(idx_path, dtype=np.uint8)
        where = idx_path

        def bad(msg):
            return FormatError(f"{where}: {msg}")
        if len(idx) < BIN_HEADER_BYTES or bytes(idx[:8]) != BIN_MAGIC:
            raise bad("not a codeblock pack index (bad magic)")
        version, header_bytes = (int(x) for x in np.frombuffer(idx[8:16], dtype="<u4"))
        if version != BIN_VERSION:
            raise bad(f"layout version {version}, this reader knows {BIN_VERSION}")
        P, N, S = (int(x) for x in np.frombuffer(idx[16:40], dtype="<u8"))
        max_len, layout = (int(x) for x in np.frombuffer(idx[40:48], dtype="<u4"))
        bin_bytes, reserved = (int(x) for x in np.frombuffer(idx[48:64], dtype="<u8"))
        if layout != BIN_LAYOUT_INTERLEAVED:
            raise bad(f"layout {layout}, expected {BIN_LAYOUT_INTERLEAVED} (input_ids then labels per pack)")
        end = header_bytes + 16 * (P + 1) + _pad8(4 * S) + _pad8(4 * P)
        if len(idx) != end:
            raise bad(f"{len(idx)} bytes, its header implies {end}")
        pos = header_bytes
        self._token_offsets = np.frombuffer(idx, dtype="<u8", count=P + 1, offset=pos)
        pos += 8 * (P + 1)
        self._sample_offsets = np.frombuffer(idx, dtype="<u8", count=P + 1, offset=pos)
        pos += 8 * (P + 1)
        self._seq_lengths = np.frombuffer(idx, dtype="<i4", count=S, offset=pos)
        pos = _pad8(pos + 4 * S)
        self._num_supervised = np.frombuffer(idx, dtype="<i4", count=P, offset=pos)
        data_path = os.path.join(self.out_dir, data_name)
        size = os.path.getsize(data_path)
        t, s = self._token_offsets.astype(np.int64), self._sample_offsets.astype(np.int64)
        problems = []
        if bin_bytes != 8 * N or size != 8 * N:
            problems.append(f"bin_bytes {bin_bytes}, {data_name} size {size}, 8·num_tokens {8 * N}")
        if reserved != 0:
            problems.append(f"reserved field {reserved} ≠ 0")
        if t[0] != 0 or t[P] != N or np.any(np.diff(t) <= 0):
            problems.append("token_offsets not strictly increasing from 0 to num_tokens")
        if s[0] != 0 or s[P] != S or np.any(np.diff(s) <= 0):
            problems.append("sample_offsets not strictly increasing from 0 to num_samples")
        if S and self._seq_lengths.min() < 1:
            problems.append("a seq_length < 1")
        if problems:
            raise bad("; ".join(problems))
        # np.memmap refuses an empty file: a selection with no pack has a 0-byte packs.cbpk
        self._data = np.memmap(data_path, dtype="<i4", mode="r") if size else np.zeros(0, dtype="<i4")
        self.num_packs, self.num_tokens, self.num_samples, self.max_len = P, N, S, max_len
        self._rows = None

    def _open_parquet(self):
        name = FORMAT_FILES["parquet"][0]
        pq = _pyarrow(name, "bin")
        path = os.path.join(self.out_dir, name)
        schema_names = pq.read_schema(path).names
        lens = "seq_lengths" if "seq_lengths" in schema_names else "seq_lens"  # seq_lens: files before the rename
        missing = [c for c in ("input_ids", "labels", lens, "num_supervised") if c not in schema_names]
        if missing:
            raise FormatError(f"{path} has no column {missing[0]}: not a codeblock pack file")
        table = pq.read_table(path, columns=["input_ids", "labels", lens, "num_supervised"])
        cols = {c: table.column(c).to_pylist() for c in ("input_ids", "labels", lens, "num_supervised")}
        self._rows = [dict(input_ids=np.asarray(a, dtype=np.int32), labels=np.asarray(b, dtype=np.int32),
                           seq_lengths=np.asarray(c, dtype=np.int32), num_supervised=int(d))
                      for a, b, c, d in zip(cols["input_ids"], cols["labels"], cols[lens], cols["num_supervised"])]
        self.num_packs = len(self._rows)
        self.num_tokens = sum(len(r["input_ids"]) for r in self._rows)
        self.num_samples = sum(len(r["seq_lengths"]) for r in self._rows)
        m = (self.manifest or {}).get("packing") or {}
        self.max_len = m.get("max_len", 0)

    def __len__(self):
        return self.num_packs

    def __getitem__(self, i):
        if not -self.num_packs <= i < self.num_packs:
            raise IndexError(i)
        i %= max(self.num_packs, 1)
        if self._rows is not None:
            r = self._rows[i]
            return dict(input_ids=r["input_ids"], labels=r["labels"], position_ids=_positions(r["seq_lengths"]),
                        seq_lengths=r["seq_lengths"], num_supervised=r["num_supervised"])
        a, b = int(self._token_offsets[i]), int(self._token_offsets[i + 1])
        n = b - a
        sl = self._seq_lengths[int(self._sample_offsets[i]):int(self._sample_offsets[i + 1])]
        return dict(input_ids=self._data[2 * a:2 * a + n],             # views into the memmap, no copy
                    labels=self._data[2 * a + n:2 * a + 2 * n],
                    position_ids=_positions(sl),
                    seq_lengths=sl,
                    num_supervised=int(self._num_supervised[i]))

    def __iter__(self):
        for i in range(self.num_packs):
            yield self[i]

    @property
    def total_supervised(self):
        """Supervised tokens of the whole file (normalize the loss by this, or by a step's share of it)."""
        return sum(self[i]["num_supervised"] for i in range(self.num_packs)) if self._rows is not None else \
            int(self._num_supervised.astype(np.int64).sum())

    def samples(self, i):
        """The unpacked view of pack i: one dict per sample (input_ids, labels, position_ids, num_supervised)."""
        p = self[i]
        out, a = [], 0
        for n in (int(x) for x in p["seq_lengths"]):
            lab = p["labels"][a:a + n]
            out.append(dict(input_ids=p["input_ids"][a:a + n], labels=lab, position_ids=np.arange(n, dtype=np.int32),
                            num_supervised=int((lab != IGNORE_INDEX).sum())))
            a += n
        return out

    def _check_pack(self, i):
        p = self[i]
        n = len(p["input_ids"])
        where = f"{self.out_dir}: pack {i}"
        if int(p["seq_lengths"].sum()) != n:
            raise FormatError(f"{where}: Σ seq_lengths {int(p['seq_lengths'].sum())} ≠ length {n}")
        if self.max_len and n > self.max_len:
            raise FormatError(f"{where}: length {n} > max_len {self.max_len}")
        lab, ids = p["labels"], p["input_ids"]
        sup = lab != IGNORE_INDEX
        if int(sup.sum()) != p["num_supervised"]:
            raise FormatError(f"{where}: num_supervised {p['num_supervised']} ≠ {int(sup.sum())} labels ≠ -100")
        if np.any(lab[sup] != ids[sup]):
            raise FormatError(f"{where}: a supervised label differs from its input_id (labels must not be shifted)")
        starts = np.concatenate([[0], np.cumsum(p["seq_lengths"])[:-1]]).astype(np.int64)
        if n and np.any(sup[starts]):
            raise FormatError(f"{where}: the first token of a sample is supervised")


def open_packs(out_dir, format=None, verify="digest", validate=False):
    """The packs of `out_dir` (a `Packs` sequence). format: "bin", "parquet" or None (bin when the manifest lists
    it, else parquet)."""
    return Packs(out_dir, format=format, verify=verify, validate=validate)


def load_packs(out_dir, format=None, verify="digest", validate=False):
    """Yield one dict per pack, in file order: input_ids, labels, position_ids, seq_lengths (numpy int32 arrays)
    and num_supervised (int)."""
    yield from open_packs(out_dir, format=format, verify=verify, validate=validate)


# -- per-sample rows ---------------------------------------------------------------------------------------------
class Samples:
    """The per-sample rows of an output directory, in input order (a sequence of dicts): input_ids, labels,
    attention_mask (numpy int32 arrays) and id (str). format: "samples" (samples.parquet, pyarrow) or "jsonl"
    (samples.jsonl)."""

    def __init__(self, out_dir, format=None, verify="digest"):
        self.out_dir = out_dir
        self.format = _pick(out_dir, format, SAMPLE_FORMATS, verify)
        self.manifest = verify_output(out_dir, FORMAT_FILES[self.format], verify)
        name = FORMAT_FILES[self.format][0]
        path = os.path.join(out_dir, name)
        rows = []
        if self.format == "samples":
            pq = _pyarrow(name, "jsonl")
            table = pq.read_table(path, columns=["input_ids", "labels", "id"])
            for a, b, c in zip(*(table.column(k).to_pylist() for k in ("input_ids", "labels", "id"))):
                rows.append((c, a, b))
        else:
            with open(path, encoding="utf-8") as fh:
                for line in fh:
                    if line.strip():
                        o = json.loads(line)
                        rows.append((o["id"], o["input_ids"], o["labels"]))
        self._rows = [dict(input_ids=np.asarray(a, dtype=np.int32), labels=np.asarray(b, dtype=np.int32),
                           attention_mask=np.ones(len(a), dtype=np.int32), id=c) for c, a, b in rows]
        _check_count(out_dir, self.manifest, "samples", len(self._rows), ("counts", "selected"))

    def __len__(self):
        return len(self._rows)

    def __getitem__(self, i):
        return self._rows[i]

    def __iter__(self):
        return iter(self._rows)


def open_samples(out_dir, format=None, verify="digest"):
    """The per-sample rows of `out_dir` (a `Samples` sequence); format: "samples", "jsonl" or None (the first the
    manifest lists)."""
    return Samples(out_dir, format=format, verify=verify)


def load_samples(out_dir, format=None, verify="digest"):
    """Yield one dict per sample, in input order: input_ids, labels, attention_mask (numpy int32) and id (str)."""
    yield from open_samples(out_dir, format=format, verify=verify)
