/**
 * The intrusive red-black tree under the fair runqueues: order, the cached leftmost node, the
 * red-black invariants and the augmented subtree summary, against a sorted array as the oracle
 * after every one of thousands of random inserts and removals.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { type RbNode, RbTree } from "../../sim-core/sched/rbtree";
import { Rng } from "../../sim-core/rng";

interface N extends RbNode<N> {
  key: number;
  id: number;
  val: number;
  /** Augmented: the minimum `val` in the subtree. */
  min: number;
}

const node = (key: number, id: number, val: number): N => ({
  key,
  id,
  val,
  min: val,
  rbLeft: null,
  rbRight: null,
  rbParent: null,
  rbRed: false,
});

/** Black height of the subtree, asserting the red-black rules and the parent links on the way. */
function check(n: N | null, parent: N | null): number {
  if (!n) return 1;
  assert.equal(n.rbParent, parent, "parent link");
  if (n.rbRed) assert.ok(!n.rbLeft?.rbRed && !n.rbRight?.rbRed, "no red node has a red child");
  const l = check(n.rbLeft, n);
  const r = check(n.rbRight, n);
  assert.equal(l, r, "equal black heights");
  const want = Math.min(n.val, n.rbLeft?.min ?? Infinity, n.rbRight?.min ?? Infinity);
  assert.equal(n.min, want, "augmented minimum");
  return l + (n.rbRed ? 0 : 1);
}

test("random inserts and removals keep the order, the leftmost cache, the invariants and the augmented minimum", () => {
  const rng = new Rng(42, "rbtree");
  const tree = new RbTree<N>(
    (a, b) => a.key < b.key,
    (n) => {
      n.min = Math.min(n.val, n.rbLeft?.min ?? Infinity, n.rbRight?.min ?? Infinity);
    },
  );
  // The oracle: insertion order among equal keys is kept (equal keys go right).
  let live: N[] = [];
  let id = 0;
  for (let step = 0; step < 4000; step++) {
    if (live.length === 0 || rng.float() < 0.55) {
      // Few distinct keys, so equal keys are common.
      const n = node(Math.floor(rng.float() * 50), id++, Math.floor(rng.float() * 1000));
      tree.insert(n);
      live.push(n);
    } else {
      const n = live[Math.floor(rng.float() * live.length)]!;
      tree.remove(n);
      live = live.filter((m) => m !== n);
    }
    const want = [...live].sort((a, b) => a.key - b.key || a.id - b.id);
    const got: N[] = [];
    for (let n = tree.leftmost; n; n = tree.next(n)) got.push(n);
    assert.deepEqual(
      got.map((n) => n.id),
      want.map((n) => n.id),
    );
    assert.equal(tree.size, live.length);
    assert.equal(tree.root?.rbRed ?? false, false, "black root");
    check(tree.root, null);
  }
});
