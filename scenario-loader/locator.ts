/**
 * Ranges in the scenario text: from a field path to the characters an error is about (the value,
 * the key, or the map that lacks a field), and from offsets to 1-based lines and columns.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node as YamlNode } from "yaml";
import { escapeControls } from "../common/escape";
import type { ScenarioError, Seg, Severity } from "./errors";

/**
 * Line starts of the text. Our own index rather than yaml's LineCounter, which only knows the
 * lines the parser reached. Line breaks are LF, CRLF and a lone CR, as in YAML and in editors.
 */
class LineIndex {
  private readonly starts: number[] = [0];
  constructor(text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) this.starts.push(i + 1);
      else if (c === 13 && text.charCodeAt(i + 1) !== 10) this.starts.push(i + 1);
    }
  }
  /** 1-based line and column of a 0-based offset. */
  linePos(offset: number): { line: number; col: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: offset - this.starts[lo]! + 1 };
  }
}

export class Locator {
  private readonly lc: LineIndex;
  constructor(
    private readonly text: string,
    private readonly doc: Document.Parsed | undefined,
  ) {
    this.lc = new LineIndex(text);
  }

  /** Every message goes through here: input text quoted in it (a key, a value) is escaped. */
  error(message: string, path: string, start: number, end: number, severity: Severity = "error"): ScenarioError {
    message = escapeControls(message);
    const len = this.text.length;
    start = Math.max(0, Math.min(start, len));
    end = Math.max(start, Math.min(end, len));
    // A zero-width range is invisible in an editor: widen it to one character when possible.
    if (end === start && end < len && this.text[end] !== "\n" && this.text[end] !== "\r") end++;
    const a = this.lc.linePos(start);
    const b = this.lc.linePos(end);
    return { message, path, line: a.line, column: a.col, endLine: b.line, endColumn: b.col, offset: start, length: end - start, severity };
  }

  /** The end of the line holding `offset` (used to clip multi-line ranges to their first line). */
  lineEnd(offset: number): number {
    let i = offset;
    while (i < this.text.length && this.text[i] !== "\n" && this.text[i] !== "\r") i++;
    return i;
  }

  /**
   * The range of characters [from, to) of a string field's value, when the value is written in
   * the file as it reads (a plain or quoted scalar without escapes); else the whole value.
   */
  stringSpan(segs: readonly Seg[], [from, to]: readonly [number, number]): [number, number] {
    const [a, b] = this.range(segs, "value");
    const raw = this.text.slice(a, b);
    const quoted = raw.length >= 2 && (raw[0] === '"' || raw[0] === "'") && raw.endsWith(raw[0]);
    const body = quoted ? raw.slice(1, -1) : raw;
    const start = a + (quoted ? 1 : 0);
    // Escapes or folding would shift the characters: keep the whole value then.
    if (/[\\'"\r\n]/.test(body) || to > body.length) return [a, b];
    return [start + from, start + to];
  }

  /**
   * The range for a field path. `target` says what to point at: the value (a bad value), the key
   * (an unknown key) or the owner (a missing field: the key of the map that lacks it, or the first
   * line of that map). Missing path parts fall back to the deepest part that exists.
   */
  range(segs: readonly Seg[], target: "value" | "key" | "owner"): [number, number] {
    const root = this.doc?.contents as YamlNode | null | undefined;
    if (!root?.range) return [0, this.lineEnd(0)];
    let node: YamlNode = root;
    let key: YamlNode | null = null;
    let found = true;
    for (const seg of segs) {
      const n: YamlNode = isAlias(node) ? ((node.resolve(this.doc!) as YamlNode | undefined) ?? node) : node;
      let next: YamlNode | null = null;
      let nextKey: YamlNode | null = null;
      if (isMap(n)) {
        for (const p of n.items) {
          if (isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg)) {
            nextKey = p.key as YamlNode;
            next = (p.value as YamlNode | null) ?? null;
            if (!next?.range) next = nextKey; // `key:` with no value
            break;
          }
        }
      } else if (isSeq(n)) {
        const i = typeof seg === "number" ? seg : Number(seg);
        const item = Number.isInteger(i) ? n.items[i] : undefined;
        if (item && (item as YamlNode).range) next = item as YamlNode;
      }
      if (!next) {
        found = false;
        break;
      }
      node = next;
      key = nextKey;
    }
    const nr = node.range!;
    if (target === "key" && found && key?.range) return [key.range[0], key.range[1]];
    if (target === "value" && found) {
      // A block collection spans many lines: point at its key when it has one.
      const multi = /[\r\n]/.test(this.text.slice(nr[0], nr[1]));
      if (multi && key?.range) return [key.range[0], key.range[1]];
      if (multi) return [nr[0], this.lineEnd(nr[0])];
      return [nr[0], nr[1]];
    }
    // owner (or a part of the path that does not exist): the key that names the node, else its first line.
    if (key?.range) return [key.range[0], key.range[1]];
    return [nr[0], Math.min(nr[1], this.lineEnd(nr[0]))];
  }
}
