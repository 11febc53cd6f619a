import type { Readable } from 'node:stream';

/**
 * The lines of a UTF-8 stream, numbered from 1, pulled one chunk at a time: the reader waits
 * while the consumer writes, so only a chunk and the line in progress are ever in memory.
 */
export async function* numberedLines(stream: Readable): AsyncGenerator<{ line: number; text: string }> {
  stream.setEncoding('utf8');
  let rest = '';
  let line = 0;
  for await (const chunk of stream) {
    const parts = (rest + (chunk as string)).split('\n');
    rest = parts.pop()!;
    for (const part of parts) yield { line: ++line, text: part.endsWith('\r') ? part.slice(0, -1) : part };
  }
  if (rest !== '') yield { line: ++line, text: rest };
}
