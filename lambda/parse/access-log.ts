import { parseCsvAccessLine } from './forms/access-csv.js';
import { isRecord } from './input.js';

/**
 * API Gateway access log lines, REST and HTTP APIs. The format is the team's own choice of `$context` variables:
 * JSON (any key names: we map them by what they usually are called), the CLF line the console offers, or XML.
 * Any field may be missing or `-` (API Gateway writes `-` for a variable without a value).
 * Reference: https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html#apigateway-cloudwatch-log-formats
 * and https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging-variables.html
 */
export interface AccessRecord {
  requestId?: string;
  extendedRequestId?: string;
  status?: number;
  method?: string;
  resourcePath?: string;
  routeKey?: string;
  path?: string;
  errorMessage?: string;
  responseType?: string;
  integrationErrorMessage?: string;
  integrationError?: string;
  integrationStatus?: number;
  integrationLatencyMs?: number;
  integrationRequestId?: string;
  authorizerError?: string;
  requestTimeEpochMs?: number;
  apiId?: string;
  stage?: string;
  /** `$context.domainName`: `{api-id}.execute-api.{region}.amazonaws.com` or a custom domain. */
  domainName?: string;
}

type Field = keyof AccessRecord;

/** Key names (lower case, without `$context.`, dots, dashes and underscores) mapped to the fields they carry. */
const KEY_ALIASES: Readonly<Record<string, Field>> = {
  requestid: 'requestId',
  contextrequestid: 'requestId',
  awsrequestid: 'requestId',
  extendedrequestid: 'extendedRequestId',
  status: 'status',
  statuscode: 'status',
  httpstatus: 'status',
  httpmethod: 'method',
  method: 'method',
  resourcepath: 'resourcePath',
  resource: 'resourcePath',
  routekey: 'routeKey',
  route: 'routeKey',
  path: 'path',
  errormessage: 'errorMessage',
  error: 'errorMessage',
  errormessagestring: 'errorMessage',
  errorresponsetype: 'responseType',
  responsetype: 'responseType',
  integrationerrormessage: 'integrationErrorMessage',
  integrationerror: 'integrationError',
  integrationstatus: 'integrationStatus',
  integrationintegrationstatus: 'integrationStatus',
  integrationlatency: 'integrationLatencyMs',
  integrationrequestid: 'integrationRequestId',
  authorizererror: 'authorizerError',
  requesttimeepoch: 'requestTimeEpochMs',
  apiid: 'apiId',
  stage: 'stage',
  domainname: 'domainName',
};

const NUMERIC: ReadonlySet<Field> = new Set<Field>([
  'status',
  'integrationStatus',
  'integrationLatencyMs',
  'requestTimeEpochMs',
]);

function normalizeKey(key: string): string {
  return key
    .replace(/^\$?context\./i, '')
    .replace(/[^A-Za-z0-9]/g, '')
    .toLowerCase();
}

function assign(record: AccessRecord, key: string, raw: unknown): void {
  const field = KEY_ALIASES[normalizeKey(key)];
  if (field === undefined || record[field] !== undefined) return;
  if (raw === null || raw === undefined) return;
  const text = typeof raw === 'string' ? raw.trim() : typeof raw === 'number' ? String(raw) : undefined;
  if (text === undefined || text === '' || text === '-') return;
  if (NUMERIC.has(field)) {
    // integration.status may be "200" or, for Lambda, the status the Lambda service returned.
    if (!/^\d{1,15}$/.test(text)) return;
    (record as Record<Field, unknown>)[field] = Number(text);
  } else {
    (record as Record<Field, unknown>)[field] = text;
  }
}

/** Counts the access log fields a record carries: a JSON object with none of them is not an access log line. */
function fieldCount(record: AccessRecord): number {
  return Object.keys(record).length;
}

/** Parses a JSON access log line. Nested objects (`"error": {"message": ...}`) are read one level deep. */
export function parseJsonAccessLine(value: unknown): AccessRecord | undefined {
  if (!isRecord(value)) return undefined;
  const record: AccessRecord = {};
  for (const [key, raw] of Object.entries(value)) {
    if (isRecord(raw)) {
      for (const [inner, innerRaw] of Object.entries(raw)) assign(record, `${key}.${inner}`, innerRaw);
    } else {
      assign(record, key, raw);
    }
  }
  // Without a status there is nothing to judge a request by.
  return record.status !== undefined && fieldCount(record) >= 2 ? record : undefined;
}

// The CLF format the console offers (REST resourcePath, HTTP API routeKey in the same place):
// $context.identity.sourceIp $context.identity.caller $context.identity.user [$context.requestTime]
//   "$context.httpMethod $context.resourcePath $context.protocol" $context.status $context.responseLength $context.requestId
// REST's documented CLF has no space between `]` and `"`; HTTP API's has one.
const CLF =
  /^(\S+) (\S+) (\S+) \[([^\]]{1,40})\] ?"([A-Z]+|-) ((?:[A-Z]+ )?[^"\s]*) ([^"\s]*)" (\d{3}|-) (\d+|-) (\S+)(?:\s+(.*))?$/;

/** Parses the console's CLF access log line (the text after the request id is kept as extra text). */
export function parseClfAccessLine(line: string): AccessRecord | undefined {
  const m = CLF.exec(line);
  if (m === null || m[8] === undefined || m[8] === '-') return undefined;
  const record: AccessRecord = { status: Number(m[8]) };
  const method = m[5];
  const resource = m[6];
  if (method !== undefined && method !== '-') record.method = method;
  if (resource !== undefined && resource !== '-' && resource !== '') {
    // HTTP APIs log the route key ("GET /orders/{id}") where REST logs the resource path.
    if (resource.includes(' ') || resource.startsWith('$')) record.routeKey = resource;
    else record.resourcePath = resource;
  }
  if (m[10] !== undefined && m[10] !== '-') record.requestId = m[10];
  // After the request id the documented formats put $context.extendedRequestId; the HTTP API troubleshooting
  // guide appends $context.integrationErrorMessage (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-troubleshooting-lambda.html).
  const extra = m[11]?.trim();
  if (extra !== undefined && extra !== '' && extra !== '-') {
    const [first, ...rest] = extra.split(' ');
    if (first !== undefined && /^[A-Za-z0-9_-]{10,30}=*$/.test(first) && rest.length === 0)
      record.extendedRequestId = first;
    else if (first !== undefined && /^[A-Za-z0-9_-]{10,30}=$/.test(first)) {
      const message = rest.join(' ').trim();
      record.extendedRequestId = first;
      if (message !== '' && message !== '-') record.integrationErrorMessage = message;
    } else record.integrationErrorMessage = extra;
  }
  return record;
}

// XML format from the console: <request id="$context.requestId"> <ip>..</ip> ... <status>..</status> ...</request>
const XML_REQUEST = /^<request id="([^"]*)">/;
const XML_ELEMENT = /<([A-Za-z][A-Za-z0-9]{0,40})>([^<]{0,4000})<\/\1>/g;

export function parseXmlAccessLine(line: string): AccessRecord | undefined {
  const m = XML_REQUEST.exec(line);
  if (m === null) return undefined;
  const record: AccessRecord = {};
  if (m[1] !== undefined && m[1] !== '-' && m[1] !== '') record.requestId = m[1];
  for (const el of line.matchAll(XML_ELEMENT)) {
    if (el[1] !== undefined) assign(record, el[1], el[2]);
  }
  return record.status !== undefined ? record : undefined;
}

/** Reads an access log line in any of the supported shapes. */
export function parseAccessLine(message: string): AccessRecord | undefined {
  const first = message.charCodeAt(0);
  if (first === 123 /* { */) {
    try {
      return parseJsonAccessLine(JSON.parse(message));
    } catch {
      return undefined;
    }
  }
  if (first === 60 /* < */) return parseXmlAccessLine(message);
  return parseClfAccessLine(message) ?? parseCsvAccessLine(message);
}
