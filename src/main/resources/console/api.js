// The admin API as the console sees it: every call goes through here, with the tab's token.
// The token lives in sessionStorage: it survives a reload, never outlives the tab, and is never a cookie
// (so no other site can make the browser send it).

const TOKEN_KEY = 'turnout.adminToken';

export class ApiError extends Error {
  constructor(status, type, message, errors) {
    super(message);
    this.status = status;
    this.type = type;
    this.errors = errors || [];
  }
}

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (value) => sessionStorage.setItem(TOKEN_KEY, value),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

/**
 * One admin call. Writes always say what they carry, JSON unless told (the API refuses any other type, even
 * without a body); body is sent as JSON, raw as it is; a call is given up after timeoutMs. Answers are parsed
 * as JSON where they are, and an error answer ({"error":{message,type,errors}}) becomes an ApiError.
 */
export async function call(method, path, { body, raw, type = 'application/json', headers = {}, query, timeoutMs = 30_000 } = {}) {
  const sent = { ...headers };
  const current = token.get();
  if (current) sent.authorization = 'Bearer ' + current;
  if (method !== 'GET') sent['content-type'] = type;
  const url = query ? path + '?' + new URLSearchParams(query) : path;
  // Every call ends: one the API does not answer in time is given up, and said so.
  const timeout = AbortSignal.timeout(timeoutMs);
  let response;
  let text;
  try {
    response = await fetch(url, {
      method, headers: sent, cache: 'no-store', credentials: 'omit', signal: timeout,
      body: raw !== undefined ? raw : body === undefined ? undefined : JSON.stringify(body),
    });
    text = await response.text();
  } catch (e) {
    if (timeout.aborted) throw new ApiError(0, 'timeout', `The admin API did not answer ${method} ${path} within ${timeoutMs / 1000} s.`);
    throw new ApiError(0, 'unreachable', 'The admin API did not answer: ' + e.message);
  }
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = text; }
  if (!response.ok) {
    const error = (data && data.error) || {};
    throw new ApiError(response.status, error.type || 'http_' + response.status,
        error.message || 'HTTP ' + response.status, error.errors);
  }
  return { data, etag: response.headers.get('etag'), headers: response.headers };
}

/** The revision an ETag names ("7" → 7). */
export function revisionOf(etag) {
  return etag ? Number(etag.replaceAll('"', '')) : null;
}
