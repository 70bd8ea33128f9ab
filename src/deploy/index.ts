/** Running codeblock on batch schedulers (Slurm today; Kubernetes manifests live in deploy/k8s/). */
export {
  SLURM_TEMPLATES_DIR,
  planSlurm,
  writeSlurmScripts,
  submitSlurm,
  slurmCommandLines,
  parseArraySpec,
  formatArraySpec,
  parseSbatchJobId,
  fillTemplate,
  shellQuote,
  type SlurmResources,
  type SlurmJobSpec,
  type SlurmPlan,
  type SlurmSubmission,
  type SbatchOptions,
} from './slurm.js';
