import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { classifyEvent } from '../../lambda/classify/classify.js';
import type { ClassifyContext } from '../../lambda/classify/rules.js';
import { diagnoseEvents } from '../../lambda/diagnose.js';
import { parseInput } from '../../lambda/parse/input-stream.js';
import { CAUSE_IDS, type CauseId, isCauseId } from '../../lambda/taxonomy.js';

/**
 * Every file under test/fixtures/causes/<cause_id>/ is a log excerpt in the form AWS writes it, with a header of
 * `# key: value` lines naming its sources and what the diagnosis must say. A file in folder X is either a positive
 * for X (its top cause is X) or, with `near-miss-of: X`, a trace that looks close to X but must not be X.
 */
const ROOT = fileURLToPath(new URL('../fixtures/causes/', import.meta.url));

const REQUIRED = ['source', 'scenario', 'expect-top-cause', 'expect-failed', 'expect-count'] as const;
const OPTIONAL = [
  'near-miss-of',
  // The ClassifyContext the reader would pass (JSON), e.g. {"executionLogRead":true}.
  'context',
  // A text the top cause's backend (joined function log) lines must contain.
  'expect-backend',
  // A text the function log failures that could not be joined to a request must contain.
  'expect-backend-unjoined',
  // The target ('integration' | 'authorizer') of the top cause.
  'expect-target',
  // A message template the diagnosis lists for unexplained requests.
  'expect-template',
  // A cause one of the file's lines names when classified on its own (`apigw-5xx classify`). A function log with no
  // API request to join it to (expect-top-cause: none) sits in the folder of the cause its lines name.
  'expect-line-cause',
] as const;
type HeaderKey = (typeof REQUIRED)[number] | (typeof OPTIONAL)[number];

interface CauseFixture {
  /** `<cause folder>/<file>`, for test names. */
  readonly name: string;
  readonly folder: string;
  readonly headers: ReadonlyMap<HeaderKey, readonly string[]>;
  /** The log text without the header lines. */
  readonly body: string;
  readonly expectTop: CauseId | 'none';
  readonly expectFailed: number;
  readonly expectCount: number;
  readonly nearMissOf?: CauseId;
  readonly expectLineCause?: CauseId;
  readonly context: ClassifyContext;
}

function one(headers: ReadonlyMap<HeaderKey, readonly string[]>, key: HeaderKey): string | undefined {
  return headers.get(key)?.[0];
}

function count(name: string, value: string | undefined, key: string): number {
  if (value === undefined || !/^\d+$/.test(value)) throw new Error(`${name}: "${key}" must be a whole number`);
  return Number(value);
}

/** Reads a fixture; a missing, misspelt or malformed header is an error, so a broken fixture cannot pass quietly. */
function loadFixture(folder: string, file: string): CauseFixture {
  const name = `${folder}/${file}`;
  const lines = readFileSync(join(ROOT, folder, file), 'utf8').split('\n');
  const headers = new Map<HeaderKey, string[]>();
  let first = 0;
  for (; first < lines.length && lines[first]?.startsWith('# '); first++) {
    const m = /^# ([a-z-]+): (.+)$/.exec(lines[first] ?? '');
    const key = m?.[1];
    if (key === undefined || m?.[2] === undefined || ![...REQUIRED, ...OPTIONAL].includes(key as HeaderKey)) {
      throw new Error(`${name}: unknown or malformed header line ${first + 1}: ${lines[first]}`);
    }
    headers.set(key as HeaderKey, [...(headers.get(key as HeaderKey) ?? []), m[2].trim()]);
  }
  for (const key of REQUIRED) {
    if (!headers.has(key)) throw new Error(`${name}: missing "# ${key}:" header`);
  }
  if (lines.slice(first).some((l) => l.startsWith('# ')))
    throw new Error(`${name}: header lines must all be at the top`);
  const top = one(headers, 'expect-top-cause');
  if (top !== 'none' && !isCauseId(top)) throw new Error(`${name}: expect-top-cause "${top}" is not a cause id`);
  const nearMissOf = one(headers, 'near-miss-of');
  if (nearMissOf !== undefined && !isCauseId(nearMissOf)) throw new Error(`${name}: near-miss-of "${nearMissOf}"`);
  const context = one(headers, 'context');
  const lineCause = one(headers, 'expect-line-cause');
  if (lineCause !== undefined && !isCauseId(lineCause)) throw new Error(`${name}: expect-line-cause "${lineCause}"`);
  return {
    name,
    folder,
    headers,
    body: lines.slice(first).join('\n'),
    expectTop: top as CauseId | 'none',
    expectFailed: count(name, one(headers, 'expect-failed'), 'expect-failed'),
    expectCount: count(name, one(headers, 'expect-count'), 'expect-count'),
    ...(nearMissOf !== undefined ? { nearMissOf: nearMissOf as CauseId } : {}),
    ...(lineCause !== undefined ? { expectLineCause: lineCause as CauseId } : {}),
    context: context === undefined ? {} : (JSON.parse(context) as ClassifyContext),
  };
}

function loadAll(): CauseFixture[] {
  const out: CauseFixture[] = [];
  for (const folder of readdirSync(ROOT).sort()) {
    for (const file of readdirSync(join(ROOT, folder)).sort()) {
      if (file.endsWith('.log')) out.push(loadFixture(folder, file));
    }
  }
  return out;
}

const FIXTURES = loadAll();

function diagnose(fixture: CauseFixture) {
  return diagnoseEvents(parseInput(fixture.body).events, { context: fixture.context });
}

/** `Authorization=<value>` or `"Authorization": "<value>"` whose value is not the redaction marker. */
const AUTHORIZATION_VALUE = /Authorization=(?!\[REDACTED\])|"Authorization"\s*:\s*"(?!\[REDACTED\])/i;
const BEARER_TOKEN = /\bBearer\s+(?!\[REDACTED\])\S/;

describe('cause fixtures (test/fixtures/causes)', () => {
  it('are found', () => {
    // Assess: a wrong path or an empty folder must not make every other test here pass vacuously.
    expect(FIXTURES.length).toBeGreaterThanOrEqual(CAUSE_IDS.length * 2);
  });

  it('cover every cause id with at least one positive and one near-miss file, in folders named by cause id', () => {
    // Prepare
    const folders = new Set(FIXTURES.map((f) => f.folder));
    // Act
    const missing = CAUSE_IDS.flatMap((id) => [
      ...(FIXTURES.some((f) => f.folder === id && f.nearMissOf === undefined && f.expectTop === id)
        ? []
        : [`${id}: no positive fixture`]),
      ...(FIXTURES.some((f) => f.folder === id && f.nearMissOf === id) ? [] : [`${id}: no near-miss fixture`]),
    ]);
    // Assess
    expect(missing).toEqual([]);
    expect([...folders].filter((folder) => !isCauseId(folder))).toEqual([]);
  });

  it('keep each file in the folder of the cause it tests: positives expect that cause, near-misses are about it', () => {
    // Act
    const misplaced = FIXTURES.filter((f) =>
      f.nearMissOf === undefined
        ? f.expectTop !== f.folder && !(f.expectTop === 'none' && f.expectLineCause === f.folder)
        : f.nearMissOf !== f.folder || f.expectTop === f.folder,
    ).map((f) => f.name);
    // Assess
    expect(misplaced).toEqual([]);
  });

  it('name at least one source for every file', () => {
    // Act
    const unsourced = FIXTURES.filter((f) => (f.headers.get('source') ?? []).every((s) => s.trim() === '')).map(
      (f) => f.name,
    );
    // Assess
    expect(unsourced).toEqual([]);
  });

  it('feed credentials into the diagnosis, so the redaction assertions below are exercised', () => {
    // Assess: header maps with Authorization values and bearer tokens are part of the input.
    expect(FIXTURES.some((f) => /Authorization=\*+[A-Za-z0-9]{6}/.test(f.body))).toBe(true);
    expect(FIXTURES.some((f) => BEARER_TOKEN.test(f.body))).toBe(true);
  });

  describe.each(FIXTURES.map((f) => [f.name, f] as const))('%s', (_name, fixture) => {
    it('is diagnosed with the top cause, failed count and cause count its header states', () => {
      // Act
      const { diagnosis } = diagnose(fixture);
      // Assess
      expect({
        top: diagnosis.causes[0]?.cause ?? 'none',
        failed: diagnosis.failedRequests,
        count: diagnosis.causes[0]?.count ?? 0,
      }).toEqual({ top: fixture.expectTop, failed: fixture.expectFailed, count: fixture.expectCount });
    });

    if (fixture.nearMissOf !== undefined) {
      const nearMissOf = fixture.nearMissOf;
      it(`has no finding of the cause it is a near miss of (${nearMissOf})`, () => {
        // Act
        const { findings } = diagnose(fixture);
        // Assess
        expect(findings.filter((f) => f.cause === nearMissOf).map((f) => f.requestId)).toEqual([]);
      });
    }

    const backend = one(fixture.headers, 'expect-backend');
    if (backend !== undefined) {
      it('shows what the joined function log said', () => {
        // Act
        const { diagnosis } = diagnose(fixture);
        // Assess
        expect(diagnosis.causes[0]?.backend.map((b) => b.key).join('\n')).toContain(backend);
      });
    }

    const unjoined = one(fixture.headers, 'expect-backend-unjoined');
    if (unjoined !== undefined) {
      it('reports the function log failures it could not join to a request', () => {
        // Act
        const { diagnosis } = diagnose(fixture);
        // Assess
        expect(diagnosis.backendUnjoined.map((b) => b.key).join('\n')).toContain(unjoined);
      });
    }

    const lineCause = fixture.expectLineCause;
    if (lineCause !== undefined) {
      it(`has a line that names ${lineCause} on its own`, () => {
        // Act
        const causes = parseInput(fixture.body).events.map((e) => classifyEvent(e, fixture.context).cause);
        // Assess
        expect(causes).toContain(lineCause);
      });
    }

    const target = one(fixture.headers, 'expect-target');
    if (target !== undefined) {
      it(`says which call failed (${target})`, () => {
        // Act
        const { diagnosis, findings } = diagnose(fixture);
        // Assess
        expect(diagnosis.causes[0]?.target).toBe(target);
        expect(findings.every((f) => f.target === target)).toBe(true);
      });
    }

    const template = one(fixture.headers, 'expect-template');
    if (template !== undefined) {
      it('lists the message template of the unexplained requests', () => {
        // Act
        const { diagnosis } = diagnose(fixture);
        // Assess
        expect(diagnosis.unknownTemplates.map((t) => t.template)).toContain(template);
      });
    }

    it('shows evidence for every named cause, with no credential in it', () => {
      // Act
      const { diagnosis, findings } = diagnose(fixture);
      // Assess
      const named = diagnosis.causes.filter((c) => c.cause !== 'unknown');
      expect(named.filter((c) => c.evidence.length === 0).map((c) => c.cause)).toEqual([]);
      expect(findings.filter((f) => f.cause !== 'unknown' && f.evidence.length === 0).map((f) => f.requestId)).toEqual(
        [],
      );
      const shown = [
        ...diagnosis.causes.flatMap((c) => [...c.evidence, ...c.backend.map((b) => b.key)]),
        ...findings.flatMap((f) => f.evidence.map((e) => e.text)),
        ...diagnosis.unknownTemplates.map((t) => t.template),
        ...diagnosis.backendUnjoined.map((b) => b.key),
      ];
      expect(shown.filter((text) => AUTHORIZATION_VALUE.test(text) || BEARER_TOKEN.test(text))).toEqual([]);
    });
  });
});
