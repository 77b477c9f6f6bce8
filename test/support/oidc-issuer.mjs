/**
 * A real OpenID provider for tests: npm `oidc-provider` (a certified implementation) served over HTTPS
 * on loopback with a certificate the caller made. Started as a child process because the package is ESM.
 *
 * argv: <port> <cert.pem> <key.pem> <audience> <private-jwk.json>
 * It issues JWT access tokens for `audience` (resource indicators) to the client `mcp-test` through the
 * client_credentials grant, signed with the given key (so a test can also sign an EXPIRED token with it,
 * and a forged one with another key). Prints `READY <issuer>` on stdout when it listens.
 */
import * as fs from 'node:fs';
import * as https from 'node:https';
import Provider from 'oidc-provider';

const [port, certFile, keyFile, audience, jwkFile] = process.argv.slice(2);
const issuer = `https://127.0.0.1:${port}`;
const provider = new Provider(issuer, {
  clients: [{ client_id: 'mcp-test', client_secret: 'mcp-test-secret', grant_types: ['client_credentials'], redirect_uris: [], response_types: [] }],
  jwks: { keys: [JSON.parse(fs.readFileSync(jwkFile, 'utf8'))] },
  features: {
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => audience,
      getResourceServerInfo: (_ctx, resource) => {
        if (resource !== audience) throw new Error(`unknown resource ${resource}`);
        return { scope: 'openid', audience, accessTokenFormat: 'jwt', accessTokenTTL: 300 };
      },
      useGrantedResource: () => true,
    },
  },
});
provider.proxy = false;
https.createServer({ cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) }, provider.callback())
  .listen(Number(port), '127.0.0.1', () => { process.stdout.write(`READY ${issuer}\n`); });
