/**
 * Reading a file named on the command line, for every command: only a regular file, only up to a
 * size limit. Kept apart from input.ts so that `map` reads files without loading the scenario
 * loader.
 */
import { closeSync, constants, fstatSync, openSync, readFileSync, type Stats } from "node:fs";

/** Why readRegularFile() gave no bytes: a one-line reason, or the size of a file over the limit. */
export type FileRefusal = { problem: string } | { tooLarge: number };

/**
 * A file's bytes, if it is a regular file of at most `limit` bytes. The file is opened without
 * blocking and checked on the open descriptor, so a FIFO never blocks the CLI and a symlink to a
 * device (/dev/zero, /dev/urandom) is refused instead of read without end (issue 14); checking
 * the descriptor rather than the path also leaves no gap in which the path could be swapped.
 * `noun` names what the file should have been ("patch file").
 */
export function readRegularFile(file: string, limit: number, noun: string): Uint8Array | FileRefusal {
  const why = (e: unknown) => {
    const code = (e as NodeJS.ErrnoException).code;
    return { problem: code === "ENOENT" ? "no such file" : `cannot read (${code ?? (e as Error).message})` };
  };
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer. Not on Windows.
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EISDIR") return { problem: `is a directory, not a ${noun}` };
    return why(e);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) return { problem: `is a directory, not a ${noun}` };
    if (!st.isFile()) return { problem: `not a regular file (${fileKind(st)}), not a ${noun}` };
    // Checked before reading so an enormous file is refused at once.
    if (st.size > limit) return { tooLarge: st.size };
    return readFileSync(fd);
  } catch (e) {
    return why(e);
  } finally {
    closeSync(fd);
  }
}

function fileKind(st: Stats): string {
  if (st.isFIFO()) return "a FIFO";
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  if (st.isSocket()) return "a socket";
  return "not a file";
}
