// People: an organisation's members and their roles, invitations, and groups.
import { useOrganisations } from '../api/resources';
import { Groups } from './people/groups';
import { Invites } from './people/invites';
import { Members } from './people/members';

export function PeopleScreen({ organisation }: { organisation: number }) {
  const organisations = useOrganisations();
  const current = organisations.data?.find((o) => o.id === organisation);
  const isAdmin = current?.role === 'ADMIN';
  return (
    <>
      <h1>
        People<span class="subtitle">{current && ` in ${current.name}`}</span>
      </h1>
      {current && !isAdmin && <p class="muted">Only the organisation's administrators can change members and invitations.</p>}
      <div class="stack">
        <Members organisation={organisation} isAdmin={isAdmin} />
        {isAdmin && <Invites organisation={organisation} />}
        <Groups organisation={organisation} />
      </div>
    </>
  );
}
