// Log in; on a fresh install (no user yet) go to the setup screen instead.
import { useEffect } from 'preact/hooks';
import { api, ok } from '../api/client';
import { Field, FormError } from '../components/field';
import { useSubmit } from '../components/form';
import { FlagIcon } from '../components/icons';
import { navigate, safeNext } from '../router';
import { session } from '../session';

/** Logs in and keeps the token; throws the API's error. */
export async function logIn(email: string, password: string): Promise<void> {
  const { key } = await ok(api.POST('/api/v1/auth/login/', { body: { email, password } }));
  session.signIn(key);
}

export function LoginScreen({ next }: { next: string | null }) {
  useEffect(() => {
    let live = true;
    // 200 while no user exists: this installation still needs its first administrator.
    void api
      .GET('/api/v1/users/config/init/', { parseAs: 'text' })
      .then(({ response }) => {
        if (live && response.status === 200) navigate('/setup', { replace: true });
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
  const { busy, error, onSubmit } = useSubmit(async (v) => {
    await logIn(v.email, v.password);
    navigate(safeNext(next), { replace: true });
  });
  return (
    <main id="main" class="centered" tabIndex={-1}>
      <form class="card narrow" onSubmit={onSubmit} noValidate>
        <p class="brand-big">
          <FlagIcon />
          Flagstaff
        </p>
        <h1>Log in</h1>
        <Field label="Email" name="email" type="email" autoComplete="username" required error={error} />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          error={error}
        />
        <FormError error={error} fields={['email', 'password']} />
        <button type="submit" class="button primary" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </main>
  );
}
