// An environment's SDK keys: the client-side key, "Connect your app" snippets and the
// server-side keys. The organisation's API keys are in keys/organisation-keys.tsx.
import { useEnvironments } from '../api/resources';
import { CopyableCode } from '../components/copy';
import { Notice } from '../components/field';
import { ConnectPanel } from './keys/connect';
import { ServerKeys } from './keys/server-keys';

export function KeysScreen({ project, environment }: { project: number; environment: string }) {
  const environments = useEnvironments(project);
  const current = environments.data?.find((e) => e.api_key === environment);
  if (environments.error) return <Notice>{environments.error.message}</Notice>;
  if (environments.data && !current) return <Notice>This project has no environment with that key.</Notice>;
  return (
    <>
      <h1>
        SDK keys<span class="subtitle"> of {current?.name ?? '…'}</span>
      </h1>
      <section class="card" aria-labelledby="client-key-heading">
        <h2 id="client-key-heading">Client-side key</h2>
        <p class="hint">Public: safe in browsers and mobile apps. It reads the flags of this environment only.</p>
        <CopyableCode text={environment} label="client-side key" />
      </section>
      <ConnectPanel environmentKey={environment} />
      <ServerKeys environment={environment} />
    </>
  );
}
