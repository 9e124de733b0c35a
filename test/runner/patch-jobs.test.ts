/**
 * The hunk lenses' parse queue (runner/patch-jobs.ts) and its worker side (runner/patch-job.ts),
 * without VS Code: the cache by URI + version + map, superseding by version, cancellation, the
 * deadline. The queue runs on a transport of our own whose worker answers only when the test
 * says so, so the order of events is the test's, not the machine's; one test runs the real
 * worker code in this thread (runner/web.ts inThreadFactory) on the sample series.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { LENS_MAX_CHARS, patchLensData, tooLargeForLenses, type PatchLensData } from "../../patch/lens";
import type { HunkMapFile } from "../../patch/mapper";
import { mapPatch } from "../../patch/mapper";
import { countHunks, parsePatchText, POLL_HUNKS, POLL_LINES } from "../../patch/parse";
import { newCancelFlag, raise } from "../../runner/cancel-flag";
import { CancelledError, type WorkerFactory } from "../../runner/index";
import { jobPoll, JobStopped, runPatchJob } from "../../runner/patch-job";
import { PatchJobs, SupersededError } from "../../runner/patch-jobs";
import type { FromPatchJob, FromWorker, PatchJobMessage } from "../../runner/protocol";
import { inThreadFactory } from "../../runner/web";

const root = resolve(__dirname, "../..");
const mbox = readFileSync(join(root, "examples/pvsched-series.mbox"), "utf8");

interface FakeWorker {
  posted: PatchJobMessage[];
  flag: SharedArrayBuffer | undefined;
  terminated: boolean;
  /** Answers the last job posted with lens data naming its text. */
  answer(data?: PatchLensData): void;
  say(m: FromWorker): void;
}

/** A transport whose workers answer only when told to. */
function fakeTransport() {
  const workers: FakeWorker[] = [];
  const factory: WorkerFactory = (events) => {
    const w: FakeWorker = {
      posted: [],
      flag: newCancelFlag(),
      terminated: false,
      answer: (data) => {
        const m = w.posted.at(-1)!;
        events.message({ type: "mapped", job: m.job, data: data ?? dataFor(m.text) });
      },
      say: (m) => events.message(m),
    };
    workers.push(w);
    return {
      cancelFlag: w.flag,
      post: (m) => {
        if (m.type !== "map-patch") throw new Error(`posted a ${m.type} message`);
        w.posted.push(m);
      },
      terminate: async () => {
        w.terminated = true;
      },
    };
  };
  return { factory, workers };
}

/** Lens data that says which text it came from (the fake worker does not parse). */
function dataFor(text: string): PatchLensData {
  return { hunks: [], lineCount: text.length, refused: { line: 0, reason: text } };
}

const doc = (version: number, text = `text v${version}`, map: HunkMapFile | null = null, uri = "file:///a.patch") => ({
  uri,
  version,
  map,
  text: () => text,
});

/** Lets the queue's promise callbacks (the factory, the answers) run. */
const settle = () => new Promise<void>((r) => setImmediate(r));

test("a version is parsed once: the lens and the hover share its job, later requests hit the cache", async () => {
  const t = fakeTransport();
  const jobs = new PatchJobs(() => t.factory);
  const lens = jobs.get(doc(1));
  const hover = jobs.get(doc(1));
  await settle();
  assert.equal(t.workers[0]!.posted.length, 1);
  t.workers[0]!.answer();
  assert.equal((await lens).refused?.reason, "text v1");
  assert.equal((await hover).refused?.reason, "text v1");
  assert.equal((await jobs.get(doc(1))).refused?.reason, "text v1");
  assert.equal(jobs.posted, 1, "a cached version posts no job");
  // A new version, or the same version under another hunk map, is parsed again.
  const v2 = jobs.get(doc(2));
  await settle();
  t.workers[0]!.answer();
  assert.equal((await v2).refused?.reason, "text v2");
  const other = jobs.get(doc(2, "text v2", { rules: [] }));
  await settle();
  t.workers[0]!.answer();
  await other;
  assert.equal(jobs.posted, 3);
  await jobs.dispose();
});

/** v1's parse running on the worker, then v2 asked for: v1's caller has been told it was superseded. */
async function v1RunningThenV2() {
  const t = fakeTransport();
  const jobs = new PatchJobs(() => t.factory);
  const v1 = jobs.get(doc(1));
  await settle();
  const v2 = jobs.get(doc(2));
  await assert.rejects(v1, SupersededError);
  return { t, jobs, v2, w: t.workers[0]! };
}

test("a newer version supersedes the running and the queued parse of an older one", async () => {
  const { jobs, v2, w } = await v1RunningThenV2();
  assert.equal(new Int32Array(w.flag!, 0, 1)[0], 1, "the running parse of v1 is told to stop");
  const v3 = jobs.get(doc(3));
  await assert.rejects(v2, SupersededError, "the queued parse of v2 is dropped too");
  // v1's worker answers late (it stopped): nothing lands, and v3 starts; v2 never does.
  w.say({ type: "map-failed", job: w.posted[0]!.job, kind: "cancelled", message: "cancelled" });
  await settle();
  assert.deepEqual(
    w.posted.map((m) => m.text),
    ["text v1", "text v3"],
  );
  w.answer();
  assert.equal((await v3).refused?.reason, "text v3");
  // The latest request wins, whatever its number: a document opened again starts at version 1.
  const reopened = jobs.get(doc(1, "reopened"));
  const v4 = jobs.get(doc(4));
  await assert.rejects(reopened, SupersededError);
  w.say({ type: "map-failed", job: w.posted.at(-1)!.job, kind: "cancelled", message: "cancelled" });
  await settle();
  assert.equal(w.posted.at(-1)!.text, "text v4");
  w.answer();
  assert.equal((await v4).refused?.reason, "text v4");
  await jobs.dispose();
});

test("a late answer of a superseded parse is not cached", async () => {
  const { jobs, v2, w } = await v1RunningThenV2();
  w.answer(dataFor("late v1"));
  await settle();
  assert.deepEqual(jobs.cached, [], "v1's answer came after v2 was asked for");
  w.answer();
  assert.equal((await v2).refused?.reason, "text v2");
  assert.equal((await jobs.get(doc(2))).refused?.reason, "text v2");
  await jobs.dispose();
});

test("a job whose document moved on before it started is dropped, not parsed under the old version", async () => {
  const t = fakeTransport();
  const jobs = new PatchJobs(() => t.factory);
  const first = jobs.get(doc(1, "a", null, "file:///a.patch"));
  const stale = jobs.get({ uri: "file:///b.patch", version: 1, map: null, text: () => undefined });
  const next = jobs.get(doc(1, "c", null, "file:///c.patch"));
  await settle();
  const w = t.workers[0]!;
  w.answer();
  await first;
  await assert.rejects(stale, SupersededError);
  await settle();
  w.answer();
  assert.equal((await next).refused?.reason, "c");
  assert.deepEqual(
    w.posted.map((m) => m.text),
    ["a", "c"],
  );
  assert.deepEqual(jobs.cached, ["file:///a.patch", "file:///c.patch"]);
  await jobs.dispose();
});

test("cancellation: a cancelled request leaves its job; a job nobody waits for is dropped or stopped", async () => {
  const t = fakeTransport();
  const jobs = new PatchJobs(() => t.factory);
  // Two waiters on one running job: one cancels, the other still gets the data.
  const a = new AbortController();
  const lens = jobs.get(doc(1), a.signal);
  const hover = jobs.get(doc(1));
  await settle();
  a.abort();
  await assert.rejects(lens, CancelledError);
  const w = t.workers[0]!;
  assert.equal(new Int32Array(w.flag!, 0, 1)[0], 0, "a job someone still waits for keeps running");
  w.answer();
  assert.equal((await hover).refused?.reason, "text v1");
  // The only waiter of the running job cancels: the worker's flag is raised.
  const b = new AbortController();
  const running = jobs.get(doc(1, "b", null, "file:///b.patch"), b.signal);
  // A queued job whose only waiter cancels is never posted.
  const c = new AbortController();
  const queued = jobs.get(doc(1, "c", null, "file:///c.patch"), c.signal);
  await settle();
  b.abort();
  c.abort();
  await assert.rejects(running, CancelledError);
  await assert.rejects(queued, CancelledError);
  assert.equal(new Int32Array(w.flag!, 0, 1)[0], 1);
  w.say({ type: "map-failed", job: w.posted.at(-1)!.job, kind: "cancelled", message: "cancelled" });
  await settle();
  assert.deepEqual(
    w.posted.map((m) => m.text),
    ["text v1", "b"],
  );
  // An already aborted signal never starts a job.
  const d = new AbortController();
  d.abort();
  await assert.rejects(jobs.get(doc(1, "d", null, "file:///d.patch"), d.signal), CancelledError);
  await settle();
  assert.equal(w.posted.length, 2);
  await jobs.dispose();
});

test("deadline: a worker that does not answer is terminated, the document says so, the next job gets a new worker", async () => {
  const t = fakeTransport();
  const jobs = new PatchJobs(() => t.factory, { deadlineMs: 0, watchdogGraceMs: 0 });
  const data = await jobs.get(doc(1));
  assert.match(data.refused?.reason ?? "", /gave up after 0 s of parsing/);
  assert.equal(t.workers[0]!.terminated, true);
  // Cached for that version: the same slow document is not parsed again until it changes.
  assert.equal((await jobs.get(doc(1))).refused, data.refused);
  const v2 = jobs.get(doc(2));
  await settle();
  assert.equal(t.workers.length, 2);
  t.workers[1]!.answer();
  assert.equal((await v2).refused?.reason, "text v2");
  await jobs.dispose();
});

test("deadline: the worker's own answer that it ran out of time gives the same lens data", async () => {
  const t = fakeTransport();
  const jobs = new PatchJobs(() => t.factory, { deadlineMs: 1500 });
  const p = jobs.get(doc(1));
  await settle();
  const w = t.workers[0]!;
  assert.equal(w.posted[0]!.deadlineMs, 1500, "the worker is told the deadline");
  w.say({ type: "map-failed", job: w.posted[0]!.job, kind: "deadline", message: "past the deadline" });
  assert.match((await p).refused?.reason ?? "", /gave up after 1\.5 s of parsing/);
  assert.equal(w.terminated, false, "a worker that stopped itself is kept");
  await jobs.dispose();
});

test("the cache keeps the most recently used documents only", async () => {
  const t = fakeTransport();
  const jobs = new PatchJobs(() => t.factory, { cacheDocuments: 2 });
  for (const name of ["a", "b", "a", "c"]) {
    const p = jobs.get(doc(1, name, null, `file:///${name}`));
    await settle();
    if (name !== "a" || t.workers[0]!.posted.length < 2) t.workers[0]?.answer();
    await p;
  }
  assert.deepEqual(jobs.cached, ["file:///a", "file:///c"]);
  await jobs.dispose();
});

test("forget drops a closed document's cache entry and its jobs", async () => {
  const t = fakeTransport();
  const jobs = new PatchJobs(() => t.factory);
  const p = jobs.get(doc(1));
  await settle();
  t.workers[0]!.answer();
  await p;
  jobs.forget("file:///a.patch");
  assert.deepEqual(jobs.cached, []);
  const again = jobs.get(doc(1));
  jobs.forget("file:///a.patch");
  await assert.rejects(again, CancelledError);
  await jobs.dispose();
});

test("the parser and the mapper poll as they go, so a deadline or a cancel stops them midway", () => {
  const text = mbox.repeat(20);
  let calls = 0;
  const parsed = parsePatchText(text, { poll: () => void calls++ });
  const hunks = countHunks(parsed);
  assert.ok(hunks > 2 * POLL_HUNKS && parsed.lineCount > 2 * POLL_LINES, "the input spans several polls of each pass");
  // The structure pass every POLL_LINES lines, the code pass every POLL_HUNKS hunks.
  assert.ok(calls >= Math.ceil(parsed.lineCount / POLL_LINES) + Math.ceil(hunks / POLL_HUNKS), `${calls} polls`);
  let mapCalls = 0;
  mapPatch(parsed, null, () => void mapCalls++);
  assert.equal(mapCalls, Math.ceil(hunks / POLL_HUNKS));
  // A poll that throws ends the parse there (what JobStopped does in the worker).
  let n = 0;
  assert.throws(
    () =>
      parsePatchText(text, {
        poll: () => {
          if (++n === 3) throw new Error("stop");
        },
      }),
    /stop/,
  );
  assert.equal(n, 3);
});

test("jobPoll: stops at the deadline, and on the cancel flag first", () => {
  let now = 100;
  let cancelled = false;
  const poll = jobPoll(
    150,
    () => now,
    () => cancelled,
  );
  poll();
  now = 149;
  poll();
  now = 150;
  assert.throws(poll, (e: unknown) => e instanceof JobStopped && e.kind === "deadline");
  cancelled = true;
  assert.throws(poll, (e: unknown) => e instanceof JobStopped && e.kind === "cancelled");
});

test("runPatchJob: a raised flag or a passed deadline stops the parse; otherwise the lens data of the text", () => {
  const out: FromPatchJob[] = [];
  const flag = newCancelFlag()!;
  raise(flag);
  runPatchJob({ type: "map-patch", job: 1, text: mbox, map: null, deadlineMs: 60_000, cancelFlag: flag }, (m) =>
    out.push(m as FromPatchJob),
  );
  runPatchJob({ type: "map-patch", job: 2, text: mbox, map: null, deadlineMs: 0 }, (m) => out.push(m as FromPatchJob));
  runPatchJob({ type: "map-patch", job: 3, text: mbox, map: null, deadlineMs: 60_000 }, (m) => out.push(m as FromPatchJob));
  assert.deepEqual(
    out.map((m) => [m.job, m.type, m.type === "map-failed" ? m.kind : ""]),
    [
      [1, "map-failed", "cancelled"],
      [2, "map-failed", "deadline"],
      [3, "mapped", ""],
    ],
  );
});

test("the lens data from the real worker code: the sample series' hunks as mapPatch maps them, with the added identifiers", async () => {
  const jobs = new PatchJobs(inThreadFactory);
  const data = await jobs.get({ uri: "file:///s.mbox", version: 1, map: null, text: () => mbox });
  const parsed = parsePatchText(mbox);
  const expected = mapPatch(parsed, null);
  assert.equal(data.hunks.length, expected.length);
  assert.ok(data.hunks.length > 0);
  assert.deepEqual(
    data.hunks.map(({ identifiersAdded: _, ...h }) => h),
    expected,
  );
  const hunk5 = data.hunks.find((h) => h.patchIndex === 5 && h.mechanism === "preempt_throttle");
  assert.ok(hunk5, "patch 5 of the sample maps to preempt_throttle");
  const source = parsed.patches.flatMap((p) => p.files.flatMap((f) => f.hunks)).find((h) => h.line === hunk5.line)!;
  assert.ok(source.identifiersAdded.length > 0);
  assert.deepEqual(hunk5.identifiersAdded, source.identifiersAdded);
  assert.deepEqual(patchLensData(mbox, null).hunks.length, expected.length);
  await jobs.dispose();
});

test("a document over the lens limit is refused unread, with the sizes", () => {
  const d = tooLargeForLenses(LENS_MAX_CHARS + 1, 10);
  assert.deepEqual(d.hunks, []);
  assert.match(d.refused?.reason ?? "", /too large for hunk lenses \(4\.0 MiB, limit 4\.0 MiB\)/);
});
