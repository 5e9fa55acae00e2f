/**
 * Reads the webhook secret from AWS Secrets Manager. The client is given by the composition root (the handler), so
 * tests pass a mocked or a local-endpoint client.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { WebhookSecretError } from './webhook-url.js';

/** What to do about each Secrets Manager error a reader may meet. */
const FIXES: Readonly<Record<string, string>> = {
  AccessDeniedException:
    'the forwarder role needs secretsmanager:GetSecretValue on this secret (the stack grants it for webhookSecretArn); ' +
    "check the secret's resource policy, and give webhookSecretKeyArn when the secret is encrypted with your own KMS key",
  ResourceNotFoundException:
    'set slackWebhook.webhookSecretArn to the full ARN `aws secretsmanager describe-secret --secret-id NAME --query ARN` prints',
  DecryptionFailure:
    'the secret is encrypted with a KMS key the forwarder may not use: set slackWebhook.webhookSecretKeyArn to that key',
  InvalidRequestException: 'the secret is scheduled for deletion or disabled: restore it or point to another one',
};

export class SecretsManagerSecretReader {
  constructor(
    private readonly client: SecretsManagerClient,
    private readonly secretArn: string,
  ) {}

  /**
   * The secret's current string value.
   * @throws WebhookSecretError naming the secret, the error and the fix
   */
  async read(): Promise<string> {
    let secretString: string | undefined;
    try {
      ({ SecretString: secretString } = await this.client.send(
        new GetSecretValueCommand({ SecretId: this.secretArn }),
      ));
    } catch (error) {
      const name = error instanceof Error ? error.name : 'Error';
      const reason = error instanceof Error ? error.message : String(error);
      const fix = FIXES[name] ?? 'check that the secret exists in its region and that the forwarder may read it';
      throw new WebhookSecretError(`Reading the webhook secret ${this.secretArn} failed: ${name}: ${reason}: ${fix}`, {
        cause: error,
      });
    }
    if (secretString === undefined || secretString === '') {
      throw new WebhookSecretError(
        `The webhook secret ${this.secretArn} has no string value (binary secrets are not read): ` +
          // As JSON, not the bare URL: AWS CLI v1 fetches a parameter value that starts with https:// and would store
          // the page the URL answers with instead of the URL.
          'store the URL with `aws secretsmanager put-secret-value --secret-id ARN --secret-string "{\\"url\\":\\"$URL\\"}"`',
      );
    }
    return secretString;
  }
}
