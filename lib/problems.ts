/**
 * Configuration problems, collected and then thrown once (as ConfigError), each reading
 * `{path} must be {allowed}, got {value}: {fix}`. Shared by lib/config.ts and lib/notifications.ts.
 */

const WEBHOOK_URL = /https?:\/\/hooks\.slack(-gov)?\.com\/[^\s"]*/gi;

/** Renders a bad value for a message: JSON, cut, and never a webhook URL (a credential must not reach CI logs). */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  text = text.replace(WEBHOOK_URL, '<webhook-url>');
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Collects problems; each reads `{path} must be {allowed}, got {value}: {fix}`. */
export class Problems {
  readonly list: string[] = [];

  add(path: string, allowed: string, value: unknown, fix: string): void {
    this.list.push(`${path} must be ${allowed}, got ${show(value)}: ${fix}`);
  }

  unknownKeys(path: string, record: Record<string, unknown>, allowed: readonly string[]): void {
    for (const key of Object.keys(record)) {
      if (!allowed.includes(key)) {
        const where = path === '' ? key : `${path}.${key}`;
        this.list.push(
          `${where} is not a known setting, got ${show(record[key])}: remove it or fix its spelling (allowed: ${allowed.join(', ')})`,
        );
      }
    }
  }

  /** An optional integer within [min, max]; returns the value or the default when absent or invalid. */
  integer(path: string, value: unknown, min: number, max: number, fallback: number, fix: string): number {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.add(path, `an integer from ${min} to ${max}`, value, fix);
      return fallback;
    }
    return value;
  }
}
