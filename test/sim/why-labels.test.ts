/**
 * The latency parts' names (sim-core/why-labels.ts): the order of the stacked bar (results.ts
 * LatencyPart: from the timer to the context switch, host before guest), the part indices of
 * why-parts.ts pointing at the right names, and a chain written as one line.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { chainText, LATENCY_PARTS, PART_IDS } from "../../sim-core/why-labels";
import { P_EXIT_ENTRY, P_GUEST_IRQ, P_GUEST_WAIT, P_HOST_IRQ, P_HOST_WAIT, P_SWITCH, P_TIMER, PART_COUNT } from "../../sim-core/why-parts";

test("the parts in the bar's order, and the indices why-parts.ts integrates into", () => {
  assert.deepEqual(PART_IDS, ["timer", "host_irq", "host_wait", "exit_entry", "guest_irq", "guest_wait", "context_switch"]);
  assert.equal(PART_COUNT, 7);
  const at = (k: number) => PART_IDS[k];
  assert.deepEqual([P_TIMER, P_HOST_IRQ, P_HOST_WAIT, P_EXIT_ENTRY, P_GUEST_IRQ, P_GUEST_WAIT, P_SWITCH].map(at), [
    "timer",
    "host_irq",
    "host_wait",
    "exit_entry",
    "guest_irq",
    "guest_wait",
    "context_switch",
  ]);
  assert.deepEqual(
    LATENCY_PARTS.map((p) => p.label),
    ["timer", "host IRQ", "host wait", "VM exit/entry", "guest IRQ", "guest wait", "switch"],
  );
  for (const p of LATENCY_PARTS) assert.ok(p.title.length > 40 && p.title.endsWith("."), p.id);
});

test("a chain in one line: its links' texts joined by arrows", () => {
  const step = (text: string) => ({ t_ns: 0, part: "timer" as const, text });
  assert.equal(chainText([]), "");
  assert.equal(chainText([step("timer fires")]), "timer fires");
  assert.equal(chainText([step("a"), step("b"), step("c")]), "a → b → c");
});
