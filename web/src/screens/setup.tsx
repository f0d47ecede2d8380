// First run: create the first administrator through the server's install form, then log in.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api/client';
import { toApiError } from '../api/errors';
import { Field, FormError } from '../components/field';
import { useSubmit } from '../components/form';
import { FlagIcon } from '../components/icons';
import { navigate } from '../router';
import { logIn } from './login';

/** The anti-forgery token of the server's install form (null once a user exists). */
async function installToken(): Promise<string | null> {
  const { data, response } = await api.GET('/api/v1/users/config/init/', { parseAs: 'text' });
  if (response.status !== 200 || typeof data !== 'string') return null;
  // Read with a pattern, not DOMParser: parsing the page's <style> would trip our own CSP.
  for (const tag of data.match(/<input\b[^>]*>/gi) ?? []) {
    if (!/\bname=["']token["']/i.test(tag)) continue;
    const value = /\bvalue=["']([^"']*)["']/i.exec(tag)?.[1];
    if (value !== undefined) return decodeEntities(value);
  }
  return null;
}

function decodeEntities(text: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  return text.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (all, code: string) => {
    if (code[0] !== '#') return named[code.toLowerCase()] ?? all;
    return String.fromCodePoint(code[1] === 'x' || code[1] === 'X' ? parseInt(code.slice(2), 16) : Number(code.slice(1)));
  });
}

export function SetupScreen() {
  const [token, setToken] = useState<string | null | undefined>(undefined);
  useEffect(() => {
    void installToken()
      .catch(() => null)
      .then((t) => {
        if (t === null) navigate('/login', { replace: true });
        else setToken(t);
      });
  }, []);
  const { busy, error, onSubmit } = useSubmit(async (v) => {
    const form = { ...v, site_domain: window.location.host, token: token ?? '' };
    const { response, error: body } = await api.POST('/api/v1/users/config/init/', {
      body: form as never,
      bodySerializer: (b: Record<string, string>) => new URLSearchParams(b).toString(),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    if (response.status !== 201) throw toApiError(response.status, body);
    await logIn(v.email, v.password);
    navigate('/', { replace: true });
  });
  return (
    <main id="main" class="centered" tabIndex={-1}>
      <form class="card narrow" onSubmit={onSubmit} noValidate>
        <p class="brand-big">
          <FlagIcon />
          Flagstaff
        </p>
        <h1>Set up Flagstaff</h1>
        <p>Create the first administrator. This screen is shown only until a user exists.</p>
        <Field label="Email" name="email" type="email" autoComplete="username" required error={error} />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          minLength={8}
          required
          hint="At least 8 characters."
          error={error}
        />
        <Field label="Site name" name="site_name" defaultValue="Flagstaff" required error={error} />
        <FormError error={error} fields={['email', 'password', 'site_name']} />
        <button type="submit" class="button primary" disabled={busy || !token}>
          {busy ? 'Creating…' : 'Create administrator'}
        </button>
      </form>
    </main>
  );
}
