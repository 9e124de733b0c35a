/**
 * Moved to common/escape.ts (one home for escaping). This re-export remains only for the two
 * importers owned by the patch work in flight (patch/parse.ts, cli/map.ts); once they import
 * common/escape directly, delete this file.
 */
export { escapeControls } from "../common/escape";
