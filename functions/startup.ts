// Fail fast: an instance that serves a function checks its whole configuration when the module loads,
// so a deployment with a missing or invalid variable never starts (and its revision never takes
// traffic) instead of answering 500 to every request while looking healthy. The log names every
// culprit, never a value.
import { ConfigError, serviceConfig } from '../shared/config.js';
import { log } from './log.js';

/**
 * Whether this process serves a function: the platform sets FUNCTION_TARGET, and functions-framework
 * takes its target from it or from --target. Tests that import the functions in-process install an app
 * of their own and are left alone.
 */
export function servesFunction(env = process.env, argv = process.argv): boolean {
  return Boolean(env.FUNCTION_TARGET) || argv.some((a) => a === '--target' || a.startsWith('--target='));
}

export function checkConfigurationAtStart(env = process.env, argv = process.argv): void {
  if (!servesFunction(env, argv)) return;
  try {
    serviceConfig(env);
  } catch (e) {
    if (e instanceof ConfigError)
      log('ERROR', 'configuration refused: the instance does not start', {
        variables: e.variables.join(', '),
      });
    throw e;
  }
}
