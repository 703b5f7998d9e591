// A real OpenID provider for the tests: the certified `oidc-provider` package (npm), on 127.0.0.1:PORT, with one
// confidential client and the accounts of ACCOUNTS_FILE, re-read on every lookup so a test can change a person's
// groups. Consent is granted in advance (a bank's own client); logins go through the package's dev interactions.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const modulePath = process.env.OIDC_PROVIDER_MODULE;
const { default: Provider } = await import(pathToFileURL(modulePath).href);
const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const SCOPES = 'openid profile email groups';

const provider = new Provider(issuer, {
  clients: [{
    client_id: process.env.CLIENT_ID,
    client_secret: process.env.CLIENT_SECRET,
    redirect_uris: [process.env.REDIRECT_URI],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
  }],
  scopes: SCOPES.split(' '),
  claims: {
    openid: ['sub'], profile: ['preferred_username', 'given_name', 'family_name'], email: ['email'],
    groups: ['groups'],
  },
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => false },
  async findAccount(ctx, sub) {
    const accounts = JSON.parse(readFileSync(process.env.ACCOUNTS_FILE, 'utf8'));
    if (!accounts[sub]) return undefined;
    return { accountId: sub, async claims() { return { sub, ...accounts[sub] }; } };
  },
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope(SCOPES);
    await grant.save();
    return grant;
  },
});
provider.listen(port, '127.0.0.1', () => console.log(`ready ${issuer}`));
