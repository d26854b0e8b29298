import { ApolloProvider } from '@apollo/client/react';
import { useEffect, useMemo, useState } from 'react';
import { createApi, type Api } from './api/client';
import { ApiContext } from './api/context';
import { href, useRoute } from './router';
import { DeploymentScreen } from './screens/DeploymentScreen';
import { DeployScreen } from './screens/DeployScreen';
import { HomeScreen } from './screens/HomeScreen';
import { MachinesScreen } from './screens/MachinesScreen';
import { PoolScreen } from './screens/PoolScreen';
import { ProjectScreen } from './screens/ProjectScreen';
import { SignInScreen } from './screens/SignInScreen';

const TOKEN_KEY = 'spokegraph.token';

interface Session {
  token: string;
  name: string;
}

function loadSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(TOKEN_KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

export function App() {
  const [session, setSession] = useState<Session | null>(loadSession);
  const api = useMemo<Api | null>(() => (session ? createApi(session.token) : null), [session]);
  useEffect(() => () => api?.close(), [api]);

  const signIn = (s: Session) => {
    sessionStorage.setItem(TOKEN_KEY, JSON.stringify(s));
    setSession(s);
  };
  const signOut = () => {
    sessionStorage.removeItem(TOKEN_KEY);
    setSession(null);
    window.location.hash = '#/';
  };

  if (!session || !api) {
    return (
      <Shell>
        <SignInScreen onSignedIn={signIn} />
      </Shell>
    );
  }
  return (
    <ApolloProvider client={api.apollo}>
      <ApiContext.Provider value={api}>
        <Shell user={session.name} onSignOut={signOut}>
          <Routed />
        </Shell>
      </ApiContext.Provider>
    </ApolloProvider>
  );
}

function Routed() {
  const route = useRoute();
  useEffect(() => {
    // move focus to the new screen's heading, as a page load would for screen readers
    const h = document.querySelector<HTMLElement>('main h1');
    h?.focus();
  }, [route]);
  switch (route.screen) {
    case 'home':
      return <HomeScreen />;
    case 'machines':
      return <MachinesScreen tenant={route.tenant} />;
    case 'project':
      return <ProjectScreen name={route.name} />;
    case 'deploy':
      return <DeployScreen project={route.project} />;
    case 'pool':
      return <PoolScreen id={route.id} />;
    case 'deployment':
      return <DeploymentScreen id={route.id} />;
  }
}

function Shell({ children, user, onSignOut }: { children: React.ReactNode; user?: string; onSignOut?: () => void }) {
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <a className="brand" href={href.home()}>
          spokegraph
        </a>
        {user && (
          <nav aria-label="Main">
            <a href={href.home()}>Tenants and projects</a>
            <a href="/graphql">GraphiQL</a>
          </nav>
        )}
        {user && (
          <div className="who">
            <span>
              Signed in as <strong>{user}</strong>
            </span>
            <button type="button" className="link" onClick={onSignOut}>
              Sign out
            </button>
          </div>
        )}
      </header>
      <main id="main">{children}</main>
    </>
  );
}
