import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ApiComment } from '../../src/shared/api.js';
import { buildTree } from '../../src/server/comments/tree.js';

let clock = 0;
function c(id: string, parentId: string | null, depth: number, status: ApiComment['status'] = 'approved'): ApiComment {
  return {
    id, parentId, depth, author: { name: id, id: null, isGuest: true }, html: id,
    createdAt: new Date(++clock * 1000).toISOString(), editedAt: null, upvotes: 0, downvotes: 0, status, pinned: false, moderationNote: null, replies: [],
  };
}
const shape = (list: ApiComment[]): unknown => list.map((x) => [x.id, shape(x.replies)]);

describe('buildTree', () => {
  it('nests replies at any depth under their parents', () => {
    const tree = buildTree([c('a', null, 0), c('b', null, 0)], [c('a1', 'a', 1), c('a1x', 'a1', 2), c('a1xy', 'a1x', 3), c('b1', 'b', 1)]);
    assert.deepEqual(shape(tree), [['a', [['a1', [['a1x', [['a1xy', []]]]]]]], ['b', [['b1', []]]]]);
  });

  it('keeps a deleted comment as a placeholder only while replies stand under it', () => {
    const tree = buildTree(
      [c('a', null, 0, 'deleted'), c('b', null, 0, 'deleted')],
      [c('a1', 'a', 1), c('b1', 'b', 1, 'deleted'), c('b2', 'b1', 2, 'deleted')],
    );
    assert.deepEqual(shape(tree), [['a', [['a1', []]]]]);
  });

  it('drops replies whose parent is not visible', () => {
    const tree = buildTree([c('a', null, 0)], [c('x1', 'hidden', 1), c('x2', 'x1', 2)]);
    assert.deepEqual(shape(tree), [['a', []]]);
  });
});
