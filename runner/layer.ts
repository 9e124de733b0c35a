/**
 * The runner layer (docs/architecture.md): one worker pool and one worker protocol, shared by the
 * CLI and the extension; above sim-core, common and scenario-loader, below cli and extension.
 * This file only gives `tsc -b` an input until the runner's modules land here; delete it then.
 */
export {};
