import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import compression from 'compression';
import express from 'express';
import proxyAddr from 'proxy-addr';
import type { Logger } from 'pino';
import { commentRoutes } from './comments/routes.js';
import type { Config } from './config.js';
import { renderDemoPage } from './demo/page.js';
import type { Deps } from './deps.js';
import { apiCors, originAllowlist } from './http/cors.js';
import { Unavailable } from './errors.js';
import { errorHandler, notFoundHandler } from './http/errors.js';
import { openApiDocument } from './http/openapi.js';
import { rememberMount, requestLog } from './http/request-log.js';
import { createMetrics, metricsEndpoint } from './metrics/metrics.js';
import type { SocketAdapter } from './realtime/adapter.js';
import { createSocketServer, relayDomainEvents, type ParleyServer } from './realtime/sockets.js';
import { trackPresence } from './realtime/presence.js';
import { threadRoutes } from './threads/routes.js';
import { publicPages } from './pages/public-pages.js';
import { shareChangesAcrossProcesses } from './realtime/cross-process.js';
import type { Server } from 'socket.io';
import { voteRoutes } from './votes/routes.js';
import { authRoutes } from './auth/routes.js';
import { signInPageRoutes } from './auth/page-routes.js';
import { createPassport } from './auth/passport.js';
import { oidcProviders } from './auth/oidc.js';
import { oidcRoutes } from './auth/oidc-routes.js';
import { callerOf } from './http/actor.js';
import { avatarRoutes } from './own-pages/avatars.js';
import { accountPageRoutes, userApiRoutes } from './profile/routes.js';
import { siteSettingsRoutes } from './sites/settings-routes.js';
import { moderationRoutes } from './moderation/routes.js';
import { adminRoutes } from './admin/routes.js';
import { discussRoutes } from './discuss/routes.js';
import { ImportJobs } from './import-jobs/jobs.js';
import { importRoutes } from './import-jobs/routes.js';
import { notificationApiRoutes, notificationPageRoutes } from './notifications/routes.js';
import { webhookRoutes } from './webhooks/routes.js';
import { feedRoutes } from './feeds/routes.js';
import { relayNotifications, type RoomEmitter } from './realtime/notifications.js';
import { relayForumEvents } from './realtime/forum.js';
import { forumApiRoutes } from './forum/routes.js';
import { forumPageRoutes } from './forum/page-routes.js';

const clientDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/client');

export interface AppParts {
  app: express.Express;
  server: http.Server;
  io: ParleyServer;
  close(): Promise<void>;
}

function staticClient(): express.Handler {
  return express.static(clientDir, {
    index: false,
    setHeaders(res, file) {
      // Pages on any origin load the widget; chunks are content-hashed, so cache them for good.
      res.setHeader('Access-Control-Allow-Origin', '*');
      res.setHeader('Cache-Control', file.includes(`${path.sep}chunks${path.sep}`) ? 'public, max-age=31536000, immutable' : 'public, max-age=300');
    },
  });
}

/** Thread pages and counts are stored compressed (pages/send.ts): wrapping their responses again only costs. */
const PRE_ENCODED = /^\/api\/v1\/(threads\/[^/]+\/comments|counts)$/;
function compressUnlessPreEncoded(compress: express.RequestHandler): express.RequestHandler {
  return (req, res, next) => (req.method === 'GET' && PRE_ENCODED.test(req.path) ? next() : compress(req, res, next));
}

/**
 * Express's trust proxy setting from the checked config: a hop count, or a list of named ranges
 * and addresses. Never `true`: config refuses it, as it lets any client forge its address.
 */
function trustProxySetting(value: string): number | string[] {
  return /^\d+$/.test(value) ? Number(value) : value.split(',');
}

/** Composes the HTTP app and the socket server over the given dependencies. */
export function createApp(deps: Deps, config: Config, log: Logger, options: { adapter?: SocketAdapter } = {}): AppParts {
  const app = express();
  app.disable('x-powered-by');
  app.use(requestLog(log));
  // Rate limits and IP hashes need the reader's address, not the proxy's.
  if (config.trustProxy) app.set('trust proxy', trustProxySetting(config.trustProxy));
  // The widget and thread JSON shrink to a third or less: readers on slow links feel it.
  app.use(compressUnlessPreEncoded(compression({ threshold: 1024 })));
  app.use((_req, res, next) => {
    // Nothing Parley serves is to be sniffed into another type, and no reader's URL leaks.
    res.set({ 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'strict-origin-when-cross-origin' });
    next();
  });
  const ownOrigin = new URL(config.publicUrl).origin;
  const isOriginAllowed = originAllowlist(deps, ownOrigin);
  const server = http.createServer(app);
  // Sockets count readers by the address Express would give req.ip: the same trusted proxies.
  const trust = app.get('trust proxy fn') as Parameters<typeof proxyAddr>[1];
  const io = createSocketServer(server, deps, {
    isOriginAllowed, ownOrigin, socketsPerIp: config.socketsPerIp, log, adapter: options.adapter,
    clientAddress: (req) => proxyAddr(req, trust),
  });
  const stopRelay = relayDomainEvents(deps, io);
  const stopPresence = trackPresence(io);
  const stopNotices = relayNotifications(deps, io as unknown as RoomEmitter);
  const stopForum = relayForumEvents(deps, io as unknown as Parameters<typeof relayForumEvents>[1]);
  const metrics = createMetrics(deps, () => io.engine.clientsCount);
  app.use(metrics.timeRequests);

  app.get('/healthz', (_req, res) => { res.json({ status: 'ok' }); });
  app.get('/readyz', async (_req, res) => {
    await deps.db.execute(sql`select 1`).catch(() => { throw new Unavailable('The database does not answer.'); });
    res.json({ status: 'ready' });
  });
  if (config.metricsToken) app.get('/metrics', metricsEndpoint(metrics.registry, config.metricsToken));
  app.get('/api/openapi.json', (_req, res) => { res.json(openApiDocument(config.publicUrl)); });

  const api = express.Router();
  api.use(rememberMount, apiCors(isOriginAllowed));
  api.use(express.json({ limit: '64kb' }));
  const pages = publicPages(deps, config.pageCache);
  // Another process's changes reach this one's caches the way its live events do.
  const stopSharing = shareChangesAcrossProcesses(io as unknown as Server, deps, pages, options.adapter !== undefined);
  // Imports uploaded on the dashboard run in this process; their files wait under DATA_DIR.
  const importJobs = new ImportJobs(deps, path.join(config.dataDir, 'imports'));
  const imports = importRoutes(deps, { jobs: importJobs, maxBytes: config.importMaxBytes });
  const passport = createPassport(deps, (req) => callerOf(deps, req));
  api.use(threadRoutes(deps, pages), commentRoutes(deps, pages), voteRoutes(deps), authRoutes(deps, passport), avatarRoutes(deps), moderationRoutes(deps));
  api.use(userApiRoutes(deps));
  api.use(imports.api);
  api.use(notificationApiRoutes(deps));
  api.use(forumApiRoutes(deps));
  app.use('/api/v1', api);
  const oidc = oidcProviders(deps, passport, config.oidcProviders);
  app.use(signInPageRoutes(deps, passport, { providers: oidc.links }));
  app.use(oidcRoutes(deps, passport, oidc));
  app.use(accountPageRoutes(deps));
  app.use(siteSettingsRoutes(deps));
  app.use(adminRoutes(deps));
  app.use(discussRoutes(deps));
  app.use(imports.pages);
  app.use(notificationPageRoutes(deps));
  app.use(webhookRoutes(deps));
  app.use(feedRoutes(deps));
  app.use(forumPageRoutes(deps));

  app.use(staticClient());
  if (config.demo) app.get('/', (_req, res) => { res.type('html').send(renderDemoPage()); });
  app.use(notFoundHandler);
  app.use(errorHandler(log));

  return {
    app,
    server,
    io,
    close: async () => {
      await importJobs.stop();
      stopRelay();
      stopPresence();
      stopNotices();
      stopForum();
      stopSharing();
      pages.close();
      metrics.close();
      await io.close(); // closes the HTTP server too
    },
  };
}
