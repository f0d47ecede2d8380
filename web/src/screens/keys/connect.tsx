// "Connect your app": ready-to-paste snippets for each SDK, filled in with this server's URL and
// the environment's key. URLs and headers as the SDKs really send them (shared/spec/sdk-wire.md).
import { useRef } from 'preact/hooks';
import { apiBase } from '../../api/client';
import { CopyButton } from '../../components/copy';
import { Tabs, type Tab } from '../../components/tabs';

/** The snippets for one server URL (no trailing slash) and one environment key. */
export function snippets(server: string, key: string): { id: string; label: string; note: string; code: string }[] {
  const sdkApi = `${server}/api/v1/`;
  return [
    {
      id: 'python',
      label: 'Python',
      note: 'The flagsmith package (pip install flagsmith). Local evaluation needs a server-side key.',
      code: `from flagsmith import Flagsmith

flagsmith = Flagsmith(
    environment_key="${key}",
    api_url="${sdkApi}",
)
flags = flagsmith.get_environment_flags()
print(flags.is_feature_enabled("my_feature"))
`,
    },
    {
      id: 'node',
      label: 'Node.js',
      note: 'The flagsmith-nodejs package (npm install flagsmith-nodejs). Local evaluation needs a server-side key.',
      code: `import { Flagsmith } from 'flagsmith-nodejs';

const flagsmith = new Flagsmith({
  environmentKey: '${key}',
  apiUrl: '${sdkApi}',
});
const flags = await flagsmith.getEnvironmentFlags();
console.log(flags.isFeatureEnabled('my_feature'));
`,
    },
    {
      id: 'javascript',
      label: 'JavaScript',
      note: 'The flagsmith package for browsers and React Native (npm install flagsmith).',
      code: `import flagsmith from 'flagsmith';

await flagsmith.init({
  environmentID: '${key}',
  api: '${sdkApi}',
});
console.log(flagsmith.hasFeature('my_feature'));
`,
    },
    {
      id: 'ofrep',
      label: 'OpenFeature (OFREP)',
      note: `Any OFREP provider: base URL ${server}, the key in X-API-Key (or Authorization: Bearer). All flags at once:`,
      code: `curl -X POST ${server}/ofrep/v1/evaluate/flags \\
  -H "X-API-Key: ${key}" \\
  -H "Content-Type: application/json" \\
  -d '{"context": {"targetingKey": "user-123"}}'
`,
    },
    {
      id: 'curl',
      label: 'curl',
      note: 'The flags of this environment, as every SDK asks for them:',
      code: `curl -H "X-Environment-Key: ${key}" ${sdkApi}flags/
`,
    },
  ];
}

function Snippet({ note, code, label }: { note: string; code: string; label: string }) {
  const ref = useRef<HTMLPreElement>(null);
  return (
    <>
      <div class="snippet-head">
        <p class="hint">{note}</p>
        <CopyButton text={code} label={`${label} snippet`} target={() => ref.current} />
      </div>
      <pre class="snippet" ref={ref} tabIndex={0} aria-label={`${label} snippet`}>
        <code>{code}</code>
      </pre>
    </>
  );
}

export function ConnectPanel({ environmentKey }: { environmentKey: string }) {
  const tabs: Tab[] = snippets(apiBase, environmentKey).map((s) => ({
    id: s.id,
    label: s.label,
    panel: () => <Snippet note={s.note} code={s.code} label={s.label} />,
  }));
  return (
    <section class="card" aria-labelledby="connect-heading">
      <h2 id="connect-heading">Connect your app</h2>
      <p>
        This server speaks the Flagsmith API: point an SDK at <code>{apiBase}/api/v1/</code> with this environment's key.
      </p>
      <Tabs label="SDK" tabs={tabs} idPrefix="connect" />
    </section>
  );
}
