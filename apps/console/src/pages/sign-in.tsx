import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { apiWithKey, unwrap, type Role } from '../api';
import { Field, ProblemNotice } from '../components/ui';
import { useSession } from '../session';

/** Sign in with an API key: checked against the API, which says whose it is and its role. */
export function SignIn() {
  const { signIn } = useSession();
  const [key, setKey] = useState('');
  const check = useMutation({
    mutationFn: async (candidate: string) => unwrap(apiWithKey(candidate).GET('/api/v1/keys/current')),
    onSuccess: (who, candidate) => signIn({ key: candidate, role: who.role as Role, name: who.name }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (key.trim()) check.mutate(key.trim());
  };
  return (
    <main id="main" className="sign-in">
      <h1>Policy Ledger console</h1>
      <p>Review what ingestion proposes, correct, link, merge and retract actions.</p>
      <form onSubmit={submit} aria-label="Sign in">
        <Field label="API key" hint="A curator or admin key can change the ledger; an analyst key reads only. It is kept in this tab only.">
          {(props) => <input {...props} type="password" autoComplete="off" value={key} onChange={(e) => setKey(e.target.value)} required />}
        </Field>
        <ProblemNotice error={check.error} />
        <button type="submit" className="primary" disabled={check.isPending}>
          {check.isPending ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
