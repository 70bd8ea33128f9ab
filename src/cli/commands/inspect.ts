/**
 * `codeblock inspect <out-dir…> [--id ID | --sample N | --best | --worst] [--html report.html]`
 *
 * Terminal: one sample with its supervised tokens highlighted and its items' scores. HTML: a
 * self-contained report (pool summary, charts, sample browser, mode comparison when several output
 * directories are given). Works on `run`/`select` output (with its analysis files) and on analysis
 * directories alone.
 */
import { dirname } from 'node:path';
import { mkdirSync } from 'node:fs';
import { CodeblockError } from '../../errors.js';
import type { CodeblockConfig } from '../../config/index.js';
import { inspect, type SamplePick } from '../../inspect/collect.js';
import { renderReport } from '../../inspect/html.js';
import { renderSample, renderSummary } from '../../inspect/terminal.js';
import { writeFileAtomic } from '../../output/atomic.js';
import { version } from '../../version.js';

/** Samples embedded in the HTML report's browser (the pool summary always covers every record). */
export const REPORT_SAMPLES = 500;

/** ANSI colours only for a terminal, and never with NO_COLOR set (https://no-color.org). */
export function useColor(
  stream: { isTTY?: boolean },
  env: Readonly<Record<string, string | undefined>> = process.env,
): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') return true;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

export async function inspectCommand(dirs: string[], cfg: CodeblockConfig): Promise<number> {
  const picks = [cfg.id !== undefined, cfg.sample !== undefined, cfg.best === true, cfg.worst === true].filter(
    Boolean,
  ).length;
  if (picks > 1) throw new CodeblockError('pick one of --id, --sample, --best, --worst');
  let pick: SamplePick | undefined;
  if (cfg.id !== undefined) pick = { id: cfg.id };
  else if (cfg.sample !== undefined) pick = { sample: cfg.sample };
  else if (cfg.best) pick = { best: true };
  else if (cfg.worst) pick = { worst: true };

  if (cfg.html) {
    const c = await inspect(dirs, { maxSamples: cfg.reportSamples ?? REPORT_SAMPLES, pick, scorer: 'auto' });
    mkdirSync(dirname(cfg.html), { recursive: true });
    const html = renderReport(c, { version: version() });
    writeFileAtomic(cfg.html, html);
    process.stderr.write(
      `inspect: report of ${c.totalSamples} analyzed records (${c.samples.length} in the sample browser) → ` +
        `${cfg.html}\n`,
    );
    if (!pick) return 0;
    const color = useColor(process.stdout);
    process.stdout.write(`${renderSample(c.picked!, c.runs[0]!, c.summaries[0], { color })}\n`);
    return 0;
  }
  const c = await inspect(dirs, { pick: pick ?? { first: true } });
  const color = useColor(process.stdout);
  process.stdout.write(`${renderSummary(c.summaries[0]!, { color })}\n\n`);
  // Duplicate ids: every record of that id, each named by its place in the input (never only the first, silently).
  const shown = c.matches && c.matches.length > 1 ? c.matches : [c.picked!];
  if (shown.length > 1)
    process.stderr.write(
      `inspect: ${shown.length} records have the id ${JSON.stringify(cfg.id)}; showing all of them, in input order ` +
        `(ordinals ${shown.map((s) => s.ordinal).join(', ')})\n`,
    );
  for (const [k, s] of shown.entries()) {
    if (shown.length > 1)
      process.stdout.write(`── record ${k + 1} of ${shown.length} with this id: ordinal ${s.ordinal}\n`);
    process.stdout.write(`${renderSample(s, c.runs[0]!, c.summaries[0], { color })}\n`);
  }
  return 0;
}
