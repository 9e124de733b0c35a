/**
 * Where a hunk sits: the definition a line written from column 0 opens (`static int f(`,
 * `struct x {`, `config FOO`), git's function context after the second `@@` read as one, GNU
 * diff's 40-column cut of it, and the entries of kernel-parameters.txt. patch/code.ts reads a
 * hunk's code inside the scope found here.
 */
import { codeOf } from "./identifiers";
import { identifierBefore, isIdentStart, prevNonSpace } from "./cscan";

/** `kparam`: an entry of Documentation/admin-guide/kernel-parameters.txt (`\tnopvspin\t[X86,KVM]`). */
export type ScopeKind = "function" | "struct" | "union" | "enum" | "initializer" | "kconfig" | "kparam";

/** Where the changed lines sit. null: at file level (between definitions). */
export interface Scope {
  kind: ScopeKind;
  name: string;
}

const TYPE_WORDS = /^(struct|union|enum)\s+([A-Za-z_]\w*)\s*\{/;

/**
 * The definition a line opens, if it is one written from column 0: `static int f(`, `struct x {`,
 * `static struct ctl_table t[] = {`, `config FOO`. null otherwise.
 */
export function scopeOpenedBy(line: string, stripped?: string): Scope | null {
  if (line.length === 0 || !isIdentStart(line.charCodeAt(0))) return null;
  const code = stripped ?? codeOf(line);
  if (code === null) return null;
  const kconfig = /^(?:menu)?config\s+([A-Za-z_]\w*)\s*$/.exec(code)?.[1];
  if (kconfig !== undefined) return { kind: "kconfig", name: kconfig };
  const [, typeWord, typeName] = TYPE_WORDS.exec(code.replace(/^(?:typedef|static|const)\s+/, "")) ?? [];
  if (typeWord !== undefined && typeName !== undefined) return { kind: typeWord as ScopeKind, name: typeName };
  const trimmed = code.trimEnd();
  const paren = code.indexOf("(");
  const eq = code.indexOf("=");
  if (eq > 0 && (paren < 0 || eq < paren) && trimmed.endsWith("{")) {
    const name = identifierBefore(code, prevNonSpace(code, code.lastIndexOf("[", eq) > 0 ? code.lastIndexOf("[", eq) : eq) + 1);
    return name ? { kind: "initializer", name } : null;
  }
  if (paren <= 0 || trimmed.endsWith(";")) return null;
  const name = identifierBefore(code, prevNonSpace(code, paren) + 1);
  // A type before the name: `int f(`, not a bare macro call such as `SEC("x")`.
  const before = code.slice(0, paren - name.length).trim();
  if (!name || before.length === 0) return null;
  return { kind: "function", name };
}

/**
 * The scope named by git's function context after the second `@@`. A prototype or a statement
 * (ending in `;`), a `#define` or a bare macro call is no scope: the hunk is between definitions.
 */
export function parseScope(funcContext: string): Scope | null {
  if (funcContext.length === 0) return null;
  // A series repeats the same function contexts: remember them (bounded).
  const hit = scopeCache.get(funcContext);
  if (hit !== undefined) return hit;
  const scope = scopeOpenedBy(funcContext.trimStart()) ?? truncatedFunction(funcContext);
  if (scopeCache.size >= 4096) scopeCache.clear();
  scopeCache.set(funcContext, scope);
  return scope;
}

const scopeCache = new Map<string, Scope | null>();

/**
 * GNU diff's `-p` (quilt, hence most stable-queue mails) prints at most the first 40 characters
 * of the function line, so a long definition loses its parameter list:
 * `@@ -4052,6 +4054,19 @@ static void kvm_steal_time_set_preempted`. A context of exactly that
 * width, without `(` and shaped `<type words> <name>`, is that function (its name possibly cut
 * short, which then matches nothing). `struct x y` is left alone: a cut initializer reads the same.
 */
export const DIFF_P_WIDTH = 40;

function truncatedFunction(funcContext: string): Scope | null {
  if (funcContext.length !== DIFF_P_WIDTH || funcContext.includes("(")) return null;
  const m =
    /^(?:static\s+|inline\s+|__always_inline\s+|noinline\s+)*(?:const\s+|unsigned\s+|signed\s+)*([A-Za-z_]\w*)[\s*]+([A-Za-z_]\w*)$/.exec(
      funcContext,
    );
  const name = m?.[2];
  if (!m || name === undefined || m[1] === "struct" || m[1] === "union" || m[1] === "enum") return null;
  return { kind: "function", name };
}

/** The file whose hunks are read as kernel-parameter entries rather than as C. */
export const KERNEL_PARAMETERS_DOC = "Documentation/admin-guide/kernel-parameters.txt";

/**
 * The parameter an entry line of kernel-parameters.txt names: one tab, then the name
 * (`\tnopvspin\t[X86,KVM]`, `\tkvm.halt_poll_ns=`), as the code spells it: the last dotted
 * component (the module prefix dropped), `-` read as `_`. null for description lines (two tabs).
 */
export function kernelParameterAt(line: string): string | null {
  if (line.charCodeAt(0) !== 0x09 || !isIdentStart(line.charCodeAt(1))) return null;
  let end = 1;
  while (end < line.length) {
    const c = line.charCodeAt(end);
    if (!(isIdentStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2d)) break;
    end++;
  }
  const name = line.slice(Math.max(1, line.lastIndexOf(".", end - 1) + 1), end).replaceAll("-", "_");
  return name.length > 0 && isIdentStart(name.charCodeAt(0)) ? name : null;
}
