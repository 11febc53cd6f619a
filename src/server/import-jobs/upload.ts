/**
 * An export uploaded as a form (multipart/form-data) goes to a file on disk as it arrives,
 * never whole into memory, and stops at the size cap. The form's CSRF token, when it is not
 * in a header, must come before the file: nothing is written for a forged form.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream, rmSync } from 'node:fs';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import type { Request } from 'express';
import busboy from 'busboy';
import { ErrorCodes } from '../../shared/errors.js';
import { AppError, BadRequest, Forbidden, PayloadTooLarge } from '../errors.js';
import type { UploadedFile } from './jobs.js';
import { isGzipHead } from '../imports/export-file.js';

/** Room for the form's other fields and part headers around the file. */
const FORM_OVERHEAD = 64 * 1024;

export interface UploadOptions {
  dir: string;
  maxBytes: number;
  /**
   * Checks the form's CSRF token when it arrives as a field (`_csrf`); `null` when the request
   * already passed the check (a header token).
   */
  checkFieldToken: ((token: string) => Promise<void>) | null;
}

export interface ReceivedUpload {
  file: UploadedFile | null;
  fields: Record<string, string>;
}

const tooLarge = (maxBytes: number) => new PayloadTooLarge(`The file is larger than this server takes (${formatSize(maxBytes)}); IMPORT_MAX_MB sets the limit.`);

export function formatSize(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(bytes >= 10 * 1024 * 1024 ? 0 : 1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

/** Only the name's last part, without control characters: it is shown, never used as a path. */
function displayName(name: string | undefined): string {
  const base = path.basename((name ?? '').replace(/\\/g, '/')).replace(/[\p{Cc}\p{Cf}]/gu, '').trim();
  return base.slice(0, 200) || 'export';
}

/** Receives the form; the file (if any) is on disk when this resolves, and nowhere if it rejects. */
export function receiveUpload(req: Request, options: UploadOptions): Promise<ReceivedUpload> {
  const declared = Number(req.get('content-length') ?? NaN);
  if (declared > options.maxBytes + FORM_OVERHEAD) return Promise.reject(tooLarge(options.maxBytes));
  if (!req.is('multipart/form-data')) {
    return Promise.reject(new AppError(ErrorCodes.badRequest, 415, 'Send the export as a form upload (multipart/form-data) with its file in the field "file".'));
  }
  let form: busboy.Busboy;
  try {
    form = busboy({ headers: req.headers, limits: { files: 1, fileSize: options.maxBytes, fields: 8, fieldSize: 2048, parts: 10 } });
  } catch {
    return Promise.reject(new BadRequest('The form upload is malformed.'));
  }

  return new Promise<ReceivedUpload>((resolve, reject) => {
    const fields: Record<string, string> = {};
    let tokenChecked: Promise<void> | null = options.checkFieldToken ? null : Promise.resolve();
    let file: UploadedFile | null = null;
    let writing: Promise<void> | null = null;
    let failed = false;
    /** Answered: the file is the job's now (or gone), whatever the request does next. */
    let settled = false;
    let received = 0;

    const fail = (err: Error) => {
      if (failed || settled) return;
      failed = true;
      req.unpipe(form);
      // What is still coming is read and dropped (the declared length is bounded), so the answer reaches the browser.
      req.resume();
      if (file) rmSync(file.path, { force: true });
      reject(err);
    };
    // Without a declared length, a body running on past the cap is cut off.
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > options.maxBytes + 2 * FORM_OVERHEAD) req.destroy();
    });
    req.on('aborted', () => fail(new BadRequest('The upload was cut off.')));
    req.on('close', () => { if (!req.complete) fail(new BadRequest('The upload was cut off.')); });

    form.on('field', (name, value, info) => {
      if (failed) return;
      if (info.valueTruncated) return fail(new BadRequest(`The field "${name}" is too long.`));
      fields[name] = value;
      if (name === '_csrf' && options.checkFieldToken && !tokenChecked) tokenChecked = options.checkFieldToken(value);
    });
    form.on('file', (name, stream, info) => {
      if (failed || name !== 'file' || file || !tokenChecked) {
        stream.resume();
        if (!tokenChecked) fail(new Forbidden('This form has expired or did not come from Parley; reload the page and try again.'));
        else if (!failed) fail(new BadRequest(name === 'file' ? 'Send one file.' : `Unexpected file field "${name}": the export goes in "file".`));
        return;
      }
      const stored: UploadedFile = { path: path.join(options.dir, `${randomUUID()}.upload`), fileName: displayName(info.filename), size: 0, gzipped: false };
      file = stored;
      writing = (async () => {
        await tokenChecked;
        const out = createWriteStream(stored.path, { flags: 'wx', mode: 0o600 });
        const head: number[] = [];
        stream.on('data', (chunk: Buffer) => {
          stored.size += chunk.length;
          for (let i = 0; head.length < 2 && i < chunk.length; i++) head.push(chunk[i]);
        });
        stream.on('limit', () => fail(tooLarge(options.maxBytes)));
        stream.pipe(out);
        await finished(out);
        stored.gzipped = isGzipHead(head);
      })();
      writing.catch((err: unknown) => fail(err instanceof AppError ? err : new BadRequest('The upload could not be stored.')));
    });
    form.on('filesLimit', () => fail(new BadRequest('Send one file.')));
    form.on('fieldsLimit', () => fail(new BadRequest('The form has too many fields.')));
    form.on('partsLimit', () => fail(new BadRequest('The form has too many parts.')));
    form.on('error', () => fail(new BadRequest('The form upload is malformed.')));
    form.on('close', () => {
      void (async () => {
        try {
          await tokenChecked;
          await writing;
        } catch (err) {
          return fail(err instanceof AppError ? err : new BadRequest('The upload could not be stored.'));
        }
        if (failed) return;
        settled = true;
        resolve({ file, fields });
      })();
    });
    req.pipe(form);
  });
}
