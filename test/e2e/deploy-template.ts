/**
 * Deploys the synthesized responder template's resources into the local AWS endpoint (moto), resource by resource
 * with the SDK, as CloudFormation would: the topic and its email subscriptions, the failure queue, the function
 * (with the environment the template gives it, references resolved), and every alarm with its actions. moto has
 * no CloudFormation for a CDK asset-based function without the bootstrap bucket, so this mirrors the template
 * instead; only the resource types `apigw-5xx check` looks at are created, and an unknown reference fails loudly.
 */
import { CloudWatchClient, PutMetricAlarmCommand, type PutMetricAlarmCommandInput } from '@aws-sdk/client-cloudwatch';
import { CreateFunctionCommand, LambdaClient, type Runtime } from '@aws-sdk/client-lambda';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createRole, LOCAL_ACCOUNT, zipOf } from '../../scripts/local-api.js';
import { clientConfig, LOCAL_REGION } from '../../scripts/local-aws.js';

interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
  readonly Outputs?: Record<string, { Value: unknown }>;
}

export interface Deployed {
  /** The stack outputs, resolved (what `cdk deploy --outputs-file` writes for the stack). */
  readonly outputs: Record<string, string>;
  readonly functionName: string;
  readonly topicArn: string;
}

type Physical = Record<string, string>;

/** Deploys the template's topic, subscriptions, queues, log groups (names only), functions and alarms. */
export async function deployTemplate(endpoint: string, template: CfnTemplate, suffix: string): Promise<Deployed> {
  const config = { ...clientConfig(endpoint), maxAttempts: 1 };
  const sns = new SNSClient(config);
  const sqs = new SQSClient(config);
  const lambda = new LambdaClient(config);
  const cloudwatch = new CloudWatchClient(config);
  const physical = new Map<string, Physical>();
  const resolve = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(resolve);
    if (typeof value !== 'object' || value === null) return value;
    const record = value as Record<string, unknown>;
    if (typeof record.Ref === 'string') {
      const pseudo: Record<string, string> = {
        'AWS::Region': LOCAL_REGION,
        'AWS::AccountId': LOCAL_ACCOUNT,
        'AWS::Partition': 'aws',
        'AWS::URLSuffix': 'amazonaws.com',
      };
      const ref = pseudo[record.Ref] ?? physical.get(record.Ref)?.Ref;
      if (ref === undefined) throw new Error(`deployTemplate: nothing deployed for Ref ${record.Ref}`);
      return ref;
    }
    const getAtt = record['Fn::GetAtt'];
    if (Array.isArray(getAtt)) {
      const attr = physical.get(String(getAtt[0]))?.[String(getAtt[1])];
      if (attr === undefined) throw new Error(`deployTemplate: no ${getAtt[1]} for ${getAtt[0]}`);
      return attr;
    }
    const join = record['Fn::Join'];
    if (Array.isArray(join)) return (resolve(join[1]) as unknown[]).map(String).join(String(join[0]));
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, resolve(v)]));
  };
  const of = (type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);

  for (const [id, r] of of('AWS::Logs::LogGroup')) {
    const name = `/aws/lambda/${id.toLowerCase()}-${suffix}`;
    physical.set(id, { Ref: String(r.Properties?.LogGroupName ?? name) });
  }
  for (const [id] of of('AWS::DynamoDB::Table')) physical.set(id, { Ref: `${id}-${suffix}` });
  for (const [id] of of('AWS::KMS::Key'))
    physical.set(id, { Ref: `key-${suffix}`, Arn: `arn:aws:kms:${LOCAL_REGION}:${LOCAL_ACCOUNT}:key/${suffix}` });
  for (const [id] of of('AWS::SNS::Topic')) {
    const { TopicArn = '' } = await sns.send(new CreateTopicCommand({ Name: `${id}-${suffix}` }));
    physical.set(id, { Ref: TopicArn, TopicArn, TopicName: `${id}-${suffix}` });
  }
  for (const [id] of of('AWS::SQS::Queue')) {
    const { QueueUrl = '' } = await sqs.send(new CreateQueueCommand({ QueueName: `${id}-${suffix}` }));
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    physical.set(id, { Ref: QueueUrl, Arn: attrs.Attributes?.QueueArn ?? '', QueueName: `${id}-${suffix}`, QueueUrl });
  }
  const role = await createRole(endpoint, `responder-role-${suffix}`);
  for (const [id] of of('AWS::Lambda::Function')) {
    const name = `${id.slice(0, 40)}-${suffix}`;
    physical.set(id, { Ref: name, Arn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${name}` });
  }
  for (const [id, r] of of('AWS::Lambda::Function')) {
    const name = physical.get(id)?.Ref ?? '';
    const env = resolve((r.Properties?.Environment as { Variables?: unknown } | undefined)?.Variables ?? {});
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Runtime: String(r.Properties?.Runtime ?? 'nodejs22.x') as Runtime,
        Role: role,
        Handler: 'index.handler',
        Code: { ZipFile: zipOf('index.mjs', 'export const handler = async () => ({});') },
        Timeout: Number(r.Properties?.Timeout ?? 60),
        MemorySize: Number(r.Properties?.MemorySize ?? 512),
        Environment: { Variables: env as Record<string, string> },
      }),
    );
  }
  for (const [, r] of of('AWS::SNS::Subscription')) {
    const p = resolve(r.Properties ?? {}) as Record<string, string>;
    await sns.send(new SubscribeCommand({ TopicArn: p.TopicArn, Protocol: p.Protocol, Endpoint: p.Endpoint }));
  }
  for (const [, r] of of('AWS::CloudWatch::Alarm')) {
    const p = resolve(r.Properties ?? {}) as PutMetricAlarmCommandInput;
    await cloudwatch.send(new PutMetricAlarmCommand(p));
  }
  const outputs = Object.fromEntries(
    Object.entries(template.Outputs ?? {}).map(([key, o]) => [key, String(resolve(o.Value))]),
  );
  const responder = outputs.ResponderFunctionName ?? '';
  return { outputs, functionName: responder, topicArn: outputs.TopicArn ?? '' };
}
