import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagnoseEvents } from '../../lambda/diagnose.js';
import type { LogEvent } from '../../lambda/parse/log-event.js';
import { renderChatbotNotification } from '../../lambda/render/chatbot.js';
import { renderJson } from '../../lambda/render/json.js';
import { renderSlack } from '../../lambda/render/slack.js';
import { renderSubject } from '../../lambda/render/subject.js';
import { renderText } from '../../lambda/render/text.js';
import { mulberry32 } from '../../scripts/bench/corpus.js';

const BIN = join(import.meta.dirname, '../../bin/apigw-5xx.mjs');

function uuid(i: number, kind: number): string {
  return `${kind.toString(16).padStart(8, '0')}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
}

/**
 * ERROR-level execution lines (the texts the taxonomy fixtures quote) for `failed` failed requests, a random third of
 * them timeouts and the rest malformed proxy responses, each followed by a request that succeeded.
 */
function incident(failed: number, seed = 7): { lines: string[]; timeouts: number } {
  const random = mulberry32(seed);
  const lines: string[] = [];
  let timeouts = 0;
  for (let i = 0; i < failed; i++) {
    const id = uuid(i, 1);
    if (random() < 1 / 3) {
      timeouts++;
      lines.push(`(${id}) Execution failed due to a timeout error`, `(${id}) Method completed with status: 504`);
    } else {
      lines.push(
        `(${id}) Execution failed due to configuration error: Malformed Lambda proxy response`,
        `(${id}) Method completed with status: 502`,
      );
    }
    lines.push(`(${uuid(i, 2)}) Method completed with status: 200`);
  }
  return { lines, timeouts };
}

function events(lines: readonly string[]): LogEvent[] {
  return lines.map((message) => ({ message }));
}

describe('totals when only a sample is classified', () => {
  const TOTAL = 3_000;
  const { lines, timeouts } = incident(TOTAL);
  const { diagnosis } = diagnoseEvents(events(lines), { maxClassified: 400 });

  it('counts every failed request and the sample apart, and the causes add up to the sample', () => {
    // Assess
    expect(diagnosis.failedRequests).toBe(TOTAL);
    expect(diagnosis.classifiedRequests).toBeLessThan(TOTAL);
    expect(diagnosis.causes.reduce((n, c) => n + c.count, 0)).toBe(diagnosis.classifiedRequests);
    const timeoutShare = diagnosis.causes.find((c) => c.cause === 'integration_timeout')?.share ?? 0;
    expect(Math.abs(timeoutShare - timeouts / TOTAL)).toBeLessThan(0.05);
  });

  it('says the true total and the sample size in the text and email headline, never the sample as the total', () => {
    // Act
    const text = renderText(diagnosis);
    const classified = diagnosis.classifiedRequests.toLocaleString('en-US');
    // Assess
    const [cause] = text.split('\n');
    expect(cause).toMatch(
      new RegExp(
        `^Cause: 502 malformed Lambda proxy response: \\d+% of 3,000 failed requests \\(\\d+ of ${classified} classified\\)`,
      ),
    );
    expect(text).toContain(`Failed requests: 3,000 (${classified} classified)`);
    expect(text).not.toMatch(new RegExp(`\\b${classified} of ${classified} failed requests\\b`));
    expect(text).not.toContain(`Failed requests: ${diagnosis.classifiedRequests};`);
  });

  it('says both in the JSON, the Slack text and the Chatbot notification', () => {
    // Act
    const json = JSON.parse(renderJson(diagnosis)) as { failedRequests: number; classifiedRequests: number };
    const slack = renderSlack(diagnosis);
    const chatbot = renderChatbotNotification(diagnosis);
    // Assess
    expect(json).toMatchObject({ failedRequests: TOTAL, classifiedRequests: diagnosis.classifiedRequests });
    for (const rendered of [slack, chatbot.content.description]) {
      expect(rendered).toContain(`*Failed* 3,000 (${diagnosis.classifiedRequests} classified)`);
      expect(rendered).toMatch(/of 3,000 failed requests \(\d+ of \d+ classified\)/);
    }
    expect(chatbot.metadata.additionalContext).toMatchObject({
      failedRequests: String(TOTAL),
      classifiedRequests: String(diagnosis.classifiedRequests),
    });
    expect(renderSubject(diagnosis)).toMatch(/^\[ALARM\] API: 502 malformed Lambda proxy response \(\d+%\)$/);
  });

  it('reads as before when every failed request was classified', () => {
    // Prepare
    const small = diagnoseEvents(events(incident(30, 3).lines)).diagnosis;
    // Act
    const [cause] = renderText(small).split('\n');
    // Assess
    expect(small.classifiedRequests).toBe(small.failedRequests);
    expect(cause).toMatch(/^Cause: 502 malformed Lambda proxy response: \d+ of 30 failed requests \(\d+%\)/);
  });
});

describe('apigw-5xx diagnose on a file with more failed requests than it classifies', () => {
  it('prints the true total next to the sample in every format', () => {
    // Prepare: more failed requests than the 2,000 the core classifies whole.
    const input = `${incident(2_600, 11).lines.join('\n')}\n`;
    const run = (format: string) =>
      spawnSync(process.execPath, [BIN, 'diagnose', '--format', format], {
        input,
        encoding: 'utf8',
        timeout: 60_000,
      });
    // Act
    const text = run('text');
    const json = run('json');
    // Assess
    expect(text.status).toBe(0);
    expect(text.stdout.split('\n')[0]).toMatch(/: \d+% of 2,600 failed requests \(\d+ of [\d,]+ classified\)/);
    expect(text.stdout).toMatch(/^Failed requests: 2,600 \([\d,]+ classified\);/m);
    const d = JSON.parse(json.stdout) as { failedRequests: number; classifiedRequests: number };
    expect(d.failedRequests).toBe(2_600);
    expect(d.classifiedRequests).toBeLessThan(2_600);
  });
});
