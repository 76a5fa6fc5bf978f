import { Link, Outlet, useRouterState } from '@tanstack/react-router';
import { useEffect, useRef } from 'react';
import { LiveProvider, useLive } from '../live';
import { SignIn } from '../pages/sign-in';
import { useSession } from '../session';

/** The frame of every page: who is signed in, where one can go, and whether live updates flow. */
export function Layout() {
  const { session, signOut } = useSession();
  if (!session) return <SignIn />;
  return <SignedIn session={session} signOut={signOut} />;
}

function SignedIn({ session, signOut }: { session: NonNullable<ReturnType<typeof useSession>['session']>; signOut(): void }) {
  // A new page moves focus to its content, as a page load would: a screen reader starts
  // reading there, and Tab goes on from there rather than from the link that was clicked.
  const pathname = useRouterState({ select: (s) => s.location.pathname });
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  useEffect(() => {
    if (first.current) first.current = false;
    else main.current?.focus();
  }, [pathname]);
  return (
    <LiveProvider apiKey={session.key}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">Policy Ledger</span>
        <nav aria-label="Console">
          <Link to="/" activeOptions={{ exact: true, includeSearch: false }}>
            Review
          </Link>
          <Link to="/jurisdictions">Jurisdictions</Link>
          <Link to="/ingestion">Ingestion</Link>
        </nav>
        <LiveIndicator />
        <span className="who">
          {session.name ?? 'API key'} · <strong className={`role role--${session.role}`}>{session.role}</strong>
          {session.role === 'analyst' && <span className="muted"> (read-only)</span>}
        </span>
        <button type="button" className="link-button" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1} ref={main}>
        <Outlet />
      </main>
    </LiveProvider>
  );
}

function LiveIndicator() {
  const { connected } = useLive();
  return (
    <span className={connected ? 'live live--on' : 'live'} role="status" title="Changes by others appear as they are saved">
      {connected ? 'Live' : 'Connecting…'}
    </span>
  );
}
