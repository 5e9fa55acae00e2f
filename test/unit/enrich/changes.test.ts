import { describe, expect, it } from 'vitest';
import { changesOf, leadOf } from '../../../lambda/enrich/changes.js';
import { enrich } from '../../../lambda/enrich/enrich.js';
import { cause, diagnosis, facts, fn, plan, stage, T0 } from './helpers.js';

const MINUTE = 60_000;

describe('changesOf', () => {
  it("lists the stage's deployment and each function's last modification, most recent first", () => {
    // Prepare
    const read = facts({
      stage: stage({ deploymentCreated: T0 - 30 * MINUTE }),
      functions: [
        fn('orders-get', { lastModified: T0 - 4 * MINUTE, memoryMb: 256, timeoutSec: 3 }),
        fn('orders-create', { lastModified: T0 - 90 * MINUTE, version: '7' }),
      ],
    });

    // Act
    const changes = changesOf(diagnosis([cause('lambda_function_error')]), read);

    // Assess
    expect(changes).toEqual([
      {
        what: 'function',
        name: 'orders-get',
        at: T0 - 4 * MINUTE,
        detail: 'version $LATEST, last modified 2026-11-25 16:43:18Z, 256 MB, timeout 3 s',
      },
      {
        what: 'deployment',
        name: 'orders-api/prod',
        at: T0 - 30 * MINUTE,
        detail: 'deployment d7noqdk2lo serves stage prod',
      },
      {
        what: 'function',
        name: 'orders-create',
        at: T0 - 90 * MINUTE,
        detail: 'version 7, last modified 2026-11-25 15:17:18Z',
      },
    ]);
  });

  it('names the alias and the version it points to', () => {
    const read = facts({
      stage: undefined,
      functions: [
        {
          ...fn('orders-get', { version: '7', alias: { name: 'live', functionVersion: '7' }, functionState: 'Failed' }),
          ref: { name: 'orders-get', qualifier: 'live', policy: false },
        },
      ],
    });

    expect(changesOf(diagnosis([cause('lambda_function_error')]), read)[0]?.detail).toBe(
      'alias live -> version 7, last modified 2026-11-25 16:43:18Z, state Failed',
    );
  });

  it('falls back to the stage update time when the deployment could not be read', () => {
    const read = facts({ stage: stage({ deploymentCreated: undefined, lastUpdated: T0 - 10 * MINUTE }) });

    expect(changesOf(diagnosis([cause('unknown')], { name: undefined }), read)).toEqual([
      {
        what: 'deployment',
        name: 'a1b2c3d4e5/prod',
        at: T0 - 10 * MINUTE,
        detail: 'stage prod last updated (a deployment or a settings change), serving deployment d7noqdk2lo',
      },
    ]);
  });

  it('orders changes in the same second the same way every time: functions (by their milliseconds) first', () => {
    const second = Math.floor(T0 / 1000) * 1000 - 60_000;
    const read = facts({
      stage: stage({ deploymentCreated: second }),
      functions: [
        fn('orders-create', { lastModified: second + 5 }),
        fn('orders-get', { lastModified: second + 800 }),
        fn('orders-list', { lastModified: second + 5 }),
      ],
    });

    expect(changesOf(diagnosis([cause('lambda_function_error')]), read).map((c) => c.name)).toEqual([
      'orders-get',
      'orders-create',
      'orders-list',
      'orders-api/prod',
    ]);
  });

  it('lists nothing for functions and stages that were not read', () => {
    const read = facts({ stage: stage({ state: 'failed' }), functions: [fn('orders-get', { state: 'failed' })] });

    expect(changesOf(diagnosis([cause('unknown')]), read)).toEqual([]);
  });
});

describe('leadOf', () => {
  const d = diagnosis([
    cause('lambda_function_error', { functions: ['orders-get'], statuses: [{ key: 502, count: 30 }], firstSeen: T0 }),
    cause('lambda_permission', { functions: ['orders-create'], firstSeen: T0 + 27_000 }),
  ]);

  it('names the function updated shortly before the first error of a cause that names it', () => {
    const changes = [
      { what: 'function' as const, name: 'orders-get', at: T0 - 4 * MINUTE, detail: '' },
      { what: 'deployment' as const, name: 'orders-api/prod', at: T0 - 3 * 24 * 60 * MINUTE, detail: '' },
    ];

    expect(leadOf(d, changes)).toBe('orders-get was updated 4 minutes before the first 502');
  });

  it('names a deployment against the first error of all', () => {
    const changes = [{ what: 'deployment' as const, name: 'orders-api/prod', at: T0 - 61_000, detail: '' }];

    expect(leadOf(d, changes)).toBe('orders-api/prod was deployed 1 minute before the first 502');
  });

  it('prefers the most recent change when several qualify', () => {
    const changes = [
      { what: 'function' as const, name: 'orders-create', at: T0 - 10_000, detail: '' },
      { what: 'function' as const, name: 'orders-get', at: T0 - 20 * MINUTE, detail: '' },
    ];

    expect(leadOf(d, changes)).toBe('orders-create was updated less than a minute before the first 500');
  });

  it('leaves changes after the first error and older than the window out', () => {
    const changes = [
      { what: 'function' as const, name: 'orders-get', at: T0 + MINUTE, detail: '' },
      { what: 'deployment' as const, name: 'orders-api/prod', at: T0 - 61 * MINUTE, detail: '' },
    ];

    expect(leadOf(d, changes)).toBeUndefined();
    expect(leadOf(d, changes, 2 * 60 * MINUTE)).toBe('orders-api/prod was deployed 61 minutes before the first 502');
  });

  it('gives the same lead for changes in the same second, whatever their milliseconds and order', () => {
    // Prepare: API Gateway reports a deployment in whole seconds, Lambda a function to the millisecond.
    const second = Math.floor((T0 - 5_000) / 1000) * 1000;
    const deployment = { what: 'deployment' as const, name: 'orders-api/prod', at: second, detail: '' };
    const create = { what: 'function' as const, name: 'orders-create', at: second + 900, detail: '' };
    const get = { what: 'function' as const, name: 'orders-get', at: second + 100, detail: '' };

    // Act
    const leads = [
      [deployment, create, get],
      [get, create, deployment],
      [create, deployment, get],
    ].map((changes) => leadOf(d, changes));

    // Assess: a function before a deployment, then by name.
    expect(leads).toEqual(Array(3).fill('orders-create was updated less than a minute before the first 500'));
  });

  it('says 5xx when the first error has no logged status', () => {
    const noStatus = diagnosis([cause('unknown', { statuses: [{ key: null, count: 1 }] })]);

    expect(leadOf(noStatus, [{ what: 'deployment', name: 'x/prod', at: T0 - 2 * MINUTE, detail: '' }])).toBe(
      'x/prod was deployed 2 minutes before the first 5xx',
    );
  });
});

describe('enrich: what changed', () => {
  it('puts the changes and the lead into the enrichment', () => {
    const result = enrich({
      diagnosis: diagnosis([
        cause('lambda_function_error', { functions: ['orders-get'], statuses: [{ key: 502, count: 1 }] }),
      ]),
      findings: [],
      plan: plan(),
      facts: facts({ functions: [fn('orders-get')] }),
    });

    expect(result.lead).toBe('orders-get was updated 4 minutes before the first 502');
    expect(result.changes.map((c) => c.name)).toEqual(['orders-get', 'orders-api/prod']);
  });
});
