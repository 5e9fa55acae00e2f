/**
 * Reading the docs as tests: fenced blocks, the `<!-- demo: NAME -->` marks, and the demo's printed sections.
 */

/** A fenced block of a Markdown file: its info string (`sh`, `text`, ...), its text, and the mark before it. */
export interface FencedBlock {
  readonly lang: string;
  readonly text: string;
  /** NAME of a `<!-- demo: NAME -->` comment on the line before the opening fence, if any. */
  readonly demo?: string;
  /** NAME of an `<!-- example: NAME -->` comment there (output a unit test renders and compares). */
  readonly example?: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
}

/** Every fenced block (``` at the start of a line) of a Markdown text, in order. */
export function fencedBlocks(markdown: string): FencedBlock[] {
  const lines = markdown.split('\n');
  const out: FencedBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i] ?? '');
    if (open === null) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i] ?? '');
    const demo = /^<!-- demo: ([a-z]+) -->$/.exec(lines[start - 1] ?? '')?.[1];
    const example = /^<!-- example: ([a-z-]+) -->$/.exec(lines[start - 1] ?? '')?.[1];
    out.push({
      lang: open[1] ?? '',
      text: body.join('\n'),
      line: start + 1,
      ...(demo !== undefined ? { demo } : {}),
      ...(example !== undefined ? { example } : {}),
    });
  }
  return out;
}

/** The blocks marked `<!-- demo: NAME -->`. */
export function demoBlocks(markdown: string): { name: string; text: string }[] {
  return fencedBlocks(markdown).flatMap((b) => (b.demo !== undefined ? [{ name: b.demo, text: b.text }] : []));
}

const BANNER = /\n={100}\n(.*)\n={100}\n/;
const SECTION_NAMES: readonly (readonly [string, string])[] = [
  ['EMAIL', 'email'],
  ['SLACK (as the channel shows it', 'slack'],
  ['SLACK via AWS Chatbot', 'https'],
  ['SLACK incoming webhook', 'lambda'],
  ['SNS message attributes', 'attributes'],
  ['THIN-LOG EMAIL', 'thin'],
];

/** The demo's output cut at its banners: email, slack, https, lambda, attributes (trailing blank lines dropped). */
export function demoSections(output: string): Map<string, string> {
  const parts = output.replace(/\nLocal AWS endpoint stopped\.\n*$/, '\n').split(new RegExp(BANNER.source));
  const out = new Map<string, string>();
  for (let i = 1; i + 1 < parts.length; i += 2) {
    const title = parts[i] ?? '';
    const name = SECTION_NAMES.find(([prefix]) => title.startsWith(prefix))?.[1];
    if (name === undefined) throw new Error(`the demo printed a section the docs test does not know: ${title}`);
    out.set(name, (parts[i + 1] ?? '').replace(/\n+$/, ''));
  }
  return out;
}

/** The subject in the demo's EMAIL banner. */
export function demoSubject(output: string): string | undefined {
  return /\n={100}\nEMAIL {2}Subject: (.*)\n/.exec(output)?.[1];
}

/**
 * Masks what differs from one demo run to the next: the API id (found where the text names the API), request
 * and message ids, the deployment id, times and epoch milliseconds.
 */
export function maskRunSpecific(text: string): string {
  let out = text;
  for (const apiId of new Set([...text.matchAll(/[a-z]+-api\/prod \(([a-z0-9]{10}), /g)].map((m) => m[1] ?? ''))) {
    out = out.replaceAll(apiId, '<api-id>');
  }
  // A line the demo cut inside an execute-api ARN ends with the first letters of the API id: masked too.
  return (
    out
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>')
      .replace(/deployment [a-z0-9]{10} serves/g, 'deployment <id> serves')
      .replace(/(execute-api:[a-z0-9-]+:\d{12}:)[a-z0-9]{1,9}$/gm, '$1<api-id>')
      // ... and a statement id cut there (`--statement-id apigateway-{apiId}-...`).
      .replace(/(--statement-id apigateway-)[a-z0-9]{1,9}$/gm, '$1<api-id>')
      .replace(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z/g, '<time>')
      .replace(/(?<!\d)\d{13}(?!\d)/g, '<ms>')
  );
}
