import {
  DecryptionFailure,
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
  SecretsManagerServiceException,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SecretsManagerSecretReader } from '../../../lambda/forwarder/secret-reader.js';
import { parseWebhookSecret, WebhookSecretError } from '../../../lambda/forwarder/webhook-url.js';
import { awsArgumentsOf, firstAwsCommand, optionValue } from '../../helpers/printed-command.js';

const secretsManager = mockClient(SecretsManagerClient);
const client = new SecretsManagerClient({ region: 'eu-west-1' });
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:apigw-5xx/slack-webhook-AbC123';

async function rejectionOf(promise: Promise<unknown>): Promise<WebhookSecretError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookSecretError);
    return error as WebhookSecretError;
  }
  throw new Error('expected the read to fail, but it succeeded');
}

describe('SecretsManagerSecretReader', () => {
  beforeEach(() => {
    secretsManager.reset();
  });

  it('returns the secret string of the configured secret', async () => {
    // Prepare
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: 'https://hooks.slack.com/services/T/B/x' });
    // Act
    const value = await new SecretsManagerSecretReader(client, SECRET_ARN).read();
    // Assess
    expect(value).toBe('https://hooks.slack.com/services/T/B/x');
    expect(secretsManager.commandCalls(GetSecretValueCommand)[0]?.args[0].input).toEqual({ SecretId: SECRET_ARN });
  });

  it('throws WebhookSecretError naming the secret and the fix when access is denied', async () => {
    // Prepare: Secrets Manager's access-denied error has no modelled class; it arrives as a service exception
    const denied = new SecretsManagerServiceException({
      name: 'AccessDeniedException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
      message:
        'User: arn:aws:sts::123456789012:assumed-role/forwarder is not authorized to perform: secretsmanager:GetSecretValue',
    });
    secretsManager.on(GetSecretValueCommand).rejects(denied);
    // Act
    const error = await rejectionOf(new SecretsManagerSecretReader(client, SECRET_ARN).read());
    // Assess
    expect(error.message).toContain(`Reading the webhook secret ${SECRET_ARN} failed: AccessDeniedException`);
    expect(error.message).toContain('secretsmanager:GetSecretValue on this secret');
    expect(error.cause).toBe(denied);
  });

  it('tells how to find the full ARN when the secret does not exist', async () => {
    // Prepare
    secretsManager
      .on(GetSecretValueCommand)
      .rejects(
        new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret.", $metadata: {} }),
      );
    // Act
    const error = await rejectionOf(new SecretsManagerSecretReader(client, SECRET_ARN).read());
    // Assess
    expect(error.message).toContain('ResourceNotFoundException');
    expect(error.message).toContain('aws secretsmanager describe-secret');
  });

  it('points to webhookSecretKeyArn when the secret cannot be decrypted', async () => {
    // Prepare
    secretsManager
      .on(GetSecretValueCommand)
      .rejects(new DecryptionFailure({ message: 'Access to KMS is not allowed', $metadata: {} }));
    // Act
    const error = await rejectionOf(new SecretsManagerSecretReader(client, SECRET_ARN).read());
    // Assess
    expect(error.message).toContain('webhookSecretKeyArn');
  });

  it('throws when the secret has only a binary value', async () => {
    // Prepare
    secretsManager.on(GetSecretValueCommand).resolves({ SecretBinary: new Uint8Array([1, 2, 3]) });
    // Act
    const error = await rejectionOf(new SecretsManagerSecretReader(client, SECRET_ARN).read());
    // Assess
    expect(error.message).toContain('has no string value');
  });

  it('names a fix that, pasted into bash, stores a value the forwarder reads back as the URL', async () => {
    // Prepare
    secretsManager.on(GetSecretValueCommand).resolves({ SecretBinary: new Uint8Array([1, 2, 3]) });
    const url = 'https://hooks.slack.com/services/T0001/B0001/Zq9sEcReTwEbHoOkToKeN';
    const error = await rejectionOf(new SecretsManagerSecretReader(client, SECRET_ARN).read());
    // Act: the command as printed, through bash, with the URL in $URL
    const args = awsArgumentsOf(firstAwsCommand(error.message), { URL: url });
    // Assess: JSON, not the bare URL (AWS CLI v1 would fetch a value starting with https://)
    const stored = optionValue(args, '--secret-string');
    expect(stored).toBe(`{"url":"${url}"}`);
    expect(parseWebhookSecret(stored ?? '').href).toBe(url);
  });
});
