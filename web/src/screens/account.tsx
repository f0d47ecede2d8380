// The signed-in user's account: who they are, and changing their password.
import { useState } from 'preact/hooks';
import { api, ok } from '../api/client';
import { useMe } from '../api/resources';
import { Field, FormError } from '../components/field';
import { useSubmit } from '../components/form';
import { useFormEdits } from '../components/unsaved';

const PASSWORD_FIELDS = ['current_password', 'new_password', 're_new_password'];

export function AccountScreen() {
  const me = useMe();
  const [done, setDone] = useState(false);
  const edits = useFormEdits();
  const { busy, error, onSubmit } = useSubmit(async (v, form) => {
    setDone(false);
    await ok(
      api.POST('/api/v1/auth/users/set_password/', {
        body: { current_password: v.current_password, new_password: v.new_password, re_new_password: v.re_new_password },
      }),
    );
    form.reset();
    edits.saved();
    setDone(true);
  });
  const user = me.data;
  return (
    <>
      <h1>Your account</h1>
      {user && (
        <dl class="facts">
          <dt>Email</dt>
          <dd>{user.email}</dd>
          {(user.first_name || user.last_name) && (
            <>
              <dt>Name</dt>
              <dd>{`${user.first_name} ${user.last_name}`.trim()}</dd>
            </>
          )}
        </dl>
      )}
      <section class="card form-card" aria-labelledby="change-password">
        <h2 id="change-password">Change password</h2>
        <form onSubmit={onSubmit} noValidate onInput={() => setDone(false)} ref={edits.ref}>
          {/* A hidden username lets password managers file the new password under the right account. */}
          <input type="email" name="username" autoComplete="username" value={user?.email ?? ''} hidden readOnly />
          <Field
            label="Current password"
            name="current_password"
            idPrefix="account"
            type="password"
            autoComplete="current-password"
            required
            error={error}
          />
          <Field
            label="New password"
            name="new_password"
            idPrefix="account"
            type="password"
            autoComplete="new-password"
            hint="At least 8 characters, not a common password."
            required
            error={error}
          />
          <Field
            label="Repeat the new password"
            name="re_new_password"
            idPrefix="account"
            type="password"
            autoComplete="new-password"
            required
            error={error}
          />
          <FormError error={error} fields={PASSWORD_FIELDS} />
          <p class="success" role="status">
            {done ? 'Your password is changed. Use the new one from your next login.' : ''}
          </p>
          <button type="submit" class="button primary" disabled={busy}>
            {busy ? 'Changing…' : 'Change password'}
          </button>
        </form>
      </section>
    </>
  );
}
