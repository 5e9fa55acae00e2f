/**
 * `central.logsThroughObservability`: the central responder reads member accounts' logs through CloudWatch
 * cross-account observability, so its own role gets logs:FilterLogEvents on the member accounts' log groups (or,
 * for an organization, any account's under aws:ResourceOrgID), only with the setting; cdk-nag and cfn-lint stay clean.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ACCOUNTS_ENV } from '../../lambda/adapters/account-credentials.js';
import { ConfigError, type ResponderSettings, resolveResponderSettings } from '../../lib/config.js';
import { CFN_LINT_INSTALL_HINT, findCfnLint, runCfnLint } from '../../scripts/cfn-lint.js';
import { nagFindings, synthResponder } from './helpers/synth.js';

const MEMBER_ACCOUNT = '111122223333';
const CENTRAL: ResponderSettings = {
  apis: [],
  emails: ['oncall@example.com'],
  central: { memberAccounts: [MEMBER_ACCOUNT], externalId: 'apigw-5xx-demo-external-id' },
};
const OAM: ResponderSettings = { ...CENTRAL, central: { ...CENTRAL.central, logsThroughObservability: true } };
const ORG_OAM: ResponderSettings = {
  ...CENTRAL,
  central: { organizationId: 'o-a1b2c3d4e5', logsThroughObservability: true },
};

type Statement = { Sid?: string; Action: unknown; Resource: unknown; Condition?: unknown };

function statements(template: Template): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (p) => p.Properties.PolicyDocument.Statement as Statement[],
  );
}

function accountsEnv(template: Template): string {
  const fn = Object.values(template.findResources('AWS::Lambda::Function')).find(
    (f) => f.Properties.Environment?.Variables?.[ACCOUNTS_ENV] !== undefined,
  );
  return JSON.stringify(fn?.Properties.Environment.Variables[ACCOUNTS_ENV]);
}

const observabilitySids = (template: Template) =>
  statements(template)
    .map((s) => s.Sid)
    .filter((sid) => sid?.includes('ThroughObservability'));

describe('central.logsThroughObservability', () => {
  it("grants FilterLogEvents on the member accounts' log groups, and tells the function, only when set", () => {
    // Act
    const off = synthResponder(CENTRAL).template;
    const on = synthResponder(OAM).template;

    // Assess
    expect(observabilitySids(off)).toEqual([]);
    expect(accountsEnv(off)).not.toContain('logsThroughObservability');
    const [grant, ...more] = statements(on).filter((s) => s.Sid === 'ReadMemberLogsThroughObservability');
    expect(more).toEqual([]);
    expect(grant?.Action).toBe('logs:FilterLogEvents');
    expect(JSON.stringify(grant?.Resource)).toContain(`:logs:*:${MEMBER_ACCOUNT}:log-group:*`);
    expect(grant?.Condition).toBeUndefined();
    expect(accountsEnv(on)).toContain('\\"logsThroughObservability\\":true');
  });

  it('scopes the grant for an organization with aws:ResourceOrgID', () => {
    // Act
    const { template } = synthResponder(ORG_OAM);
    // Assess
    expect(observabilitySids(template)).toEqual(['ReadOrganizationLogsThroughObservability']);
    const org = statements(template).find((s) => s.Sid === 'ReadOrganizationLogsThroughObservability');
    expect(JSON.stringify(org?.Resource)).toContain(':logs:*:*:log-group:*');
    expect(org?.Condition).toEqual({ StringEquals: { 'aws:ResourceOrgID': 'o-a1b2c3d4e5' } });
  });

  it.each([
    ['member accounts', OAM],
    ['an organization', ORG_OAM],
  ] as const)('reports no cdk-nag finding and passes cfn-lint with %s', (_case, settings) => {
    // Act
    const { stack, template, outdir } = synthResponder(settings);
    const findings = nagFindings(stack);
    const file = join(outdir, 'oam.template.json');
    writeFileSync(file, JSON.stringify(template.toJSON()));
    const cfnLint = findCfnLint();
    if (cfnLint === undefined) throw new Error(CFN_LINT_INSTALL_HINT);
    const lint = runCfnLint([file], cfnLint);

    // Assess
    expect(findings).toEqual([]);
    expect(lint.output).toBe('');
    expect(lint.exitCode).toBe(0);
  });

  it('fails the synth with what to do when the setting is not a boolean', () => {
    // Act
    const error = (() => {
      try {
        resolveResponderSettings({ ...CENTRAL, central: { ...CENTRAL.central, logsThroughObservability: 'yes' } });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(
      problems.some((p) =>
        p.startsWith('central.logsThroughObservability must be true or false, got "yes": set true only when'),
      ),
    ).toBe(true);
  });
});
