// The browser binding's cookie: Secure everywhere but loopback, scoped to the callback's path, and read
// back only when given once.
import assert from 'node:assert/strict';
import {
  bindingCookie,
  browserMatches,
  cookieValue,
  newBrowserBinding,
  setCookieHeader,
} from '../../shared/browserBinding.js';

describe('browser binding', () => {
  it('is Secure outside loopback, scoped to the callback path, HttpOnly, SameSite=Lax', () => {
    const { secret } = newBrowserBinding();
    const deployed = setCookieHeader(
      bindingCookie(secret, 'https://europe-west1-p.cloudfunctions.net/oauthCallback', 600_000),
    );
    assert.equal(
      deployed,
      `contact_sync_consent=${secret}; Path=/oauthCallback; Max-Age=600; HttpOnly; SameSite=Lax; Secure`,
    );
    for (const local of ['http://127.0.0.1:8080/oauthCallback', 'http://localhost:8080/oauthCallback'])
      assert.ok(!setCookieHeader(bindingCookie(secret, local, 600_000)).includes('Secure'));
    assert.ok(setCookieHeader(bindingCookie(secret, 'http://example.com/cb', 600_000)).endsWith('Secure'));
  });

  it('matches only its own secret', () => {
    const a = newBrowserBinding();
    const b = newBrowserBinding();
    assert.ok(browserMatches(a.secret, a.digest));
    assert.ok(!browserMatches(b.secret, a.digest));
    assert.ok(!browserMatches(null, a.digest));
    assert.ok(!browserMatches(a.secret, undefined));
    assert.ok(!browserMatches(a.digest, a.digest));
  });

  it('reads a cookie given once, and nothing when it is given twice', () => {
    assert.equal(cookieValue('a=1; contact_sync_consent=xyz; b=2', 'contact_sync_consent'), 'xyz');
    assert.equal(cookieValue('contact_sync_consent=x; contact_sync_consent=y', 'contact_sync_consent'), null);
    assert.equal(cookieValue(undefined, 'contact_sync_consent'), null);
  });
});
