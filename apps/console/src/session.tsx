import { createContext, useContext, useState, type ReactNode } from 'react';
import { loadSession, saveSession, type Session } from './api';

interface SessionState {
  session: Session | null;
  signIn(session: Session): void;
  signOut(): void;
}

const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState(loadSession);
  const value: SessionState = {
    session,
    signIn: (s) => {
      saveSession(s);
      setSession(s);
    },
    signOut: () => {
      saveSession(null);
      setSession(null);
    },
  };
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSession outside SessionProvider');
  return state;
}
