export { loadPacks, countPacks, openPackSource } from './loader.js';
export type { LoadPacksOptions, PackBatch } from './loader.js';
export { permutation, Xoshiro128 } from './shuffle.js';
export type { PackSource, PackRecord } from '../output/sources.js';
