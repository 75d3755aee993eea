/**
 * The settings that connect the worker and the api to a Temporal cluster or Temporal Cloud:
 * plaintext by default, mTLS from certificate files, or an API key (which implies TLS); every
 * incomplete or contradictory combination is refused with the setting named, and never with the
 * key's value.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { temporalConnectionSettings } from '../../activities/adapters/temporal-connection.js';

let dir: string;
const files: Record<string, string> = {};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'shunt-tls-'));
  for (const [name, text] of Object.entries({ cert: 'CLIENT CERT', key: 'CLIENT KEY', ca: 'SERVER CA' })) {
    files[name] = join(dir, `${name}.pem`);
    writeFileSync(files[name], text);
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ADDRESS = 'temporal.example:7233';

describe('temporalConnectionSettings', () => {
  it('connects in plaintext to the address when nothing else is set', () => {
    expect(temporalConnectionSettings({ TEMPORAL_ADDRESS: ADDRESS })).toEqual({ address: ADDRESS });
  });

  it('uses mTLS with the client certificate, its key, the CA and the server name from files', () => {
    const s = temporalConnectionSettings({
      TEMPORAL_ADDRESS: ADDRESS,
      TEMPORAL_TLS_CERT: files['cert'],
      TEMPORAL_TLS_KEY: files['key'],
      TEMPORAL_TLS_CA: files['ca'],
      TEMPORAL_TLS_SERVER_NAME: 'frontend.temporal',
    });
    expect(s.address).toBe(ADDRESS);
    expect(s.tls?.clientCertPair?.crt.toString()).toBe('CLIENT CERT');
    expect(s.tls?.clientCertPair?.key.toString()).toBe('CLIENT KEY');
    expect(s.tls?.serverRootCACertificate?.toString()).toBe('SERVER CA');
    expect(s.tls?.serverNameOverride).toBe('frontend.temporal');
    expect(s.apiKey).toBeUndefined();
  });

  it('sends an API key over TLS (Temporal Cloud)', () => {
    expect(temporalConnectionSettings({ TEMPORAL_ADDRESS: ADDRESS, TEMPORAL_API_KEY: 'k-123' })).toEqual({ address: ADDRESS, tls: {}, apiKey: 'k-123' });
  });

  it('uses TLS with the system CAs when TEMPORAL_TLS=true alone', () => {
    expect(temporalConnectionSettings({ TEMPORAL_ADDRESS: ADDRESS, TEMPORAL_TLS: 'true' })).toEqual({ address: ADDRESS, tls: {} });
  });

  it.each([
    [{}, /TEMPORAL_ADDRESS is required/],
    [{ TEMPORAL_TLS_CERT: '/c.pem' }, /TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together/],
    [{ TEMPORAL_TLS_KEY: '/k.pem' }, /TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together/],
    [{ TEMPORAL_TLS: 'yes' }, /TEMPORAL_TLS must be "true" or "false", not "yes"/],
    [{ TEMPORAL_TLS: 'false', TEMPORAL_API_KEY: 'secret-key' }, /TEMPORAL_TLS=false contradicts/],
    [{ TEMPORAL_TLS_CA: '/no/such/ca.pem' }, /TEMPORAL_TLS_CA=\/no\/such\/ca.pem cannot be read: ENOENT/],
  ])('refuses %j', (extra, message) => {
    const env = { ...(Object.keys(extra).length ? { TEMPORAL_ADDRESS: ADDRESS } : {}), ...extra };
    expect(() => temporalConnectionSettings(env)).toThrow(message);
  });

  it('never puts the API key in an error message', () => {
    try {
      temporalConnectionSettings({ TEMPORAL_ADDRESS: ADDRESS, TEMPORAL_TLS: 'false', TEMPORAL_API_KEY: 'secret-key' });
    } catch (err) {
      expect(String(err)).not.toContain('secret-key');
      return;
    }
    throw new Error('expected a refusal');
  });
});
