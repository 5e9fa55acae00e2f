/**
 * Many accounts and Regions: which account and Region an alarm belongs to, and credentials for reading there.
 *
 * A central responder (lib/central.ts) receives member accounts' alarm state changes on its event bus. For an
 * alarm whose (account, Region) is not the responder's own, it assumes the read-only role the member stack created
 * there (lib/member-stack.ts) and reads that account's API Gateway, CloudWatch Logs, metrics and CloudTrail with
 * clients for the alarm's Region. The role ARN comes from a pattern (`{account}`, `{region}`); credentials are asked
 * for once per invocation and (role, Region) and shared by that invocation's clients. With `logsThroughObservability`
 * a member's LOGS are read with the function's own credentials through CloudWatch cross-account observability (OAM)
 * instead ({@link observabilitySourceOf}); its configuration, metrics and CloudTrail still through the member role.
 */
import type { AssumeRoleCommandInput, AssumeRoleCommandOutput } from '@aws-sdk/client-sts';

/** Name of the environment variable that carries {@link AccountsConfig} as JSON (central mode only). */
export const ACCOUNTS_ENV = 'RESPONDER_ACCOUNTS';

/** What a central responder knows about the accounts it serves (written by lib/central.ts). */
export interface AccountsConfig {
  /** The responder's own account: alarms from it are read with the function's own role. */
  readonly homeAccount: string;
  /** The responder's own Region. */
  readonly homeRegion: string;
  /**
   * ARN of the read-only role to assume in a member account, with `{account}` and `{region}` standing for the
   * alarm's account and Region, e.g. `arn:aws:iam::{account}:role/apigw-5xx-responder-read-{region}`.
   */
  readonly roleArn: string;
  /** Passed as `ExternalId` to AssumeRole when the member roles require one. */
  readonly externalId?: string;
  /**
   * Read member accounts' logs through CloudWatch cross-account observability (OAM): with the function's own
   * credentials, naming each log group by its ARN in the member account. Everything else still goes through the
   * member role.
   */
  readonly logsThroughObservability?: boolean;
}

/** Where an alarm's API lives. */
export interface AwsTarget {
  readonly account?: string;
  readonly region?: string;
}

/** How to read an alarm's API: the responder's own credentials (maybe in another Region), or a member role. */
export interface ReadTarget {
  readonly account?: string;
  readonly region?: string;
  /** The member role to assume; absent: the function's own role. */
  readonly roleArn?: string;
}

const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d$/;

/** Reads {@link ACCOUNTS_ENV}; absent means single-account. A broken value is a deployment bug and fails loudly. */
export function readAccountsConfig(env: NodeJS.ProcessEnv): AccountsConfig | undefined {
  const raw = env[ACCOUNTS_ENV];
  if (raw === undefined || raw === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error(`${ACCOUNTS_ENV} is not JSON: redeploy the central stack`);
  }
  const c = parsed as Partial<AccountsConfig> | null;
  if (
    c === null ||
    typeof c !== 'object' ||
    typeof c.homeAccount !== 'string' ||
    !ACCOUNT.test(c.homeAccount) ||
    typeof c.homeRegion !== 'string' ||
    typeof c.roleArn !== 'string' ||
    !c.roleArn.includes('{account}') ||
    (c.externalId !== undefined && typeof c.externalId !== 'string') ||
    (c.logsThroughObservability !== undefined && typeof c.logsThroughObservability !== 'boolean')
  ) {
    throw new Error(
      `${ACCOUNTS_ENV} is not an accounts configuration (homeAccount, homeRegion, roleArn with {account}): redeploy the central stack`,
    );
  }
  return c as AccountsConfig;
}

/** The member role ARN for an account and Region, from the pattern. */
export function memberRoleArn(pattern: string, account: string, region: string): string {
  return pattern.replaceAll('{account}', account).replaceAll('{region}', region);
}

/**
 * How to read an alarm from `alarm` (its account and Region, when the event says) for a responder at `home`
 * (the function's Region; the account from `accounts`). Only well-formed ids are used: anything else is read at home.
 * - same account and Region (or unknown): the function's own clients (`undefined`);
 * - another Region of a single-account responder: its own role, with clients for that Region;
 * - in central mode, any other (account, Region): the member role there, with clients for that Region.
 */
export function readTargetOf(
  alarm: AwsTarget,
  home: { readonly region?: string },
  accounts: AccountsConfig | undefined,
): ReadTarget | undefined {
  const account = alarm.account !== undefined && ACCOUNT.test(alarm.account) ? alarm.account : undefined;
  const region = alarm.region !== undefined && REGION.test(alarm.region) ? alarm.region : undefined;
  const homeRegion = accounts?.homeRegion ?? home.region;
  const otherAccount = accounts !== undefined && account !== undefined && account !== accounts.homeAccount;
  const otherRegion = region !== undefined && homeRegion !== undefined && region !== homeRegion;
  if (!otherAccount && !otherRegion) return undefined;
  if (accounts === undefined) return { ...(region !== undefined ? { region } : {}) };
  const where = { account: account ?? accounts.homeAccount, region: region ?? accounts.homeRegion };
  return { ...where, roleArn: memberRoleArn(accounts.roleArn, where.account, where.region) };
}

/**
 * Where to read an alarm's LOGS through cross-account observability, or `undefined` to read them as the rest of
 * the alarm (`target`): only in central mode with `logsThroughObservability`, for another account than the
 * responder's own. The source carries the partition of the member role's ARN.
 */
export function observabilitySourceOf(
  target: ReadTarget | undefined,
  accounts: AccountsConfig | undefined,
): { account: string; region: string; partition: string } | undefined {
  if (accounts?.logsThroughObservability !== true || target?.roleArn === undefined) return undefined;
  const { account, region } = target;
  if (account === undefined || region === undefined || account === accounts.homeAccount) return undefined;
  const partition = /^arn:([^:]+):/.exec(target.roleArn)?.[1] ?? 'aws';
  return { account, region, partition };
}

/** Temporary credentials in the shape the AWS SDK's clients take. */
export interface TemporaryCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration?: Date;
}

/** STS AssumeRole (the handler wraps an STS client's `send(new AssumeRoleCommand(input))`). */
export interface StsPort {
  assumeRole(input: AssumeRoleCommandInput): Promise<AssumeRoleCommandOutput>;
}

/** AssumeRole into a member role failed: says which role, in which account, and what to do. */
export class AssumeRoleError extends Error {
  readonly roleArn: string;
  readonly fix: string;
  constructor(roleArn: string, target: ReadTarget, cause: unknown) {
    const why = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    const fix =
      `deploy the member stack in account ${target.account ?? '?'}, Region ${target.region ?? '?'}, or fix its ` +
      "role's trust policy: it must trust this responder's role (and the external id, if set); see " +
      'docs/deploying.md, "Many accounts"';
    super(`could not assume ${roleArn}: ${fix}. STS said: ${why.slice(0, 300)}`, { cause });
    this.name = 'AssumeRoleError';
    this.roleArn = roleArn;
    this.fix = fix;
  }
}

export interface AccountCredentialsOptions {
  /** Passed as ExternalId when set. */
  readonly externalId?: string;
  /**
   * RoleSessionName: shows in the member's CloudTrail as who read.
   * @default 'apigw-5xx-responder'
   */
  readonly sessionName?: string;
  /**
   * Lifetime of the credentials (900 to the role's maximum).
   * @default 900
   */
  readonly durationSec?: number;
}

/**
 * Credentials for member roles, from STS AssumeRole. Make one per invocation: each role is assumed at most once
 * through it (concurrent callers share the one call), and a failure is kept, so the invocation's clients do not
 * ask STS again and again.
 */
export class AccountCredentials {
  private readonly cache = new Map<string, Promise<TemporaryCredentials>>();

  constructor(
    private readonly sts: StsPort,
    private readonly options: AccountCredentialsOptions = {},
  ) {}

  /** A credential provider for the target's role (for an SDK client's `credentials`). */
  providerFor(target: ReadTarget & { readonly roleArn: string }): () => Promise<TemporaryCredentials> {
    return () => this.credentials(target);
  }

  /** The role's credentials, assumed once; rejects with {@link AssumeRoleError}. */
  credentials(target: ReadTarget & { readonly roleArn: string }): Promise<TemporaryCredentials> {
    const known = this.cache.get(target.roleArn);
    if (known !== undefined) return known;
    const pending = this.assume(target);
    // Kept even when it fails: the invocation's other clients get the same error without calling STS again.
    pending.catch(() => undefined);
    this.cache.set(target.roleArn, pending);
    return pending;
  }

  private async assume(target: ReadTarget & { readonly roleArn: string }): Promise<TemporaryCredentials> {
    let out: AssumeRoleCommandOutput;
    try {
      out = await this.sts.assumeRole({
        RoleArn: target.roleArn,
        RoleSessionName: this.options.sessionName ?? 'apigw-5xx-responder',
        DurationSeconds: this.options.durationSec ?? 900,
        ...(this.options.externalId !== undefined ? { ExternalId: this.options.externalId } : {}),
      });
    } catch (error) {
      throw new AssumeRoleError(target.roleArn, target, error);
    }
    const c = out.Credentials;
    if (c?.AccessKeyId === undefined || c.SecretAccessKey === undefined || c.SessionToken === undefined) {
      throw new AssumeRoleError(target.roleArn, target, new Error('the answer carried no credentials'));
    }
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      ...(c.Expiration !== undefined ? { expiration: c.Expiration } : {}),
    };
  }
}
