// Where each sealed secret lives, as the Sealer's context: a ciphertext copied to another record (or
// another tenant) fails to open. Everything that seals or opens these secrets uses these names.
export const googleTokenContext = (tenantId: string, userId: string): string =>
  `google:${tenantId}/${userId}`;

/** The tenant's Creatio password (cookie mode) or OAuth client secret. */
export const creatioSecretContext = (tenantId: string): string => `creatio:${tenantId}`;

/** A PKCE verifier waiting in an OAuth state for the callback. */
export const pkceContext = (tenantId: string, userId: string): string => `pkce:${tenantId}/${userId}`;
