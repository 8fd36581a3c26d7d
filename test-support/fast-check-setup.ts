import fc from 'fast-check';

// Reproducible property runs: a fixed seed (FC_SEED, default 42) and run count (FC_NUM_RUNS,
// default 200). Set FC_SEED=random locally to explore new cases.
const seedEnv = process.env.FC_SEED;
const seed = seedEnv === 'random' ? Date.now() : Number(seedEnv ?? 42);
const numRuns = Number(process.env.FC_NUM_RUNS ?? 200);
fc.configureGlobal({ seed, numRuns });
