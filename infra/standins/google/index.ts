// Local stand-in of the Google People API v1 and Google OAuth 2.0, for tests, the local stack and
// benchmarks. See README.md beside this file for behaviours and their sources.
export { startGoogleStandin } from './server.js';
export type { GoogleStandin, StandinEndpoints } from './server.js';
export type { GoogleStandinOptions, OAuthClientConfig } from './options.js';
export { DEMO_ACCOUNT, DEMO_CLIENT } from './options.js';
export type { Clock } from './clock.js';
export type { FaultMatch, FaultRegistry, FaultSpec } from './faults.js';
export type { MethodCounts, StandinStats } from './stats.js';
export type { PersonJson, UserApi } from './user.js';
export { emailsOf, groupsOf, titleOf } from './personView.js';
export { SCOPE_CONTACTS, SCOPE_CONTACTS_READONLY } from './tokens.js';
export { seedDemo } from './demo.js';
