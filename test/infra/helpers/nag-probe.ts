/**
 * Preloaded into `bin/app.ts` by test/infra/app.test.ts (`tsx --import`): adds one construct cdk-nag's
 * AwsSolutions pack always flags (an SNS topic without encryption or an SSL-only policy: AwsSolutions-SNS2,
 * AwsSolutions-SNS3) to the app's stack just before synthesis. A synthesis that reports no finding for it did not
 * run cdk-nag.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Topic } from 'aws-cdk-lib/aws-sns';

const synth = App.prototype.synth;
App.prototype.synth = function synthWithProbe(this: App, ...args: Parameters<App['synth']>) {
  const stack = this.node.children.find((c): c is Stack => Stack.isStack(c));
  if (stack !== undefined && stack.node.tryFindChild('NagProbeTopic') === undefined) new Topic(stack, 'NagProbeTopic');
  return synth.apply(this, args);
};
