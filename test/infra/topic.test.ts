import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, it } from 'vitest';
import type { ResponderStack } from '../../lib/responder-stack.js';
import { synthResponder, TWO_APIS } from './helpers/synth.js';

describe('ApiGateway5xxResponder topic', () => {
  let template: Template;
  let stack: ResponderStack;

  beforeAll(() => {
    ({ template, stack } = synthResponder(TWO_APIS));
  });

  it('encrypts the topic with its own KMS key, rotated yearly', () => {
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: stack.resolve(stack.responder.topicKey.keyArn),
    });
  });

  it('denies publishing to the topic over plain HTTP', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [stack.resolve(stack.responder.topic.topicArn)],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Principal: '*',
            Action: 'sns:Publish',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('subscribes each configured email address', () => {
    template.resourceCountIs('AWS::SNS::Subscription', 2);
    for (const email of ['oncall@example.com', 'lead@example.com']) {
      template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: email,
        TopicArn: stack.resolve(stack.responder.topic.topicArn),
      });
    }
  });

  it('creates no subscription when no email is configured', () => {
    const { template: noEmail } = synthResponder({ apis: TWO_APIS.apis });
    noEmail.resourceCountIs('AWS::SNS::Subscription', 0);
  });
});
