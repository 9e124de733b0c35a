/**
 * Small inputs that once took long: each was super-linear in the loader or the patch parser
 * before a fix (the fuzzer found most; the measurements before the fixes are in `before`). The
 * unit tests give each to the code and check the answer, with a test timeout as a hang guard
 * sized far above the fixed code's time and far below the old code's; scripts/bench-inputs.ts
 * times the same inputs (`npm run bench:inputs`), because a CPU bound in a unit test fails on a
 * loaded machine and keeps a good change from landing.
 */

export interface SlowInput {
  /** What it is, as the bench prints it. */
  what: string;
  /** What it cost before the fix, as measured then (CPU on the 2-core machine of the time). */
  before: string;
  /** The layer it exercises: the scenario loader or the patch parser (and mapper). */
  layer: "loader" | "patch";
  text: () => string;
}

/**
 * Found by `npm run fuzz -- --seed 5 --only 15`: each continuation line rebuilt the whole subject
 * and split it again, about cubic in the number of lines.
 */
export function foldedSubject(lines: number): string {
  return (
    "From: A <a@example.invalid>\nSubject: [RFC PATCH v2\n" +
    " 3/8] kvm: x86: a subject folded\n".repeat(lines) +
    "\nbody\n---\ndiff --git a/x.c b/x.c\n--- a/x.c\n+++ b/x.c\n@@ -1 +1 @@\n-a\n+b\n"
  );
}

/** A From header folded the same way (the same unfolding code as the Subject). */
export function foldedFrom(lines: number): string {
  return "From: A\n" + " B\n".repeat(lines) + "Subject: [PATCH 1/1] x\n\nbody\n---\n--- a/x.c\n+++ b/x.c\n@@ -1 +1 @@\n-a\n+b\n";
}

/** yaml's toJS on `&a [*a, *a, ...]`, which ran before any alias check. */
export function selfAliases(n: number): string {
  return "name: &a [" + Array(n).fill("*a").join(", ") + "]\nhost: {cpus: 1}\n";
}

/** Nine levels of ten aliases each: 10^9 values as data, 300 bytes as text. */
export function aliasBomb(): string {
  let t = "name: x\nhost: {cpus: 1}\nl0: &l0 [1,1,1,1,1,1,1,1,1,1]\n";
  for (let i = 1; i < 9; i++)
    t += `l${i}: &l${i} [${Array(10)
      .fill(`*l${i - 1}`)
      .join(",")}]\n`;
  return t;
}

/** Schema validation of `n` invalid list items, which was super-linear in n. */
export function invalidWorkloads(n: number): string {
  return "name: x\nhost:\n  cpus: 1\nvms:\n  - name: v\n    vcpus: 1\n    workloads:\n" + "      - kind: audio\n".repeat(n);
}

/**
 * Dense flow lists filling `maxChars` characters: yaml's parse costs about 3 us of CPU per byte
 * of them, which is why the loader's size limit is where it is.
 */
export function denseFlowLists(maxChars: number): string {
  const head = "name: x\nhost: {cpus: 1}\n";
  return head + DENSE_FLOW_LINE.repeat(Math.floor((maxChars - head.length) / DENSE_FLOW_LINE.length));
}

/** One line of denseFlowLists(): appended to it, a text one line over the limit. */
export const DENSE_FLOW_LINE = "d: [cc, cc, cc, cc, cc, cc, cc, cc, cc, cc]\n";

/**
 * A one-hunk mail whose function line is 5000 a's, and a workspace map whose rule matches
 * function names against `/(a+)+$/`: 2^5000 steps for a backtracking matcher, and no match.
 */
export function redosMail(): string {
  return [
    "From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001",
    "Subject: [PATCH] x",
    "",
    "--- a/a.c",
    "+++ b/a.c",
    `@@ -10,1 +10,2 @@ int ${"a".repeat(5000)}!(void)`,
    " x",
    "+y;",
    "",
  ].join("\n");
}
export const REDOS_MAP = { rules: [{ mechanism: "switches", files: ["a.c"], functions: ["/(a+)+$/"] }] };

/** The inputs the bench times, at the sizes the fixes were measured at. */
export const SLOW_INPUTS: SlowInput[] = [
  {
    what: "Subject folded over 5000 lines (160 KB)",
    before: "0.8 s (10000 lines: 6.6-8.7 s)",
    layer: "patch",
    text: () => foldedSubject(5000),
  },
  { what: "From folded over 20000 lines", before: "cubic, as the Subject", layer: "patch", text: () => foldedFrom(20000) },
  { what: "5000 self-referential aliases", before: "> 60 s wall at 800", layer: "loader", text: () => selfAliases(5000) },
  { what: "alias bomb (10^9 values)", before: "unbounded", layer: "loader", text: aliasBomb },
  { what: "1000 invalid workloads", before: "1.1 s (4000: 6.4-6.8 s)", layer: "loader", text: () => invalidWorkloads(1000) },
];
