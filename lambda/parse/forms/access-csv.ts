import type { AccessRecord } from '../access-log.js';

/**
 * The CSV access log formats API Gateway's console offers (the developer guide's access log format examples):
 * REST APIs
 *   $context.identity.sourceIp,$context.identity.caller,$context.identity.user,$context.requestTime,
 *   $context.httpMethod,$context.resourcePath,$context.protocol,$context.status,$context.responseLength,
 *   $context.requestId[,$context.extendedRequestId]
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html#apigateway-cloudwatch-log-formats
 * HTTP APIs
 *   $context.identity.sourceIp,$context.requestTime,$context.httpMethod,$context.routeKey,$context.protocol,
 *   $context.status,$context.responseLength,$context.requestId
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging.html
 * A CSV line has no field names, so it is read by these two layouts only: the method, a protocol (`HTTP/1.1`) two
 * fields later (REST) or one (HTTP: the route key holds the method too), then the status, length and request id.
 */
const METHOD = /^(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|ANY|-)$/;
const PROTOCOL = /^(?:HTTP\/[\d.]+|-)$/;
const STATUS = /^\d{3}$/;
const REQUEST_TIME = /^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}$/;

export function parseCsvAccessLine(line: string): AccessRecord | undefined {
  // Cheap rejections first: every line of every log passes here.
  if (line.length > 4_000 || line.indexOf(',') === -1) return undefined;
  // 7 to 10 commas, counted without splitting (a huge line of commas is no access log).
  let commas = 0;
  for (let at = line.indexOf(','); at !== -1 && commas <= 10; at = line.indexOf(',', at + 1)) commas++;
  if (commas < 7 || commas > 10) return undefined;
  const f = line.split(',');
  const time = f.findIndex((v) => REQUEST_TIME.test(v));
  if (time === -1) return undefined;
  const method = f[time + 1];
  if (method === undefined || !METHOD.test(method)) return undefined;
  // REST: time, method, resourcePath, protocol, status, length, requestId[, extendedRequestId]
  // HTTP: time, method, routeKey, protocol, status, length, requestId
  const resource = f[time + 2];
  const protocol = f[time + 3];
  const status = f[time + 4];
  const requestId = f[time + 6];
  if (resource === undefined || protocol === undefined || !PROTOCOL.test(protocol)) return undefined;
  if (status === undefined || !STATUS.test(status)) return undefined;
  const record: AccessRecord = { status: Number(status) };
  if (method !== '-') record.method = method;
  if (resource !== '-' && resource !== '') {
    if (resource.includes(' ') || resource.startsWith('$')) record.routeKey = resource;
    else record.resourcePath = resource;
  }
  if (requestId !== undefined && requestId !== '-' && requestId !== '') record.requestId = requestId;
  const extended = f[time + 7];
  if (extended !== undefined && extended !== '-' && extended !== '') record.extendedRequestId = extended;
  return record;
}
