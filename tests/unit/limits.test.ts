import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashIp } from '../../src/server/limits/service.js';

const secret = 'test-secret-test-secret';

describe('hashIp', () => {
  it('counts every IPv6 address of one /64 as one client', () => {
    assert.equal(hashIp(secret, '2001:db8:1:2::1'), hashIp(secret, '2001:db8:1:2:ffff:ee:dd:cc'));
    assert.equal(hashIp(secret, '2001:db8:1:2::1'), hashIp(secret, '2001:0db8:0001:0002:0000:0000:0000:0001'));
  });

  it('tells different /64s apart', () => {
    assert.notEqual(hashIp(secret, '2001:db8:1:2::1'), hashIp(secret, '2001:db8:1:3::1'));
    assert.notEqual(hashIp(secret, '2001:db8:1:2::1'), hashIp(secret, '2001:db9:1:2::1'));
  });

  it('counts an IPv4-mapped IPv6 address as its IPv4 address', () => {
    assert.equal(hashIp(secret, '::ffff:1.2.3.4'), hashIp(secret, '1.2.3.4'));
    assert.notEqual(hashIp(secret, '1.2.3.4'), hashIp(secret, '1.2.3.5'));
  });

  it('keeps only a keyed hash, and nothing for no address', () => {
    const hash = hashIp(secret, '1.2.3.4');
    assert.ok(hash && !hash.includes('1.2.3.4'));
    assert.notEqual(hashIp('another-secret-another', '1.2.3.4'), hash);
    assert.equal(hashIp(secret, undefined), null);
  });
});
