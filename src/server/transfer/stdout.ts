import { closeSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import { Writable } from 'node:stream';

/**
 * Where `export ... > file` writes. npm prints its "> parley@0.1.0 parley ..." banner to stdout
 * before the command starts, so `npm run parley -- export json --site blog > blog.jsonl` would
 * begin with it. When stdout is a regular file holding nothing but npm's banners, the export
 * starts over at the file's beginning instead. On a pipe that cannot be undone: say so on stderr
 * (`npm run -s parley -- ...` prints no banner).
 */
export function exportOutput(): Writable {
  const underNpm = process.env.npm_lifecycle_event === 'parley' && process.env.npm_config_loglevel !== 'silent' && process.env.npm_config_json !== 'true';
  if (!underNpm) return process.stdout;
  const stat = fstatSync(1);
  if (stat.isFile() && stat.size > 0 && stat.size <= 4096 && onlyNpmBanners(stat.size)) {
    ftruncateSync(1);
    return fromStart(1);
  }
  if (!stat.isFile() && !process.stdout.isTTY) {
    process.stderr.write('npm printed its banner ahead of the export; run "npm run -s parley -- export ..." to leave it out.\n');
  }
  return process.stdout;
}

function onlyNpmBanners(size: number): boolean {
  let fd: number | undefined;
  try {
    fd = openSync('/proc/self/fd/1', 'r');
    const buffer = Buffer.alloc(size);
    const read = readSync(fd, buffer, 0, size, 0);
    return /^(?:[ \t]*\n|> [^\n]*\n)+$/.test(buffer.subarray(0, read).toString('utf8'));
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Writes from offset 0 on, whatever the descriptor's shared offset (npm's banner moved it). */
function fromStart(fd: number): Writable {
  let position = 0;
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      try {
        let at = 0;
        while (at < chunk.length) {
          const written = writeSync(fd, chunk, at, chunk.length - at, position);
          at += written;
          position += written;
        }
        done();
      } catch (err) {
        done(err as Error);
      }
    },
  });
}
