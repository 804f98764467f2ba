// Every function, registered by name: `functions-framework --target=<name>` serves one of them, and a
// deployment names the same entry point.
import * as functions from '@google-cloud/functions-framework';
import { installFrameworkErrorHandler } from './framework.js';
import { oauthCallback } from './oauthCallback.js';
import { oauthStart } from './oauthStart.js';
import { syncNow } from './syncNow.js';
import { syncSettings } from './syncSettings.js';
import { syncStatus } from './syncStatus.js';
import { syncUser } from './syncUser.js';
import { tickTenant } from './tickTenant.js';

installFrameworkErrorHandler();

functions.cloudEvent('tickTenant', tickTenant);
functions.cloudEvent('syncUser', syncUser);
functions.http('syncNow', syncNow);
functions.http('syncStatus', syncStatus);
functions.http('syncSettings', syncSettings);
functions.http('oauthStart', oauthStart);
functions.http('oauthCallback', oauthCallback);
