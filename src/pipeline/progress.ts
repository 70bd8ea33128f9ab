/**
 * The progress hook analyze and select report to. The pipeline owns the interface; the CLI's terminal bar
 * (`src/cli/progress.ts`) implements it, and a library caller may pass its own or none.
 */
export interface ProgressHook {
  /** Whether anything is shown: the pipeline skips work done only for the progress (e.g. counting the input). */
  readonly active: boolean;
  /** Start a stage: its label, its total (or none) and unit; the count restarts from 0. */
  stage(label: string, total?: number, unit?: string): void;
  /** The current stage's total, once it is known. */
  setTotal(total: number | undefined): void;
  /** `n` more units of the current stage are done. */
  tick(n?: number): void;
  /** The last stage is over. */
  done(): void;
}
