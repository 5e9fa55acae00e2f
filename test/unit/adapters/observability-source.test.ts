import { describe, expect, it } from 'vitest';
import {
  ACCOUNTS_ENV,
  type AccountsConfig,
  observabilitySourceOf,
  readAccountsConfig,
  readTargetOf,
} from '../../../lambda/adapters/account-credentials.js';
import { ACCOUNTS as CENTRAL } from '../../helpers/accounts.js';

const ACCOUNTS: AccountsConfig = { ...CENTRAL, logsThroughObservability: true };

describe('observabilitySourceOf', () => {
  it("reads a member account's logs through OAM, in the alarm's Region and the role's partition", () => {
    // Prepare
    const target = readTargetOf({ account: '111122223333', region: 'eu-west-1' }, {}, ACCOUNTS);
    const china = { ...ACCOUNTS, roleArn: 'arn:aws-cn:iam::{account}:role/read-{region}' };
    const chinaTarget = readTargetOf({ account: '111122223333', region: 'cn-north-1' }, {}, china);
    // Act, Assess
    expect(observabilitySourceOf(target, ACCOUNTS)).toEqual({
      account: '111122223333',
      region: 'eu-west-1',
      partition: 'aws',
    });
    expect(observabilitySourceOf(chinaTarget, china)?.partition).toBe('aws-cn');
  });

  it('reads the home account (another Region) and everything with the setting off as before', () => {
    // Prepare
    const home = readTargetOf({ account: '444455556666', region: 'eu-west-1' }, {}, ACCOUNTS);
    const off = { ...ACCOUNTS, logsThroughObservability: false };
    const member = readTargetOf({ account: '111122223333', region: 'eu-west-1' }, {}, off);
    // Act, Assess
    expect(home).toBeDefined();
    expect(observabilitySourceOf(home, ACCOUNTS)).toBe(undefined);
    expect(observabilitySourceOf(member, off)).toBe(undefined);
    expect(observabilitySourceOf(undefined, ACCOUNTS)).toBe(undefined);
  });
});

describe('readAccountsConfig with logsThroughObservability', () => {
  it('reads the setting, and refuses a value that is not a boolean, saying to redeploy', () => {
    expect(readAccountsConfig({ [ACCOUNTS_ENV]: JSON.stringify(ACCOUNTS) })?.logsThroughObservability).toBe(true);
    expect(() =>
      readAccountsConfig({ [ACCOUNTS_ENV]: JSON.stringify({ ...ACCOUNTS, logsThroughObservability: 'yes' }) }),
    ).toThrow('redeploy the central stack');
  });
});
