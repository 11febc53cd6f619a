import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

/** gzip's first two bytes: exports are told by them, not by their name (Disqus mails `.xml.gz`). */
export const isGzipHead = (head: ArrayLike<number>) => head[0] === 0x1f && head[1] === 0x8b;

export function isGzipFile(file: string): boolean {
  const head = Buffer.alloc(2);
  const fd = openSync(file, 'r');
  try { readSync(fd, head, 0, 2, 0); } finally { closeSync(fd); }
  return isGzipHead(head);
}

/**
 * Opens an export file from its start each time it is called (an import reads it more than
 * once), unzipped when it is gzip; `onBytes` hears the file's own bytes as they are read.
 */
export function exportFileOpener(file: string, onBytes?: (n: number) => void): () => Readable {
  const gzipped = isGzipFile(file);
  return () => {
    const raw = createReadStream(file, { highWaterMark: 256 * 1024 });
    if (onBytes) raw.on('data', (chunk) => onBytes(chunk.length));
    return gzipped ? raw.pipe(createGunzip()) : raw;
  };
}
