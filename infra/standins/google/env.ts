import type { Clock } from './clock.js';
import type { PageTokens, SyncTokens } from './cursors.js';
import type { ResolvedOptions } from './options.js';
import type { Store } from './store.js';
import type { OAuthState } from './tokens.js';

/** Everything a handler needs, built once per stand-in instance. */
export interface Env {
  store: Store;
  clock: Clock;
  opts: ResolvedOptions;
  oauth: OAuthState;
  syncTokens: SyncTokens;
  pageTokens: PageTokens;
  /** `http://127.0.0.1:PORT`, known once the server listens. */
  baseUrl(): string;
}
