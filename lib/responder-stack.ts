/** The deployable stack: reads the configuration and instantiates the responder construct. */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { loadResponderSettings, type ResponderSettings } from './config.js';
import { ApiGateway5xxResponder } from './responder.js';

export interface ResponderStackProps extends StackProps {
  /**
   * The responder settings.
   *
   * @default - read from CDK context: the JSON file named by `config`, with `apis`, `emails`, `alarm` and the
   *   numeric keys laid over it (see `loadResponderSettings`)
   */
  readonly settings?: ResponderSettings;
  /**
   * Path of the handler entry; tests and experiments may point elsewhere.
   *
   * @default - the responder handler of this package (`DEFAULT_HANDLER_ENTRY`)
   */
  readonly entry?: string;
}

/** A stack holding one `ApiGateway5xxResponder`. */
export class ResponderStack extends Stack {
  /** The responder construct this stack holds. */
  readonly responder: ApiGateway5xxResponder;

  constructor(scope: Construct, id: string, props: ResponderStackProps = {}) {
    const { settings, entry, ...stackProps } = props;
    super(scope, id, {
      ...stackProps,
      description:
        stackProps.description ??
        'apigw-5xx-responder: diagnoses API Gateway 5xx alarms and publishes the cause to SNS',
    });
    this.responder = new ApiGateway5xxResponder(this, 'Responder', {
      ...(settings ?? loadResponderSettings(this.node)),
      ...(entry !== undefined ? { entry } : {}),
    });
    // What `apigw-5xx check` starts from (bin/check.ts); everything else it reads from the function's environment.
    const outputs = {
      ResponderFunctionName: [this.responder.function.functionName, 'The responder function'],
      TopicArn: [this.responder.topic.topicArn, 'The SNS topic diagnoses are published to'],
      FailureQueueUrl: [this.responder.failureQueue.queueUrl, 'Alarm events the responder failed to handle'],
      Subscriptions: [expectedSubscriptions(this.responder), 'protocol:endpoint of each subscription the stack makes'],
    } as const;
    for (const [id, [value, description]] of Object.entries(outputs)) new CfnOutput(this, id, { value, description });
    // Central mode: what the member stacks need (`-c member='{"centralBusArn": ...}'`).
    const central = this.responder.central;
    if (central !== undefined) {
      new CfnOutput(this, 'CentralBusArn', {
        value: central.eventBus.eventBusArn,
        description: 'The event bus member accounts forward their API Gateway 5xx alarms to (member centralBusArn)',
      });
    }
  }
}

/** Every subscription the stack makes to the topic (`email:ADDRESS`, `lambda:ARN`), for `apigw-5xx check`. */
function expectedSubscriptions(responder: ApiGateway5xxResponder): string {
  const { emails, notifications } = responder.settings;
  const routed = notifications?.routes.flatMap((r) => r.emails) ?? [];
  const forwarder = responder.notifications?.forwarder;
  const all = [
    ...[...emails, ...routed].map((e) => `email:${e}`),
    ...(forwarder !== undefined ? [`lambda:${forwarder.functionArn}`] : []),
  ];
  return all.length > 0 ? all.join(',') : 'none';
}
