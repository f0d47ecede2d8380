// What seed.py set up: the server's address, its keys and its ids; and a management API reader.
import { appendFileSync, readFileSync } from 'node:fs';

export const state = JSON.parse(readFileSync(process.env.FLAGSTAFF_SDK_STATE, 'utf8'));
export const apiUrl = `${state.base}/api/v1/`;

export async function admin(path) {
  const response = await fetch(state.base + path, {
    headers: { Authorization: `Token ${state.token}` },
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

export async function adminWrite(method, path, body) {
  const response = await fetch(state.base + path, {
    method,
    headers: { Authorization: `Token ${state.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** Adds a line to the suite's report of measured figures, printed at its end. */
export function report(line) {
  if (process.env.FLAGSTAFF_SDK_REPORT) appendFileSync(process.env.FLAGSTAFF_SDK_REPORT, `${line}\n`);
}

export async function eventually(check, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await check();
    if (result || Date.now() > deadline) return result;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function identitiesNamed(identifier) {
  const page = await admin(`/api/v1/environments/${state.client_key}/identities/?q=${identifier}`);
  return page.results.filter((i) => i.identifier === identifier);
}

export const identifiers = Array.from({ length: 40 }, (_, n) => `node-user-${n}`);
