import { renderSlackPayload } from '../../../lambda/render/slack-blocks.js';
import { redact } from '../../../lambda/safety/redact.js';
import { FIXTURE_BLOCKS } from './arbitraries.js';
import { diagnoseAndRender } from './pipeline.js';

const AMP = '&'.repeat(3000);
const lines: string[] = [];
let n = 0;
for (let copy = 0; copy < 8; copy++)
  for (const block of FIXTURE_BLOCKS) {
    n++;
    for (const line of block.lines) {
      let l = line.replace(
        /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g,
        (u) => `${u.slice(0, 28)}${String(n).padStart(8, '0')}`,
      );
      l = l
        .replace(/(Resource Path: )(\S*)/, `$1$2${'abcdefgh'[copy]}${AMP}`)
        .replace(/("(?:resourcePath|routeKey|path)"\s*:\s*")/, `$1/${AMP}`);
      if (/failed|error|Error|exception|Exception/.test(l) && !/\s\*?\$\/?$/.test(l))
        l = `${l} ${AMP} v${'abcdefgh'[copy]}`;
      lines.push(l);
    }
  }
const { renderings: r, diagnosis } = diagnoseAndRender(lines.map((message) => ({ message })));
const p = renderSlackPayload(diagnosis);
console.log(
  'lines',
  lines.length,
  'causes',
  diagnosis.causes.length,
  'text',
  r.text.length,
  'slack',
  r.slack.length,
  'payload',
  JSON.stringify(p).length,
  'blocks',
  p.blocks.length,
);

import { writeFileSync } from 'node:fs';

writeFileSync('/tmp/fz/amp.log', lines.join('\n'));
for (const t of [
  `x "a":"b {"password":"Hx7Qz9Kp2L"}`,
  `x " {"password":"Hx7Qz9Kp2L"}`,
  `it's {'password':'Hx7Qz9Kp2L'}`,
  `{"user":"o'brien", 'password':'Hx7Qz9Kp2L'}`,
  `{"a":"x\\\\", "password":"Hx7Qz9Kp2L"}`,
  `{"note":"say \\"hi\\"", "password":"Hx7Qz9Kp2L"}`,
  `{Cookie=a=1, sid=Hx7Qz9Kp2L}`,
  `{Authorization=Bearer Hx7Qz9Kp2L==, x=1}`,
  `{"password":"Hx7Qz9Kp2L\\u0022x"}`,
  `password: Hx7Qz9Kp2L`,
  `"password" => "Hx7Qz9Kp2L"`,
  `<password>Hx7Qz9Kp2L</password>`,
  `--password Hx7Qz9Kp2L`,
  `postgres://user:Hx7Qz9Kp2L@db.example.com:5432/app`,
  `https://user:Hx7Qz9Kp2L@example.com/`,
])
  console.log(redact(t).includes('Hx7Qz9Kp2L') ? 'LEAK' : 'ok  ', t, '=>', redact(t));
