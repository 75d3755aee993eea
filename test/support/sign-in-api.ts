/**
 * The demo api whose access control trusts a real OpenID provider running in the test process
 * (oidc-provider.ts), set up in the order the two need: the provider listens first (the api's
 * config names its issuer), then the api starts, then the provider learns the page's redirect
 * address on the api.
 */
import { enforcedAccess, parseAuthConfig } from '../../api/auth/index.js';
import { demoBackend, startApi, type RunningApi } from '../api/support.js';
import { listenOidcProvider, signInConfigYaml, type OidcProviderServer } from './oidc-provider.js';

export interface SignInApi {
  idp: OidcProviderServer;
  api: RunningApi;
  close(): Promise<void>;
}

export async function startSignInApi(): Promise<SignInApi> {
  const idp = await listenOidcProvider();
  const api = await startApi({ backend: demoBackend(), access: enforcedAccess(parseAuthConfig(signInConfigYaml(idp.issuer), 'auth.yaml')) });
  await idp.start({ pageRedirectUris: [`${api.url}/`] });
  return {
    idp,
    api,
    async close() {
      await api.close();
      await idp.close();
    },
  };
}
