/** Monaco's editor worker (diffs, word ranges, links), bundled on its own for a blob: URL. */
import "monaco-editor/esm/vs/editor/editor.worker";
