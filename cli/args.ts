/** Option parsing and output helpers shared by the CLI's commands. */
import { once } from "node:events";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { stringifyChunked } from "@discoveryjs/json-ext";
import { ruleProblem, type FieldRule } from "../sim-core/limits";
import { escapeControls, escapeJsonText } from "../common/escape";
import { InputError } from "./errors";

export type Values = Record<string, string | boolean | undefined>;

/** `positionals`: how many arguments besides options (-1: one or more). */
export function parse(args: string[], options: ParseArgsConfig["options"], positionals: number): { values: Values; positionals: string[] } {
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({
      args,
      options: { ...options, help: { type: "boolean" }, workers: { type: "string" } },
      allowPositionals: true,
      strict: true,
    }) as {
      values: Values;
      positionals: string[];
    };
  } catch (e) {
    throw new InputError(`pvsched-sim: ${(e as Error).message.split("\n")[0]}`);
  }
  // positionals < 0: one or more files (`sweep merge a.json b.json ...`).
  const count = parsed.positionals.length;
  if ((positionals < 0 ? count === 0 : count !== positionals) && !parsed.values.help)
    throw new InputError(
      positionals < 0
        ? "pvsched-sim: missing file arguments (see --help)"
        : positionals === 0
          ? `pvsched-sim: unexpected argument "${parsed.positionals[0]}"`
          : parsed.positionals.length === 0
            ? "pvsched-sim: missing <scenario.yaml> argument (see --help)"
            : `pvsched-sim: expected one scenario file, got ${parsed.positionals.length}`,
    );
  return parsed;
}

export function intOption(v: unknown, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new InputError(`pvsched-sim: --${name} must be a whole number in ${min}..${max} (got "${v}")`);
  return n;
}

/** An option that stands for a scenario field: the field's rule (sim-core/limits.ts) bounds it. */
export function fieldOption(v: unknown, name: string, rule: FieldRule): number | undefined {
  if (v === undefined) return undefined;
  const n = /^\s*$/.test(String(v)) ? Number.NaN : Number(v);
  const why = ruleProblem(rule, n);
  if (why) throw new InputError(`pvsched-sim: --${name} ${why.replace(/ \(got .*\)$/, "")} (got "${v}")`);
  return n;
}

// Long runs report progress on stderr, only to a terminal (never into a pipe or a log).
export function progress(label: string): ((done: number, total: number) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  let last = 0;
  return (done, total) => {
    const now = Date.now();
    if (done < total && now - last < 200) return; // at most 5 updates a second
    last = now;
    process.stderr.write(`\r\x1b[K${label}: ${Math.floor(done)}/${total} runs (${((100 * done) / total).toFixed(0)}%)`);
    if (done >= total) process.stderr.write("\r\x1b[K");
  };
}

/**
 * Text on stdout. It quotes input (scenario, mode and probe names), so every control character
 * but the line breaks between lines is written as an escape: an ESC in a scenario name must not
 * reach the terminal (issue 14).
 */
export const out = (s: string) => {
  const text = s.split("\n").map(escapeControls).join("\n");
  process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
};

/**
 * JSON on stdout (or `sink`), as `JSON.stringify(v, null, 2)` followed by a newline would write
 * it, byte for byte, but in chunks of about 16 KiB (@discoveryjs/json-ext's stringifyChunked):
 * a result with a long timeline is hundreds of MB of JSON, past V8's longest string (2^29 - 24
 * characters, "Invalid string length"), and one string of it would have to fit in memory twice.
 * Waits for the sink to drain when it asks to. JSON.stringify escapes C0 controls itself; the C1
 * controls, line separators and bidi controls it leaves raw are written as \u escapes too.
 */
export async function json(v: unknown, sink: NodeJS.WritableStream = process.stdout): Promise<void> {
  for (const chunk of jsonChunks(v)) if (!sink.write(chunk)) await once(sink, "drain");
}

/** The chunks `json` writes. */
export function* jsonChunks(v: unknown): Generator<string> {
  for (const chunk of stringifyChunked(v, null, 2)) yield escapeJsonText(chunk);
  yield "\n";
}
