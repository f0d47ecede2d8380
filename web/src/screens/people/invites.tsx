// Inviting people: by email (the answer carries the join link to hand over, as no email is sent)
// and by shareable invite link; pending ones can be resent (shown again) or revoked.
import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import { invalidate } from '../../api/cache';
import { adminKeys, useInviteLinks, useInvites, type Invite, type InviteLink } from '../../api/admin';
import { ConfirmDialog } from '../../components/confirm-delete';
import { Field, FormError, Notice } from '../../components/field';
import { useSubmit } from '../../components/form';
import { href } from '../../router';

/** The dashboard address where an invited person joins. */
export const joinUrl = (kind: 'email' | 'link', hash: string) =>
  new URL(href(kind === 'email' ? `/join/${hash}` : `/join/link/${hash}`), window.location.origin).href;

const inviteHash = (invite: Invite) => /\/join\/([^/]+)\/?$/.exec(invite.link)?.[1] ?? '';
const roleName = (role: string) => (role === 'ADMIN' ? 'Administrator' : 'User');
const date = (iso: string) => new Date(iso).toLocaleDateString();

function RoleSelect({ id }: { id: string }) {
  return (
    <div class="field field-narrow">
      <label for={id}>Role</label>
      <select id={id} name="role">
        <option value="USER">User</option>
        <option value="ADMIN">Administrator</option>
      </select>
    </div>
  );
}

type Revoking = { kind: 'email'; item: Invite } | { kind: 'link'; item: InviteLink } | null;

export function Invites({ organisation }: { organisation: number }) {
  const invites = useInvites(organisation);
  const links = useInviteLinks(organisation);
  const [message, setMessage] = useState('');
  const [revoking, setRevoking] = useState<Revoking>(null);

  const invite = useSubmit(async (v, form) => {
    const role = v.role === 'ADMIN' ? 'ADMIN' : 'USER';
    const created = await ok(
      api.POST('/api/v1/organisations/{org}/invite/', {
        params: { path: { org: organisation } },
        body: { invites: [{ email: v.email.trim(), role }], emails: [] },
      }),
    );
    form.reset();
    await invalidate(adminKeys.invites(organisation));
    setMessage(`Invited ${created.map((i) => i.email).join(', ')}. Send them the join link shown below.`);
  });

  const newLink = useSubmit(async (v) => {
    await ok(
      api.POST('/api/v1/organisations/{org}/invite-links/', {
        params: { path: { org: organisation } },
        body: { role: v.role === 'ADMIN' ? 'ADMIN' : 'USER' },
      }),
    );
    await invalidate(adminKeys.inviteLinks(organisation));
    setMessage('A new invite link is ready below.');
  });

  const resend = async (item: Invite) => {
    try {
      await ok(
        api.POST('/api/v1/organisations/{org}/invites/{id}/resend/', {
          params: { path: { org: organisation, id: item.id } },
        }),
      );
      setMessage(`The invite to ${item.email} is renewed; send them its join link.`);
    } catch (e) {
      setMessage(`Could not resend the invite to ${item.email}: ${(e as Error).message}`);
    }
  };

  const revoke = async () => {
    if (!revoking) return;
    const path = { org: organisation, id: revoking.item.id };
    if (revoking.kind === 'email') {
      await ok(api.DELETE('/api/v1/organisations/{org}/invites/{id}/', { params: { path } }));
      await invalidate(adminKeys.invites(organisation));
    } else {
      await ok(api.DELETE('/api/v1/organisations/{org}/invite-links/{id}/', { params: { path } }));
      await invalidate(adminKeys.inviteLinks(organisation));
    }
    setMessage('The invitation is revoked; its link no longer works.');
    setRevoking(null);
  };

  return (
    <section aria-labelledby="invitations">
      <h2 id="invitations">Invitations</h2>
      <form class="card inline-form" onSubmit={invite.onSubmit} noValidate aria-label="Invite by email">
        <Field label="Email address to invite" name="email" idPrefix="invite" type="email" required error={invite.error} />
        <RoleSelect id="invite-role" />
        <button type="submit" class="button primary" disabled={invite.busy}>
          Invite
        </button>
      </form>
      <FormError error={invite.error} fields={['email']} />
      <p class="status" role="status">
        {message}
      </p>
      {(invites.error || links.error) && <Notice>{(invites.error ?? links.error)?.message}</Notice>}
      {invites.data && invites.data.length > 0 && (
        <table class="table">
          <caption>Pending invites</caption>
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Join link</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {invites.data.map((i) => (
              <tr key={i.id}>
                <th scope="row">{i.email}</th>
                <td>
                  {roleName(i.role)}
                  <span class="muted"> · {date(i.date_created)}</span>
                </td>
                <td>
                  <code class="link-text">{joinUrl('email', inviteHash(i))}</code>
                </td>
                <td class="row-actions">
                  <button type="button" class="button quiet small" onClick={() => void resend(i)}>
                    Resend<span class="visually-hidden"> the invite to {i.email}</span>
                  </button>
                  <button type="button" class="button quiet small" onClick={() => setRevoking({ kind: 'email', item: i })}>
                    Revoke<span class="visually-hidden"> the invite to {i.email}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form class="card inline-form" onSubmit={newLink.onSubmit} noValidate aria-label="Create an invite link">
        <p class="grow">Anyone with an invite link can join with its role.</p>
        <RoleSelect id="link-role" />
        <button type="submit" class="button" disabled={newLink.busy}>
          Create invite link
        </button>
      </form>
      <FormError error={newLink.error} fields={[]} />
      {links.data && links.data.length > 0 && (
        <table class="table">
          <caption>Invite links</caption>
          <thead>
            <tr>
              <th scope="col">Link</th>
              <th scope="col">Role</th>
              <th scope="col">Expires</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {links.data.map((l) => (
              <tr key={l.id}>
                <th scope="row">
                  <code class="link-text">{joinUrl('link', l.hash)}</code>
                </th>
                <td>{roleName(l.role)}</td>
                <td>{l.expires_at ? date(l.expires_at) : 'Never'}</td>
                <td class="row-actions">
                  <button type="button" class="button quiet small" onClick={() => setRevoking({ kind: 'link', item: l })}>
                    Revoke<span class="visually-hidden"> the {roleName(l.role).toLowerCase()} link of {date(l.date_created)}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ConfirmDialog
        open={revoking !== null}
        title="Revoke invitation"
        action="Revoke"
        onConfirm={revoke}
        onClose={() => setRevoking(null)}
      >
        <p>
          {revoking?.kind === 'email'
            ? `The invite to ${revoking.item.email} stops working.`
            : 'This invite link stops working; people who joined with it stay.'}
        </p>
      </ConfirmDialog>
    </section>
  );
}
