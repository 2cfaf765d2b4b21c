#!/usr/bin/env node
// diff.js - differential check of our mustache engine against mustache.js
// (npm package "mustache", a devDependency in the root package.json): each
// case is rendered by both, through the real binary
// (`$MOTCUA_BIN template render`, default build/motcua), and compared.
// Also renders every assets/templates/*.mustache with empty data.
// Run from the repo root: node tests/mustache-diff/diff.js
// Prints "mustache-diff: N passed, M failed"; exits 1 on a mismatch.
//
// Known, deliberate differences, left out of the cases: we escape only
// & < > " ' (mustache.js also / ` =, so its escape is set to ours here);
// objects and arrays interpolate as nothing (JS: "[object Object]", "1,2");
// several standalone-able tags on one line are not standalone for us;
// mustache.js indents the lines of a partial that is the first tag on its
// line even when text precedes it ("x {{>p}}"), the spec only standalone
// partials (we follow the spec).
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');

let Mustache;
try {
  Mustache = require('mustache');
} catch (e) {
  console.error('mustache-diff: npm package "mustache" missing: run npm install');
  process.exit(1);
}
Mustache.escape = (s) => String(s).replace(/[&<>"']/g, (c) => ({
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;',
}[c]));

const bin = path.resolve(process.env.MOTCUA_BIN || 'build/motcua');

const data = {
  ten: 'Nguyễn Văn Ánh <script>',
  xa: "Phường Bến Nghé & 'Quận 1'",
  so: 42, am: -7, thuc: 1.21, nho: 0.1, khong: 0, rong: '', co: true, ko: false,
  nul: null,
  ds: [
    { ma: '1.001', ten: 'Đăng ký khai sinh', phi: 0, buoc: ['Nộp', 'Nhận'] },
    { ma: '1.002', ten: 'Đăng ký kết hôn', phi: 10000, buoc: [] },
  ],
  trong: [],
  obj: { a: { b: { c: 'sâu' } }, x: 'x-obj' },
  so_ds: [1, 2, 3],
};

const cases = [
  ['variables', '{{ten}}|{{{ten}}}|{{&ten}}|{{xa}}\n'],
  ['numbers and booleans', '{{so}} {{am}} {{thuc}} {{nho}} {{khong}} {{co}} {{ko}} [{{nul}}] [{{nope}}]\n'],
  ['dotted names', '{{obj.a.b.c}} [{{obj.a.x}}] {{#obj}}{{x}} {{a.b.c}}{{/obj}}\n'],
  ['list', '<ul>\n{{#ds}}\n  <li>{{ma}} {{ten}}{{#phi}} ({{phi}}đ){{/phi}}</li>\n{{/ds}}\n</ul>\n'],
  ['nested lists and parents', '{{#ds}}{{ma}}:{{#buoc}}[{{.}} {{ma}} {{xa}}]{{/buoc}}{{^buoc}}không{{/buoc}};{{/ds}}\n'],
  ['implicit iterator', '{{#so_ds}}({{.}}){{/so_ds}}{{#ten}}<{{.}}>{{/ten}}\n'],
  ['falsy values', '{{#khong}}A{{/khong}}{{^khong}}a{{/khong}}{{#rong}}B{{/rong}}{{^rong}}b{{/rong}}{{#trong}}C{{/trong}}{{^trong}}c{{/trong}}{{#nul}}D{{/nul}}{{^nul}}d{{/nul}}\n'],
  ['standalone lines', 'a\n  {{#co}}  \nb\n  {{/co}}\n{{! chú thích }}\n  {{^co}}\nx\n{{/co}}\nc\r\n{{#co}}\r\nd\r\n{{/co}}\r\n'],
  ['inline sections keep blanks', ' {{#co}}YES{{/co}}\n {{^co}}NO{{/co}}\n | {{#co}} {{! x }}\n {{/co}} |\n'],
  ['delimiters', '{{=<% %>=}}<%ten%> {{ten}}\n<%={{ }}=%>{{ten}}\n'],
  ['comments', 'a{{! một\n  hai }}b\n  {{!\n  nhiều dòng\n  }}\nc\n'],
  ['partials, indented', '<div>\n  {{>dong}}\n  {{#ds}}\n    {{>dong}}\n  {{/ds}}\n</div>\n', { dong: '<p>{{ten}}</p>\n<p>{{ma}}</p>\n' }],
  ['partial inline', '{{so}} {{>dong}} y\n', { dong: 'a\nb' }],
  ['nested partials', '<ul>\n  {{>ds}}\n</ul>\n', { ds: '{{#ds}}\n  {{>li}}\n{{/ds}}\n', li: '<li>\n  {{ten}}\n</li>\n' }],
  ['unicode delimiters and text', '{{=« »=}}«ten» «#co»có«/co»\n'],
];

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mustache-diff-'));
let pass = 0;
let fail = 0;

function check(name, tpl, partials, model) {
  const pdir = fs.mkdtempSync(path.join(dir, 'p-'));
  for (const [n, src] of Object.entries(partials)) {
    fs.writeFileSync(path.join(pdir, n + '.mustache'), src);
  }
  const tfile = path.join(pdir, 'template.tpl');
  const dfile = path.join(pdir, 'data.json');
  fs.writeFileSync(tfile, tpl);
  fs.writeFileSync(dfile, JSON.stringify(model));
  let want;
  let got;
  try {
    want = Mustache.render(tpl, model, partials);
  } catch (e) {
    want = 'mustache.js error: ' + e.message;
  }
  try {
    got = execFileSync(bin, ['template', 'render', '--partials', pdir, tfile, dfile],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch (e) {
    got = 'motcua error: exit ' + e.status;
  }
  if (want === got) {
    pass++;
  } else {
    fail++;
    console.log(`FAIL ${name}\n  mustache.js: ${JSON.stringify(want)}\n  motcua:      ${JSON.stringify(got)}`);
  }
}

for (const [name, tpl, partials] of cases) check(name, tpl, partials || {}, data);

const tdir = 'assets/templates';
if (fs.existsSync(tdir)) {
  const partials = {};
  const pd = path.join(tdir, 'partials');
  if (fs.existsSync(pd)) {
    for (const f of fs.readdirSync(pd)) {
      if (f.endsWith('.mustache')) partials[f.slice(0, -9)] = fs.readFileSync(path.join(pd, f), 'utf8');
    }
  }
  for (const f of fs.readdirSync(tdir).sort()) {
    if (f.endsWith('.mustache')) check(f, fs.readFileSync(path.join(tdir, f), 'utf8'), partials, {});
  }
}

fs.rmSync(dir, { recursive: true, force: true });
console.log(`mustache-diff: ${pass} passed, ${fail} failed`);
process.exit(fail ? 1 : 0);
