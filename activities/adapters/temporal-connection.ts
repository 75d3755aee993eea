/**
 * How the worker and the api reach Temporal: the one place that turns the environment into
 * connection options, for a plain server, a cluster behind mTLS, or Temporal Cloud (mTLS or an
 * API key). The names are the Temporal CLI's own. Certificate files are read once, at start.
 */
import { readFileSync } from 'node:fs';

export interface TemporalConnectionSettings {
  address: string;
  /** Absent: plaintext. */
  tls?: {
    serverRootCACertificate?: Buffer;
    clientCertPair?: { crt: Buffer; key: Buffer };
    serverNameOverride?: string;
  };
  /** Sent as a bearer token; implies TLS. */
  apiKey?: string;
}

export const TEMPORAL_CONNECTION_ENV = [
  'TEMPORAL_ADDRESS',
  'TEMPORAL_TLS',
  'TEMPORAL_TLS_CERT',
  'TEMPORAL_TLS_KEY',
  'TEMPORAL_TLS_CA',
  'TEMPORAL_TLS_SERVER_NAME',
  'TEMPORAL_API_KEY',
] as const;

function readPem(variable: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new Error(`${variable}=${path} cannot be read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

/**
 * The connection options the environment asks for; throws a message naming the setting when
 * they are incomplete or contradict each other. The values of TEMPORAL_API_KEY and of the key
 * file never appear in a message.
 */
export function temporalConnectionSettings(env: NodeJS.ProcessEnv): TemporalConnectionSettings {
  const get = (name: (typeof TEMPORAL_CONNECTION_ENV)[number]): string | undefined => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };
  const address = get('TEMPORAL_ADDRESS');
  if (!address) throw new Error('TEMPORAL_ADDRESS is required (host:port of the Temporal frontend)');
  const cert = get('TEMPORAL_TLS_CERT');
  const key = get('TEMPORAL_TLS_KEY');
  const ca = get('TEMPORAL_TLS_CA');
  const serverName = get('TEMPORAL_TLS_SERVER_NAME');
  const apiKey = get('TEMPORAL_API_KEY');
  const tlsFlag = get('TEMPORAL_TLS');
  if (tlsFlag !== undefined && tlsFlag !== 'true' && tlsFlag !== 'false') {
    throw new Error(`TEMPORAL_TLS must be "true" or "false", not "${tlsFlag}"`);
  }
  if ((cert === undefined) !== (key === undefined)) {
    throw new Error('TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together (the client certificate and its key): set both or neither');
  }
  const tlsAsked = cert !== undefined || ca !== undefined || serverName !== undefined || apiKey !== undefined;
  if (tlsFlag === 'false' && tlsAsked) {
    throw new Error('TEMPORAL_TLS=false contradicts TEMPORAL_TLS_CERT/KEY/CA/SERVER_NAME or TEMPORAL_API_KEY, which need TLS');
  }
  if (tlsFlag !== 'true' && !tlsAsked) return { address };
  return {
    address,
    tls: {
      ...(ca ? { serverRootCACertificate: readPem('TEMPORAL_TLS_CA', ca) } : {}),
      ...(cert && key ? { clientCertPair: { crt: readPem('TEMPORAL_TLS_CERT', cert), key: readPem('TEMPORAL_TLS_KEY', key) } } : {}),
      ...(serverName ? { serverNameOverride: serverName } : {}),
    },
    ...(apiKey ? { apiKey } : {}),
  };
}
