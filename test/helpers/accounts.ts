import type { AccountsConfig } from '../../lambda/adapters/account-credentials.js';

/** A central responder's accounts setting, as lib/central.ts writes it, for the adapter's unit tests. */
export const ACCOUNTS: AccountsConfig = {
  homeAccount: '444455556666',
  homeRegion: 'us-east-1',
  roleArn: 'arn:aws:iam::{account}:role/apigw-5xx-responder-read-{region}',
  externalId: 'ext-1',
};
