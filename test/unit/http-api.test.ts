import { describe, expect, it } from 'vitest';
import { diagnoseEvents } from '../../lambda/diagnose.js';
import { renderText } from '../../lambda/render/text.js';

/**
 * HTTP API access log lines in JSON with the `$context` variables the HTTP API logging reference lists
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging-variables.html): requestId, routeKey,
 * status, integrationErrorMessage, apiId/domainName, stage. The integrationErrorMessage value is the one AWS's
 * knowledge-center article quotes for a missing invoke permission
 * (https://repost.aws/knowledge-center/api-gateway-http-lambda-integrations).
 */
const DENIED =
  "The IAM role configured on the integration or API Gateway doesn't have permissions to call the integration. Check the permissions and try again.";

function line(fields: Record<string, string>): { message: string } {
  return { message: JSON.stringify(fields) };
}

const WITH_DOMAIN = [
  line({
    requestId: 'TFVP89SOwt6HZoZ=',
    domainName: 'k1k7gu3ct7.execute-api.eu-west-1.amazonaws.com',
    stage: '$default',
    routeKey: 'POST /orders',
    status: '500',
    integrationErrorMessage: DENIED,
  }),
  line({
    requestId: 'K0SEtmtS2VqD0Wj=',
    domainName: 'k1k7gu3ct7.execute-api.eu-west-1.amazonaws.com',
    stage: '$default',
    routeKey: 'POST /orders',
    status: '201',
    integrationErrorMessage: '-',
  }),
];

describe('HTTP API access logs read as an HTTP API', () => {
  it('infers the API type, id, region and stage from the access log', () => {
    // Act
    const { diagnosis } = diagnoseEvents(WITH_DOMAIN);
    // Assess
    expect(diagnosis.api).toEqual({ type: 'HTTP', apiId: 'k1k7gu3ct7', region: 'eu-west-1', stage: '$default' });
    expect(diagnosis.causes[0]?.cause).toBe('lambda_permission');
  });

  it('shows the decisive field as evidence, not the raw JSON line', () => {
    // Act
    const { diagnosis } = diagnoseEvents(WITH_DOMAIN);
    // Assess
    expect(diagnosis.causes[0]?.evidence).toEqual([`status: 500; integrationErrorMessage: ${DENIED}`]);
  });

  it('gives no REST-only hint: no <rest-api-id>, no "Endpoint request URI", no INFO-level advice', () => {
    // Prepare: the console's default HTTP API format, without apiId or domainName.
    const events = [
      line({ requestId: 'bnLpiecftcVpYBJ=', routeKey: 'POST /orders', status: '500', integrationErrorMessage: DENIED }),
      line({
        requestId: 'U1rrrn7e46Fnhc4=',
        routeKey: 'GET /catalog/{proxy+}',
        status: '502',
        integrationStatus: '502',
      }),
      line({ requestId: 'Y1rrrn7e46Fnhc5=', routeKey: 'GET /search', status: '504' }),
    ];
    // Act
    const { diagnosis } = diagnoseEvents(events);
    const text = renderText(diagnosis);
    // Assess
    expect(diagnosis.api.type).toBe('HTTP');
    expect(text).not.toContain('<rest-api-id>');
    expect(text).not.toContain('Endpoint request URI');
    expect(text).not.toMatch(/execution logging|INFO/);
    expect(text).toContain('commands show <api-id>');
    expect(text).toMatch(/^API: HTTP API$/m);
  });

  it('reads REST execution lines as a REST API', () => {
    // Act
    const { diagnosis } = diagnoseEvents([
      { message: '(fbcaf9e5-d535-40a1-891c-7b70118cf7e8) Execution failed due to a timeout error' },
      { message: '(fbcaf9e5-d535-40a1-891c-7b70118cf7e8) Method completed with status: 504' },
    ]);
    // Assess
    expect(diagnosis.api.type).toBe('REST');
  });

  it('lets configuration win over what the logs suggest', () => {
    // Act
    const { diagnosis } = diagnoseEvents(WITH_DOMAIN, { api: { type: 'REST', apiId: 'a1b2c3d4e5' } });
    // Assess
    expect(diagnosis.api).toMatchObject({ type: 'REST', apiId: 'a1b2c3d4e5', region: 'eu-west-1' });
  });
});
