/** One-line summaries for the CLI. */
export function formatCounts(
  c: { input: number; selected: number; rejected: Record<string, number>; quarantined: number; missing?: number },
  selectedWord: string,
): string {
  const rej = Object.entries(c.rejected)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([r, n]) => `${r} ${n}`)
    .join(', ');
  const nRej = Object.values(c.rejected).reduce((a, b) => a + b, 0);
  const missing = c.missing !== undefined ? `; ${c.missing} missing from the analysis (--allow-partial)` : '';
  const rejected = `${nRej} rejected${rej ? ` (${rej})` : ''}`;
  return `${c.input} input = ${c.selected} ${selectedWord} + ${rejected} + ${c.quarantined} quarantined${missing}`;
}
