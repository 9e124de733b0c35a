/**
 * The extension's settings, typed from package.json (`contributes.configuration`), which esbuild
 * compiles into the bundle: the keys and the defaults are read from the manifest, never copied by
 * hand. Pure: no VS Code imports (ctx.ts reads the values through the VS Code API).
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
}

export const SETTING_KEYS = Object.keys(PROPERTIES) as SettingKey[];

export function settingSchema(key: SettingKey): SettingSchema {
  return PROPERTIES[key] as SettingSchema;
}
