/**
 * The moderation API as the dashboard calls it: its cookie (same origin) and the page's CSRF
 * token in `x-csrf-token`; answers are JSON, errors `{ error: { code, message } }`.
 */

export class RequestFailed extends Error {}

/** The token the page was rendered with (refreshed with the page's re-reads). */
export function csrfToken(): string {
  return document.querySelector<HTMLInputElement>('input[name="_csrf"]')?.value ?? '';
}

export async function postJson<T>(url: string, body: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': csrfToken() },
      body: JSON.stringify(body),
    });
  } catch {
    throw new RequestFailed('Parley could not be reached; try again.');
  }
  const json = await response.json().catch(() => null) as { error?: { message?: string } } | null;
  if (!response.ok) throw new RequestFailed(json?.error?.message ?? `The server answered ${response.status}.`);
  return json as T;
}

/**
 * A form's fields as the API's JSON body: what only the page needs (_csrf, back) stays out,
 * empty fields say nothing, selections are a list, and a day is its start (UTC).
 */
export function formBody(form: HTMLFormElement, submitter: HTMLButtonElement | null): Record<string, unknown> {
  const data = new FormData(form);
  if (submitter?.name) data.set(submitter.name, submitter.value);
  const body: Record<string, unknown> = {};
  for (const [key, value] of data) {
    if (key === '_csrf' || key === 'back' || typeof value !== 'string' || value.trim() === '') continue;
    if (key === 'ids') ((body.ids ??= []) as string[]).push(value);
    else if (key === 'until') body.until = `${value}T00:00:00Z`;
    else body[key] = value;
  }
  return body;
}
