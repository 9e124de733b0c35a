/**
 * The extension's settings, typed from package.json (`contributes.configuration`), which esbuild
 * compiles into the bundle: the keys, the defaults and the bounds are read from the manifest, never
 * copied by hand. Pure: no VS Code imports (config.ts reads the values through the VS Code API;
 * the unit tests check the rules here).
 *
 * VS Code does not enforce a setting's `minimum`/`maximum` (settings.json may hold anything), so a
 * value of the wrong type or out of range is refused here and the default is used, with a message
 * naming the key, the value and the bound (issue 14: a workspace value of 1e300 made every lens
 * click run for minutes).
 */
import manifest from "../package.json";

const PROPERTIES = manifest.contributes.configuration.properties;

/** Every setting, by full key (`pvsched.ablation.durationSeconds`). */
export type SettingKey = keyof typeof PROPERTIES;
export type SettingValue<K extends SettingKey> = (typeof PROPERTIES)[K]["default"];

interface SettingSchema {
  type: string;
  default: unknown;
  minimum?: number;
  maximum?: number;
  enum?: string[];
}

export const SETTING_KEYS = Object.keys(PROPERTIES) as SettingKey[];

export function settingSchema(key: SettingKey): SettingSchema {
  return PROPERTIES[key] as SettingSchema;
}

/** The value to use for `raw` (what the configuration holds), and why it was refused if it was. */
export function checkSetting<K extends SettingKey>(key: K, raw: unknown): { value: SettingValue<K>; problem?: string } {
  const s = settingSchema(key);
  const dflt = s.default as SettingValue<K>;
  if (raw === undefined) return { value: dflt };
  const refuse = (why: string) => ({ value: dflt, problem: `${key}: ${why}; using the default ${JSON.stringify(dflt)}` });
  if (s.type === "number") {
    if (typeof raw !== "number" || !Number.isFinite(raw)) return refuse(`${JSON.stringify(raw)} is not a number`);
    if (s.minimum !== undefined && raw < s.minimum) return refuse(`${raw} is below the minimum ${s.minimum}`);
    if (s.maximum !== undefined && raw > s.maximum) return refuse(`${raw} is above the maximum ${s.maximum}`);
  } else if (s.type === "string") {
    if (typeof raw !== "string") return refuse(`${JSON.stringify(raw)} is not a string`);
    if (s.enum && !s.enum.includes(raw)) return refuse(`${JSON.stringify(raw)} is not one of ${s.enum.join(", ")}`);
  }
  return { value: raw as SettingValue<K> };
}

/**
 * A workspace-relative path from a setting, normalised, or why it is refused: it must stay inside
 * the workspace folder (no URI scheme such as `file:`, no absolute path, no `..` that climbs out),
 * so a workspace's settings cannot make the extension read any file of the machine (issue 14).
 */
export function pathInFolder(value: string): { path: string } | { problem: string } {
  if (/^[a-z][a-z0-9+.-]*:/i.test(value)) return { problem: `"${value}" is a URI; give a path relative to the workspace folder` };
  if (/^[\\/]/.test(value) || /^[a-z]:/i.test(value))
    return { problem: `"${value}" is an absolute path; give a path relative to the workspace folder` };
  const out: string[] = [];
  for (const part of value.split(/[\\/]+/)) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (!out.length) return { problem: `"${value}" leaves the workspace folder` };
      out.pop();
    } else out.push(part);
  }
  if (!out.length) return { problem: `"${value}" names no file` };
  return { path: out.join("/") };
}
