/**
 * Stands in for prettier in the yaml worker bundle (esbuild alias, see ../esbuild.config.mjs).
 * monaco-yaml formats with prettier, which adds about 0.45 MB to the worker; the panel turns
 * formatting off (format.enable = false), so this is never called.
 */
export async function format(): Promise<string> {
  throw new Error("YAML formatting is not bundled in the results panel");
}
export default {};
