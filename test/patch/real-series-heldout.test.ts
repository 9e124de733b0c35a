/**
 * Held-out judgement of the hunk mapper on real series chosen and labelled after the classifier
 * was written, labels committed before the mapper was first run on them.
 * - Set 1 (test/fixtures/real/heldout/) judged the classifier of 2026-11-30 (34 of 46) and was
 *   then used to improve it: it is in-sample now, kept as a regression floor.
 * - Set 2 (test/fixtures/real/heldout2/) was labelled before that change and judged once after
 *   it; its misses then prompted the series links (patch/series.ts): in-sample now.
 * - Set 3 (test/fixtures/real/heldout3/) was labelled before set 2's misses were worked on, and
 *   judged that work. Nothing in patch/ may be tuned to its labels.
 * - Set 4 (test/fixtures/real/heldout4/) was chosen and labelled after that work (the series
 *   links), and judges it. Nothing in patch/ may be tuned to its labels.
 * - Set 5 (test/fixtures/real/heldout5/) was chosen and labelled after set 4 was measured, while
 *   the catalogue was being widened to each mechanism's kernel-generic interfaces, and judged
 *   that change (51 of 58); its misses then prompted the next change: in-sample since.
 * - Set 6 (test/fixtures/real/heldout6/) was chosen and labelled after set 5 was measured and
 *   before set 5's misses were worked on (links from own-code hunks only, the PV spinlock kick
 *   against a bare ->ready), and judges that work. Nothing in patch/ may be tuned to its labels.
 * - Set 6's misses then guided the action words (patch/classify.ts): in-sample since.
 * - Set 7 (test/fixtures/real/heldout7/) was chosen and labelled after set 6 was measured and
 *   before set 6's misses were worked on, and judged that work (23 of 25 blind, 20 after); its
 *   wrong answers then prompted a change (directed yield's action word in host code only):
 *   in-sample since.
 * - Set 8 (test/fixtures/real/heldout8/) was chosen and labelled after that change, and judged the
 *   classifier with and without the action words (17ece98, f9d10a3). Nothing in patch/ may be
 *   tuned to its labels.
 * - Set 9 (test/fixtures/real/heldout9/) was chosen and labelled after set 8 was measured and
 *   before set 8's wrong answers (links into plumbing that only calls) were worked on, and judged
 *   main's classifier blind (24 of 57), then the change set 8 prompted (35 of 57); its one wrong
 *   root then prompted the inside rule's exception for installed series functions: in-sample.
 * - Set 10 (test/fixtures/real/heldout10/) was chosen and labelled after set 9's changes were on
 *   main (4692451), committed before the first run (b3d7ab5), and judged that classifier blind
 *   (52 of 54). Its two misses, with sets 6-9's, then prompted three rules (a function line cut by
 *   diff -p, the action word of the enclosing function, a new condition over a mechanism's writes):
 *   in-sample since.
 * - Set 11 (test/fixtures/real/heldout11/) was chosen and labelled after those three rules were on
 *   main (0390985), committed before the first run (21c52c6), and judged that classifier blind
 *   (28 of 30). Nothing in patch/ may be tuned to its labels.
 * - Set 12 (test/fixtures/real/heldout12/) was chosen and labelled with patch/ unchanged since set
 *   11 (main at 950d68a), committed before the first run (164fb9f), and judged that classifier
 *   blind (45 of 46). Nothing in patch/ may be tuned to its labels.
 * The per-series table is printed as test diagnostics; docs/mapper-heldout.md and mapper-heldout-2.md record it with the kinds
 * of miss. The floors are the measured counts, so that any regression fails.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { accuracy, labels, mails, mapText, mbox, type Accuracy, type Label } from "./real-series.helpers";
import type { MappedHunk } from "../../patch/mapper";

/** Series of a set with the least number of hunks that must map right (measured, 2026-11-30). */
interface HeldOutSet {
  dir: string;
  series: Record<string, number>;
  /** Series unrelated to any catalogue mechanism: every hunk must stay unmapped. */
  unrelated: string[];
  /**
   * Mails that are broken as posted, per series: the parser must report each as a warning and
   * drop it, keeping the others; their labelled hunks are then not found and count as missed.
   */
  broken?: Record<string, string[]>;
}

const SET_1: HeldOutSet = {
  dir: "heldout",
  // Before the change of 2026-11-30 that set 1 prompted: 11, 0, 16, 2, 5 (34 of 46).
  series: {
    "directed-yield-stats-2021": 13,
    "pv-yield-idle-target-2022": 1,
    "nopvspin-2019": 22,
    "steal-time-gpa-2022": 4,
    "unrelated-ext4-dir-holes": 5,
  },
  unrelated: ["unrelated-ext4-dir-holes"],
};

const SET_2: HeldOutSet = {
  dir: "heldout2",
  // Judged once after that change (32 of 41); the classifier before it had 9, 6, 0, 9, 6 (30).
  // Then used to change it again (series links, directed-yield arch hooks, kvm_wait): 41 of 41,
  // in-sample since.
  series: {
    "loongarch-pv-preempt-2025": 14,
    "directed-yield-preempted-in-kernel-2024": 9,
    "pv-spinlock-guest-fixes": 3,
    "halt-poll-max-2022": 9,
    "unrelated-kvm-x86-fixes": 6,
  },
  unrelated: ["halt-poll-max-2022", "unrelated-kvm-x86-fixes"],
};

const SET_3: HeldOutSet = {
  dir: "heldout3",
  // Labelled before set 2's misses were worked on; judged with the classifier unchanged: 6, 10,
  // 8, 4 (28 of 65); after the change set 2 prompted (patch/series.ts and the catalogue): 63 of 65.
  series: {
    "ipi-aware-directed-yield-2025": 20,
    "arm64-pv-preempted-2019": 31,
    "guest-haltpoll-fixes": 8,
    "unrelated-kvm-cleanups": 4,
  },
  unrelated: ["guest-haltpoll-fixes", "unrelated-kvm-cleanups"],
};

const SET_4: HeldOutSet = {
  dir: "heldout4",
  // Labelled after the series links were made, committed before the first run; judged with
  // patch/ unchanged: 17 of 40, every right answer an admitted `unmapped` (mechanism 0 of 36).
  // Then used to change the catalogue (steal time's kernel-generic names): 38 of 40, in-sample since.
  series: {
    "ppc-vcpu-preempted-2023": 2,
    "arm64-stolen-time-2019": 32,
    "unrelated-xen-hypervisor-spinlock": 4,
  },
  unrelated: ["unrelated-xen-hypervisor-spinlock"],
};

const SET_5: HeldOutSet = {
  dir: "heldout5",
  // Labelled after set 4, committed before the first run; judged with patch/ unchanged (main at
  // d1bcba4): 51 of 58, mechanism 38 of 54, 6 wrong mechanism (one RISC-V kick handler read as
  // ready_boost, spread by the series links). Then used to change the mapper (votes of linked
  // hunks, a read ready flag next to a yield, the kick-and-yield combo, designated initializers):
  // 58 of 58, in-sample since.
  series: {
    "loongarch-steal-time-2024": 27,
    "riscv-pv-qspinlock-2025": 22,
    "riscv-zawrs-directed-yield-2024": 8,
    "unrelated-loongarch-pmu-2025": 1,
  },
  unrelated: ["unrelated-loongarch-pmu-2025"],
};

const SET_6: HeldOutSet = {
  dir: "heldout6",
  // Labelled after set 5 was measured, committed before the first run (d9fa759); judged blind
  // with patch/ unchanged (bd2dd06): 11, 5, 3, 1 (20 of 31), mechanism 1 of 20, no wrong mechanism.
  // Judged once more after set 5's change (4b92750): the same 11, 5, 3, 1, hunk for hunk.
  // Then its misses guided the action words (patch/classify.ts): 11, 8, 3, 1 (23), in-sample since.
  series: {
    "wanpeng-preempted-pv-ipi-2019": 11,
    "s390-diag9c-forwarding-2021": 8,
    "xen-schedop-poll-2022": 3,
    "unrelated-arm64-vgic-2021": 1,
  },
  unrelated: ["unrelated-arm64-vgic-2021"],
};

const SET_7: HeldOutSet = {
  dir: "heldout7",
  // Labelled after set 6 was measured, committed before the first run (3a9ae07); judged blind
  // with patch/ unchanged (7da42aa): 8, 11, 1, 3 (23 of 25), mechanism 13 of 19, no wrong mechanism.
  // Judged once after the action words (set 6's misses): 8, 8, 1, 3 (20 of 25), mechanism 10 of 19,
  // 2 wrong mechanism (PowerVM's yield_to_any, the PV spinlock's wait, read as directed yield).
  // Then that miss prompted directed yield's action word to count in KVM host code only: 8, 11, 1,
  // 3 (23 of 25), no wrong mechanism; in-sample since (a set 8 would judge it).
  series: {
    "vmware-steal-time-2020": 8,
    "ppc-pv-qspinlock-2020": 11,
    "hyperv-long-spin-wait-2021": 1,
    "unrelated-virtio-vcpu-watchdog-2023": 3,
  },
  unrelated: ["unrelated-virtio-vcpu-watchdog-2023"],
};

const SET_8: HeldOutSet = {
  dir: "heldout8",
  // Labelled after the action words, committed before the first run (fce34f3; the teardown series
  // in a second batch, 11fc5fa); judged blind with both classifiers: without the action words
  // (17ece98) 5, 4, 1, 1, 17 (28 of 41), mechanism 6 of 19, 5 wrong mechanism (PV teardown plumbing
  // linked to steal time); with them (f9d10a3) the same, hunk for hunk. Then its wrong answers
  // prompted "calling is not transitive" (patch/series.ts): 5, 4, 1, 1, 21 (32), in-sample since.
  // After set 10: the action word of the function a hunk edits (kvm_update_stolen_time,
  // kvm_init_stolen_time in arch/arm64/kvm/) maps three more arm64 hunks: 8, 4, 1, 1, 21 (35).
  series: {
    "arm64-pvtime-fixes-2020": 8,
    "svm-pause-in-guest-2020": 4,
    "pv-features-one-vcpu-2022": 1,
    "unrelated-virtio-net-kicks-2020": 1,
    "x86-guest-pv-teardown-2021": 21,
  },
  unrelated: ["unrelated-virtio-net-kicks-2020"],
};

const SET_9: HeldOutSet = {
  dir: "heldout9",
  // Labelled after set 8, committed before the first run (d5640ea); judged blind with patch/ as on
  // main at a355625: 2, 11, 2, 1, 8 (24 of 57), mechanism 11 of 40, 25 wrong mechanism (one
  // pv_ops.lock hunk inside kvm_spinlock_init read as the PV spinlock, spread by the links).
  // After "calling is not transitive" (made for set 8, before set 9 was run): 13, 11, 2, 1, 8
  // (35 of 57), 14 wrong mechanism: the CFS callers of the series' helper now stay unmapped.
  // Then its one root of the PV spinlock answer (an ops slot set to the series' function inside
  // kvm_spinlock_init) prompted the inside rule's exception: 22, 11, 2, 1, 8 (44 of 57), no wrong
  // mechanism; in-sample since.
  series: {
    "pcpu-is-idle-2021": 22,
    "ple-ipi-boost-2021": 11,
    "pv-kick-flags-2022": 2,
    "halt-poll-shrink-2021": 1,
    "unrelated-amx-xfd-err-2021": 8,
  },
  unrelated: ["halt-poll-shrink-2021", "unrelated-amx-xfd-err-2021"],
  // pcpu_is_idle 3/4's last hunk says +11331,14 but carries 15 new lines (9 added, 6 context), as
  // posted: `git apply` refuses it too. The mapper reports the mail and maps the other three.
  broken: { "pcpu-is-idle-2021": ["0003.eml"] },
};

const SET_10: HeldOutSet = {
  dir: "heldout10",
  // Labelled after set 9's changes were on main, committed before the first run (b3d7ab5); judged
  // blind with patch/ as on main at 4692451: 12, 14, 1, 18, 6, 1 (52 of 54), mechanism 20 of 29, no
  // wrong mechanism. Its two misses then prompted the diff -p context rule (the stable backport's
  // kvm_steal_time_set_preempted) and the guard rule (kvm_sched_out's new condition over the
  // ready writes): 13, 14, 1, 18, 7, 1 (54), mechanism 28 of 29; in-sample since.
  series: {
    "matlack-wants-to-run-2024": 13,
    "sched-in-fold-2024": 14,
    "on-spin-single-loop-2024": 1,
    "loongarch-pv-qspinlock-2024": 18,
    "steal-time-preempted-boundary-2023": 7,
    "unrelated-sched-yield-preempt-2023": 1,
  },
  unrelated: ["unrelated-sched-yield-preempt-2023"],
};

const SET_11: HeldOutSet = {
  dir: "heldout11",
  // Labelled after set 10's three rules were on main, committed before the first run (21c52c6);
  // judged blind with patch/ as on main at 0390985: 10, 3, 3, 11, 1 (28 of 30), mechanism 23 of 28,
  // 1 wrong mechanism (the PV TLB-flush hunk of the Ishiguro RFC takes pv_spinlock from its patch).
  series: {
    "dy-runnable-backport-2019": 10,
    "golden-target-on-spin-2026": 3,
    "pv-tlb-flush-pvwait-2025": 3,
    "steal-time-uaccess-backport-2023": 11,
    "unrelated-hyperv-flush-mask-2023": 1,
  },
  unrelated: ["unrelated-hyperv-flush-mask-2023"],
};

const SET_12: HeldOutSet = {
  dir: "heldout12",
  // Labelled with patch/ as on main at 950d68a, committed before the first run (164fb9f); judged
  // blind with that classifier: 19, 14, 3, 7, 2 (45 of 46), mechanism 3 of 5, unmapped 41 of 41, no
  // wrong mechanism (the PowerPC vcpu_is_preempted body stays unmapped: it calls the series'
  // is_kvm_guest, so the inside rule is skipped, and no hunk of the series maps for the links).
  series: {
    "pv-unhalted-mp-state-2025": 19,
    "ppc-kvm-guest-preempted-2020": 14,
    "svm-avic-kick-pause-skip-2021": 3,
    "riscv-sbi-reset-callback-2025": 7,
    "unrelated-gfs2-getbuf-folio-2023": 2,
  },
  unrelated: ["unrelated-gfs2-getbuf-folio-2023"],
};

/**
 * "Right" counts an honest `unmapped` as right where the label says so; these split the hunks by
 * what the label asks for, so a set carried by `unmapped` answers shows as such.
 */
interface Breakdown {
  /** Hunks whose label (first answer) is a mechanism, and how many of those got a labelled mechanism. */
  mechanismHunks: number;
  mechanismHits: number;
  /** Hunks labelled `unmapped` first, and how many the mapper left unmapped. */
  unmappedHunks: number;
  unmappedHits: number;
  /** A mechanism the label does not admit: the worst kind of miss (a lens that says something false). */
  wrongMechanism: number;
}

function breakdown(hunks: MappedHunk[], want: Label[]): Breakdown {
  const b: Breakdown = { mechanismHunks: 0, mechanismHits: 0, unmappedHunks: 0, unmappedHits: 0, wrongMechanism: 0 };
  want.forEach((l, i) => {
    const got = hunks[i]?.mechanism ?? "unmapped";
    const admitted = [l.label, ...(l.alsoRight ?? [])];
    if (l.label === "unmapped") {
      b.unmappedHunks++;
      if (got === "unmapped") b.unmappedHits++;
    } else {
      b.mechanismHunks++;
      if (got !== "unmapped" && admitted.includes(got)) b.mechanismHits++;
    }
    if (got !== "unmapped" && !admitted.includes(got)) b.wrongMechanism++;
  });
  return b;
}

const row = (name: string, a: Accuracy, total: number, b: Breakdown) =>
  `${name.padEnd(28)} ${a.found}/${total} found, ${a.right} right, ${a.unmapped} unmapped; ` +
  `mechanism ${b.mechanismHits}/${b.mechanismHunks}, unmapped ${b.unmappedHits}/${b.unmappedHunks}, wrong mechanism ${b.wrongMechanism}`;

function judge(t: { diagnostic: (m: string) => void }, name: string, set: HeldOutSet): void {
  let total = 0;
  let right = 0;
  const sum: Breakdown = { mechanismHunks: 0, mechanismHits: 0, unmappedHunks: 0, unmappedHits: 0, wrongMechanism: 0 };
  const misses: string[] = [];
  const below: string[] = [];
  for (const [s, floor] of Object.entries(set.series)) {
    const all = labels(s);
    const broken = set.broken?.[s] ?? [];
    // A broken mail's hunks are missed: the floor counts them as wrong, `found` does not expect them.
    const want = all.filter((l) => !broken.includes(l.mail));
    const { parsed, hunks } = mapText(mbox(mails(`${set.dir}/${s}`)));
    const a = accuracy(hunks, want);
    const b = breakdown(hunks, want);
    t.diagnostic(row(s, a, all.length, b));
    assert.equal(a.found, want.length, `${s}: ${a.wrong.filter((w) => w.includes("not found")).join("\n")}`);
    assert.equal(
      parsed.diagnostics.filter((d) => d.severity !== "info").length,
      broken.length,
      `${s} parses with a warning for each broken mail and no other: ${parsed.diagnostics.map((d) => d.message).join("; ")}`,
    );
    misses.push(...all.filter((l) => broken.includes(l.mail)).map((l) => `${s} ${l.mail}#${l.index}: in a mail broken as posted`));
    if (a.right < floor) below.push(`${s}: ${a.right} right < ${floor}`);
    if (set.unrelated.includes(s))
      assert.deepEqual(
        hunks.filter((h) => h.mechanism !== null).map((h) => `${h.file}: ${h.mechanism} (${h.reason})`),
        [],
        `${s} implements no catalogue mechanism: only unmapped`,
      );
    total += all.length;
    right += a.right;
    for (const k of Object.keys(sum) as (keyof Breakdown)[]) sum[k] += b[k];
    misses.push(...a.wrong.map((w) => `${s} ${w}`));
  }
  t.diagnostic(
    `${name} total: ${right}/${total} right (${((100 * right) / total).toFixed(1)} %); mechanism ${sum.mechanismHits}/${sum.mechanismHunks}, ` +
      `unmapped ${sum.unmappedHits}/${sum.unmappedHunks}, wrong mechanism ${sum.wrongMechanism}`,
  );
  for (const m of misses) t.diagnostic(`miss: ${m}`);
  assert.deepEqual(below, [], `${name}: fewer right than measured\n${misses.join("\n")}`);
}

test("held-out set 1 (in-sample since 2026-11-30): every hunk found, per-series floors, ext4 only unmapped", (t) => {
  judge(t, "held-out set 1", SET_1);
});

test("held-out set 2 (in-sample since the series links): every hunk found, per-series floors, halt polling and unrelated KVM fixes only unmapped", (t) => {
  judge(t, "held-out set 2", SET_2);
});

test("held-out set 3: every hunk found, per-series floors, guest halt polling and unrelated KVM cleanups only unmapped", (t) => {
  judge(t, "held-out set 3", SET_3);
});

test("held-out set 4: every hunk found, per-series floors, the Xen hypervisor's own spinlocks only unmapped", (t) => {
  judge(t, "held-out set 4", SET_4);
});

test("held-out set 5: every hunk found, per-series floors, the LoongArch PMU fix only unmapped", (t) => {
  judge(t, "held-out set 5", SET_5);
});

test("held-out set 6: every hunk found, per-series floors, the arm64 vGIC fix only unmapped", (t) => {
  judge(t, "held-out set 6", SET_6);
});

test("held-out set 7: every hunk found, per-series floors, the virtio vCPU watchdog only unmapped", (t) => {
  judge(t, "held-out set 7", SET_7);
});

test("held-out set 8: every hunk found, per-series floors, the virtio_net kick counter only unmapped", (t) => {
  judge(t, "held-out set 8", SET_8);
});

test("held-out set 9: every hunk found, per-series floors, halt polling and the AMX XFD_ERR control only unmapped", (t) => {
  judge(t, "held-out set 9", SET_9);
});

test("held-out set 10: every hunk found, per-series floors, the do_sched_yield control only unmapped", (t) => {
  judge(t, "held-out set 10", SET_10);
});

test("held-out set 11: every hunk found, per-series floors, the Hyper-V TLB-flush control only unmapped", (t) => {
  judge(t, "held-out set 11", SET_11);
});

test("held-out set 12: every hunk found, per-series floors, the gfs2 yield() control only unmapped", (t) => {
  judge(t, "held-out set 12", SET_12);
});
