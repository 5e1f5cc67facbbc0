import path from 'node:path';

/**
 * Where e2e screenshots go: artifacts/e2e by default, so a test run leaves the tracked tree as it
 * was; docs/ (the README's pictures) only when asked: `UPDATE_SCREENSHOTS=1 npm run test:slow`.
 * Test code, so it may read the environment directly.
 */
export const SCREENSHOT_DIR = path.resolve(__dirname, '..', '..', process.env['UPDATE_SCREENSHOTS'] === '1' ? 'docs' : path.join('artifacts', 'e2e'));
