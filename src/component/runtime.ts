/**
 * The component's runtime check is the package's one check (`src/server/runtime.ts`), so the
 * component and the helper fail with the same message; re-exported here under the names the
 * component has always exported.
 */
export { assertBunRuntime, isBunRuntime } from '../server/runtime.js';
