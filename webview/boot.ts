/**
 * Where the webview's own files are, its CSP nonce, and the host API. The bundle's URL gives the
 * base of `dist/webview/` (the host may also set `<body data-base="...">`); the nonce of the
 * script tag that loaded main.js is reused for the editor bundle and its style elements.
 */
import type { WebviewToHost } from "../common/protocol";
import type { MonacoBridge } from "./monaco/api";
import { h } from "./dom";

export interface VsCodeApi {
  postMessage(m: WebviewToHost): void;
  getState(): unknown;
  setState(s: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export interface Boot {
  base: string;
  nonce: string;
  api: VsCodeApi;
  loadMonaco(): Promise<MonacoBridge>;
}

export function boot(script: HTMLScriptElement | null): Boot {
  const fromBody = document.body?.dataset.base;
  const src = script?.src ?? "";
  const base = fromBody ? (fromBody.endsWith("/") ? fromBody : fromBody + "/") : src ? src.slice(0, src.lastIndexOf("/") + 1) : "./";
  const nonce =
    script?.nonce || script?.getAttribute("nonce") || document.querySelector<HTMLMetaElement>('meta[name="pvsched-nonce"]')?.content || "";
  let api: VsCodeApi;
  try {
    api = acquireVsCodeApi();
  } catch {
    // Outside VS Code (the dev harness): keep messages where a test can read them.
    const posted: WebviewToHost[] = [];
    (window as unknown as { __posted: WebviewToHost[] }).__posted = posted;
    let state: unknown;
    api = {
      postMessage: (m) => {
        posted.push(m);
      },
      getState: () => state,
      setState: (s) => {
        state = s;
      },
    };
  }
  if (nonce) stampStyleNonce(nonce);
  let monacoP: Promise<MonacoBridge> | undefined;
  const loadMonaco = () =>
    (monacoP ??= new Promise<MonacoBridge>((resolve, reject) => {
      if (window.pvschedMonaco) return resolve(window.pvschedMonaco);
      document.head.appendChild(h("link", { rel: "stylesheet", href: base + "monaco.css" }));
      const el = h("script", { src: base + "monaco.js" }) as HTMLScriptElement;
      if (nonce) el.nonce = nonce;
      const timer = setTimeout(() => reject(new Error("the editor bundle did not load in 20 s")), 20000);
      el.addEventListener("load", () => {
        clearTimeout(timer);
        window.pvschedMonaco ? resolve(window.pvschedMonaco) : reject(new Error("the editor bundle loaded but did not start"));
      });
      el.addEventListener("error", () => {
        clearTimeout(timer);
        reject(new Error("the editor bundle could not be loaded"));
      });
      document.head.appendChild(el);
    }));
  return { base, nonce, api, loadMonaco };
}

/**
 * Monaco adds <style> elements at run time. With a nonce-based style-src they need the page's
 * nonce, set before they are inserted, so every <style> created in this document gets it.
 */
function stampStyleNonce(nonce: string): void {
  const create = Document.prototype.createElement;
  Document.prototype.createElement = function (this: Document, tag: string, options?: ElementCreationOptions) {
    const el = create.call(this, tag, options);
    if (typeof tag === "string" && tag.toLowerCase() === "style") el.setAttribute("nonce", nonce);
    return el;
  } as typeof Document.prototype.createElement;
}
