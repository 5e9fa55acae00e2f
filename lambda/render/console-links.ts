/**
 * Links to the AWS console for the things a diagnosis names. The CloudWatch console keeps its state in the URL
 * fragment with `$` standing for `%` (so `/` in a log group name is `$252F`, `?` is `$3F`, `=` is `$3D`, `&` is
 * `$26`).
 */

const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d$/;

function consoleBase(region: string, service: string): string {
  return `https://${region}.console.aws.amazon.com/${service}/home?region=${region}`;
}

/** encodeURIComponent throws on a lone surrogate (hostile names): make the string well formed first. */
export function encodeComponent(value: string): string {
  return encodeURIComponent(
    value.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'),
  );
}

function fragmentEncode(value: string): string {
  return encodeComponent(value).replace(/%/g, '$25');
}

/** The log group's events in the window. */
export function logGroupLink(
  region: string,
  logGroupName: string,
  window?: { start: number; end: number },
): string | undefined {
  if (!REGION.test(region)) return undefined;
  const range = window !== undefined ? `$3Fstart$3D${Math.floor(window.start)}$26end$3D${Math.floor(window.end)}` : '';
  return `${consoleBase(region, 'cloudwatch')}#logsV2:log-groups/log-group/${fragmentEncode(logGroupName)}/log-events${range}`;
}

export function alarmLink(region: string, alarmName: string): string | undefined {
  if (!REGION.test(region)) return undefined;
  return `${consoleBase(region, 'cloudwatch')}#alarmsV2:alarm/${encodeComponent(alarmName)}`;
}

export function functionLink(region: string, functionName: string): string | undefined {
  if (!REGION.test(region) || !/^[A-Za-z0-9_-]{1,140}$/.test(functionName)) return undefined;
  return `https://${region}.console.aws.amazon.com/lambda/home?region=${region}#/functions/${functionName}`;
}
