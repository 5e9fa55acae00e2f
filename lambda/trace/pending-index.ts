import type { LogEvent } from '../parse/log-event.js';

/** A request whose execution lines are stored but not read for facts yet. */
export interface Pending {
  readonly id: string;
  /** prefixKeyOfId(id): the index key of its id's first characters, -1 when the id is too short to have one. */
  readonly key: number;
  /** The request's execution log events as read (the messages are `(<id>) text`). */
  readonly events: LogEvent[];
  /** Order of the request's first line, so that traces come out in the order they started. */
  readonly order: number;
  /** The oldest chunk (the trace builder's count) whose bytes its events still hold, if any (see ByteLineEvent). */
  chunk?: number;
}

/** How many leading characters of a request id make its index key. */
const KEY_CHARS = 7;

/**
 * The index key of an execution line: a hash of the first KEY_CHARS characters of its request id, read in place
 * from `(<id>) ...`; -1 when the line does not start that way or the id is shorter.
 */
export function prefixKeyOfLine(message: string): number {
  if (message.charCodeAt(0) !== 40 /* ( */) return -1;
  return keyAt(message, 1);
}

/** The same key for an id on its own: prefixKeyOfLine(`(${id}) ...`) === prefixKeyOfId(id). */
export function prefixKeyOfId(id: string): number {
  if (id.length < KEY_CHARS) return -1;
  return keyAt(id, 0);
}

/** prefixKeyOfLine for a line still in bytes (ASCII: a byte is a character): the same key. */
export function prefixKeyOfBytes(bytes: Buffer, start: number): number {
  if (bytes[start] !== 40 /* ( */) return -1;
  let h = 0;
  for (let i = start + 1; i < start + 1 + KEY_CHARS; i++) {
    const c = bytes[i] as number;
    if (!(c > 32) || c === 40 || c === 41) return -1;
    h = (Math.imul(h, 31) + c) | 0;
  }
  return h & 0x3fffffff;
}

/** The key of the KEY_CHARS characters of `text` from `start` (read in place: no string is cut). */
function keyAt(text: string, start: number): number {
  let h = 0;
  for (let i = start; i < start + KEY_CHARS; i++) {
    const c = text.charCodeAt(i);
    // Whitespace, parentheses or the end of the line: not the first characters of an id.
    if (!(c > 32) || c === 40 || c === 41) return -1;
    h = (Math.imul(h, 31) + c) | 0;
  }
  return h & 0x3fffffff;
}

/**
 * The requests in flight, found from a log line without cutting the id out of it first. V8 hashes a string cut
 * from a message on every Map lookup, which was the single most expensive step per line; here a line is looked up
 * by a small integer made of its id's first characters, and confirmed by comparing the whole id. Ids whose key a
 * request in flight already holds (or that are too short to have one) are kept by id in a second map, so a shared
 * key costs time, never a wrong join.
 */
export class PendingIndex {
  private readonly byKey = new Map<number, Pending>();
  private readonly byId = new Map<string, Pending>();

  get size(): number {
    return this.byKey.size + this.byId.size;
  }

  /** The request an execution line belongs to, when the fast lookup finds it; undefined means "ask get()". */
  findByLine(message: string): Pending | undefined {
    const p = this.byKey.get(prefixKeyOfLine(message));
    if (p === undefined) return undefined;
    const n = p.id.length;
    // The id must end where this one does (`)` right after it) and be the same characters (compared in place).
    return message.charCodeAt(n + 1) === 41 /* ) */ && message.startsWith(p.id, 1) ? p : undefined;
  }

  /** findByLine for a line still in bytes, starting at `start` (ASCII: a byte is a character). */
  findByBytes(bytes: Buffer, start: number): Pending | undefined {
    const p = this.byKey.get(prefixKeyOfBytes(bytes, start));
    if (p === undefined) return undefined;
    const id = p.id;
    const n = id.length;
    if (bytes[start + n + 1] !== 41 /* ) */) return undefined;
    for (let i = 0; i < n; i++) if (bytes[start + 1 + i] !== id.charCodeAt(i)) return undefined;
    return p;
  }

  get(id: string): Pending | undefined {
    const p = this.byKey.get(prefixKeyOfId(id));
    if (p !== undefined && p.id === id) return p;
    return this.byId.size === 0 ? undefined : this.byId.get(id);
  }

  add(p: Pending): void {
    if (p.key !== -1 && !this.byKey.has(p.key)) this.byKey.set(p.key, p);
    else this.byId.set(p.id, p);
  }

  delete(p: Pending): void {
    if (p.key !== -1 && this.byKey.get(p.key) === p) this.byKey.delete(p.key);
    else this.byId.delete(p.id);
  }

  /** The request that started first. */
  oldest(): Pending | undefined {
    const a = this.byKey.values().next().value;
    const b = this.byId.size === 0 ? undefined : this.byId.values().next().value;
    if (a === undefined || b === undefined) return a ?? b;
    return a.order <= b.order ? a : b;
  }

  values(): Pending[] {
    return [...this.byKey.values(), ...this.byId.values()];
  }
}
