import { redact } from '../safety/redact.js';
import type { Diagnosis } from '../summarize/diagnosis.js';

/** Redacts every string in a JSON-like value (keys stay: they are ours). */
export function redactDeep(value: unknown): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map(redactDeep);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v)]));
  }
  return value;
}

/** The Diagnosis as JSON, every string redacted (JSON.stringify escapes control characters). */
export function renderJson(d: Diagnosis): string {
  return `${JSON.stringify(redactDeep(d), null, 2)}\n`;
}
