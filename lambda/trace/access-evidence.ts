import type { AccessRecord } from '../parse/access-log.js';

/**
 * An access log record as evidence: the fields that say why the request failed, by their `$context` names, instead
 * of the raw line (a JSON object cut at the evidence limit mid-field tells an engineer less than its one decisive
 * field). `status: 500; integrationErrorMessage: The Lambda function returned the following error: ...`.
 */
const EVIDENCE_FIELDS: ReadonlyArray<readonly [keyof AccessRecord, string]> = [
  ['status', 'status'],
  ['responseType', 'error.responseType'],
  ['errorMessage', 'error.message'],
  ['integrationErrorMessage', 'integrationErrorMessage'],
  ['integrationError', 'integration.error'],
  ['authorizerError', 'authorizer.error'],
  ['integrationStatus', 'integration.status'],
  ['integrationLatencyMs', 'integration.latency'],
];

export function accessEvidenceText(record: AccessRecord): string | undefined {
  const parts: string[] = [];
  for (const [field, name] of EVIDENCE_FIELDS) {
    const value = record[field];
    if (value === undefined) continue;
    parts.push(field === 'integrationLatencyMs' ? `${name}: ${value} ms` : `${name}: ${value}`);
  }
  // A record with nothing but its status says no more than the raw line: keep the line then.
  return parts.length > 1 ? parts.join('; ') : undefined;
}
