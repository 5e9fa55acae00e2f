/** The deployable stack: reads the configuration and instantiates the responder construct. */
import { Stack, type StackProps } from 'aws-cdk-lib';
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
  }
}
