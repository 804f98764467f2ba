// The Google adapter: the People API side of a connection, and Google OAuth.
export { GooglePeopleSide, DEFAULT_GROUP_NAME } from './side.js';
export type { GooglePeopleSideOptions } from './side.js';
export type { RetryPolicy } from './client.js';
export { DEFAULT_RETRY } from './client.js';
export { GoogleOAuth, GOOGLE_SCOPES } from './oauth.js';
export type { GoogleAccount, GoogleOAuthOptions } from './oauth.js';
export { MARKER_KEY, personToContact, contactToPerson, extraOf } from './mapping.js';
