/**
 * Issue 14: the OIDC issuer's discovery document is parsed by a schema; an HTML page or a
 * document without a usable jwks_uri is a 503-class error naming the document and the field.
 */
import { OidcVerifier } from '../../api/auth/oidc.js';
import { OidcSpec } from '../../api/auth/config-file.js';

const ISSUER = 'https://issuer.example.com';
const spec = OidcSpec.parse({ issuer: ISSUER, audience: 'shunt' });
const DOCUMENT = `the OIDC issuer's discovery document ${ISSUER}/.well-known/openid-configuration`;

describe('OIDC discovery document', () => {
  it.each([
    ['an HTML page', '<html><body>Sign in</body></html>', 'the answer is not JSON (an HTML page)'],
    ['no jwks_uri', JSON.stringify({ issuer: ISSUER }), 'the answer is not what its API documents (jwks_uri: required)'],
    ['a jwks_uri of the wrong type', JSON.stringify({ issuer: ISSUER, jwks_uri: ['a'] }), 'the answer is not what its API documents (jwks_uri: expected string, got array)'],
  ])('%s is Unavailable, naming the document and the field', async (_, body, why) => {
    const fetchFn = (() => Promise.resolve(new Response(body, { status: 200 }))) as typeof fetch;
    const err: unknown = await new OidcVerifier(spec, fetchFn).verify('a.b.c').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'Unavailable', message: `${DOCUMENT}: ${why}` });
  });

  it('an issuer that does not answer is Unavailable after 5 s, and a later read asks again', async () => {
    let asked = 0;
    const silent = ((_url: string, init?: RequestInit) => {
      asked++;
      return new Promise<Response>((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason)));
    }) as typeof fetch;
    const verifier = new OidcVerifier(spec, silent);
    const err: unknown = await verifier.discovery().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'Unavailable' });
    expect((err as Error).message).toMatch(new RegExp(`^cannot read ${DOCUMENT.replace(/[.]/g, '\\.')}: .*(timeout|aborted)`, 'i'));
    await verifier.discovery().catch(() => undefined);
    expect(asked).toBe(2);
  }, 20_000);
});
