/** A tiny GraphQL-over-HTTP client for tests (Node's fetch, real HTTP). */

export interface GqlResponse<T = any> {
  status: number;
  data: T;
  errors?: { message: string; path?: string[]; extensions?: Record<string, any> }[];
}

export async function gqlRequest<T = any>(url: string, query: string, variables?: Record<string, unknown>, token?: string | null): Promise<GqlResponse<T>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`non-JSON response ${res.status}: ${text.slice(0, 200)}`);
  }
  return { status: res.status, data: body.data, errors: body.errors };
}

/** Fails loudly (with the server's errors) unless the operation succeeded without top-level errors. */
export function ok<T>(r: GqlResponse<T>): T {
  if (r.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(r.errors)}`);
  return r.data;
}
