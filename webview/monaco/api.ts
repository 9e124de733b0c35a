/**
 * The contract between the main bundle (main.js) and the lazily loaded editor bundle (monaco.js).
 * Monaco is several megabytes, so it loads only when the Scenario tab opens.
 */
export interface EditorApi {
  getValue(): string;
  setValue(text: string): void;
  /** Show (or clear, with no message) the host's error at a 1-based line and column. */
  setError(message?: string, line?: number, column?: number): void;
  onChange(fn: () => void): void;
  dispose(): void;
}

export interface MonacoBridge {
  create(container: HTMLElement, opts: { text: string; base: string }): Promise<EditorApi>;
}

declare global {
  interface Window {
    pvschedMonaco?: MonacoBridge;
  }
}
