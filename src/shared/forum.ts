/** JSON shapes of the forum's API (/api/v1/forum, /api/v1/search) and its socket events. */
import type { ThreadStatus } from './api.js';

export const MAX_TOPIC_TITLE_LENGTH = 200;
export const FORUM_SORTS = ['latest', 'newest', 'top'] as const;
export type ForumSort = (typeof FORUM_SORTS)[number];
export const TOP_PERIODS = ['day', 'week', 'month', 'year', 'all'] as const;
export type TopPeriod = (typeof TOP_PERIODS)[number];

export interface ApiCategory {
  id: string;
  slug: string;
  name: string;
  description: string;
  parentId: string | null;
  /** Topics (with their subcategories' for a parent), and their published posts. */
  topicCount: number;
  postCount: number;
  lastActivityAt: string | null;
  /** Who may start topics here. */
  startTopics: 'members' | 'staff' | 'nobody';
  locked: boolean;
  /** Lists the site's article threads. */
  holdsArticles: boolean;
}

export interface ApiTopic {
  /** The topic's id: its thread's id (a topic is a thread of the forum). */
  id: string;
  threadId: string;
  title: string;
  kind: 'topic' | 'article';
  /** The category's slug. */
  category: string | null;
  author: { id: string | null; name: string } | null;
  /** Published posts after the first (an article's: all its comments). */
  replyCount: number;
  createdAt: string;
  lastActivityAt: string;
  pinned: boolean;
  status: ThreadStatus;
  /** The topic's page in the forum. */
  url: string;
  /** An article's own page, where its comments also show. */
  articleUrl: string | null;
  /** For a signed-in reader: something was posted since they last read it. */
  unread?: boolean;
}

export interface TopicsPage {
  topics: ApiTopic[];
  nextCursor: string | null;
}

export interface SearchResult {
  threadId: string;
  commentId?: string;
  title: string;
  /** HTML: the reader's words in <mark>, everything else escaped. */
  snippet: string;
  url: string;
}

/** To a site's forum room (after `forum:join {site}`): a new topic, as lists show it. */
export type TopicCreatedEvent = ApiTopic;
/** To a site's forum room: a published post in a topic (lists move it up and count it). */
export interface TopicActivityEvent {
  threadId: string;
  lastActivityAt: string;
}
