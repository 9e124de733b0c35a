/**
 * An intrusive red-black tree with a cached leftmost node, after lib/rbtree.c and
 * include/linux/rbtree_augmented.h: the links live in the nodes (no allocation per insert), the
 * order is a strict "less" (equal keys go to the right of the ones already there, as
 * rb_add_cached() does), and an optional augment callback recomputes a node's summary of its
 * subtree (EEVDF's min_deadline) after every structural change.
 */

/** The links a node carries (struct rb_node). */
export interface RbNode<N> {
  rbLeft: N | null;
  rbRight: N | null;
  rbParent: N | null;
  rbRed: boolean;
}

export class RbTree<N extends RbNode<N>> {
  root: N | null = null;
  /** rb_first_cached(). */
  leftmost: N | null = null;
  size = 0;

  constructor(
    private readonly less: (a: N, b: N) => boolean,
    /** Recomputes `n`'s subtree summary from its own key and its children's summaries. */
    private readonly augment: ((n: N) => void) | null = null,
  ) {}

  /** rb_add_cached(). */
  insert(n: N): void {
    let parent: N | null = null;
    let x = this.root;
    let left = false;
    let isLeftmost = true;
    while (x) {
      parent = x;
      if (this.less(n, x)) {
        x = x.rbLeft;
        left = true;
      } else {
        x = x.rbRight;
        left = false;
        isLeftmost = false;
      }
    }
    n.rbParent = parent;
    n.rbLeft = null;
    n.rbRight = null;
    n.rbRed = true;
    if (!parent) this.root = n;
    else if (left) parent.rbLeft = n;
    else parent.rbRight = n;
    if (isLeftmost) this.leftmost = n;
    this.size++;
    if (this.augment) this.propagate(n);
    this.insertFixup(n);
  }

  /** rb_erase_cached(). */
  remove(z: N): void {
    if (this.leftmost === z) this.leftmost = this.next(z);
    let yRed = z.rbRed;
    let x: N | null;
    let xParent: N | null;
    if (!z.rbLeft) {
      x = z.rbRight;
      xParent = z.rbParent;
      this.transplant(z, x);
    } else if (!z.rbRight) {
      x = z.rbLeft;
      xParent = z.rbParent;
      this.transplant(z, x);
    } else {
      let y: N = z.rbRight;
      while (y.rbLeft) y = y.rbLeft;
      yRed = y.rbRed;
      x = y.rbRight;
      if (y.rbParent === z) xParent = y;
      else {
        xParent = y.rbParent;
        this.transplant(y, x);
        y.rbRight = z.rbRight;
        y.rbRight!.rbParent = y;
      }
      this.transplant(z, y);
      y.rbLeft = z.rbLeft;
      y.rbLeft!.rbParent = y;
      y.rbRed = z.rbRed;
    }
    z.rbLeft = null;
    z.rbRight = null;
    z.rbParent = null;
    this.size--;
    if (this.augment && xParent) this.propagate(xParent);
    if (!yRed) this.deleteFixup(x, xParent);
  }

  /** rb_next(). */
  next(n: N): N | null {
    if (n.rbRight) {
      let m = n.rbRight;
      while (m.rbLeft) m = m.rbLeft;
      return m;
    }
    let c = n;
    let p = n.rbParent;
    while (p && c === p.rbRight) {
      c = p;
      p = p.rbParent;
    }
    return p;
  }

  /** Recomputes the summaries from `n` up to the root (the augment's propagate callback). */
  propagate(n: N | null): void {
    const aug = this.augment;
    if (!aug) return;
    for (let m = n; m; m = m.rbParent) aug(m);
  }

  private transplant(u: N, v: N | null): void {
    const p = u.rbParent;
    if (!p) this.root = v;
    else if (u === p.rbLeft) p.rbLeft = v;
    else p.rbRight = v;
    if (v) v.rbParent = p;
  }

  private rotateLeft(x: N): void {
    const y = x.rbRight!;
    x.rbRight = y.rbLeft;
    if (y.rbLeft) y.rbLeft.rbParent = x;
    this.transplant(x, y);
    y.rbLeft = x;
    x.rbParent = y;
    if (this.augment) {
      this.augment(x);
      this.augment(y);
    }
  }

  private rotateRight(x: N): void {
    const y = x.rbLeft!;
    x.rbLeft = y.rbRight;
    if (y.rbRight) y.rbRight.rbParent = x;
    this.transplant(x, y);
    y.rbRight = x;
    x.rbParent = y;
    if (this.augment) {
      this.augment(x);
      this.augment(y);
    }
  }

  private insertFixup(z: N): void {
    while (z.rbParent?.rbRed) {
      const p: N = z.rbParent;
      const g = p.rbParent!;
      if (p === g.rbLeft) {
        const u = g.rbRight;
        if (u?.rbRed) {
          p.rbRed = false;
          u.rbRed = false;
          g.rbRed = true;
          z = g;
        } else {
          if (z === p.rbRight) {
            z = p;
            this.rotateLeft(z);
          }
          z.rbParent!.rbRed = false;
          g.rbRed = true;
          this.rotateRight(g);
        }
      } else {
        const u = g.rbLeft;
        if (u?.rbRed) {
          p.rbRed = false;
          u.rbRed = false;
          g.rbRed = true;
          z = g;
        } else {
          if (z === p.rbLeft) {
            z = p;
            this.rotateRight(z);
          }
          z.rbParent!.rbRed = false;
          g.rbRed = true;
          this.rotateLeft(g);
        }
      }
    }
    this.root!.rbRed = false;
  }

  private deleteFixup(x: N | null, parent: N | null): void {
    while (x !== this.root && !x?.rbRed && parent) {
      if (x === parent.rbLeft) {
        let w = parent.rbRight!;
        if (w.rbRed) {
          w.rbRed = false;
          parent.rbRed = true;
          this.rotateLeft(parent);
          w = parent.rbRight!;
        }
        if (!w.rbLeft?.rbRed && !w.rbRight?.rbRed) {
          w.rbRed = true;
          x = parent;
          parent = x.rbParent;
        } else {
          if (!w.rbRight?.rbRed) {
            w.rbLeft!.rbRed = false;
            w.rbRed = true;
            this.rotateRight(w);
            w = parent.rbRight!;
          }
          w.rbRed = parent.rbRed;
          parent.rbRed = false;
          if (w.rbRight) w.rbRight.rbRed = false;
          this.rotateLeft(parent);
          x = this.root;
          parent = null;
        }
      } else {
        let w = parent.rbLeft!;
        if (w.rbRed) {
          w.rbRed = false;
          parent.rbRed = true;
          this.rotateRight(parent);
          w = parent.rbLeft!;
        }
        if (!w.rbLeft?.rbRed && !w.rbRight?.rbRed) {
          w.rbRed = true;
          x = parent;
          parent = x.rbParent;
        } else {
          if (!w.rbLeft?.rbRed) {
            w.rbRight!.rbRed = false;
            w.rbRed = true;
            this.rotateLeft(w);
            w = parent.rbLeft!;
          }
          w.rbRed = parent.rbRed;
          parent.rbRed = false;
          if (w.rbLeft) w.rbLeft.rbRed = false;
          this.rotateRight(parent);
          x = this.root;
          parent = null;
        }
      }
    }
    if (x) x.rbRed = false;
  }
}
