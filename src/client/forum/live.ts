/**
 * The forum's lists, live: new topics appear at the top of an open list (when their category is
 * one it shows) and announce themselves politely; a reply counts on its topic's row. The page is
 * whole without this script: it only adds what happened since it was served.
 */
import { io } from 'socket.io-client';
import type { TopicActivityEvent, TopicCreatedEvent } from '../../shared/forum.js';

const script = document.querySelector<HTMLScriptElement>('script[data-site][src$="/forum.js"]');
const list = document.getElementById('topic-list') as HTMLTableSectionElement | null;
const note = document.getElementById('live-note');

function categoryName(slug: string): string {
  const link = document.querySelector<HTMLAnchorElement>(`a[href$="/c/${CSS.escape(slug)}"]`);
  return link?.textContent ?? slug;
}

function cell(className?: string): HTMLTableCellElement {
  const td = document.createElement('td');
  if (className) td.className = className;
  return td;
}

function timeOf(iso: string): HTMLTimeElement {
  const time = document.createElement('time');
  time.dateTime = iso;
  time.textContent = `${iso.slice(0, 16).replace('T', ' ')} UTC`;
  return time;
}

/** The same markup the server renders for a row (pages.tsx TopicTable), built as text nodes only. */
function row(topic: TopicCreatedEvent): HTMLTableRowElement {
  const tr = document.createElement('tr');
  tr.dataset.topicId = topic.id;
  const main = cell();
  const link = document.createElement('a');
  link.href = new URL(topic.url).pathname;
  link.dir = 'auto';
  link.textContent = topic.title;
  const badge = document.createElement('span');
  badge.className = 'badge unread';
  badge.textContent = 'New';
  const meta = document.createElement('div');
  meta.className = 'muted';
  const category = document.createElement('span');
  category.dir = 'auto';
  category.textContent = topic.category ? categoryName(topic.category) : '';
  meta.append(category);
  if (topic.author) {
    const author = document.createElement('span');
    author.dir = 'auto';
    author.textContent = topic.author.name;
    meta.append(' · by ', author);
  }
  main.append(link, badge, meta);
  const replies = cell('num');
  replies.dataset.replies = '';
  replies.textContent = String(topic.replyCount);
  const activity = cell('muted');
  activity.append(timeOf(topic.lastActivityAt));
  tr.append(main, replies, activity);
  return tr;
}

function isPinned(tr: HTMLTableRowElement): boolean {
  return [...tr.querySelectorAll('.badge')].some((badge) => badge.textContent === 'Pinned');
}

function firstUnpinned(): HTMLTableRowElement | null {
  return [...(list?.rows ?? [])].find((r) => !isPinned(r)) ?? null;
}

if (script && list) {
  const site = script.dataset.site!;
  const covers = (list.dataset.covers ?? '').split(' ');
  const socket = io(location.origin, { transports: ['websocket'] });
  // Marked once joined (and unmarked while the connection is down): tests and styles can tell.
  socket.on('connect', () => { socket.emit('forum:join', { site }, (ack: { ok: boolean }) => { if (ack.ok) list.dataset.live = 'on'; }); });
  socket.on('disconnect', () => { delete list.dataset.live; });
  socket.on('topic:created', (topic: TopicCreatedEvent) => {
    if (!covers.includes('*') && !(topic.category && covers.includes(topic.category))) return;
    if (list.querySelector(`[data-topic-id="${CSS.escape(topic.id)}"]`)) return;
    // Below the pinned topics, above the rest.
    list.insertBefore(row(topic), firstUnpinned());
    if (note) note.textContent = `New topic: ${topic.title}`;
  });
  socket.on('topic:activity', (event: TopicActivityEvent) => {
    const tr = list.querySelector<HTMLTableRowElement>(`[data-topic-id="${CSS.escape(event.threadId)}"]`);
    const replies = tr?.querySelector<HTMLElement>('[data-replies]');
    if (!tr || !replies) return;
    replies.textContent = String(Number(replies.textContent) + 1);
    tr.lastElementChild?.replaceChildren(timeOf(event.lastActivityAt));
    // In a list by latest activity, the topic moves up to the first unpinned place.
    if (list.dataset.sort === 'latest' && !isPinned(tr)) list.insertBefore(tr, firstUnpinned());
  });
}
