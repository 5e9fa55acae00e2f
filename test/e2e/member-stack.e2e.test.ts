/**
 * The member stack's template deployed as a member account would deploy it: through CloudFormation, with the member
 * account's credentials, in a Region other than the central one, on the local AWS endpoint (moto runs
 * CloudFormation for templates without assets, and keeps each account's resources apart). It creates the read role
 * under the very ARN the central responder computes from its pattern for that account and Region, and the forwarding
 * rule. The StackSet commands of docs/deploying.md are run too, as written there (moto accepts them; it does not
 * model an organization, so the instances themselves are not checked).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { App } from 'aws-cdk-lib';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { memberRoleArn } from '../../lambda/adapters/account-credentials.js';
import { CENTRAL_DEFAULTS } from '../../lib/central.js';
import { MemberStack } from '../../lib/member-stack.js';
import { clientConfig, localAwsEnv } from '../../scripts/local-aws.js';
import { tempDir } from '../helpers/temp-dirs.js';
import { PROJECT_ROOT, projectContext } from '../infra/helpers/synth.js';

const endpoint = inject('awsEndpoint');
const AWS_CLI = join(PROJECT_ROOT, '.venv', 'bin', 'aws');
const MEMBER = '313131313131';
const CENTRAL = '444455556666';
const REGION = 'eu-west-1';
const work = tempDir('apigw-5xx-member-');
const templateFile = join(work, 'cdk.out', 'ApiGateway5xxResponderMember.template.json');
let memberEnv: NodeJS.ProcessEnv = {};

function aws(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(AWS_CLI, args, { cwd: work, env: memberEnv, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  // Prepare: the member template, as `npx cdk synth -c member='{...}'` writes it (environment-agnostic).
  const app = new App({ outdir: join(work, 'cdk.out'), context: projectContext() });
  new MemberStack(app, 'ApiGateway5xxResponderMember', {
    settings: {
      centralAccount: CENTRAL,
      centralBusArn: `arn:aws:events:us-east-1:${CENTRAL}:event-bus/apigw-5xx-responder`,
      externalId: 'apigw-5xx-member-e2e',
    },
  });
  app.synth();
  expect(readFileSync(templateFile, 'utf8')).toContain('ForwardAlarms');
  // Credentials in the member account, as its administrator (or a StackSet's execution role) has them.
  const sts = new STSClient({ ...clientConfig(endpoint), maxAttempts: 1 });
  const { Credentials: c } = await sts.send(
    new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${MEMBER}:role/admin`, RoleSessionName: 'member-admin' }),
  );
  memberEnv = {
    ...process.env,
    ...localAwsEnv(endpoint),
    AWS_ACCESS_KEY_ID: c?.AccessKeyId ?? '',
    AWS_SECRET_ACCESS_KEY: c?.SecretAccessKey ?? '',
    AWS_SESSION_TOKEN: c?.SessionToken ?? '',
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
  };
}, 120_000);

describe('the member stack deployed in a member account', () => {
  it('creates the read role under the ARN the central responder assumes for that account and Region', () => {
    // Act
    const created = aws([
      'cloudformation',
      'create-stack',
      '--stack-name',
      'apigw-5xx-responder-member',
      '--template-body',
      `file://${templateFile}`,
      '--capabilities',
      'CAPABILITY_NAMED_IAM',
    ]);
    const described = aws([
      'cloudformation',
      'describe-stacks',
      '--stack-name',
      'apigw-5xx-responder-member',
      '--query',
      'Stacks[0].[StackStatus, Outputs[?OutputKey==`ReadRoleArn`].OutputValue | [0]]',
      '--output',
      'text',
    ]);
    // Assess
    expect(created.status, created.stderr).toBe(0);
    const [status, roleArn] = described.stdout.trim().split(/\s+/);
    expect(status).toBe('CREATE_COMPLETE');
    const centralPattern = `arn:aws:iam::{account}:role/${CENTRAL_DEFAULTS.memberRoleName}`;
    expect(roleArn).toBe(memberRoleArn(centralPattern, MEMBER, REGION));
  });

  it('runs the StackSet commands of docs/deploying.md as written there', () => {
    // Prepare: the inline commands of the StackSets paragraph (written with `...` where the reader fills in).
    const docs = readFileSync(join(PROJECT_ROOT, 'docs', 'deploying.md'), 'utf8');
    const commands = [...docs.matchAll(/`(aws cloudformation create-stack-(?:set|instances) [^`]+)`/g)].map(
      (m) => m[1] ?? '',
    );
    expect(commands).toHaveLength(2);
    for (const command of commands) {
      // Act: with what the reader fills in: the template (named after the command), the OU ids, the Regions.
      const words = command
        .replace('--template-body ...', `--template-body file://cdk.out/ApiGateway5xxResponderMember.template.json`)
        .replace('OrganizationalUnitIds=ou-...', 'OrganizationalUnitIds=ou-ab12-cd34ef56')
        .replace('--regions ...', '--regions us-east-1 eu-west-1')
        .split(' ')
        .slice(1);
      expect(words).not.toContain('...');
      const run = aws(words);
      // Assess
      expect(run.status, `${command}\n${run.stderr}`).toBe(0);
    }
  });
});
