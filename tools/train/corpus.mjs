// Deterministic corpus listing shared by the tokenizer trainer (Node) and the LM trainer (Python reads filelist.txt).
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export function listCorpus(cfg) {
  const { root, exclude_dirs: excl } = cfg.corpus;
  const out = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      let st;
      try {
        st = statSync(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) {
        if (!excl.includes(name)) walk(p);
      } else if (name.endsWith('.py')) out.push(relative(root, p));
    }
  };
  walk(root);
  out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return out;
}
