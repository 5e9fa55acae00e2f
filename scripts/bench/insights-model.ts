/**
 * Should CloudWatch Logs Insights take over huge incidents (issue 16, item 3)? A model, not a measurement of the
 * service: moto's Logs Insights runs only `fields`, `sort` and `limit` (moto/logs/logs_query/query_parser.py, moto
 * 5.2): no `filter`, `parse` or `stats`, so a `stats count() by` over error templates cannot run locally and the
 * project's rule (end-to-end tests against moto, no imitations) means it could not be tested either. The model puts
 * the measured FilterLogEvents figures (sections 2 and 4) next to what a query would cost by AWS's published prices
 * and quotas.
 */

/** Logs Insights: USD per GB of log data scanned, us-east-1 (Standard and Infrequent Access log classes alike). */
export const INSIGHTS_USD_PER_GB = 0.005;
/** Concurrent Logs Insights queries per account, dashboards and people in the console included (StartQuery API reference). */
export const INSIGHTS_CONCURRENT_QUERIES = 30;

export interface InsightsInputs {
  /** The responders' FilterLogEvents share, calls per second (with the limiter's margin applied). */
  readonly slotsPerSecond: number;
  /** Status lines per count page (FilterLogEvents returns at most 10,000 events per page). */
  readonly eventsPerPage: number;
  /** The time budget of one responder, ms; the count read may use a quarter of it. */
  readonly budgetMs: number;
  /** Per failed request, bytes of an ERROR-level incident (measured: the generated incidents of section 2). */
  readonly errorBytesPerFailure: number;
  /** Per request, bytes of an INFO-level execution log (lines per request × characters per line, section 1). */
  readonly infoBytesPerRequest: number;
  /** Share of requests failed in the INFO-level case. */
  readonly infoFailureRate: number;
  /** Measured single-alarm storms: failed requests, FilterLogEvents calls, seconds to notification, counted. */
  readonly measured: readonly { failed: number; calls: number; notifiedMs: number; counted: number }[];
}

const usd = (v: number) => (v < 0.01 ? `$${v.toFixed(5)}` : `$${v.toFixed(3)}`);
const gb = (bytes: number) => (bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${(bytes / 1e6).toFixed(1)} MB`);
const int = (n: number) => Math.round(n).toLocaleString('en-US');

export function renderInsights(p: (line?: string) => void, x: InsightsInputs): void {
  p('## 6. Logs Insights for huge incidents? (a model: moto cannot run the query)');
  p();
  p("moto's Logs Insights runs only `fields`, `sort` and `limit` (moto/logs/logs_query/query_parser.py, moto 5.2): no");
  p(
    '`filter`, `parse` or `stats`, so `stats count() by template` cannot run against the local endpoint, and a feature the',
  );
  p(
    "project cannot test end to end against moto is not built. What follows puts this run's FilterLogEvents figures next",
  );
  p("to AWS's published Insights prices and quotas, to decide whether it would be worth building against real AWS.");
  p();
  p(
    `- Price: Logs Insights bills **$${INSIGHTS_USD_PER_GB} per GB scanned** (us-east-1; every event in the queried time range of`,
  );
  p(
    '  the log group is scanned, whatever the filter). FilterLogEvents has no charge of its own on the CloudWatch pricing',
  );
  p('  page (ingestion, storage, Insights scans and Live Tail are what is billed); its cost is the quota. Prices as');
  p(
    '  listed by third-party summaries of the CloudWatch pricing page (e.g. https://c3x.dev/blog/cloudwatch-logs-cost-optimization,',
  );
  p('  us-east-1, June 2026); the pricing page itself was not in the reference material searched.');
  p(
    `- Quotas: FilterLogEvents 5 calls per second per account (responders' share here ${x.slotsPerSecond.toFixed(2)} slots/s after the`,
  );
  p(
    `  limiter's margin). Insights: at most ${INSIGHTS_CONCURRENT_QUERIES} concurrent queries per account, dashboards and people in the`,
  );
  p(
    '  console included (StartQuery API reference), and AWS itself suggests Insights over FilterLogEvents for automation',
  );
  p('  (https://repost.aws/knowledge-center/cloudwatch-logs-throttling). Query run time is not published.');
  p(
    '- Calls: one StartQuery, then GetQueryResults until the status is Complete (one a second: the query time in seconds),',
  );
  p('  outside the FilterLogEvents quota; FilterLogEvents needs one call per page of up to 10,000 events (or 1 MB).');
  p();
  const countCapacity = (alarms: number) => (((x.slotsPerSecond / alarms) * (x.budgetMs / 4)) / 1000) * x.eventsPerPage;
  p(
    '| Incident | FilterLogEvents (measured, one alarm) | Insights scan (ERROR-level log) | Insights scan (INFO-level log, ' +
      `${Math.round(x.infoFailureRate * 100)}% failed) |`,
  );
  p('|---:|---|---|---|');
  for (const m of x.measured) {
    const errorBytes = m.failed * x.errorBytesPerFailure;
    const infoBytes = (m.failed / x.infoFailureRate) * x.infoBytesPerRequest;
    p(
      `| ${int(m.failed)} failed | ${m.calls} calls, notified after ${(m.notifiedMs / 1000).toFixed(1)} s, ${int(m.counted)} counted; $0 | ${gb(errorBytes)}: ${usd((errorBytes / 1e9) * INSIGHTS_USD_PER_GB)} per query | ${gb(infoBytes)}: ${usd((infoBytes / 1e9) * INSIGHTS_USD_PER_GB)} per query |`,
    );
  }
  p();
  p('Where FilterLogEvents stops counting exactly: the count read (one status line per failed request, pages of');
  p(
    `${int(x.eventsPerPage)}) may use a quarter of the ${x.budgetMs / 1000} s budget; at ${x.slotsPerSecond.toFixed(2)} slots/s that is about ${int(countCapacity(1))} failed requests for one alarm`,
  );
  p(
    `alone and about ${int(countCapacity(10))} each when ten alarms share the slots. Beyond that the message says "at least N" and the`,
  );
  p('cause shares come from the evenly spread sample (within 2 points of the truth in section 2).');
  p();
  p('**Decision: not built.** The numbers do not make the case:');
  p();
  p(
    '- Scan cost is not the obstacle (cents per query even for an INFO-level log), but neither is it what the responder',
  );
  p(
    '  lacks: the sample already names the causes, their shares (within 2 points), routes and evidence, and the message',
  );
  p('  says when it sampled. Exact totals are what Insights would add, and only above the counts in the line above.');
  p('- Insights competes for what people use in the same incident: 30 concurrent queries per account, console and');
  p('  dashboards included, and its run time is not published, so it cannot promise a notification within 60 s.');
  p('- It cannot be tested here: moto has no `stats`/`filter`/`parse`, and the project tests against moto, not mocks.');
  p();
  p('When to revisit: incidents above those counts being common (the responder logs "incident too big to read whole";');
  p(
    'its message says "at least"), or a local endpoint that runs Insights queries. The query would be one StartQuery per',
  );
  p('alarm, `filter @message like "Method completed with status: 5" | stats count() by bin(1m)` for exact totals, run');
  p('alongside (not instead of) the sampled FilterLogEvents read that supplies evidence and routes.');
  p();
}
