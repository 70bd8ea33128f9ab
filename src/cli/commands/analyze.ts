import type { CodeblockConfig } from '../../config/index.js';
import { analyze, type AnalyzeSummary } from '../../pipeline/analyze.js';
import { Progress } from '../progress.js';
import { formatCounts } from '../report.js';

/** The warnings and the one summary line of an analyze pass, on stderr. */
export function reportAnalyze(s: AnalyzeSummary): void {
  for (const e of s.fileErrors) process.stderr.write(`codeblock: warning: ${e.file}: ${e.error}\n`);
  for (const r of s.redoneParts) {
    process.stderr.write(
      `codeblock: shard ${s.shard.index}/${s.shard.count} part ${r.part} analyzed again: ${r.why}\n`,
    );
  }
  process.stderr.write(
    `analyze: shard ${s.shard.index}/${s.shard.count}: ` +
      `${formatCounts({ ...s.counts, selected: s.counts.analyzed }, 'analyzed')}; ` +
      `${s.parts} part(s)${resumed(s)}, ${s.scorer.tokens} scored ` +
      `tokens${scorerLine(s)} → ${s.dir}\n`,
  );
}

/** ` (N resumed)`, ` (N resumed, M analyzed again)` or nothing. */
function resumed(s: AnalyzeSummary): string {
  const again = s.redoneParts.length ? `, ${s.redoneParts.length} analyzed again` : '';
  return s.resumedParts || again ? ` (${s.resumedParts} resumed${again})` : '';
}

/** `(N tokens/s, session busy P% of scoring)`: how well the reference LM was kept fed (nothing with --scorer none). */
function scorerLine(s: AnalyzeSummary): string {
  const { tokens, busyMs, wallMs } = s.scorer;
  if (!tokens || !wallMs) return '';
  const rate = Math.round(tokens / (wallMs / 1000));
  return ` (${rate} tokens/s, session busy ${Math.round((100 * busyMs) / wallMs)}% of scoring)`;
}

export async function analyzeCommand(inputs: string[], cfg: CodeblockConfig): Promise<number> {
  const progress = new Progress('analyze', { enabled: cfg.progress });
  reportAnalyze(await analyze(inputs, cfg, { progress }));
  return 0;
}
