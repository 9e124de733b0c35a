/**
 * What a hunk's code does, read line by line in the pass after the structure (no line is kept):
 * the names it defines, the functions it calls, the members it touches, the identifiers it
 * removes, and where it sits (the enclosing function or struct, from the `@@` line corrected by
 * the context lines above the first change). The mapper classifies hunks from this.
 *
 * Heuristic C reading, not a C parser: it recognises the shapes kernel code is written in
 * (definitions start in column 0, bodies are indented). Pure TypeScript, linear in the line.
 */
import { codeOf, forEachIdentifier } from "./identifiers";
import {
  assignedAt,
  declaredName,
  designatedValue,
  functionPointerName,
  identifierBefore,
  isIdentStart,
  isSpace,
  memberAt,
  nextNonSpace,
  prevNonSpace,
} from "./cscan";
import { POLL_HUNKS, type Hunk } from "./model";
import { KERNEL_PARAMETERS_DOC, type Scope, kernelParameterAt, parseScope, scopeOpenedBy } from "./scope";

export interface HunkCode {
  /** Names the added lines define: functions, prototypes, macros, types, file-scope variables, Kconfig symbols. */
  defines: string[];
  /**
   * The subset of `defines` that are functions (a body or a prototype): a name that other code
   * merely refers to without calling it (an ops table entry) is a reference, not a use of its code.
   */
  functions: string[];
  /** Functions and function-like macros the added lines call. */
  calls: string[];
  /** `base.member` for each member access (`a->b`, `a.b`) and each member declared in a struct body, in added lines. */
  members: string[];
  /**
   * The members of `members` that added lines assign (`a->b = x`, `a->b++`, `WRITE_ONCE(a->b, x)`):
   * the others are only read, e.g. a flag tested before acting on it.
   */
  written: string[];
  /**
   * Names an added line puts in a designated initializer (`.func = wrs_insn,`, `.ext_ptr =
   * &vcpu_sbi_ext_pvlock`): a function placed in an ops table is hooked in there, as a call would.
   */
  initializes: string[];
  /**
   * Members that unchanged lines assign inside the block an added condition opens (`+if (a && b) {`
   * over context lines `WRITE_ONCE(vcpu->ready, true);`): the hunk changes when that state is
   * written, though its own lines name none of it.
   */
  guarded: string[];
  /** Identifiers of removed lines. */
  removed: string[];
  /** Enclosing definition at the first changed line. */
  scope: Scope | null;
  /** Added lines that are `#include`s, and added lines that carry other code. */
  includeLines: number;
  codeLines: number;
}

const MAX_NAMES = 128;

function isBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (!isSpace(s.charCodeAt(i))) return false;
  return true;
}

/** Accumulates a hunk's HunkCode, one line at a time. */
export class HunkCodeBuilder {
  // Plain arrays, created on first use: a 50 MB series has 89 000 hunks, most with few names.
  private defines: string[] = EMPTY;
  private functions: string[] = EMPTY;
  private calls: string[] = EMPTY;
  private members: string[] = EMPTY;
  private written: string[] = EMPTY;
  private initializes: string[] = EMPTY;
  private guarded: string[] = EMPTY;
  /** Brace depth of the block an added condition opened (0: none), or a one-statement body to come. */
  private guardDepth = 0;
  private guardNext = false;
  private removedIds: string[] = EMPTY;
  private scope: Scope | null;
  private changed = false;
  /** The struct/union/enum whose body the added lines are in (for member and constant definitions). */
  private body: Scope | null;
  private depth = 0;
  private includeLines = 0;
  private codeLines = 0;

  constructor(
    funcContext: string,
    private readonly intern: (s: string) => string,
    /** The hunk is in kernel-parameters.txt: its lines are parameter entries, not C. */
    private readonly paramDoc = false,
  ) {
    this.scope = paramDoc ? null : parseScope(funcContext);
    this.body = this.scope && this.scope.kind !== "function" ? this.scope : null;
  }

  /**
   * Whether a context line starting with character code `c` can change what this hunk knows (the
   * parser slices the line only then): before the first change, one that opens or closes a
   * definition in column 0; after it, any line while a struct body's braces are being followed.
   */
  wantsContext(c: number): boolean {
    if (this.paramDoc) return !this.changed && c === 0x09;
    return this.changed ? this.body !== null || this.guardDepth > 0 || this.guardNext : isIdentStart(c) || c === 0x7d;
  }

  /** A context line. Before the first change it may open or close the enclosing definition. */
  context(line: string): void {
    if (this.paramDoc) {
      if (!this.changed) this.paramEntry(line);
      return;
    }
    if (this.changed) {
      if (this.guardDepth > 0 || this.guardNext) this.guard(line);
      if (this.body !== null) this.track(line);
      return;
    }
    const opened = scopeOpenedBy(line);
    if (opened) {
      this.scope = opened;
      this.body = opened.kind === "function" || opened.kind === "kconfig" ? null : opened;
      this.depth = 0;
    } else if (line.charCodeAt(0) === 0x7d /* } */) {
      this.scope = null; // the definition above ended
      this.body = null;
    }
  }

  /** An entry line of kernel-parameters.txt opens that parameter's entry. */
  private paramEntry(line: string): string | null {
    const name = kernelParameterAt(line);
    if (name) this.scope = { kind: "kparam", name };
    return name;
  }

  removed(line: string): void {
    if (this.paramDoc && !this.changed) this.paramEntry(line);
    this.changed = true;
    const code = codeOf(line);
    if (code === null) return;
    forEachIdentifier(code, (from, to, id) => {
      this.removedIds = this.add(this.removedIds, id);
      const member = memberAt(code, from, to);
      if (member) this.removedIds = this.add(this.removedIds, member);
      return true;
    });
  }

  /** An added line; `onIdentifier` receives each identifier of it (the parser's identifiersAdded). */
  added(line: string, onIdentifier?: (id: string) => void): void {
    if (this.paramDoc) {
      // An added entry line documents (defines) its parameter; the first changed line is in its entry.
      const name = this.changed ? kernelParameterAt(line) : this.paramEntry(line);
      if (name) this.defines = this.add(this.defines, name);
    }
    this.changed = true;
    const code = codeOf(line);
    if (code === null || isBlank(code)) {
      if (code !== null && /^\s*#\s*include\b/.test(line)) this.includeLines++;
      return;
    }
    this.codeLines++;
    if (!this.paramDoc) {
      this.definitions(line, code);
      const named = designatedValue(code);
      if (named) this.initializes = this.add(this.initializes, named);
    }
    forEachIdentifier(code, (from, to, id) => {
      onIdentifier?.(id);
      const after = nextNonSpace(code, to);
      if (code.charCodeAt(after) === 0x28 /* ( */) this.calls = this.add(this.calls, id);
      const member = memberAt(code, from, to);
      if (member) {
        this.members = this.add(this.members, member);
        // `?.field`: a designated initializer's field (see `initializes`), not a store.
        if (!member.startsWith("?.") && assignedAt(code, from, to)) this.written = this.add(this.written, member);
      }
      return true;
    });
    if (this.body !== null) this.track(code);
    if (this.guardDepth > 0) this.guardDepth = Math.max(0, this.guardDepth + braces(code));
    else {
      this.guardNext = false; // the one statement after the condition is added, not existing code
      if (!this.paramDoc) this.opensGuard(code);
    }
  }

  /**
   * An added `if`/`while`/`for` line: the unchanged lines of the block it opens (or of the one
   * statement after it) are what its condition now decides.
   */
  private opensGuard(code: string): void {
    const t = code.trim();
    if (!/^(?:\}\s*)?(?:else\s+)?(?:if|while|for)\s*\(/.test(t)) return;
    if (t.endsWith("{")) this.guardDepth = Math.max(1, braces(t) + (t.startsWith("}") ? 1 : 0));
    else if (t.endsWith(")")) this.guardNext = true;
  }

  /** A context line under an added condition: the members it assigns are guarded. */
  private guard(line: string): void {
    const code = codeOf(line);
    if (code === null || isBlank(code)) return;
    forEachIdentifier(code, (from, to) => {
      const member = memberAt(code, from, to);
      if (member && !member.startsWith("?.") && assignedAt(code, from, to)) this.guarded = this.add(this.guarded, member);
      return true;
    });
    if (this.guardNext) this.guardNext = false;
    else this.guardDepth = Math.max(0, this.guardDepth + braces(code));
  }

  finish(): HunkCode {
    return {
      defines: this.defines,
      functions: this.functions,
      calls: this.calls,
      members: this.members,
      written: this.written,
      initializes: this.initializes,
      guarded: this.guarded,
      removed: this.removedIds,
      scope: this.scope,
      includeLines: this.includeLines,
      codeLines: this.codeLines,
    };
  }

  /** `list` with `id` added once (bounded), a new array the first time. */
  private add(list: string[], id: string): string[] {
    if (list.length >= MAX_NAMES || list.includes(id)) return list;
    const out = list === EMPTY ? [] : list;
    out.push(this.intern(id));
    return out;
  }

  /** Braces of lines after the first change, so that a struct opened in added lines is known. */
  private track(code: string): void {
    for (let i = 0; i < code.length; i++) {
      const c = code.charCodeAt(i);
      if (c === 0x7b) this.depth++;
      else if (c === 0x7d && --this.depth <= 0) {
        this.depth = 0;
        if (this.scope?.kind !== "struct" || this.body !== this.scope) this.body = null;
      }
    }
  }

  private definitions(line: string, code: string): void {
    const c0 = line.charCodeAt(0);
    const define = code.charCodeAt(nextNonSpace(code, 0)) === 0x23 /* # */ ? /^\s*#\s*define\s+([A-Za-z_]\w*)/.exec(line) : null;
    const defined = define?.[1];
    if (defined !== undefined) {
      this.defines = this.add(this.defines, defined);
      return;
    }
    if (isIdentStart(c0)) {
      const opened = scopeOpenedBy(line, code);
      if (opened) {
        this.defines = this.add(this.defines, opened.name);
        if (opened.kind === "function") this.functions = this.add(this.functions, opened.name);
        if (opened.kind === "kconfig") this.defines = this.add(this.defines, `CONFIG_${opened.name}`);
        if (opened.kind === "struct" || opened.kind === "union" || opened.kind === "enum") {
          this.body = opened;
          this.depth = 0;
        }
        return;
      }
      this.fileScopeDefinition(code);
      return;
    }
    if (!this.body || !isSpace(c0)) return;
    // Inside a struct/union/enum body: a member (`\tbool ready;`, `} pv_sched;`) or an enum constant.
    const t = code.trim();
    if (this.body.kind === "enum") {
      const constant = /^([A-Za-z_]\w*)\s*(=|,|$)/.exec(t)?.[1];
      if (constant !== undefined) this.defines = this.add(this.defines, constant);
    } else if (t.endsWith(";")) {
      const name = t.includes("(") ? functionPointerName(t) : declaredName(t);
      if (name) this.members = this.add(this.members, `${this.body.name}.${name}`);
    }
  }

  /** `unsigned int x = 3;`, `int f(void);`, `DEFINE_STATIC_KEY_FALSE(x);`, `module_param(x, uint, 0644);`. */
  private fileScopeDefinition(code: string): void {
    const eq = code.indexOf("=");
    if (eq < 0 && code.charCodeAt(prevNonSpace(code, code.length)) !== 0x3b /* ; */) return; // no definition shape
    const paren = code.indexOf("(");
    if (eq > 0 && (paren < 0 || eq < paren)) {
      const name = identifierBefore(code, prevNonSpace(code, eq) + 1);
      if (name) this.defines = this.add(this.defines, name);
      return;
    }
    if (paren <= 0) return;
    const callee = identifierBefore(code, prevNonSpace(code, paren) + 1);
    const args: string[] = [];
    forEachIdentifier(code.slice(paren), (_from, _to, id) => {
      args.push(id);
      return args.length < 8;
    });
    const first = args[0];
    const last = args[args.length - 1];
    if (/^module_param/.test(callee) && first !== undefined) this.defines = this.add(this.defines, first);
    else if (/^(DEFINE|DECLARE)_/.test(callee) && last !== undefined) this.defines = this.add(this.defines, last);
    else if (callee && code.slice(0, paren - callee.length).trim().length > 0) {
      this.defines = this.add(this.defines, callee); // prototype
      this.functions = this.add(this.functions, callee);
    }
  }
}

const EMPTY: string[] = Object.freeze([]) as unknown as string[];

/** Opening minus closing braces of a line of code. */
function braces(code: string): number {
  let n = 0;
  for (let i = 0; i < code.length; i++) {
    const c = code.charCodeAt(i);
    if (c === 0x7b) n++;
    else if (c === 0x7d) n--;
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// The parser's code pass: every hunk's code, read from its lines once the structure is known

/** The code of a hunk before the code pass reads its lines. */
export const NO_CODE: HunkCode = Object.freeze({
  defines: [],
  functions: [],
  calls: [],
  members: [],
  written: [],
  initializes: [],
  guarded: [],
  removed: [],
  scope: null,
  includeLines: 0,
  codeLines: 0,
}) as HunkCode;

/**
 * Where each hunk's lines are: hunks[i]'s are texts[i][ranges[2i], ranges[2i+1]), whole lines
 * (the header excluded). Parallel arrays, not an object per hunk: a 50 MB series has 89 000.
 */
export class HunkBodies {
  readonly hunks: Hunk[] = [];
  readonly texts: string[] = [];
  readonly ranges: number[] = [];

  /** Hunks of kernel-parameters.txt (read as parameter entries), by index; empty when none. */
  readonly paramDocs = new Set<number>();

  add(hunk: Hunk, text: string, start: number, stop: number, path = ""): void {
    if (path === KERNEL_PARAMETERS_DOC) this.paramDocs.add(this.hunks.length);
    this.hunks.push(hunk);
    this.texts.push(text);
    this.ranges.push(start, stop);
  }

  addAll(other: HunkBodies): void {
    for (let i = 0; i < other.hunks.length; i++) {
      if (other.paramDocs.has(i)) this.paramDocs.add(this.hunks.length);
      // add() keeps the arrays parallel: a text and two range ends per hunk.
      this.add(other.hunks[i]!, other.texts[i]!, other.ranges[2 * i]!, other.ranges[2 * i + 1]!);
    }
  }
}

/**
 * The code pass: each hunk's HunkCode and identifiersAdded, read from its lines as the structure
 * pass found them (every line in a body is a hunk line: `+`, `-`, context, empty or `\`).
 */
export function readHunkCode(bodies: HunkBodies, maxIdentifiersPerHunk: number, poll?: () => void): void {
  // Identifiers seen in the document, each with the last hunk that listed it: one table for the
  // whole parse instead of a Set per hunk, and one copy of each name in every hunk that lists it
  // (a 50 MB series has 89 000 hunks; their identifiers were most of the parser's memory).
  const idTable = new Map<string, { id: string; hunk: number }>();
  const intern = (id: string): string => {
    const e = idTable.get(id);
    if (e) return e.id;
    idTable.set(id, { id, hunk: -1 });
    return id;
  };
  let serial = 0;
  let ids: string[] = [];
  /** Lists an identifier of an added line in the hunk's identifiersAdded (once, bounded). */
  const addIdentifier = (id: string) => {
    if (ids.length >= maxIdentifiersPerHunk) return;
    // One table lookup: listed in this hunk already, known from another hunk, or new.
    const e = idTable.get(id);
    if (e) {
      if (e.hunk === serial) return;
      e.hunk = serial;
      ids.push(e.id);
    } else {
      idTable.set(id, { id, hunk: serial });
      ids.push(id);
    }
  };
  for (let k = 0; k < bodies.hunks.length; k++) {
    if (poll && k % POLL_HUNKS === 0) poll();
    // HunkBodies.add keeps the arrays parallel: a text and two range ends per hunk.
    const hunk = bodies.hunks[k]!;
    const text = bodies.texts[k]!;
    const start = bodies.ranges[2 * k]!;
    const stop = bodies.ranges[2 * k + 1]!;
    serial++;
    ids = hunk.identifiersAdded = [];
    const code = new HunkCodeBuilder(hunk.funcContext, intern, bodies.paramDocs.has(k));
    for (let pos = start; pos < stop; ) {
      let nl = text.indexOf("\n", pos);
      if (nl < 0) nl = text.length;
      const end = nl > pos && text.charCodeAt(nl - 1) === 0x0d ? nl - 1 : nl;
      const c = pos < end ? text.charCodeAt(pos) : -1;
      if (c === 0x2b /* + */) code.added(text.slice(pos + 1, end), addIdentifier);
      else if (c === 0x2d /* - */) code.removed(text.slice(pos + 1, end));
      else if (c === 0x20 /* space */ && code.wantsContext(text.charCodeAt(pos + 1))) code.context(text.slice(pos + 1, end));
      pos = nl + 1;
    }
    hunk.code = code.finish();
  }
}

/** The members a hunk declares in a struct or union body (`kvm_vcpu_arch.pv_sched` → `pv_sched`). */
export function declaredMembers(code: HunkCode): string[] {
  const kind = code.scope?.kind;
  if (kind !== "struct" && kind !== "union") return [];
  return code.members.map((m) => m.slice(m.lastIndexOf(".") + 1));
}
