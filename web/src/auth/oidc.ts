/**
 * ─── OIDC SIGN-IN: NOT ENABLED YET ────────────────────────────────────────────────────────────
 * Sign-in with the company's identity provider is the identity-provider part of issue 12. When the
 * gateway accepts OIDC JWTs, this module will list the configured issuers (e.g. from a discovery
 * endpoint the gateway serves) and run the authorization-code flow with PKCE; the JWT it obtains is
 * used exactly like an API token (Authorization: Bearer …, graphql-ws connectionParams).
 * The sign-in screen already renders one button per provider returned here.
 * ──────────────────────────────────────────────────────────────────────────────────────────────
 */
export interface OidcProvider {
  /** shown on the button: "Sign in with <name>" */
  name: string;
  /** starts the flow; resolves with a bearer token for the gateway */
  signIn(): Promise<string>;
}

export async function oidcProviders(): Promise<OidcProvider[]> {
  return [];
}
