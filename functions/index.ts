// Every function, registered by name: `functions-framework --target=<name>` serves one of them, and a
// deployment names the same entry point.
import * as functions from '@google-cloud/functions-framework';
import { installFrameworkErrorHandler } from './framework.js';
import { checkConfigurationAtStart } from './startup.js';
import { deadLetter } from './deadLetter.js';
import { oauthCallback } from './oauthCallback.js';
import { oauthStart } from './oauthStart.js';
import { pages } from './pages.js';
import { syncNow } from './syncNow.js';
import { syncSettings } from './syncSettings.js';
import { syncStatus } from './syncStatus.js';
import { syncUser } from './syncUser.js';
import { tickTenant } from './tickTenant.js';

checkConfigurationAtStart();
installFrameworkErrorHandler();

const events = { tickTenant, syncUser, deadLetter };
const http = { syncNow, syncStatus, syncSettings, oauthStart, oauthCallback, pages };
for (const [name, fn] of Object.entries(events)) functions.cloudEvent(name, fn);
for (const [name, fn] of Object.entries(http)) functions.http(name, fn);

export type FunctionName = keyof typeof events | keyof typeof http;
/** The names registered above, for whatever serves or lists them all. */
export const FUNCTION_NAMES = [...Object.keys(events), ...Object.keys(http)] as FunctionName[];
