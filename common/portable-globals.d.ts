/**
 * The few web-platform globals that Node 20, web workers and browsers all have, declared for the
 * neutral layers (lib ES2022 only: no DOM, no Node types), so that using them does not pull in the
 * whole DOM or Node typings. Add a global here only if every runtime the layers run in has it.
 */
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  readonly encoding: string;
  decode(input?: ArrayBufferView | ArrayBuffer, options?: { stream?: boolean }): string;
}
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare function atob(data: string): string;
declare function btoa(data: string): string;
