import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseConfig } from '../../src/server/config.js';

describe('parseConfig', () => {
  it('needs nothing for a first run, and keeps a generated secret in DATA_DIR', () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'parley-config-'));
    const first = parseConfig({ DATA_DIR: dataDir });
    assert.equal(first.port, 3000);
    assert.equal(first.publicUrl, 'http://localhost:3000');
    assert.equal(first.databaseUrl, undefined);
    assert.ok(first.sessionSecret.length >= 32);
    assert.equal(readFileSync(path.join(dataDir, 'session-secret'), 'utf8'), first.sessionSecret);
    assert.equal(parseConfig({ DATA_DIR: dataDir }).sessionSecret, first.sessionSecret);
  });

  it('lists every bad key in one readable error', () => {
    assert.throws(
      () => parseConfig({ PORT: 'eighty', DATABASE_URL: 'not a url', SESSION_SECRET: 'short' }),
      (err: Error) => /PORT/.test(err.message) && /DATABASE_URL/.test(err.message) && /SESSION_SECRET/.test(err.message),
    );
  });

  it('is frozen', () => {
    const config = parseConfig({ SESSION_SECRET: 'x'.repeat(32), PUBLIC_URL: 'https://comments.example.org/' });
    assert.equal(config.publicUrl, 'https://comments.example.org');
    assert.throws(() => { (config as { port: number }).port = 1; });
  });
});
