/**
 * The forum's pages on Parley's origin (thin: parse, call the services, render). Readers are
 * whoever Parley's own session cookie says; the new-topic form posts with its CSRF token.
 */
import cookieParser from 'cookie-parser';
import express, { Router, type Request, type Response } from 'express';
import { renderToString } from 'preact-render-to-string';
import { z } from 'zod';
import { FORUM_SORTS, TOP_PERIODS } from '../../shared/forum.js';
import { roleOn } from '../auth/accounts.js';
import { renderMarkdown } from '../comments/render.js';
import type { Caller, Deps } from '../deps.js';
import { AppError, NotFound } from '../errors.js';
import { threadFeed } from '../feeds/service.js';
import { csrfGuard, ownPageCaller } from '../http/own-session.js';
import { parseBody, parseParams, parseQuery } from '../http/validate.js';
import { canModerate } from '../moderation/policy.js';
import type { Site } from '../sites/service.js';
import { listCategories } from './categories.js';
import { forumFeedPath, topicsFeed } from './feeds.js';
import { describe, sendForumPage, type ForumPageMeta } from './layout.js';
import { CategoryTable, Crumbs, ForumHeader, Pager, SortTabs, TopicTable, type Reader } from './pages.js';
import { TopicPage, NewTopicForm, SearchPage } from './topic-page.js';
import { canStartTopic } from './policy.js';
import { firstPostText, readTopic, readTopicPosts } from './posts.js';
import { moderateTopic, TOPIC_ACTIONS } from './moderation.js';
import { topicPageCache } from './page-cache.js';
import { newTopicBody } from './schemas.js';
import { searchForum } from './search.js';
import { createTopic, forumSite, listTopics, markTopicRead, sitemapTopics, topicPath } from './service.js';

const siteParams = z.object({ site: z.string().min(1).max(64) });
const categoryParams = siteParams.extend({ category: z.string().min(1).max(64) });
const topicParams = siteParams.extend({ id: z.uuid('not a topic id'), slug: z.string().max(200).optional() });
const listQuery = z.object({
  sort: z.enum(FORUM_SORTS).default('latest'), period: z.enum(TOP_PERIODS).default('all'),
  cursor: z.string().max(300).optional(), before: z.string().max(300).optional(),
  /** Set by the new-topic form's redirect when the first post waits for a moderator. */
  held: z.literal('1').optional(),
});
const topicQuery = z.object({ view: z.enum(['threaded', 'flat']).default('threaded'), page: z.coerce.number().int().min(1).max(100_000).default(1) });
const searchPageQuery = z.object({ q: z.string().trim().max(200).default('') });
const newTopicForm = z.object({ category: z.string().max(64).default(''), title: z.string().max(1000).default(''), body: z.string().max(20_000).default(''), preview: z.string().optional(), _csrf: z.string().optional() });
const ATOM = 'application/atom+xml; charset=utf-8';

interface PageContext { deps: Deps; site: Site; caller: Caller; reader: Reader | null; path: string }

export function forumPageRoutes(deps: Deps): Router {
  const router = Router();
  const csrf = csrfGuard(deps);
  const pageCache = topicPageCache(deps);
  router.use('/forum', cookieParser(), express.urlencoded({ extended: false, limit: '64kb' }));

  async function context(req: Request, res: Response, slug: string, withCsrf = false): Promise<PageContext> {
    const caller = await ownPageCaller(deps, req);
    const site = await forumSite(deps, caller, slug);
    const actor = caller.actor;
    const reader = actor && !actor.isGuest ? {
      name: actor.displayName, isModerator: canModerate(await roleOn(deps.db, site.id, actor.userId)),
      ...(withCsrf ? { csrf: csrf.tokenFor(req, res) } : {}),
    } : null;
    return { deps, site, caller, reader, path: req.originalUrl };
  }

  function send(ctx: PageContext, res: Response, body: preact.ComponentChildren, meta: Omit<ForumPageMeta, 'siteName'> & { q?: string }) {
    res.set('Cache-Control', ctx.reader ? 'private, no-store' : 'public, max-age=10');
    sendForumPage(res, body, { ...meta, siteName: ctx.site.name },
      <ForumHeader slug={ctx.site.slug} siteName={ctx.site.name} reader={ctx.reader} q={meta.q} returnTo={ctx.path} />);
  }

  const abs = (path: string) => `${deps.publicUrl}${path}`;
  const base = (site: Site) => `/forum/${encodeURIComponent(site.slug)}`;
  const liveScript = (site: Site) => ({ src: '/forum.js', module: true, data: { site: site.slug } });
  const listLink = (path: string, query: { sort: string; period: string }, key: 'cursor' | 'before', cursor: string | null) => {
    if (!cursor) return null;
    const params = new URLSearchParams({ ...(query.sort === 'latest' ? {} : { sort: query.sort }), ...(query.sort === 'top' && query.period !== 'all' ? { period: query.period } : {}) });
    params.set(key, cursor);
    return `${path}?${params}`;
  };

  router.get('/forum/:site', async (req, res) => {
    const { site: slug } = parseParams(siteParams, req);
    const query = parseQuery(listQuery, req);
    const ctx = await context(req, res, slug);
    const listed = await listTopics(deps, { site: ctx.site, ...query, viewerId: ctx.reader ? ctx.caller.actor!.userId : null });
    const categories = await listCategories(deps, ctx.site.id, listed.categories);
    const path = base(ctx.site);
    const prev = listLink(path, query, 'before', listed.prevCursor);
    const next = listLink(path, query, 'cursor', listed.nextCursor);
    send(ctx, res, (
      <>
        <h1 dir="auto">{ctx.site.name} forum</h1>
        <h2>Categories</h2>
        <CategoryTable slug={ctx.site.slug} categories={categories} />
        <h2 id="topics-heading">Topics</h2>
        <SortTabs base={path} sort={query.sort} period={query.period} />
        <div class="live-note" role="status" aria-live="polite" id="live-note" />
        <TopicTable topics={listed.topics} categories={categories} covers={['*']} caption="Topics across the forum" sort={query.sort} />
        <Pager prev={prev} next={next} />
        <p><a href={forumFeedPath(ctx.site)}>Atom feed of new topics</a></p>
      </>
    ), {
      title: 'Forum', description: `Discussions on ${ctx.site.name}: ${categories.filter((c) => !c.parentId).map((c) => c.name).join(', ')}.`,
      canonical: abs(req.query.cursor || req.query.before || query.sort !== 'latest' ? (next || prev ? req.originalUrl : path) : path),
      prev: prev && abs(prev), next: next && abs(next), feed: { href: abs(forumFeedPath(ctx.site)), title: `${ctx.site.name} forum` },
      scripts: [liveScript(ctx.site)],
    });
  });

  router.get('/forum/:site/c/:category', async (req, res) => {
    const { site: slug, category: categorySlug } = parseParams(categoryParams, req);
    const query = parseQuery(listQuery, req);
    const ctx = await context(req, res, slug);
    const listed = await listTopics(deps, { site: ctx.site, category: categorySlug, ...query, viewerId: ctx.reader ? ctx.caller.actor!.userId : null });
    const categories = await listCategories(deps, ctx.site.id, listed.categories);
    const category = categories.find((c) => c.slug === categorySlug)!;
    const parent = categories.find((c) => c.id === category.parentId);
    const children = categories.filter((c) => c.parentId === category.id);
    const path = `${base(ctx.site)}/c/${encodeURIComponent(category.slug)}`;
    const prev = listLink(path, query, 'before', listed.prevCursor);
    const next = listLink(path, query, 'cursor', listed.nextCursor);
    const role = ctx.reader ? await roleOn(deps.db, ctx.site.id, ctx.caller.actor!.userId) : null;
    const mayStart = !category.locked && canStartTopic(category, { isGuest: !ctx.reader, role });
    send(ctx, res, (
      <>
        <Crumbs items={[{ href: base(ctx.site), label: 'Forum' }, ...(parent ? [{ href: `${base(ctx.site)}/c/${parent.slug}`, label: parent.name }] : []), { label: category.name }]} />
        <h1 dir="auto">{category.name}</h1>
        {category.description && <p dir="auto">{category.description}</p>}
        {category.locked && <p class="muted">This category is locked: no new topics.</p>}
        {query.held && <div role="status"><p class="notice">Your topic waits for a moderator: it shows here once approved.</p></div>}
        <div class="actions">
          {mayStart && <a class="button" href={`${base(ctx.site)}/new?category=${encodeURIComponent(category.slug)}`}>New topic</a>}
          <a href={forumFeedPath(ctx.site, category.slug)}>Atom feed</a>
        </div>
        {children.length > 0 && <><h2>Subcategories</h2><CategoryTable slug={ctx.site.slug} categories={children} /></>}
        <h2 id="topics-heading">Topics</h2>
        <SortTabs base={path} sort={query.sort} period={query.period} />
        <div class="live-note" role="status" aria-live="polite" id="live-note" />
        <TopicTable topics={listed.topics} categories={categories} covers={[category.slug, ...children.map((c) => c.slug)]} caption={`Topics in ${category.name}`} sort={query.sort} />
        {listed.topics.length === 0 && <p>No topics yet.</p>}
        <Pager prev={prev} next={next} />
      </>
    ), {
      title: category.name, description: category.description || `Topics in ${category.name} on the ${ctx.site.name} forum.`,
      canonical: abs(next || prev ? req.originalUrl : path), prev: prev && abs(prev), next: next && abs(next),
      feed: { href: abs(forumFeedPath(ctx.site, category.slug)), title: `${category.name} · ${ctx.site.name} forum` },
      scripts: [liveScript(ctx.site)],
    });
  });

  router.get(['/forum/:site/t/:id', '/forum/:site/t/:id/:slug'], async (req, res) => {
    const params = parseParams(topicParams, req);
    const query = parseQuery(topicQuery, req);
    const ctx = await context(req, res, params.site, true);
    const topic = await readTopic(deps.db, ctx.site, params.id);
    const path = topicPath(ctx.site, topic);
    // One address per topic: an old or missing slug moves to the title's.
    if (decodeURIComponent(new URL(req.originalUrl, deps.publicUrl).pathname) !== decodeURIComponent(path)) {
      res.redirect(301, path + (req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?')) : ''));
      return;
    }
    if (ctx.reader) await markTopicRead(deps, ctx.caller.actor!.userId, topic.id);
    // Readers without a session share one rendering of the page (moderators see their tools).
    const variant = `${query.view}:${query.page}`;
    const shared = ctx.reader ? undefined : pageCache.get(topic.id, variant);
    const rendered = shared ?? await renderTopic(ctx, topic, query);
    if (!ctx.reader && !shared) pageCache.set(topic.id, variant, rendered);
    const { html, description, more } = JSON.parse(rendered) as { html: string; description: string; more: boolean };
    const pageLink = (page: number) => {
      const params = new URLSearchParams(query.view === 'flat' ? { view: 'flat' } : {});
      if (page > 1) params.set('page', String(page));
      return `${path}${params.size ? `?${params}` : ''}`;
    };
    const prev = query.page > 1 ? pageLink(query.page - 1) : null;
    const next = more ? pageLink(query.page + 1) : null;
    const title = topic.title ?? topic.key;
    send(ctx, res, <div class="page" dangerouslySetInnerHTML={{ __html: html }} />, {
      title, description, type: 'article',
      canonical: abs(pageLink(query.page)), prev: prev && abs(prev), next: next && abs(next),
      feed: { href: abs(`${path}/feed.atom`), title: `Posts in ${title}` },
      // The widget takes over the thread (composer, votes, flags, live replies) where scripts run.
      scripts: query.view === 'threaded' ? [{ src: '/embed.js' }] : [],
    });
  });

  /** The page's main part, rendered (JSON: its HTML, its description, whether a next page follows). */
  async function renderTopic(ctx: PageContext, topic: Awaited<ReturnType<typeof readTopic>>, query: { view: 'threaded' | 'flat'; page: number }): Promise<string> {
    const [posts, text, categories] = await Promise.all([
      readTopicPosts(deps.db, topic.id, query.view, query.page), firstPostText(deps.db, topic.id), listCategories(deps, ctx.site.id),
    ]);
    if (query.page > 1 && posts.posts.length === 0) throw new NotFound('Page');
    const path = topicPath(ctx.site, topic);
    const link = (page: number) => `${path}?${new URLSearchParams({ ...(query.view === 'flat' ? { view: 'flat' } : {}), ...(page > 1 ? { page: String(page) } : {}) })}`.replace(/\?$/, '');
    const pager = <Pager prev={query.page > 1 ? link(query.page - 1) : null} next={posts.more ? link(query.page + 1) : null} />;
    const html = renderToString(
      <TopicPage site={ctx.site} topic={topic} categories={categories} posts={posts} view={query.view} page={query.page} reader={ctx.reader} pager={pager} />,
    );
    return JSON.stringify({ html, description: describe(text ?? `A discussion on the ${ctx.site.name} forum.`), more: posts.more });
  }

  router.get(['/forum/:site/t/:id/feed.atom', '/forum/:site/t/:id/:slug/feed.atom'], async (req, res) => {
    const params = parseParams(topicParams, req);
    const site = await forumSite(deps, { actor: null, origin: null }, params.site);
    const topic = await readTopic(deps.db, site, params.id);
    res.set({ 'Content-Type': ATOM, 'Cache-Control': 'public, max-age=60' }).send(await threadFeed(deps, topic.id));
  });

  router.get('/forum/:site/feed.atom', async (req, res) => {
    const { site: slug } = parseParams(siteParams, req);
    const site = await forumSite(deps, { actor: null, origin: null }, slug);
    res.set({ 'Content-Type': ATOM, 'Cache-Control': 'public, max-age=60' }).send(await topicsFeed(deps, site));
  });

  router.get('/forum/:site/c/:category/feed.atom', async (req, res) => {
    const { site: slug, category } = parseParams(categoryParams, req);
    const site = await forumSite(deps, { actor: null, origin: null }, slug);
    res.set({ 'Content-Type': ATOM, 'Cache-Control': 'public, max-age=60' }).send(await topicsFeed(deps, site, category));
  });

  router.get('/forum/:site/sitemap.xml', async (req, res) => {
    const { site: slug } = parseParams(siteParams, req);
    const site = await forumSite(deps, { actor: null, origin: null }, slug);
    const urls = await sitemapTopics(deps, site);
    const xml = [`<?xml version="1.0" encoding="UTF-8"?>`, `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`,
      `<url><loc>${escapeXml(abs(base(site)))}</loc></url>`,
      ...urls.map((u) => `<url><loc>${escapeXml(abs(u.path))}</loc><lastmod>${u.lastmod.toISOString()}</lastmod></url>`), '</urlset>'].join('\n');
    res.set({ 'Content-Type': 'application/xml; charset=utf-8', 'Cache-Control': 'public, max-age=300' }).send(xml);
  });

  router.get('/forum/:site/search', async (req, res) => {
    const { site: slug } = parseParams(siteParams, req);
    const { q } = parseQuery(searchPageQuery, req);
    const ctx = await context(req, res, slug);
    const results = q ? await searchForum(deps, ctx.site, q) : null;
    send(ctx, res, <SearchPage q={q} results={results} />, {
      title: q ? `Search: ${q}` : 'Search', description: `Search the ${ctx.site.name} forum.`, q, noindex: true,
      canonical: abs(`${base(ctx.site)}/search${q ? `?q=${encodeURIComponent(q)}` : ''}`),
    });
  });

  router.get('/forum/:site/new', async (req, res) => {
    const { site: slug } = parseParams(siteParams, req);
    const { category } = parseQuery(z.object({ category: z.string().max(64).optional() }), req);
    const ctx = await context(req, res, slug, true);
    await sendNewTopicForm(ctx, res, { category: category ?? '', title: '', body: '' });
  });

  router.post('/forum/:site/new', csrf.protect, async (req, res) => {
    const { site: slug } = parseParams(siteParams, req);
    const form = parseBody(newTopicForm, req);
    const ctx = await context(req, res, slug, true);
    const values = { category: form.category, title: form.title, body: form.body };
    if (form.preview !== undefined) {
      await sendNewTopicForm(ctx, res, values, { preview: renderMarkdown(form.body) });
      return;
    }
    const parsed = newTopicBody.safeParse({ site: ctx.site.slug, ...values });
    if (!parsed.success) {
      await sendNewTopicForm(ctx, res, values, { error: parsed.error.issues.map((i) => i.message).join('; '), status: 400 });
      return;
    }
    try {
      const { topic, held } = await createTopic(deps, ctx.caller, parsed.data);
      res.redirect(303, held ? `${base(ctx.site)}/c/${encodeURIComponent(parsed.data.category)}?held=1` : new URL(topic.url).pathname);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      await sendNewTopicForm(ctx, res, values, { error: err.message, status: err.status });
    }
  });

  router.post('/forum/:site/t/:id/moderate', csrf.protect, async (req, res) => {
    const params = parseParams(topicParams, req);
    const form = parseBody(z.object({ action: z.enum(TOPIC_ACTIONS), category: z.string().max(64).optional(), _csrf: z.string().optional() }), req);
    const ctx = await context(req, res, params.site);
    const topic = await readTopic(deps.db, ctx.site, params.id);
    const { deleted } = await moderateTopic(deps, ctx.caller, { siteId: ctx.site.id, threadId: topic.id, action: form.action, category: form.category });
    pageCache.forget(topic.id);
    res.redirect(303, deleted ? base(ctx.site) : topicPath(ctx.site, topic));
  });

  async function sendNewTopicForm(ctx: PageContext, res: Response, values: { category: string; title: string; body: string }, extra: { preview?: string; error?: string; status?: number } = {}) {
    const categories = await listCategories(deps, ctx.site.id);
    const role = ctx.reader ? await roleOn(deps.db, ctx.site.id, ctx.caller.actor!.userId) : null;
    const open = categories.filter((c) => !c.locked && canStartTopic(c, { isGuest: false, role }));
    send(ctx, res, <NewTopicForm site={ctx.site} reader={ctx.reader} categories={open} values={values} preview={extra.preview} error={extra.error} returnTo={ctx.path} />, {
      title: 'New topic', description: `Start a topic on the ${ctx.site.name} forum.`, canonical: abs(`${base(ctx.site)}/new`), noindex: true,
      status: extra.status,
    });
  }

  // A refusal on these pages is a page (its status and reason), not JSON.
  router.use('/forum', (err: unknown, _req: Request, res: Response, next: (err?: unknown) => void) => {
    if (!(err instanceof AppError)) { next(err); return; }
    res.status(err.status).type('html').send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeXml(err.message)}</title></head><body><main><h1>${err.status === 404 ? 'Not found' : 'Something is not right'}</h1><p>${escapeXml(err.message)}</p><p><a href="/">Parley</a></p></main></body></html>`);
  });

  return router;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}
