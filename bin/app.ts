#!/usr/bin/env node
/**
 * CDK app entry: `npx cdk synth|deploy [-c config=my-config.json] [-c apis='[...]'] [-c emails=a@b.c]`.
 * With neither `config` nor `apis` in the context it synthesizes config.example.json, and warns.
 * Many accounts: `central` in the config (or `-c central='{...}'`) makes the responder the central one;
 * `-c member='{...}'` synthesizes the member stack instead (lib/member-stack.ts).
 */
import { Annotations, App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError } from '../lib/config.js';
import { loadMemberSettings, MemberStack } from '../lib/member-stack.js';
import { ResponderStack } from '../lib/responder-stack.js';

const EXAMPLE_CONFIG = 'config.example.json';

const app = new App();
const isMember = app.node.tryGetContext('member') !== undefined;
// Existing-alarms and central mode need no API list: they do not fall back to the example either.
const usesExample =
  !isMember && ['config', 'apis', 'existingAlarms', 'central'].every((k) => app.node.tryGetContext(k) === undefined);
if (usesExample) app.node.setContext('config', EXAMPLE_CONFIG);

const stackName = app.node.tryGetContext('stackName');
try {
  const member = loadMemberSettings(app.node);
  if (member !== undefined) {
    // Environment-agnostic on purpose: one template for every account and Region (StackSets).
    new MemberStack(app, typeof stackName === 'string' ? stackName : 'ApiGateway5xxResponderMember', {
      settings: member,
    });
  }
  const stack =
    member !== undefined
      ? undefined
      : new ResponderStack(app, typeof stackName === 'string' ? stackName : 'ApiGateway5xxResponder', {
          env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
        });
  if (stack !== undefined && usesExample) {
    Annotations.of(stack).addWarningV2(
      'apigw-5xx-responder:example-config',
      `No configuration given, so ${EXAMPLE_CONFIG} was used: pass -c config=<your file> or -c apis='[...]' to watch your own APIs.`,
    );
  }
} catch (error) {
  if (error instanceof ConfigError) {
    // The problems are the message; a stack trace would only bury them.
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

// cdk-nag v3 runs as a policy-validation plugin: findings are reported (and fail the synth) at the end of synthesis.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
