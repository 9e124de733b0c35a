/** Globals the webview dev harness (webview/dev) sets inside the page it drives. */
interface Window {
  /** CSP violations seen by the page (securitypolicyviolation events). */
  __csp: string[];
  /** Messages the webview posted to its stand-in host. */
  __posted?: { type: string; [k: string]: unknown }[];
}
