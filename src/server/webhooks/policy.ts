/** Webhooks' rules that need no database: which events exist, which endpoints are acceptable. */
import ipaddr from 'ipaddr.js';

export const WEBHOOK_EVENTS = ['comment.created', 'comment.updated', 'comment.deleted', 'comment.moderated', 'thread.created', 'user.banned'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export function isWebhookEvent(name: string): name is WebhookEvent {
  return (WEBHOOK_EVENTS as readonly string[]).includes(name);
}

/** Whether an address is one the public Internet routes (not loopback, private, link-local, CGNAT, multicast ...). */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed.range() === 'unicast';
}

/**
 * Why an endpoint URL is refused, or null. https only, unless private targets are allowed (local
 * development and tests), which also allows plain http; no credentials in the URL.
 */
export function urlProblem(value: string, allowPrivate: boolean): string | null {
  if (!URL.canParse(value)) return 'The URL is not valid.';
  const url = new URL(value);
  if (url.protocol !== 'https:' && !(allowPrivate && url.protocol === 'http:')) return 'The URL must start with https://.';
  if (url.username || url.password) return 'The URL must not carry a user name or password.';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate && ipaddr.isValid(host) && !isPublicAddress(host)) return 'The URL points to a private or local address.';
  if (!allowPrivate && (host === 'localhost' || host.endsWith('.localhost'))) return 'The URL points to a private or local address.';
  return null;
}
