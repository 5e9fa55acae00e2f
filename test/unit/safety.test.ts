import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { asciiSubject, escapeSlack, escapeSlackCode, neutralizeControls } from '../../lambda/safety/escape.js';
import { REDACTED, redact } from '../../lambda/safety/redact.js';

// Endpoint request headers as API Gateway logs them (research: ericallam/aws-api-gateway-log-parser
// __tests__/timeout.test.js): Authorization masked but for its last 6 characters, X-Amz-Security-Token in clear.
const ENDPOINT_HEADERS =
  'Endpoint request headers: {x-amzn-lambda-integration-tag=286364ab-3a83-11e9-8dc8-db3cf4c83204, Authorization=************************************************37c4d7, X-Amz-Date=20190227T113100Z, x-amzn-apigateway-api-id=uwe3g5jm54, X-Amz-Source-Arn=arn:aws:execute-api:eu-west-2:958845080241:uwe3g5jm54/Prod/GET/echo, Accept=application/json, User-Agent=AmazonAPIGateway_uwe3g5jm54, X-Amz-Security-Token=FQoGZXIvYXdzEMv//////////wEaDOCC3x/abcdEFGH1234ijklMNOP5678Jav47PYzVhwgWL [TRUNCATED]';

describe('redact', () => {
  it('hides Authorization and X-Amz-Security-Token in an execution log header map and keeps the rest', () => {
    // Act
    const out = redact(ENDPOINT_HEADERS);
    // Assess
    expect(out).toContain(`Authorization=${REDACTED}`);
    expect(out).toContain(`X-Amz-Security-Token=${REDACTED}`);
    expect(out).not.toContain('FQoGZXIvYXdz');
    expect(out).not.toContain('37c4d7');
    expect(out).toContain('X-Amz-Source-Arn=arn:aws:execute-api:eu-west-2:958845080241:uwe3g5jm54/Prod/GET/echo');
    expect(out).toContain('x-amzn-lambda-integration-tag=286364ab-3a83-11e9-8dc8-db3cf4c83204');
  });

  it('hides method request headers a client sent: cookies, api keys, bearer tokens, custom token headers', () => {
    const line =
      'Method request headers: {Cookie=session=s3cr3tSess10nValue; theme=dark, x-api-key=AbCdEf0123456789AbCdEf0123, X-My-Auth-Token=zzz-top-secret, Authorization=Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.sig_nature-x, Accept=*/*}';
    const out = redact(line);
    for (const secret of ['s3cr3tSess10nValue', 'AbCdEf0123456789', 'zzz-top-secret', 'eyJhbGci', 'sig_nature']) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain('Accept=*/*');
  });

  it('hides JSON credentials, query-string tokens, AWS keys, JWTs and private keys in free text', () => {
    const cases: Array<[string, string]> = [
      ['{"password":"hunter2","user":"bob"}', 'hunter2'],
      ['{"Set-Cookie": "id=a3fWa; Secure"}', 'a3fWa'],
      ['GET /reset?token=abc123secret&x=1', 'abc123secret'],
      ['key AKIAIOSFODNN7EXAMPLE used', 'AKIAIOSFODNN7EXAMPLE'],
      ['aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'wJalrXUtnFEMI'],
      ['secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY here', 'wJalrXUtnFEMI'],
      ['token eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIn0', 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9'],
      ['Authorization: Basic dXNlcjpwYXNzd29yZA==', 'dXNlcjpwYXNzd29yZA'],
      ['-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----', 'MIIEow'],
      ['posting to https://hooks.slack.com/services/T000/B000/XXXXXXXX', 'T000/B000'],
    ];
    for (const [input, secret] of cases) expect(redact(input), input).not.toContain(secret);
  });

  it('hides a credential pair after an unbalanced quote, plain or escaped inside a JSON string', () => {
    // Prepare: an earlier quote pairs with the pair's own quotes, so the general pair rules read the wrong spans.
    const cases: Array<[string, string]> = [
      ['"x": "unterminated {"pwd":"p!w#d4Xq"}', 'p!w#d4Xq'],
      ['"x": "unterminated {"Authorization":"tok!en9Zr"}', 'tok!en9Zr'],
      ["'a': 'x {'pwd': 'p!w#d4Xq'}", 'p!w#d4Xq'],
      ['{"body":"\\"x\\": \\"unterminated {\\"password\\":\\"pa$$w0rd!\\"}"}', 'pa$$w0rd!'],
      ['\\"note\\": \\"a {\\"Authorization\\":\\"tok!en9Zr\\"}', 'tok!en9Zr'],
    ];
    for (const [input, secret] of cases) {
      // Act
      const out = redact(input);
      // Assess
      expect(out, input).not.toContain(secret);
      expect(out, input).toContain(REDACTED);
    }
  });

  it('keeps pairs whose name only contains a sensitive word but is not a credential name', () => {
    const text = '"x": "unterminated {"cwd_pwd_dir":"/var/task","authorizerError":"Unauthorized"}';
    expect(redact(text)).toBe(text);
  });

  it('keeps what diagnosis needs: request ids, ARNs, statuses, authorizer fields', () => {
    const text =
      '{"requestId":"5cb7ee58-39e6-11e9-be7e-29aff96747f2","status":"502","authorizerError":"Unauthorized","integrationErrorMessage":"The Lambda function returned the following error: boom"}';
    expect(redact(text)).toBe(text);
    const exec = 'Lambda invocation failed with status: 429. Lambda request id: dcb2ab89-2d03-4b77-98cd-18d14fd2b850';
    expect(redact(exec)).toBe(exec);
  });

  it('is idempotent for arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        const once = redact(s);
        expect(redact(once)).toBe(once);
      }),
    );
  });

  it('never lets a bearer token, JWT or header-map secret through, whatever surrounds it', () => {
    const token = fc.stringMatching(/^[A-Za-z0-9]{20,40}$/);
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), token, fc.string({ maxLength: 80 }), (before, secret, after) => {
        const safeBefore = before.replace(/[{,=]/g, ' ');
        expect(redact(`${safeBefore} Bearer ${secret} ${after}`)).not.toContain(secret);
        expect(redact(`{Accept=*/*, Authorization=${secret}, Host=x}`)).not.toContain(secret);
        expect(redact(`{"x-api-key":"${secret}"}`)).not.toContain(secret);
      }),
    );
  });

  it('stays fast on a hostile 1 MB line', () => {
    // Prepare: many unterminated JSON pairs and base64 runs, a classic backtracking trap.
    const hostile = `${'"a":"\\'.repeat(50_000)}${'A1/'.repeat(200_000)}`;
    // Act
    const started = performance.now();
    redact(hostile);
    // Assess: a generous bound that only catastrophic backtracking would exceed.
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});

describe('escapeSlack', () => {
  it('cannot produce mentions, links or entities from log text', () => {
    const hostile = '<!channel> <!here> <@U123ABC> <https://evil.example|click me> @channel @here @everyone &amp;';
    const out = escapeSlack(hostile);
    expect(out).not.toMatch(/<[!@#]|<https?:/);
    expect(out).not.toMatch(/@(?:channel|here|everyone)\b/);
    expect(out).toContain('&lt;https://evil.example|click me&gt;');
    expect(out).toContain('&amp;amp;');
  });

  it('holds for arbitrary input: no raw < or >, no bare mention, no control characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
        const out = escapeSlack(s);
        expect(out).not.toMatch(/[<>]/);
        expect(out).not.toMatch(/[@!](?:channel|here|everyone)\b/i);
        // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting their absence.
        expect(out).not.toMatch(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/);
      }),
    );
  });

  it('keeps a code block closed when log text holds triple backticks', () => {
    expect(escapeSlackCode('a ``` b')).not.toContain('```');
  });

  it('leaves exactly our two fences in a code block, whatever backtick runs the log text holds', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('`', 'a', ' ', '\n', '&', '<'), maxLength: 60 }), (s) => {
        const block = `\`\`\`${escapeSlackCode(s)}\`\`\``;
        expect(block.match(/`{2,}/g)).toEqual(['```', '```']);
      }),
    );
  });
});

describe('neutralizeControls', () => {
  it('makes ANSI escapes and bidi overrides visible and keeps newlines and tabs', () => {
    expect(neutralizeControls('\u001b[31mred\u001b[0m\tx\n\u202Eevil')).toBe(
      '\\u{1B}[31mred\\u{1B}[0m\tx\n\\u{202E}evil',
    );
  });
});

describe('asciiSubject', () => {
  it('is printable ASCII of at most 99 characters (SNS: less than 100), whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (s) => {
        const out = asciiSubject(s);
        expect(out.length).toBeLessThanOrEqual(99);
        expect(out).toMatch(/^[\x20-\x7E]*$/);
      }),
    );
  });

  it('removes CR and LF so no header can be injected', () => {
    expect(asciiSubject('[ALARM] api\r\nBcc: victim@example.com')).toBe('[ALARM] api Bcc: victim@example.com');
  });

  it('cuts a 100-character subject, which SNS refuses (it wants less than 100)', () => {
    expect(asciiSubject('a'.repeat(100))).toBe(`${'a'.repeat(96)}...`);
    expect(asciiSubject('a'.repeat(99))).toBe('a'.repeat(99));
  });
});
