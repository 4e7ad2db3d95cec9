// Talking to the gateway: GET JSON from /api/v1/..., with the session cookie. A 401 means the
// browser is not (or no longer) logged in: the whole page goes to /login.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const LOGIN_PATH = '/login';

export function goToLogin(): void {
  window.location.assign(LOGIN_PATH);
}

export type Params = Record<string, string | number | undefined | null>;

export function apiUrl(path: string, params?: Params): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params ?? {})) {
    if (value === undefined || value === null || value === '') continue;
    search.set(key, String(value));
  }
  const query = search.toString();
  return `/api/v1/${path}${query ? `?${query}` : ''}`;
}

export async function getJson<T>(path: string, params?: Params, signal?: AbortSignal): Promise<T> {
  let response: Response;
  try {
    response = await fetch(apiUrl(path, params), {
      credentials: 'same-origin',
      headers: { Accept: 'application/json' },
      signal,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'NETWORK', 'De server is niet bereikbaar. Probeer het later opnieuw.');
  }
  if (response.status === 401) {
    goToLogin();
    throw new ApiError(401, 'UNAUTHENTICATED', 'U bent niet ingelogd.');
  }
  if (!response.ok) {
    let code = String(response.status);
    let message = `De server antwoordde met status ${response.status}.`;
    try {
      const body = (await response.json()) as { error?: { code?: string; message?: string } };
      if (body.error?.message) message = body.error.message;
      if (body.error?.code) code = body.error.code;
    } catch {
      // not JSON: keep the generic message
    }
    if (response.status === 404) message = `Niet gevonden: ${message}`;
    throw new ApiError(response.status, code, message);
  }
  return (await response.json()) as T;
}
