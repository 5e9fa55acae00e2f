/**
 * Error paths of the metric and CloudTrail readers that the local endpoint cannot produce (access denied, throttling,
 * a rate-limited lookup budget), with aws-sdk-client-mock and the SDK's real exception classes. moto (5.2) does not
 * implement CloudTrail's LookupEvents at all, so the CloudTrail reader's happy path is covered here too; the metric
 * reader's happy path runs against moto in test/e2e/thin-logs.e2e.test.ts.
 */
import { CloudTrailClient, LookupEventsCommand, ThrottlingException } from '@aws-sdk/client-cloudtrail';
import { CloudWatchClient, CloudWatchServiceException, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { CloudTrailChangeReader } from '../../../lambda/adapters/cloudtrail-reader.js';
import { CloudWatchMetricsReader } from '../../../lambda/adapters/metrics-reader.js';
import { planMetrics } from '../../../lambda/enrich/metrics-evidence.js';

const START = Date.UTC(2026, 10, 25, 3, 0, 0);
const plan = planMetrics(
  { api: { type: 'REST', name: 'orders-api', apiId: 'a1b2c3d4e5', stage: 'prod' }, functions: ['orders-get'] },
  { start: START, end: START + 5 * 60_000 },
);

function serviceError(name: string, status: number): CloudWatchServiceException {
  return new CloudWatchServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    message: `${name} happened`,
    $metadata: { httpStatusCode: status },
  });
}

describe('CloudWatchMetricsReader', () => {
  const cw = mockClient(CloudWatchClient);
  afterEach(() => cw.reset());

  it('asks everything in one GetMetricData call and returns the data points by query id', async () => {
    // Prepare
    cw.on(GetMetricDataCommand).resolves({
      MetricDataResults: [{ Id: 'f0_throttles', Timestamps: [new Date(plan.windowStart)], Values: [412] }],
    });
    // Act
    const r = await new CloudWatchMetricsReader(new CloudWatchClient({})).read(plan, {
      deadlineMs: Date.now() + 5_000,
    });
    // Assess
    expect(cw.commandCalls(GetMetricDataCommand)).toHaveLength(1);
    expect(cw.commandCalls(GetMetricDataCommand)[0]?.args[0].input.MetricDataQueries).toHaveLength(plan.queries.length);
    expect(r).toEqual({ series: [{ id: 'f0_throttles', points: [{ at: plan.windowStart, value: 412 }] }] });
  });

  it('takes a deadline that is not a whole number of milliseconds (timers need integers)', async () => {
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    const r = await new CloudWatchMetricsReader(new CloudWatchClient({})).read(plan, {
      deadlineMs: 10_000.5,
      now: () => 5_000,
    });
    expect(r).toEqual({ series: [] });
  });

  it('says which permission is missing when access is denied', async () => {
    cw.on(GetMetricDataCommand).rejects(serviceError('AccessDeniedException', 403));
    const r = await new CloudWatchMetricsReader(new CloudWatchClient({})).read(plan, {
      deadlineMs: Date.now() + 5_000,
    });
    expect(r.series).toEqual([]);
    expect(r.problem).toMatch(
      /^Could not read metrics: access denied to cloudwatch:GetMetricData \(AccessDeniedException\)/,
    );
  });

  it('tries once more without the percentile queries when the service fails on its side', async () => {
    cw.on(GetMetricDataCommand)
      .rejectsOnce(serviceError('InternalServiceError', 500))
      .resolves({
        MetricDataResults: [{ Id: 'f0_duration', Timestamps: [new Date(plan.windowStart)], Values: [3_000] }],
      });
    const r = await new CloudWatchMetricsReader(new CloudWatchClient({})).read(plan, {
      deadlineMs: Date.now() + 5_000,
    });
    const second = cw.commandCalls(GetMetricDataCommand)[1]?.args[0].input.MetricDataQueries ?? [];
    expect(second.some((q) => q.MetricStat?.Stat === 'p99')).toBe(false);
    expect(second).toHaveLength(plan.queries.length - 1);
    expect(r.series).toHaveLength(1);
    expect(r.problem).toBe(
      'Duration p99 could not be read (GetMetricData failed with percentile queries: InternalServiceError); maxima only.',
    );
  });
});

/** A LookupEvents event with its CloudTrail record (shape of API_Event; record as in Lambda's CloudTrail examples). */
function lookupEvent(eventName: string, functionName: string, at: number, extra: Record<string, unknown> = {}) {
  return {
    EventId: `${eventName}-${at}`,
    EventName: eventName,
    ReadOnly: eventName.startsWith('Get') ? 'true' : 'false',
    EventTime: new Date(at),
    EventSource: 'lambda.amazonaws.com',
    Username: 'ci-4711',
    Resources: [{ ResourceType: 'AWS::Lambda::Function', ResourceName: functionName }],
    CloudTrailEvent: JSON.stringify({
      eventVersion: '1.08',
      userIdentity: { type: 'AssumedRole', arn: 'arn:aws:sts::123456789012:assumed-role/deployer/ci-4711' },
      eventSource: 'lambda.amazonaws.com',
      eventName,
      requestParameters: { functionName, ...extra },
      readOnly: eventName.startsWith('Get'),
      eventType: 'AwsApiCall',
      ...(extra.errorCode !== undefined ? { errorCode: extra.errorCode } : {}),
    }),
  };
}

describe('CloudTrailChangeReader', () => {
  const ct = mockClient(CloudTrailClient);
  afterEach(() => ct.reset());

  function reader(maxCalls = 6) {
    const waits: number[] = [];
    let clock = 1_000_000;
    const r = new CloudTrailChangeReader(new CloudTrailClient({}), {
      maxCalls,
      sleep: async (ms) => {
        waits.push(ms);
        clock += ms;
      },
    });
    return { r, waits, now: () => clock };
  }

  it('keeps the changes, drops reads and failed calls, names the principal and strips the API version from the name', async () => {
    ct.on(LookupEventsCommand).resolves({
      Events: [
        lookupEvent('RemovePermission20150331v2', 'orders-get', START - 60_000, { statementId: 'apigw-get' }),
        lookupEvent('GetPolicy20150331v2', 'orders-get', START - 30_000),
        lookupEvent('UpdateFunctionCode20150331v2', 'orders-get', START - 20_000, { errorCode: 'AccessDenied' }),
      ],
    });
    const { r, now } = reader();
    const out = await r.read({
      resources: ['orders-get'],
      startTime: START - 3_600_000,
      endTime: START,
      deadlineMs: now() + 10_000,
      now,
    });
    expect(out.events).toEqual([
      {
        eventName: 'RemovePermission',
        eventSource: 'lambda.amazonaws.com',
        at: START - 60_000,
        principal: 'arn:aws:sts::123456789012:assumed-role/deployer/ci-4711',
        resource: 'orders-get',
        detail: 'statementId apigw-get',
        eventId: `RemovePermission20150331v2-${START - 60_000}`,
      },
    ]);
    expect(ct.commandCalls(LookupEventsCommand)[0]?.args[0].input.LookupAttributes).toEqual([
      { AttributeKey: 'ResourceName', AttributeValue: 'orders-get' },
    ]);
  });

  it('spaces its lookups at least 500 ms apart, retries a throttled one once, and stops at its call budget', async () => {
    const throttled = new ThrottlingException({ message: 'Rate exceeded', $metadata: {} });
    ct.on(LookupEventsCommand).rejectsOnce(throttled).resolves({ Events: [] });
    const { r, waits, now } = reader(3);
    const out = await r.read({
      resources: ['orders-get', 'orders-create', 'orders-list'],
      apiId: 'a1b2c3d4e5',
      startTime: START - 3_600_000,
      endTime: START,
      deadlineMs: now() + 60_000,
      now,
    });
    expect(out.calls).toBe(3);
    expect(waits.every((w) => w >= 500)).toBe(true);
    expect(waits[0]).toBe(1_000);
    expect(out.problems).toEqual([
      "CloudTrail: 2 lookup(s) left out to stay within LookupEvents' rate (two per second per account and Region): orders-list, apigateway.amazonaws.com.",
    ]);
  });

  it('says which permission is missing when access is denied, and stops', async () => {
    ct.on(LookupEventsCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    const { r, now } = reader();
    const out = await r.read({
      resources: ['a', 'b'],
      startTime: START - 1,
      endTime: START,
      deadlineMs: now() + 10_000,
      now,
    });
    expect(out.calls).toBe(1);
    expect(out.problems[0]).toMatch(/^Could not read CloudTrail: access denied to cloudtrail:LookupEvents/);
  });
});
