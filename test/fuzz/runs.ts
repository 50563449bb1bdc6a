/**
 * How many inputs each property of the fuzz tests tries. `FUZZ_RUNS` in the
 * environment raises it for a longer hunt (`FUZZ_RUNS=100000 npx vitest run test/fuzz`).
 */
export const FUZZ_RUNS = Number(process.env['FUZZ_RUNS'] ?? '') || 2_000;
