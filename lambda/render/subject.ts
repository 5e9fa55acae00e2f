import { asciiSubject } from '../safety/escape.js';
import type { Diagnosis } from '../summarize/diagnosis.js';
import { causeLabel, clean, inferredLabel, percent } from './text.js';

/**
 * The email subject: state, API/stage, top cause and its share, e.g.
 * `[ALARM] orders-api/prod: 502 malformed Lambda proxy response (91%)`. Printable ASCII, at most 99 characters
 * (SNS wants "less than 100", https://docs.aws.amazon.com/sns/latest/api/API_Publish.html), so no header can be
 * injected through it and SNS never refuses it.
 */
export function renderSubject(d: Diagnosis, state = 'ALARM', options: { readonly account?: boolean } = {}): string {
  const name = `${d.api.name ?? d.api.apiId ?? 'API'}${d.api.stage !== undefined ? `/${d.api.stage}` : ''}`;
  // A central responder's alarm from a member account: `[ALARM] 111122223333 orders-api/prod: ...`.
  const account = options.account === true && d.api.accountId !== undefined ? `${d.api.accountId} ` : '';
  const api = `${account}${clean(name, 60)}`;
  const top = d.causes[0];
  const inferred = d.signals?.inferred[0];
  const what =
    top !== undefined
      ? `${causeLabel(top)} (${percent(top.share)})`
      : inferred !== undefined
        ? `${inferredLabel(inferred)} (from ${inferred.sources.map((x) => (x === 'configuration' ? 'config' : x)).join('+')})`
        : d.unreadable.length > 0
          ? 'not diagnosed, logs could not be read'
          : d.backendUnjoined.length > 0
            ? 'backend function failed, no request logged'
            : 'no failed request found in the logs';
  return asciiSubject(`[${state}] ${api}: ${what}`);
}
