/**
 * Parse OpenCodeInstruct quality fields from a record's meta. OCI ships them as strings:
 * `average_test_score` "0.9", `tests_execution_status` '["pass", "fail", …]' and `llm_judgement`
 * '{"requirement_conformance": {"score": 5, "justification": "…"}, …}'. The reader keeps them
 * unchanged in `meta`; pair filters call this. Unparseable fields come back undefined (never thrown).
 */
export interface OciScores {
  /** Fraction of unit tests passed, 0..1. */
  averageTestScore?: number;
  /** Per-test statuses as given ("pass" / "fail" / …). */
  testStatuses?: string[];
  /** Judgement sub-scores by criterion name (e.g. requirement_conformance: 5). */
  judgement?: Record<string, number>;
}

function parseMaybeJson(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return undefined;
  }
}

export function parseOciMeta(meta: Record<string, unknown>): OciScores {
  const out: OciScores = {};
  const ats = meta.average_test_score;
  const score = typeof ats === 'number' ? ats : typeof ats === 'string' && ats.trim() !== '' ? Number(ats) : NaN;
  if (Number.isFinite(score)) out.averageTestScore = score;

  const st = parseMaybeJson(meta.tests_execution_status);
  if (Array.isArray(st) && st.every((x) => typeof x === 'string')) out.testStatuses = st as string[];

  const j = parseMaybeJson(meta.llm_judgement);
  if (j && typeof j === 'object' && !Array.isArray(j)) {
    const scores: Record<string, number> = {};
    for (const [k, v] of Object.entries(j as Record<string, unknown>)) {
      const s = v && typeof v === 'object' ? (v as { score?: unknown }).score : v;
      const n = typeof s === 'number' ? s : typeof s === 'string' ? Number(s) : NaN;
      if (Number.isFinite(n)) scores[k] = n;
    }
    if (Object.keys(scores).length) out.judgement = scores;
  }
  return out;
}
