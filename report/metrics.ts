/**
 * The metrics a comparison reports per probe, in display order. A module of its own, with no
 * imports, so that the webview can name them without bundling report/'s statistics (the
 * Student-t quantile compiles with `new Function`, which the panel's CSP forbids).
 */
export const PROBE_METRICS = ["avg_us", "p99_us", "max_us", "glitches"] as const;
export type ProbeMetric = (typeof PROBE_METRICS)[number];
