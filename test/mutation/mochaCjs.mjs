// StrykerJS 10.1's mocha runner requires mocha's CLI helpers without an extension
// (`mocha/lib/cli/run-helpers`); mocha 12 ships them as `.cjs`, which Node's CommonJS resolver does
// not try. Teaching the resolver `.cjs` (loaded like `.js`) lets the runner load them unchanged.
// Preloaded only by `npm run test:mutation`, in Stryker and in its test-runner processes.
import Module from 'node:module';

const loaders = /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (Module)._extensions);
loaders['.cjs'] ??= loaders['.js'];
