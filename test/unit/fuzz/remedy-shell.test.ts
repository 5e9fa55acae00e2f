/**
 * Remedy commands are pasted into a shell by an engineer at 3 a.m.; parts of them come from logs that attackers
 * write. Properties: shellQuote round-trips any value through a real POSIX shell, and in every command the
 * responder prints, log-derived text sits inside single quotes (outside them only the fixed command text, validated
 * ids, and `<placeholder>`s). The HTTP method is no exception: a JSON or XML access log's method is log text too.
 */
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DiagnosisApi } from '../../../lambda/summarize/diagnosis.js';
import { shellQuote } from '../../../lambda/summarize/remedy.js';
import { anyText, logEvents, NASTY_FRAGMENTS, runs } from './arbitraries.js';
import { unquotedSpecial } from './invariants.js';
import { diagnoseAndRender } from './pipeline.js';

const hostileApi: fc.Arbitrary<DiagnosisApi> = fc.record(
  {
    type: fc.constantFrom<'REST' | 'HTTP'>('REST', 'HTTP'),
    apiId: fc.oneof(fc.constant('a1b2c3d4e5'), anyText),
    stage: fc.oneof(fc.constant('prod'), anyText),
    region: fc.oneof(fc.constant('us-east-1'), anyText),
    accountId: fc.oneof(fc.constant('123456789012'), anyText),
  },
  { requiredKeys: [] },
);

describe('shell quoting of remedy commands', () => {
  it('shellQuote gives back any value through a real sh', () => {
    // argv cannot hold NUL, and lone surrogates have no UTF-8 form: those are left out.
    const value = fc
      .oneof(fc.constantFrom(...NASTY_FRAGMENTS), fc.string({ unit: 'binary', maxLength: 60 }))
      .filter((s) => !s.includes('\u0000') && !/\p{Cs}/u.test(s));
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 8 }), (values) => {
        const script = `printf '%s\\0' ${values.map(shellQuote).join(' ')}`;
        const out = spawnSync('sh', ['-c', script], { encoding: 'utf8' });
        expect(out.status).toBe(0);
        expect(out.stdout.split('\0').slice(0, -1)).toEqual(values);
      }),
      { numRuns: runs(60) },
    );
  });

  it('the checker itself flags what a shell would run', () => {
    expect(unquotedSpecial("aws x --query 'a'\\''b' --region <region>")).toBeUndefined();
    expect(unquotedSpecial('aws x --name $(reboot)')).toMatch(/unquoted "\$"/);
    expect(unquotedSpecial('aws x --path /a;rm')).toMatch(/unquoted ";"/);
    expect(unquotedSpecial("aws x 'open")).toMatch(/unterminated/);
  });

  it('every command in a diagnosis of hostile logs keeps log text inside quotes', () => {
    fc.assert(
      fc.property(
        logEvents({ maxBlocks: 8, maxNoise: 10 }),
        fc.option(hostileApi, { nil: undefined }),
        (events, api) => {
          const { diagnosis } = diagnoseAndRender(events, api !== undefined ? { api } : {});
          for (const cause of diagnosis.causes) {
            for (const step of cause.remedy) {
              if (step.command === undefined) continue;
              const problem = unquotedSpecial(step.command);
              if (problem !== undefined) expect.fail(`${cause.cause}: ${problem}\n${step.command}`);
            }
          }
        },
      ),
      { numRuns: runs(400) },
    );
  });

  it('routes, request ids and paths full of shell syntax end up quoted', () => {
    const nasty = fc.constantFrom("'; rm -rf / #", '$(reboot)', '`id`', '| sh', 'a b', "it's", '*', '~root', '!!');
    fc.assert(
      fc.property(nasty, nasty, fc.uuid(), (a, b, lambdaId) => {
        const id = `r-${a.length}${b.length}`.replace(/\s/g, '');
        const lines = [
          `(${id}) HTTP Method: GET, Resource Path: /orders/${a.replace(/\s/g, '')}`,
          `(${id}) API Key authorized because method 'GET /orders/${b}' does not require API Key.`,
          `(${id}) Endpoint request URI: https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:orders-get/invocations`,
          `(${id}) Execution failed due to configuration error: Invalid permissions on Lambda function`,
          `(${id}) Method completed with status: 500`,
          `(${id}2) HTTP Method: POST, Resource Path: /x/${a.replace(/\s/g, '')}`,
          `(${id}2) Execution failed due to a timeout error`,
          `(${id}2) Method completed with status: 504`,
          `(${id}3) Lambda execution failed with status 200 due to customer function error: ${b}. Lambda request id: ${lambdaId}`,
          `(${id}3) Method completed with status: 502`,
          JSON.stringify({ requestId: `${a}${b}`, status: '500', httpMethod: 'GET', resourcePath: `/${b}` }),
          // Access logs written as JSON or XML carry the method as text a client can shape.
          JSON.stringify({
            requestId: `${id}4`,
            status: '504',
            httpMethod: `GET${a}`,
            resourcePath: '/slow',
            integrationErrorMessage: 'Execution failed due to a timeout error',
          }),
          `<request id="${id}5"><httpMethod>POST${b.replace(/[<>&]/g, '')}</httpMethod><resourcePath>/mapped</resourcePath><status>500</status><integrationErrorMessage>No match for output mapping and no default output mapping configured</integrationErrorMessage></request>`,
        ].map((message) => ({ message }));
        const { diagnosis } = diagnoseAndRender(lines, { api: { type: 'REST' } });
        const commands = diagnosis.causes.flatMap((c) => c.remedy.flatMap((s) => (s.command ? [s.command] : [])));
        expect(commands.length).toBeGreaterThan(0);
        for (const command of commands) expect(unquotedSpecial(command), command).toBeUndefined();
      }),
      { numRuns: runs(150) },
    );
  });
});
