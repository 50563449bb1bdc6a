/**
 * How many inputs each property of the fuzz tests tries. `FUZZ_RUNS` in the
 * environment raises it for a longer hunt (`FUZZ_RUNS=100000 npx vitest run test/fuzz`).
 */
export const FUZZ_RUNS = Number(process.env['FUZZ_RUNS'] ?? '') || 2_000;

/** The time a property may take: generous, since the machine running it may be loaded. */
export const FUZZ_TIMEOUT_MS = Math.max(60_000, FUZZ_RUNS * 20);
