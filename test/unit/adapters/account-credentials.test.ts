import type { AssumeRoleCommandInput, AssumeRoleCommandOutput } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import {
  ACCOUNTS_ENV,
  AccountCredentials,
  AssumeRoleError,
  readAccountsConfig,
  readTargetOf,
} from '../../../lambda/adapters/account-credentials.js';
import { ACCOUNTS } from '../../helpers/accounts.js';

describe('readTargetOf', () => {
  it('reads an alarm of the home account and Region, or of unknown origin, with the own clients', () => {
    expect(readTargetOf({ account: '444455556666', region: 'us-east-1' }, { region: 'us-east-1' }, ACCOUNTS)).toBe(
      undefined,
    );
    expect(readTargetOf({}, { region: 'us-east-1' }, ACCOUNTS)).toBe(undefined);
  });

  it("names the member role for another account's alarm, with that alarm's Region", () => {
    expect(readTargetOf({ account: '111122223333', region: 'eu-west-1' }, {}, ACCOUNTS)).toEqual({
      account: '111122223333',
      region: 'eu-west-1',
      roleArn: 'arn:aws:iam::111122223333:role/apigw-5xx-responder-read-eu-west-1',
    });
  });

  it('uses the home account member role for the home account in another Region (central mode)', () => {
    expect(readTargetOf({ account: '444455556666', region: 'eu-west-1' }, {}, ACCOUNTS)?.roleArn).toBe(
      'arn:aws:iam::444455556666:role/apigw-5xx-responder-read-eu-west-1',
    );
  });

  it('reads another Region with the own role when the responder serves one account', () => {
    expect(readTargetOf({ account: '111122223333', region: 'eu-west-1' }, { region: 'us-east-1' }, undefined)).toEqual({
      region: 'eu-west-1',
    });
  });

  it('ignores ids that are not well formed (untrusted event fields never reach an ARN)', () => {
    expect(readTargetOf({ account: '1111:role/x', region: 'us-east-1' }, {}, ACCOUNTS)).toBe(undefined);
    expect(readTargetOf({ account: '444455556666', region: 'eu/../x' }, {}, ACCOUNTS)).toBe(undefined);
  });
});

describe('readAccountsConfig', () => {
  it('is absent in single-account mode and read when set', () => {
    expect(readAccountsConfig({})).toBe(undefined);
    expect(readAccountsConfig({ [ACCOUNTS_ENV]: JSON.stringify(ACCOUNTS) })).toEqual(ACCOUNTS);
  });

  it('throws, saying to redeploy, on a broken value', () => {
    expect(() => readAccountsConfig({ [ACCOUNTS_ENV]: '{"homeAccount":"1"}' })).toThrow(
      'RESPONDER_ACCOUNTS is not an accounts configuration (homeAccount, homeRegion, roleArn with {account}): redeploy the central stack',
    );
    expect(() => readAccountsConfig({ [ACCOUNTS_ENV]: '{' })).toThrow('RESPONDER_ACCOUNTS is not JSON');
  });
});

describe('AccountCredentials', () => {
  const target = {
    account: '111122223333',
    region: 'eu-west-1',
    roleArn: 'arn:aws:iam::111122223333:role/apigw-5xx-responder-read-eu-west-1',
  };

  it('assumes the role once with the external id, however many clients ask', async () => {
    // Prepare
    const calls: AssumeRoleCommandInput[] = [];
    const sts = {
      assumeRole: async (input: AssumeRoleCommandInput): Promise<AssumeRoleCommandOutput> => {
        calls.push(input);
        return {
          Credentials: {
            AccessKeyId: 'ASIAEXAMPLE',
            SecretAccessKey: 'secret',
            SessionToken: 'token',
            Expiration: new Date(0),
          },
          $metadata: {},
        };
      },
    };
    const credentials = new AccountCredentials(sts, { externalId: 'ext-1' });
    const provider = credentials.providerFor(target);
    // Act
    const [a, b] = await Promise.all([provider(), provider()]);
    // Assess
    expect(a).toEqual(b);
    expect(a.accessKeyId).toBe('ASIAEXAMPLE');
    expect(calls).toEqual([
      {
        RoleArn: target.roleArn,
        RoleSessionName: 'apigw-5xx-responder',
        DurationSeconds: 900,
        ExternalId: 'ext-1',
      },
    ]);
  });

  it('fails with an AssumeRoleError naming the role, the account, the Region and the fix, once', async () => {
    // Prepare
    let calls = 0;
    const denied = Object.assign(new Error('not authorized to perform: sts:AssumeRole'), { name: 'AccessDenied' });
    const credentials = new AccountCredentials({
      assumeRole: async () => {
        calls += 1;
        throw denied;
      },
    });
    // Act
    const first = await credentials.credentials(target).catch((e: unknown) => e);
    const second = await credentials.credentials(target).catch((e: unknown) => e);
    // Assess
    expect(first).toBeInstanceOf(AssumeRoleError);
    expect((first as Error).message).toBe(
      `could not assume ${target.roleArn}: deploy the member stack in account 111122223333, Region eu-west-1, or fix its role's trust policy: it must trust this responder's role (and the external id, if set); see docs/deploying.md, "Many accounts". STS said: AccessDenied: not authorized to perform: sts:AssumeRole`,
    );
    expect((first as Error).cause).toBe(denied);
    expect(second).toBe(first);
    expect(calls).toBe(1);
  });
});
