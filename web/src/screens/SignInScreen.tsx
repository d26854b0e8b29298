import { useEffect, useState, type FormEvent } from 'react';
import { whoAmI } from '../api/client';
import { oidcProviders, type OidcProvider } from '../auth/oidc';
import { FieldErrors } from '../components/bits';

export function SignInScreen({ onSignedIn }: { onSignedIn: (s: { token: string; name: string }) => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [providers, setProviders] = useState<OidcProvider[]>([]);
  useEffect(() => {
    void oidcProviders().then(setProviders);
  }, []);

  const accept = async (t: string) => {
    setBusy(true);
    setError(null);
    try {
      const who = await whoAmI(t.trim());
      if (who) onSignedIn({ token: t.trim(), name: who.name });
      else setError('The gateway did not accept this token: check that it is complete, not revoked and not expired.');
    } catch {
      setError('The gateway cannot be reached.');
    } finally {
      setBusy(false);
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!token.trim()) setError('Paste an API token (it starts with sg_).');
    else void accept(token);
  };

  return (
    <section className="signin" aria-labelledby="signin-title">
      <h1 id="signin-title" tabIndex={-1}>
        Sign in
      </h1>
      <form onSubmit={submit} noValidate>
        <label htmlFor="token">API token</label>
        <p className="hint" id="token-hint">
          The token printed at the first start of the gateway, or one made with createApiToken. It stays in this browser tab only.
        </p>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="off"
          value={token}
          onChange={(e) => setToken(e.target.value)}
          aria-describedby={error ? 'token-hint token-error' : 'token-hint'}
          aria-invalid={error ? true : undefined}
        />
        <FieldErrors id="token-error" errors={error ? [{ message: error, code: 'UNAUTHENTICATED' }] : []} />
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      {/* OIDC: one button per identity provider the gateway offers (see auth/oidc.ts; none until enabled) */}
      {providers.length > 0 && (
        <div className="oidc" aria-label="Sign in with your identity provider">
          {providers.map((p) => (
            <button key={p.name} type="button" onClick={() => void p.signIn().then(accept)}>
              Sign in with {p.name}
            </button>
          ))}
        </div>
      )}
    </section>
  );
}
