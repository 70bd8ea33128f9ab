/** Pool generator (benchmarks, scale tests): OCI-shaped records assembled from the Python stdlib. */
export {
  generatePool,
  findPythonStdlib,
  loadUnits,
  OCI_COLUMNS,
  type GeneratePoolOptions,
  type GeneratePoolResult,
  type PoolFormat,
} from './pool.js';
