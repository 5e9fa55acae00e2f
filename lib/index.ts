/**
 * apigw-5xx-responder as a construct library: `import { ApiGateway5xxResponder } from 'apigw-5xx-responder'`.
 * Exports the construct, its props and settings types, the stacks this repository deploys (the responder, and the
 * member stack of central mode), and the cause ids the per-cause routes take.
 */

export type { RuntimeApiConfig, RuntimeConfig } from '../lambda/config/runtime-config.js';
export { CAUSE_IDS, type CauseId } from '../lambda/taxonomy.js';
export {
  CENTRAL_DEFAULTS,
  type CentralResources,
  type CentralSettings,
  type ResolvedCentralSettings,
} from './central.js';
export {
  type AlarmSettings,
  type AlarmTiming,
  type ApiConfig,
  ConfigError,
  type CountThreshold,
  type HttpApiConfig,
  LOG_RETENTION_DAYS,
  type RateThreshold,
  RESPONDER_DEFAULTS,
  type ResolvedAlarmSettings,
  type ResolvedResponderSettings,
  type ResolvedThreshold,
  type ResponderSettings,
  type RestApiConfig,
} from './config.js';
export { type MemberSettings, MemberStack, type MemberStackProps } from './member-stack.js';
export {
  type ChatbotLoggingLevel,
  type ChatbotSettings,
  FORWARDER_ENTRY,
  NOTIFICATION_DEFAULTS,
  type NotificationRoute,
  type NotificationSettings,
  RECOVERY_CAUSE,
  type ResolvedChatbotSettings,
  type ResolvedNotificationRoute,
  type ResolvedNotificationSettings,
  type ResolvedSlackWebhookSettings,
  ResponderNotifications,
  type SlackWebhookSettings,
} from './notifications.js';
export { ApiGateway5xxResponder, type ApiGateway5xxResponderProps, DEFAULT_HANDLER_ENTRY } from './responder.js';
export { ResponderStack, type ResponderStackProps } from './responder-stack.js';
