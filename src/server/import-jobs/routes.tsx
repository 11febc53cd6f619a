/**
 * Thin HTTP over the dashboard's imports: the page (/admin/SLUG/import) and its forms, and the
 * JSON API its script calls (/api/v1/mod/imports). Both run on the cookie's full session (never
 * a bearer token) with its CSRF token, from Parley's own origin; the service decides who may.
 */
import { rmSync } from 'node:fs';
import cookieParser from 'cookie-parser';
import express, { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { withReturnTo } from '../auth/pages.js';
import { dashboardStyles } from '../admin/styles.js';
import type { Caller, Deps } from '../deps.js';
import { ownOrigin } from '../deps.js';
import { AuthRequired, Forbidden, NotFound, ValidationFailed } from '../errors.js';
import { csrfGuard, ownPageCaller } from '../http/own-session.js';
import { parse, parseParams, parseQuery } from '../http/validate.js';
import { ownPageErrors, sendOwnPage } from '../own-pages/layout.js';
import type { ImportJobs } from './jobs.js';
import { ImportPage } from './page.js';
import { confirmImport, discardImport, IMPORT_FORMATS, readImports, reserveImport, startImport } from './service.js';
import { receiveUpload } from './upload.js';
import { importStyles } from './styles.js';

const siteQuery = z.object({ site: z.string().min(1).max(64) });
const siteParams = z.object({ site: z.string().min(1).max(64) });
const jobParams = z.object({ site: z.string().min(1).max(64).optional(), jobId: z.uuid('not an id') });
const uploadFields = z.strictObject({
  _csrf: z.string().max(500).optional(),
  format: z.enum(IMPORT_FORMATS, 'disqus or wordpress'),
  dryRun: z.enum(['true', 'false', 'on']).optional().transform((v) => v === 'true' || v === 'on'),
});

export interface ImportRouteOptions {
  jobs: ImportJobs;
  maxBytes: number;
}

export function importRoutes(deps: Deps, options: ImportRouteOptions): { api: Router; pages: Router } {
  const { jobs, maxBytes } = options;
  const csrf = csrfGuard(deps);
  /** A promise of the guard's verdict on the request as it stands (its header, or `req.body._csrf`). */
  const checkCsrf = (req: Request, res: Response) => new Promise<void>((resolve, reject) => {
    csrf.protect(req, res, (err?: unknown) => (err ? reject(err as Error) : resolve()));
  });
  const cookieCaller = async (req: Request): Promise<Caller> => {
    const caller = await ownPageCaller(deps, req);
    if (!caller.actor) throw new AuthRequired('Sign in on Parley first.');
    return caller;
  };

  /** Reserves the site, receives the file, starts the import: the upload is refused before a byte is stored when it may not run. */
  const upload = async (req: Request, res: Response, slug: string, tokenInForm: boolean) => {
    const ticket = await reserveImport(deps, jobs, await cookieCaller(req), slug);
    let received;
    try {
      received = await receiveUpload(req, {
        dir: jobs.dir, maxBytes,
        checkFieldToken: tokenInForm ? (token) => { req.body = { _csrf: token }; return checkCsrf(req, res); } : null,
      });
    } catch (err) {
      ticket.slot.release();
      res.set('Connection', 'close');
      throw err;
    }
    const { file, fields } = received;
    try {
      const { format, dryRun } = parse(uploadFields, fields, 'form');
      if (!file || file.size === 0) throw new ValidationFailed('Invalid form: file: choose the export file', [{ path: 'file', message: 'choose the export file' }]);
      return await startImport(jobs, ticket, { format, dryRun, file });
    } catch (err) {
      ticket.slot.release();
      if (file) rmSync(file.path, { force: true });
      throw err;
    }
  };

  const api = Router();
  api.use('/mod/imports', cookieParser());
  api.get('/mod/imports', async (req, res) => {
    const { site } = parseQuery(siteQuery, req);
    const view = await readImports(deps, jobs, await cookieCaller(req), site, { withReport: false });
    res.set('Cache-Control', 'no-store').json({ current: view.current, last: view.last?.outcome ?? null, previewKept: view.previewKept, runs: view.runs });
  });
  api.post('/mod/imports', csrf.protect, async (req, res) => {
    const { site } = parseQuery(siteQuery, req);
    res.status(202).json({ job: await upload(req, res, site, false) });
  });
  api.post('/mod/imports/:jobId/confirm', csrf.protect, async (req, res) => {
    const { jobId } = parseParams(jobParams, req);
    const { site } = parseQuery(siteQuery, req);
    res.status(202).json({ job: await confirmImport(deps, jobs, await cookieCaller(req), { site, jobId }) });
  });
  api.post('/mod/imports/:jobId/discard', csrf.protect, async (req, res) => {
    const { jobId } = parseParams(jobParams, req);
    const { site } = parseQuery(siteQuery, req);
    await discardImport(deps, jobs, await cookieCaller(req), { site, jobId });
    res.json({ discarded: true });
  });

  const pages = Router();
  pages.use('/admin/:site/import', cookieParser(), express.urlencoded({ extended: false, limit: '4kb' }));
  const back = (res: Response, site: string) => res.redirect(303, `/admin/${encodeURIComponent(site)}/import`);

  pages.get('/admin/:site/import', async (req, res) => {
    const { site } = parseParams(siteParams, req);
    const caller = await ownPageCaller(deps, req);
    if (!caller.actor) return res.redirect(303, withReturnTo('/auth/signin', req.originalUrl));
    const view = await readImports(deps, jobs, caller, site, { withReport: true });
    const socketOrigin = `${req.protocol === 'https' ? 'wss' : 'ws'}://${req.get('host') ?? ''}`;
    sendOwnPage(res, <ImportPage view={view} csrf={csrf.tokenFor(req, res)} maxBytes={maxBytes} />, {
      title: `Import comments into ${view.site.name}`, wide: true, styles: dashboardStyles + importStyles,
      bundle: { src: '/admin-import.js', connect: ['\'self\'', socketOrigin] },
    });
  });
  pages.get('/admin/:site/import/report.json', async (req, res) => {
    const { site } = parseParams(siteParams, req);
    const view = await readImports(deps, jobs, await cookieCaller(req), site, { withReport: true });
    const report = view.last ? view.last.report : view.stored?.report;
    if (!report) throw new NotFound('A report');
    res.set({ 'Cache-Control': 'no-store', 'Content-Disposition': 'attachment; filename="import-report.json"' }).json(report);
  });
  // Without the script: the form posts here. Its Origin is checked now; its token when its field arrives, before the file.
  pages.post('/admin/:site/import', async (req, res) => {
    const { site } = parseParams(siteParams, req);
    const origin = req.get('origin');
    if (origin && origin !== 'null' && origin !== ownOrigin(deps)) throw new Forbidden('Parley\'s own forms are posted from Parley\'s own pages only.');
    await upload(req, res, site, true);
    back(res, site);
  });
  pages.post('/admin/:site/import/:jobId/confirm', csrf.protect, async (req, res) => {
    const { site, jobId } = parseParams(jobParams.required({ site: true }), req);
    await confirmImport(deps, jobs, await cookieCaller(req), { site, jobId });
    back(res, site);
  });
  pages.post('/admin/:site/import/:jobId/discard', csrf.protect, async (req, res) => {
    const { site, jobId } = parseParams(jobParams.required({ site: true }), req);
    await discardImport(deps, jobs, await cookieCaller(req), { site, jobId });
    back(res, site);
  });
  pages.use('/admin/:site/import', ownPageErrors);
  return { api, pages };
}
