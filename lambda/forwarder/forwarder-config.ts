/**
 * What the stack tells the Slack webhook forwarder, through its environment. Shared by the handler (which reads
 * it) and the CDK construct (which writes it); no AWS SDK here, so the CDK app does not load one.
 */

/** Full ARN of the Secrets Manager secret holding the incoming-webhook URL. */
export const WEBHOOK_SECRET_ARN_ENV = 'WEBHOOK_SECRET_ARN';

/** Milliseconds the forwarder stops before its Lambda timeout, to fail cleanly with a message. */
export const FORWARDER_SAFETY_MARGIN_MS = 2_000;

/** The parts of a Secrets Manager secret ARN the forwarder needs. */
export interface SecretArnParts {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  readonly name: string;
}

// arn:PARTITION:secretsmanager:REGION:ACCOUNT:secret:NAME-SUFFIX, the suffix being the 6 characters Secrets Manager
// appends (https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_iam-permissions.html#iam-resources).
const SECRET_ARN =
  /^arn:(aws[a-z-]*):secretsmanager:([a-z]{2}(?:-[a-z]+)+-\d):(\d{12}):secret:([A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6})$/;

/** Splits a full secret ARN; undefined when `arn` is not one (a name, a partial ARN without the suffix, ...). */
export function parseSecretArn(arn: string): SecretArnParts | undefined {
  const match = SECRET_ARN.exec(arn);
  if (match === null) return undefined;
  const [, partition = '', region = '', account = '', name = ''] = match;
  return { partition, region, account, name };
}
