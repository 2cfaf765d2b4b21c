// crosscheck.js - compares motcua's lunar calendar with an independent
// implementation from npm (vietnamese-lunar-calendar, evaluated at
// UTC+7), every day from FROM to TO, in batch through the hidden
// `motcua calendar lunar-range`, plus a sample of `calendar lunar --json`
// and `calendar solar --json` calls. Prints the disagreements and ends with
// "lunar-crosscheck: N passed, M failed".
//   node tests/lunar-check/crosscheck.js BIN [FROM TO]
'use strict';
const { execFileSync, spawn } = require('child_process');
const readline = require('readline');
const ref = require('vietnamese-lunar-calendar/build/solar-lunar');

const TZ = 7; // Vietnam; the package's default would be the host's zone
const bin = process.argv[2] || 'build/motcua';
const from = process.argv[3] || '1900-01-31';
const to = process.argv[4] || '2199-12-31';

let passed = 0, failed = 0;
const report = (msg) => { if (failed <= 30) console.log('MISMATCH ' + msg); };

function refLunar(y, m, d) {
  const r = ref.convertSolar2Lunar(d, m, y, TZ);
  return [r.year, r.month, r.date, r.isLeap ? 1 : 0];
}

// Month starts seen, to check lunar -> solar in the other direction.
const monthStarts = [];

async function batch() {
  const child = spawn(bin, ['calendar', 'lunar-range', from, to],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  const rl = readline.createInterface({ input: child.stdout });
  let lines = 0, prev = null, pending = null;
  for await (const line of rl) {
    const f = line.split(' ');
    const [y, m, d] = f[0].split('-').map(Number);
    const got = f.slice(1).map(Number);
    const want = refLunar(y, m, d);
    lines++;
    if (pending) {
      // The reference answered "day 0" yesterday (see below): motcua's
      // answer must be the day after the day before, and today day 1.
      const [pday, pgot, before] = pending;
      pending = null;
      if (before && pgot[0] === before[0] && pgot[1] === before[1] &&
          pgot[3] === before[3] && pgot[2] === before[2] + 1 &&
          pgot[2] >= 29 && got[2] === 1) {
        passed++;
        console.log(`NOTE ${pday}: reference says day 0 of month ${want[1]}` +
          ` (its defect); motcua ${pgot.join('/')} continues the month`);
      } else {
        failed++;
        report(`${pday}: reference day 0, motcua ${pgot.join('/')}`);
      }
    }
    if (want[2] === 0) {
      // The reference looks for the month among lunations k and k+1 only
      // and, when the true new moon comes late, answers day 0 of the next
      // month for the last day of a 30-day month: judged on the next line.
      pending = [f[0], got, prev];
    } else if (got.join(' ') === want.join(' ')) {
      passed++;
      if (got[2] === 1)
        monthStarts.push([f[0], got]);
    } else {
      failed++;
      report(`${f[0]}: motcua ${got.join('/')} reference ${want.join('/')}`);
    }
    prev = got;
  }
  if (pending) {
    failed++;
    report(`${pending[0]}: reference day 0 on the last line`);
  }
  const code = await new Promise((res) => child.on('close', res));
  if (code !== 0 || lines === 0) {
    failed++;
    report(`lunar-range exited ${code} after ${lines} lines`);
  }
}

// The reverse direction: the first day of every lunar month seen above
// must come back from the reference's lunar -> solar.
function reverse() {
  for (const [solar, [ly, lm, , leap]] of monthStarts) {
    const r = ref.convertLunar2Solar(1, lm, ly, leap, TZ); // a local Date
    const s = `${r.getFullYear()}-${String(r.getMonth() + 1).padStart(2, '0')}-${String(r.getDate()).padStart(2, '0')}`;
    if (s === solar) passed++;
    else { failed++; report(`lunar 1/${lm}${leap ? '+' : ''}/${ly}: motcua ${solar} reference ${s}`); }
  }
}

// A sample through the public subcommands, one process each.
function sample() {
  const days = ['1900-01-31', '1985-01-21', '1985-02-20', '2020-05-23',
    '2023-03-22', '2025-07-25', '2026-02-16', '2026-02-17', '2033-12-22',
    '2199-12-31'];
  for (const day of days) {
    const [y, m, d] = day.split('-').map(Number);
    const got = JSON.parse(execFileSync(bin, ['calendar', 'lunar', '--json', day]));
    const want = refLunar(y, m, d);
    const g = [got.year, got.month, got.day, got.leap ? 1 : 0];
    if (g.join(' ') !== want.join(' ')) {
      failed++; report(`lunar --json ${day}: ${g.join('/')} vs ${want.join('/')}`);
      continue;
    }
    passed++;
    const arg = `${got.year}-${String(got.month).padStart(2, '0')}-${String(got.day).padStart(2, '0')}`;
    const args = ['calendar', 'solar', '--json', arg].concat(got.leap ? ['--leap'] : []);
    const back = JSON.parse(execFileSync(bin, args));
    if (back.date === day) passed++;
    else { failed++; report(`solar --json ${arg}: ${back.date}, want ${day}`); }
  }
}

(async () => {
  await batch();
  reverse();
  sample();
  console.log(`lunar-crosscheck: ${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
})();
