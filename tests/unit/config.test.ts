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

  it('refuses TRUST_PROXY=true, which would let a forged X-Forwarded-For escape every rate limit', () => {
    for (const value of ['true', 'TRUE', ' true ']) {
      assert.throws(
        () => parseConfig({ SESSION_SECRET: 'x'.repeat(32), TRUST_PROXY: value }),
        (err: Error) => /Invalid configuration/.test(err.message) && /TRUST_PROXY/.test(err.message) && /every hop/.test(err.message),
      );
    }
  });

  it('takes TRUST_PROXY as a hop count, a named range, or a list of addresses and CIDRs', () => {
    const trustProxy = (value: string) => parseConfig({ SESSION_SECRET: 'x'.repeat(32), TRUST_PROXY: value }).trustProxy;
    assert.equal(trustProxy('1'), '1');
    assert.equal(trustProxy('loopback'), 'loopback');
    assert.equal(trustProxy('uniquelocal, 10.0.0.0/8 ,2001:db8::/32,192.0.2.7'), 'uniquelocal,10.0.0.0/8,2001:db8::/32,192.0.2.7');
    assert.equal(trustProxy('false'), undefined);
    for (const bad of ['yes', 'loopback,true', '10.0.0.0/33', 'proxy.example.org']) {
      assert.throws(() => trustProxy(bad), /TRUST_PROXY/, bad);
    }
  });

  it('leaves DEMO to be decided at start unless it is set', () => {
    const base = { SESSION_SECRET: 'x'.repeat(32) };
    assert.equal(parseConfig(base).demo, undefined);
    assert.equal(parseConfig({ ...base, DEMO: 'true' }).demo, true);
    assert.equal(parseConfig({ ...base, DEMO: 'false' }).demo, false);
  });

  it('is frozen', () => {
    const config = parseConfig({ SESSION_SECRET: 'x'.repeat(32), PUBLIC_URL: 'https://comments.example.org/' });
    assert.equal(config.publicUrl, 'https://comments.example.org');
    assert.throws(() => { (config as { port: number }).port = 1; });
  });
});
