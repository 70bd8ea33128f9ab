"""Reader of `codeblock select --format bin` output (packs.bin + packs.idx, layout version 1).

Written from docs/formats.md only (a consumer-side test of the format): `packs.bin` is read through
`numpy.memmap` (little-endian int32; pack i = elements [2·T[i], 2·T[i+1]): its n input_ids, then
its n labels), `packs.idx` is the 64-byte header + token_offsets (u64, P+1) + sample_offsets
(u64, P+1) + seq_lens (i32, S, padded to 8 bytes) + num_supervised (i32, P, padded to 8 bytes).
Every documented invariant is checked when the files are opened (`Packs(prefix, validate=True)`):
magic, version, header size, layout, bin_bytes = 8·N = the .bin size, the .idx size, offsets
monotone from 0 to N (tokens) and S (samples), Σ seq_lens of a pack = its length, ≤ max_len,
num_supervised = #(labels ≠ -100), labels[i] ∈ {-100, input_ids[i]}, the first token of every
sample unsupervised.

labels are aligned with input_ids and NOT pre-shifted (docs/formats.md): the trainer predicts
labels[t] from the logits at t-1. position_ids are not stored; they restart at 0 at every sample.

    from packs import Packs
    p = Packs("out/packs")          # prefix, or the output directory
    p[0]                            # dict: input_ids, labels, position_ids, seq_lens, num_supervised (int32 arrays)
    p.samples(0)                    # the unpacked view: one dict per sample of pack 0
    p.all_samples()                 # every sample of the file, in pack order
"""
import os

import numpy as np

MAGIC = b"CBLKIDX\x00"
HEADER_BYTES = 64
IGNORE = -100


def _pad8(n):
    return n + (-n) % 8


class Packs:
    def __init__(self, prefix, validate=True):
        if os.path.isdir(prefix):
            prefix = os.path.join(prefix, "packs")
        self.prefix = prefix
        idx = np.memmap(prefix + ".idx", dtype=np.uint8, mode="r")
        if bytes(idx[:8]) != MAGIC:
            raise ValueError(f"{prefix}.idx: bad magic {bytes(idx[:8])!r}")
        version, header_bytes = (int(x) for x in np.frombuffer(idx[8:16], dtype="<u4"))
        if version != 1:
            raise ValueError(f"{prefix}.idx: layout version {version}, this reader knows 1")
        if header_bytes != HEADER_BYTES:
            raise ValueError(f"{prefix}.idx: header_bytes {header_bytes}, expected {HEADER_BYTES}")
        P, N, S = (int(x) for x in np.frombuffer(idx[16:40], dtype="<u8"))
        max_len, layout = (int(x) for x in np.frombuffer(idx[40:48], dtype="<u4"))
        bin_bytes, reserved = (int(x) for x in np.frombuffer(idx[48:64], dtype="<u8"))
        if layout != 1:
            raise ValueError(f"{prefix}.idx: layout {layout}, expected 1 (input_ids then labels per pack)")
        self.num_packs, self.num_tokens, self.num_samples, self.max_len = P, N, S, max_len
        pos = header_bytes
        self.token_offsets = np.frombuffer(idx, dtype="<u8", count=P + 1, offset=pos)
        pos += 8 * (P + 1)
        self.sample_offsets = np.frombuffer(idx, dtype="<u8", count=P + 1, offset=pos)
        pos += 8 * (P + 1)
        self.seq_lens = np.frombuffer(idx, dtype="<i4", count=S, offset=pos)
        pos = _pad8(pos + 4 * S)
        self.num_supervised = np.frombuffer(idx, dtype="<i4", count=P, offset=pos)
        pos = _pad8(pos + 4 * P)
        size = os.path.getsize(prefix + ".bin")
        # np.memmap refuses an empty file: a selection with no pack has a 0-byte packs.bin
        self.data = (np.memmap(prefix + ".bin", dtype="<i4", mode="r") if size
                     else np.zeros(0, dtype="<i4"))
        if validate:
            self._check_header(idx, pos, bin_bytes, reserved, size)
            for i in range(P):
                self._check_pack(i)

    # -- validation ------------------------------------------------------------------------------
    def _check_header(self, idx, end, bin_bytes, reserved, size):
        P, N, S = self.num_packs, self.num_tokens, self.num_samples
        t, s = self.token_offsets, self.sample_offsets
        problems = []
        if len(idx) != end:
            problems.append(f".idx is {len(idx)} bytes, the layout implies {end}")
        if bin_bytes != 8 * N or size != 8 * N:
            problems.append(f"bin_bytes {bin_bytes}, .bin size {size}, 8·num_tokens {8 * N}")
        if reserved != 0:
            problems.append(f"reserved field {reserved} ≠ 0")
        if t[0] != 0 or t[P] != N or np.any(np.diff(t.astype(np.int64)) <= 0):
            problems.append("token_offsets not strictly increasing from 0 to num_tokens")
        if s[0] != 0 or s[P] != S or np.any(np.diff(s.astype(np.int64)) <= 0):
            problems.append("sample_offsets not strictly increasing from 0 to num_samples")
        if S and self.seq_lens.min() < 1:
            problems.append("a seq_len < 1")
        if problems:
            raise ValueError(f"{self.prefix}: " + "; ".join(problems))

    def _check_pack(self, i):
        p = self[i]
        n = len(p["input_ids"])
        where = f"{self.prefix}: pack {i}"
        if int(p["seq_lens"].sum()) != n:
            raise ValueError(f"{where}: Σ seq_lens {int(p['seq_lens'].sum())} ≠ length {n}")
        if n > self.max_len:
            raise ValueError(f"{where}: length {n} > max_len {self.max_len}")
        lab, ids = p["labels"], p["input_ids"]
        sup = lab != IGNORE
        if int(sup.sum()) != p["num_supervised"]:
            raise ValueError(f"{where}: num_supervised {p['num_supervised']} ≠ {int(sup.sum())} labels ≠ -100")
        if np.any(lab[sup] != ids[sup]):
            raise ValueError(f"{where}: a supervised label differs from its input_id (labels must not be shifted)")
        starts = np.concatenate([[0], np.cumsum(p["seq_lens"])[:-1]])
        if np.any(sup[starts]):
            raise ValueError(f"{where}: the first token of a sample is supervised")

    # -- access ----------------------------------------------------------------------------------
    def __len__(self):
        return self.num_packs

    def __getitem__(self, i):
        if not 0 <= i < self.num_packs:
            raise IndexError(i)
        a, b = int(self.token_offsets[i]), int(self.token_offsets[i + 1])
        n = b - a
        sl = self.seq_lens[int(self.sample_offsets[i]):int(self.sample_offsets[i + 1])]
        return dict(input_ids=self.data[2 * a:2 * a + n],             # views into the memmap, no copy
                    labels=self.data[2 * a + n:2 * a + 2 * n],
                    position_ids=np.concatenate([np.arange(x, dtype=np.int32) for x in sl]),
                    seq_lens=sl,
                    num_supervised=int(self.num_supervised[i]))

    def samples(self, i):
        """The unpacked view of pack i: one dict per sample (input_ids, labels, position_ids, num_supervised)."""
        p = self[i]
        out, a = [], 0
        for n in (int(x) for x in p["seq_lens"]):
            lab = p["labels"][a:a + n]
            out.append(dict(input_ids=p["input_ids"][a:a + n], labels=lab,
                            position_ids=np.arange(n, dtype=np.int32), num_supervised=int((lab != IGNORE).sum())))
            a += n
        return out

    def all_samples(self):
        return [s for i in range(self.num_packs) for s in self.samples(i)]

    @property
    def total_supervised(self):
        return int(self.num_supervised.astype(np.int64).sum())


def load_codeblock_bin(prefix):
    """The docs/formats.md reader, verbatim in behaviour: (max_len, [pack dicts])."""
    p = Packs(prefix)
    return p.max_len, [p[i] for i in range(len(p))]
