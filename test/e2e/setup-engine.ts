/**
 * The end-to-end suite runs on the engine Node code gets by default: undici, as the
 * package's `node` export condition installs it. `MATRIX_FLUENT_E2E_ENGINE=fetch`
 * runs it on the fetch engine instead (the unit suites run every transport, media
 * and sync test on both engines).
 */
import { installUndiciEngine } from '../../src/transport/engines/undici.js';

if (process.env['MATRIX_FLUENT_E2E_ENGINE'] !== 'fetch') installUndiciEngine();
