import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  type ContextReader,
  loadResponderSettings,
  type ResponderSettings,
  resolveResponderSettings,
} from '../../lib/config.js';
import { tempDir } from '../helpers/temp-dirs.js';
import { synthResponder, TWO_APIS, validationReport } from './helpers/synth.js';

const REST = { type: 'REST', name: 'orders', id: 'a1b2c3d4e5', stage: 'prod' } as const;

/** The ConfigError a call throws; fails the test when it throws nothing or something else. */
function configErrorOf(act: () => unknown): ConfigError {
  try {
    act();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError, but nothing was thrown');
}

function context(values: Record<string, unknown>): ContextReader {
  return { tryGetContext: (key: string) => values[key] };
}

describe('resolveResponderSettings', () => {
  it('applies the documented defaults', () => {
    // Act
    const settings = resolveResponderSettings({ apis: [REST] });
    // Assess
    expect(settings).toEqual({
      apis: [REST],
      emails: [],
      alarm: {
        threshold: { kind: 'count', count: 5 },
        periodSec: 60,
        evaluationPeriods: 1,
        datapointsToAlarm: 1,
      },
      timeoutSec: 60,
      timeBudgetSec: 45,
      memorySizeMb: 512,
      logRetentionDays: 30,
      reservedConcurrency: 10,
      windowMarginSec: 60,
      maxLogPages: 20,
      maxLogEvents: 10_000,
      logReadsPerSecond: 3,
    });
  });

  it('resolves an error-rate threshold with its default request floor', () => {
    const settings = resolveResponderSettings({ apis: [REST], alarm: { errorRatePercent: 2.5, evaluationPeriods: 3 } });
    expect(settings.alarm).toEqual({
      threshold: { kind: 'rate', percent: 2.5, minRequestCount: 10 },
      periodSec: 60,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
    });
  });

  it('accepts $default as an HTTP API stage', () => {
    const settings = resolveResponderSettings({ apis: [{ type: 'HTTP', id: 'f6g7h8i9j0', stage: '$default' }] });
    expect(settings.apis[0]?.stage).toBe('$default');
  });

  it.each([
    [
      'an upper-case API id',
      { apis: [{ ...REST, id: 'ABC' }] },
      'apis[0].id must be a 10-character API Gateway id of lower-case letters and digits, got "ABC": set it to the id shown by `aws apigateway get-rest-apis`',
    ],
    [
      'an unknown API type',
      { apis: [{ ...REST, type: 'WEBSOCKET' }] },
      'apis[0].type must be "REST" or "HTTP", got "WEBSOCKET"',
    ],
    [
      // Leaving the name out is allowed since issue 13 (looked up by id at deploy time); an empty one is not.
      'a REST API with an empty name',
      { apis: [{ type: 'REST', name: ' ', id: 'a1b2c3d4e5', stage: 'prod' }] },
      'apis[0].name must be the REST API name (the ApiName dimension of its 5XXError metric), 1 to 1024 characters, or nothing (looked up by id at deploy time), got " "',
    ],
    [
      'a $default stage on a REST API',
      { apis: [{ ...REST, stage: '$default' }] },
      'apis[0].stage must be a stage name of 1 to 128 letters, digits, "-" or "_", got "$default"',
    ],
    [
      'an access log group given as an ARN',
      { apis: [{ ...REST, accessLogGroup: 'arn:aws:logs:eu-west-1:123456789012:log-group:access' }] },
      'give the log group name, not its ARN',
    ],
    [
      'a function name with a space',
      { apis: [{ ...REST, functionNames: ['orders create'] }] },
      'apis[0].functionNames[0] must be a Lambda function name (1 to 64 letters, digits, "-" or "_"), got "orders create"',
    ],
    ['no API at all', { apis: [] }, 'apis must be a non-empty list of API stages to watch, got []'],
    [
      'the same stage twice',
      { apis: [REST, REST] },
      'apis[1] must be a stage not listed before, got "a1b2c3d4e5/prod": remove it: apis[0] already watches the same API stage',
    ],
    ['a malformed email', { apis: [REST], emails: ['oncall'] }, 'emails[0] must be an email address, got "oncall"'],
    [
      'both threshold kinds',
      { apis: [REST], alarm: { thresholdCount: 5, errorRatePercent: 2 } },
      'alarm must be either thresholdCount or errorRatePercent, not both, got {"thresholdCount":5,"errorRatePercent":2}',
    ],
    [
      'a negative count threshold',
      { apis: [REST], alarm: { thresholdCount: -1 } },
      'alarm.thresholdCount must be an integer from 1 to 1000000000, got -1',
    ],
    [
      'an error rate above 100 %',
      { apis: [REST], alarm: { errorRatePercent: 150 } },
      'alarm.errorRatePercent must be a percentage greater than 0 and at most 100, got 150',
    ],
    [
      'a request floor without an error rate',
      { apis: [REST], alarm: { minRequestCount: 20 } },
      'alarm.minRequestCount must be used only with errorRatePercent, got 20',
    ],
    [
      'a period that is not a whole minute',
      { apis: [REST], alarm: { periodSec: 90 } },
      'alarm.periodSec must be a multiple of 60 seconds from 60 to 86400',
    ],
    [
      'more datapoints than evaluation periods',
      { apis: [REST], alarm: { evaluationPeriods: 2, datapointsToAlarm: 3 } },
      'alarm.datapointsToAlarm must be an integer from 1 to 2, got 3',
    ],
    [
      'an evaluation range over one day',
      { apis: [REST], alarm: { periodSec: 600, evaluationPeriods: 200 } },
      'alarm.periodSec x alarm.evaluationPeriods must be at most 86400 seconds, got 120000',
    ],
    [
      'a FilterLogEvents share of zero',
      { apis: [REST], logReadsPerSecond: 0 },
      'logReadsPerSecond must be a number from 0.1 to 100 (FilterLogEvents calls per second for all responders together), got 0',
    ],
    [
      'a time budget that leaves no time to publish',
      { apis: [REST], timeoutSec: 60, timeBudgetSec: 58 },
      'timeBudgetSec must be an integer from 5 to 50, got 58: leave at least 10 s of timeoutSec (60) for publishing',
    ],
    [
      'a retention CloudWatch Logs does not offer',
      { apis: [REST], logRetentionDays: 31 },
      'logRetentionDays must be one of 1, 3, 5, 7, 14, 30, 60',
    ],
    [
      'zero reserved concurrency',
      { apis: [REST], reservedConcurrency: 0 },
      'reservedConcurrency must be an integer from 1 to 1000, got 0',
    ],
    [
      'a misspelt setting',
      { apis: [REST], timeout: 60 },
      'timeout is not a known setting, got 60: remove it or fix its spelling',
    ],
  ])('throws a ConfigError naming %s', (_case, input, expected) => {
    // Act
    const error = configErrorOf(() => resolveResponderSettings(input));
    // Assess
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toContain(expected);
    expect(error.message).toContain(expected);
  });

  it('throws one ConfigError listing every problem', () => {
    // Act
    const error = configErrorOf(() =>
      resolveResponderSettings({
        apis: [{ type: 'REST', name: 'orders', id: 'ABC', stage: 'prod' }],
        emails: ['not-an-address'],
        alarm: { errorRatePercent: 0 },
        timeoutSec: 5,
      }),
    );
    // Assess
    expect(error.problems).toEqual([
      expect.stringMatching(/^apis\[0\]\.id must be .* got "ABC": set it to/),
      expect.stringMatching(/^emails\[0\] must be an email address, got "not-an-address": /),
      expect.stringMatching(/^alarm\.errorRatePercent must be .* got 0: /),
      expect.stringMatching(/^timeoutSec must be an integer from 30 to 900, got 5: /),
    ]);
    expect(error.message).toMatch(/^Invalid apigw-5xx-responder configuration \(4 problems\):\n {2}- apis\[0\]\.id/);
    expect(error.name).toBe('ConfigError');
  });
});

describe('loadResponderSettings', () => {
  const dir = tempDir('apigw-5xx-config-');
  const file = join(dir, 'config.json');
  writeFileSync(
    file,
    JSON.stringify({ apis: [REST], emails: ['oncall@example.com'], alarm: { thresholdCount: 3, periodSec: 300 } }),
  );

  it('reads the JSON file named by context `config`', () => {
    const settings = loadResponderSettings(context({ config: 'config.json' }), dir);
    expect(settings).toEqual({
      apis: [REST],
      emails: ['oncall@example.com'],
      alarm: { thresholdCount: 3, periodSec: 300 },
    });
  });

  it('lays context values given as -c strings over the file', () => {
    // Act
    const settings = loadResponderSettings(
      context({
        config: 'config.json',
        apis: '[{"type":"HTTP","id":"f6g7h8i9j0","stage":"live"}]',
        emails: 'a@example.com, b@example.com',
        alarm: '{"evaluationPeriods":3}',
        timeoutSec: '120',
      }),
      dir,
    );
    // Assess
    expect(settings).toEqual({
      apis: [{ type: 'HTTP', id: 'f6g7h8i9j0', stage: 'live' }],
      emails: ['a@example.com', 'b@example.com'],
      alarm: { thresholdCount: 3, periodSec: 300, evaluationPeriods: 3 },
      timeoutSec: 120,
    });
  });

  it("replaces the file's threshold when context `alarm` switches between count and error rate", () => {
    // Prepare: the file alarms on a count (thresholdCount 3, periodSec 300).
    // Act
    const rate = loadResponderSettings(
      context({ config: 'config.json', alarm: '{"errorRatePercent":5,"minRequestCount":20}' }),
      dir,
    );
    const back = loadResponderSettings(context({ apis: [REST], alarm: '{"thresholdCount":7}' }), dir);
    // Assess: the count gives way to the rate; the period still comes from the file.
    expect(rate.alarm).toEqual({ errorRatePercent: 5, minRequestCount: 20, periodSec: 300 });
    expect(back.alarm).toEqual({ thresholdCount: 7 });
  });

  it('still refuses both modes given in one context `alarm`', () => {
    const error = configErrorOf(() =>
      loadResponderSettings(
        context({ config: 'config.json', alarm: '{"errorRatePercent":5,"thresholdCount":2}' }),
        dir,
      ),
    );
    expect(error.problems).toEqual([
      expect.stringContaining('alarm must be either thresholdCount or errorRatePercent, not both'),
    ]);
  });

  it('works from context alone', () => {
    const settings = loadResponderSettings(context({ apis: [REST] }), dir);
    expect(settings).toEqual({ apis: [REST] });
  });

  it('throws a ConfigError naming a missing config file and how to fix it', () => {
    const error = configErrorOf(() => loadResponderSettings(context({ config: 'missing.json' }), dir));
    expect(error.problems[0]).toContain('context `config` must name a readable file, got "missing.json" (ENOENT');
    expect(error.problems[0]).toContain('copy config.example.json to missing.json or fix the path');
  });

  it('throws a ConfigError for context that is not JSON, together with the other problems', () => {
    // Act
    const error = configErrorOf(() =>
      loadResponderSettings(context({ config: 'config.json', alarm: '{periodSec: 60}', memorySizeMb: 'lots' }), dir),
    );
    // Assess
    expect(error.problems).toEqual([
      expect.stringContaining('context `alarm` must be JSON, got "{periodSec: 60}"'),
      expect.stringContaining('context `memorySizeMb` must be a number, got "lots": pass e.g. -c memorySizeMb=60'),
    ]);
  });
});

describe('ApiGateway5xxResponder configuration', () => {
  it('throws a ConfigError from the construct for invalid props', () => {
    const props = { apis: [{ ...REST, id: 'ABC' }] } as ResponderSettings;
    const error = configErrorOf(() => synthResponder(props));
    expect(error.problems[0]).toMatch(/^apis\[0\]\.id must be a 10-character API Gateway id/);
  });

  it('throws a ConfigError when the runtime configuration would not fit in the environment', () => {
    // Prepare: 40 stages with 10 functions each
    const apis = Array.from({ length: 40 }, (_, i) => ({
      ...REST,
      stage: `stage${i}`,
      functionNames: Array.from({ length: 10 }, (_, j) => `function-with-a-long-name-${j}`),
    }));
    // Act
    const error = configErrorOf(() => synthResponder({ apis }));
    // Assess
    expect(error.problems[0]).toMatch(
      /^the runtime configuration must fit in 3500 bytes of the function's environment, got \d+ bytes for 40 APIs: split the APIs/,
    );
  });
});

describe('ApiGateway5xxResponder warnings', () => {
  it('warns in the validation report about an HTTP API with no access log group and no functions, only that one', () => {
    // Act
    const { outdir } = synthResponder(TWO_APIS);
    // Assess
    const annotations = validationReport(outdir).pluginReports.find((p) => p.pluginName === 'Construct Annotations');
    expect(annotations?.conclusion).toBe('success');
    const noLogs = (annotations?.violations ?? []).filter(
      (v) => v.ruleName === 'Annotation::apigw-5xx-responder:no-logs',
    );
    expect(noLogs.map((v) => [v.severity, v.description])).toEqual([
      [
        'warning',
        'HTTP API f6g7h8i9j0 stage $default has no accessLogGroup or functionNames: its alarms will be reported without a diagnosis. Turn on access logging for the stage and set accessLogGroup.',
      ],
    ]);
  });

  it('gives no such warning when every API has a log to read', () => {
    const { outdir } = synthResponder({ ...TWO_APIS, apis: TWO_APIS.apis.slice(0, 1) });
    const annotations = validationReport(outdir).pluginReports.find((p) => p.pluginName === 'Construct Annotations');
    expect(annotations?.violations.map((v) => v.ruleName) ?? []).not.toContain(
      'Annotation::apigw-5xx-responder:no-logs',
    );
  });
});
