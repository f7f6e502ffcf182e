/**
 * The page side of the JSON API: same-origin requests carrying this tab's token, errors with the
 * server's message.
 *
 * The server's cookie is one per origin, so a second link opened in the same browser (the
 * admin's dashboard beside a labeling tab) would silently change who the first tab answers as.
 * So each tab keeps the token it was opened with (sessionStorage: per tab, kept across reloads)
 * and sends it as `Authorization: Bearer`; the cookie only serves a page opened without one.
 */

const TOKEN_KEY = 'overseer_token';

function tabStorage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

/** The token this tab was opened with (null: the cookie speaks for it). */
let token: string | null = tabStorage()?.getItem(TOKEN_KEY) ?? null;

/** The page's query parameters: a token among them becomes this tab's, and leaves the address bar. */
export function pageParams(): URLSearchParams {
  const params = new URLSearchParams(location.search);
  const fromLink = params.get('token');
  if (fromLink !== null) {
    // Only URL-safe tokens come from the server (it ignores others, as a header would refuse them).
    if (/^[A-Za-z0-9_-]{1,200}$/.test(fromLink)) {
      token = fromLink;
      tabStorage()?.setItem(TOKEN_KEY, fromLink);
    }
    params.delete('token');
    history.replaceState(null, '', `${location.pathname}${params.size ? `?${params}` : ''}`);
  }
  return params;
}

function authorization(): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

async function refusal(res: Response): Promise<Error> {
  const body = (await res.json().catch(() => ({}))) as { error?: string };
  return Object.assign(new Error(body.error ?? `${res.status} ${res.statusText}`), { status: res.status });
}

export async function api<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(path, { ...init, headers: { 'content-type': 'application/json', ...authorization(), ...(init?.headers ?? {}) }, credentials: 'same-origin' });
  if (!res.ok) throw await refusal(res);
  return (await res.json().catch(() => ({}))) as T;
}

/** Downloads `path` as the file the server names, with this tab's token (a plain link would send only the cookie). */
export async function download(path: string): Promise<void> {
  const res = await fetch(path, { headers: authorization(), credentials: 'same-origin' });
  if (!res.ok) throw await refusal(res);
  const filename = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'download';
  const url = URL.createObjectURL(await res.blob());
  const a = Object.assign(document.createElement('a'), { href: url, download: filename });
  document.body.append(a);
  a.click();
  a.remove();
  // The click has started the download; the URL is let go a little later.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Float32 render states from base64. */
export function decode(b64: string): Float32Array {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  return new Float32Array(bytes.buffer);
}
