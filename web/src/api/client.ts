// The one typed client: base URL from document.baseURI, the login token on every call, and a
// 401 (expired session) sends the user to the login screen.
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';
import { toApiError } from './errors';
import { session } from '../session';

export type Schemas = components['schemas'];

/** The API's root: the document's base without its trailing slash ("/flags/" -> ".../flags"). */
export const apiBase = new URL('.', document.baseURI).href.replace(/\/$/, '');

const auth: Middleware = {
  onRequest({ request }) {
    const token = session.token();
    if (token && !request.headers.has('Authorization')) {
      request.headers.set('Authorization', `Token ${token}`);
    }
    return request;
  },
  onResponse({ request, response }) {
    if (response.status === 401 && request.headers.has('Authorization')) session.expired();
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: apiBase });
api.use(auth);

type Result<T> = { data?: T; error?: unknown; response: Response };

/** The data of a successful call; otherwise throws an ApiError (DRF body parsed). */
export async function ok<T>(call: Promise<Result<T>>): Promise<T> {
  let result: Result<T>;
  try {
    result = await call;
  } catch {
    throw toApiError(0, undefined);
  }
  if (result.response.ok) return result.data as T;
  throw toApiError(result.response.status, result.error);
}

/** Every page of a DRF-paginated list, following `next` until it is null. */
export async function allPages<T>(
  first: () => Promise<Result<{ results: T[]; next?: string | null }>>,
  page: (n: number) => Promise<Result<{ results: T[]; next?: string | null }>>,
): Promise<T[]> {
  let body = await ok(first());
  const out = [...body.results];
  for (let n = 2; body.next; n += 1) {
    body = await ok(page(n));
    out.push(...body.results);
  }
  return out;
}
