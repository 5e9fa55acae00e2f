/**
 * Installed from npm, the package ships no AWS SDK (the Lambda runtime has its own, and `diagnose` needs none), but
 * `check` and `replay` call AWS with it. When a client is missing, this says which to install instead of a stack trace.
 * No AWS SDK import here: it must load where the SDK is not installed.
 */
export function missingSdkMessage(error: unknown): string | undefined {
  const missing = /Cannot find (?:package|module) '(@aws-sdk\/[a-z0-9-]+)'/.exec(
    error instanceof Error ? error.message : '',
  );
  if ((error as { code?: string } | undefined)?.code !== 'ERR_MODULE_NOT_FOUND' || missing === null) return undefined;
  return (
    `apigw-5xx: check and replay call AWS with the AWS SDK for JavaScript v3, and ${missing[1]} is not installed: ` +
    'run `npm install --save-dev @aws-sdk/client-api-gateway @aws-sdk/client-apigatewayv2 @aws-sdk/client-cloudwatch ' +
    '@aws-sdk/client-lambda @aws-sdk/client-sns @aws-sdk/client-sqs` in your project, then run the command again\n'
  );
}
