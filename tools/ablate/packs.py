"""Packs of a `codeblock select` output directory for the ablation harness, read through the project's one
Python reader, python/codeblock_sft (docs/formats.md; added to sys.path here, nothing to install).

The harness keeps its own names: `Packs(out_dir)` validates every documented invariant of the bin format by
default, and each pack dict carries `seq_lens` beside codeblock_sft's `seq_lengths` (the same array).

    from packs import Packs
    p = Packs("out")                # the output directory (or its old "out/packs" prefix)
    p[0]                            # dict: input_ids, labels, position_ids, seq_lengths (= seq_lens), num_supervised
    p.samples(0)                    # the unpacked view: one dict per sample of pack 0
    p.all_samples()                 # every sample of the file, in pack order
"""
import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "python"))
import codeblock_sft  # noqa: E402

IGNORE = codeblock_sft.IGNORE_INDEX


class Packs(codeblock_sft.Packs):
    def __init__(self, out_dir, validate=True, format="bin", verify="digest"):
        if not os.path.isdir(out_dir) and os.path.basename(out_dir) == "packs":
            out_dir = os.path.dirname(out_dir)
        super().__init__(out_dir, format=format, verify=verify, validate=validate)

    def __getitem__(self, i):
        p = super().__getitem__(i)
        p["seq_lens"] = p["seq_lengths"]
        return p

    def all_samples(self):
        return [s for i in range(len(self)) for s in self.samples(i)]


def load_codeblock_bin(out_dir):
    """(max_len, [pack dicts]) of an output directory's bin format."""
    p = Packs(out_dir)
    return p.max_len, [p[i] for i in range(len(p))]
