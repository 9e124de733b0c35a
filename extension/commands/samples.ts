/**
 * Open Sample: the sample patch series and scenarios shipped in the extension (examples/, listed
 * in .vscodeignore), for the Get Started walkthrough and for anyone without a patch at hand.
 * They open from the extension's folder, read-only in practice; Save As keeps a copy.
 */
import * as vscode from "vscode";
import type { Ctx } from "../ctx";

/** Samples by key: the walkthrough's buttons name them. */
export const SAMPLES: Record<string, { path: string; label: string; detail: string }> = {
  patch: {
    path: "examples/pvsched-series/0004-kvm-x86-boost-vcpu-threads-on-latency-sensitive-path.patch",
    label: "Patch 4 of the sample series",
    detail: "Boosting vCPU threads on interrupt injection and before HLT: a lens on each hunk",
  },
  mbox: {
    path: "examples/pvsched-series.mbox",
    label: "The whole sample series as one mbox",
    detail: "Nine mails, lenses on every mapped hunk",
  },
  scenario: {
    path: "examples/scenarios/busy-host-cyclictest.pvsched.yaml",
    label: "Busy host cyclictest scenario",
    detail: "The cover letter's busy row: vanilla, dynamic and static",
  },
  rogue: {
    path: "examples/scenarios/rogue-guest.pvsched.yaml",
    label: "Rogue guest scenario",
    detail: "A guest that never unboosts, with and without patch 5's cap",
  },
};

export const openSample = (ctx: Ctx) => async (key?: string) => {
  let sample = key ? SAMPLES[key] : undefined;
  if (!sample) {
    const pick = await vscode.window.showQuickPick(
      Object.values(SAMPLES).map((s) => ({ label: s.label, detail: s.detail, description: s.path, s })),
      { title: "Open a sample shipped with PV Sched", matchOnDetail: true },
    );
    sample = pick?.s;
  }
  if (!sample) return undefined;
  const uri = vscode.Uri.joinPath(ctx.ext.extensionUri, ...sample.path.split("/"));
  const doc = await vscode.workspace.openTextDocument(uri);
  // Pinned (not a preview): the walkthrough's next step clicks a lens in it.
  await vscode.window.showTextDocument(doc, { preview: false, viewColumn: vscode.ViewColumn.One });
  return uri.toString();
};
