// lookup.mjs - the citizen's lookup and rating on a phone (390 x 844, Debian's
// chromium driven by playwright-core, JavaScript off as the pages need
// none): a dossier is received and handed back through the API (tokens
// made with the CLI), then the citizen "scans" the receipt QR (opens its
// link), reads where the dossier stands (masked name, timeline), sends the
// rating with one criterion left out (the error next to it, the choices
// kept: screenshot), completes it, and sees the thanks. The lookup by code
// and last 4 digits is checked too, and that nothing is wider than the
// phone. Usage: MOTCUA_BIN=... MOTCUA_DB=... node lookup.mjs BASE_URL
// OUT_DIR. Prints one line per check and "e2e: N passed, M failed".
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [base, outDir] = process.argv.slice(2);
const bin = process.env.MOTCUA_BIN, db = process.env.MOTCUA_DB;
if (!base || !outDir || !bin || !db) {
	console.error('usage: MOTCUA_BIN=... MOTCUA_DB=... node lookup.mjs BASE_URL OUT_DIR');
	process.exit(2);
}

let passed = 0, failed = 0;
function check(name, ok, detail = '') {
	if (ok) { passed++; console.log(`ok   ${name}`); }
	else { failed++; console.log(`FAIL ${name}${detail ? ': ' + detail : ''}`); }
}

const DESK = '07228';			// Phường Đa Mai (Bắc Ninh 24)
const AGENCY = 'H24.LK.' + String(100 + process.pid % 900);
const PROC = '1.000894';		// Đăng ký kết hôn: trong ngày, at the desk
const PHONE_W = 390;

function cli(args) {
	return execFileSync(bin, [...args, '--db', db], { encoding: 'utf8',
		stdio: ['pipe', 'pipe', 'pipe'] }).trim();
}

const profile = mkdtempSync(join(tmpdir(), 'motcua-e2e-lookup-'));
let ctx;
try {
	// The desk's agency identifier, a receiver's token, one dossier.
	const adm = cli(['token', 'create', 'e2e-lk-adm-' + process.pid, '--role',
		'admin', '--unit', '24']);
	const rcv = cli(['token', 'create', 'e2e-lk-rcv-' + process.pid, '--role',
		'receiver', '--unit', DESK]);
	const auth = t => ({ Authorization: 'Bearer ' + t, 'Content-Type': 'application/json' });
	let r = await fetch(`${base}/api/v1/admin/desks/${DESK}`, { headers: auth(adm) });
	const desk = (await r.json()).desk;
	desk.agency_code = AGENCY;
	r = await fetch(`${base}/api/v1/admin/desks/${DESK}`, { method: 'PUT',
		headers: auth(adm), body: JSON.stringify(desk) });
	check('desk: agency identifier set', r.status === 200, r.status);
	r = await fetch(`${base}/api/v1/procedures/${PROC}`);
	const proc = await r.json();
	const components = [];
	for (const g of proc.component_groups || [])
		for (const c of g.items || g.components || [])
			components.push({ seq: c.seq, mode: 'original', originals: 1 });
	r = await fetch(`${base}/api/v1/dossiers`, { method: 'POST', headers: auth(rcv),
		body: JSON.stringify({ desk: DESK, procedure: PROC, channel: 'truc_tiep',
			applicant: { kind: 'person', name: 'Lê Thị Mai Anh',
				id_number: '024190004321', phone: '0987654321',
				address_unit: DESK, address_street: 'Tổ 3' },
			components }) });
	const made = await r.json();
	check('dossier received', r.status === 201 && made.secret, JSON.stringify(made).slice(0, 200));
	const { code, secret } = made;
	const act = async (action, extra = {}) => {
		const g = await (await fetch(`${base}/api/v1/dossiers/${code}`, { headers: auth(rcv) })).json();
		const a = await fetch(`${base}/api/v1/dossiers/${code}/actions`, { method: 'POST',
			headers: auth(rcv), body: JSON.stringify({ action, version: g.version, ...extra }) });
		check(`officer: ${action}`, a.status === 200, a.status + ' ' + (await a.text()).slice(0, 200));
	};
	await act('forward');
	await act('record_result', { result_number: '7/GCNKH',
		result_date: new Date().toISOString().slice(0, 10) });

	ctx = await chromium.launchPersistentContext(profile, {
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		headless: true,
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
			'--no-first-run', '--disable-background-networking',
			'--disable-component-update', '--disable-sync'],
		viewport: { width: PHONE_W, height: 844 },	// a phone
		deviceScaleFactor: 2,
		isMobile: true,
		hasTouch: true,
		locale: 'vi-VN',
		javaScriptEnabled: false,
		timeout: 30000,
	});
	const page = ctx.pages()[0] || await ctx.newPage();
	page.setDefaultTimeout(15000);
	const fits = async (sel) => {
		let ok = true;
		for (const el of await page.locator(sel).all()) {
			const b = await el.boundingBox();
			if (b && b.x + b.width > PHONE_W + 1) ok = false;
		}
		return ok;
	};

	// 1. Result ready: the lookup by code and last 4 digits.
	await page.goto(base + '/tra-cuu');
	await page.getByLabel('Mã hồ sơ').fill(code);
	await page.getByLabel('4 số cuối điện thoại hoặc giấy tờ tùy thân').fill('4321');
	await Promise.all([page.waitForLoadState('load'),
		page.getByRole('button', { name: 'Tra cứu' }).click()]);
	let body = await page.locator('main').textContent();
	check('last 4: the dossier', body.includes(code) && body.includes('Lê T** M** A**'));
	check('last 4: result ready, where to collect', body.includes('Đã có kết quả, nhận tại'));
	check('last 4: no name, phone or ID in clear',
		!body.includes('Lê Thị Mai Anh') && !body.includes('0987654321') && !body.includes('024190004321'));
	await page.screenshot({ path: join(outDir, 'lookup-1-result-ready.png'), fullPage: true });

	// 2. Returned; the citizen scans the receipt QR (opens its link).
	await act('return', { collected_by: 'Lê Thị Mai Anh', identity_checked: 'CCCD',
		collector_id: '024190004321' });
	await page.goto(`${base}/tra-cuu/${code}?ma=${secret}`);
	body = await page.locator('main').textContent();
	check('QR: the dossier', body.includes(code));
	check('QR: returned', body.includes('Đã trả kết quả'));
	const events = await page.locator('.lk-timeline li').allTextContents();
	check('QR: the timeline (received, step, result, returned)', events.length === 4 &&
		events[0].includes('Hồ sơ đã được tiếp nhận') && events[3].includes('Đã trả kết quả'),
		JSON.stringify(events));
	check('QR: the rating form', await page.locator('form.lk-rate').count() === 1);
	check('phone: nothing wider than the screen', await fits('main *'));

	// 3. Rate without the attitude: the error next to it, choices kept.
	await page.locator('#time-2').check();
	await page.locator('#trips-2').check();
	await page.locator('#agencies-1').check();
	await page.locator('#publicity-2').check();
	await page.locator('#level-satisfied').check();
	await page.getByLabel('Ý kiến khác (không bắt buộc)').fill('Cán bộ hướng dẫn tận tình.');
	// The radios are required, so the browser itself would not send the
	// form: post the same fields as a browser without that check would, and
	// show the server's answer in the page.
	const fd = new URLSearchParams({ ma: secret, time: '2', trips: '2', agencies: '1',
		publicity: '2', level: 'satisfied', comment: 'Cán bộ hướng dẫn tận tình.' });
	const rr = await fetch(`${base}/tra-cuu/${code}/danh-gia`, { method: 'POST',
		headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: fd,
		redirect: 'manual' });
	const html = await rr.text();
	check('rating without attitude: 422', rr.status === 422, rr.status);
	check('... the error names the field',
		html.includes('Thái độ của cán bộ, công chức: hãy chọn một mức.'));
	await page.setContent(html.replace('<head>', `<head><base href="${base}/">`));
	check('... the error only next to that field', await page.locator('.lk-field-error').count() === 1 &&
		(await page.locator('fieldset[aria-invalid="true"] legend').textContent()) ===
		'Thái độ của cán bộ, công chức');
	check('... the choices kept', await page.locator('#trips-2').isChecked() &&
		await page.locator('#level-satisfied').isChecked());
	check('... the comment kept', (await page.getByLabel('Ý kiến khác (không bắt buộc)').inputValue())
		.includes('tận tình'));
	await page.screenshot({ path: join(outDir, 'lookup-2-rating-error.png'), fullPage: true });

	// 4. Complete and send: the thanks, the rating shown, no second form.
	await page.goto(`${base}/tra-cuu/${code}?ma=${secret}`);
	for (const id of ['#time-2', '#trips-2', '#agencies-1', '#attitude-2', '#publicity-2',
		'#level-very_satisfied'])
		await page.locator(id).check();
	const send = page.getByRole('button', { name: 'Gửi đánh giá' });
	const sb = await send.boundingBox();
	check('phone: the send button is a thumb-sized target', sb && sb.height >= 44, JSON.stringify(sb));
	await Promise.all([page.waitForURL(/da-danh-gia=1/), send.click()]);
	body = await page.locator('main').textContent();
	check('rated: thanks', body.includes('Cảm ơn ông/bà đã đánh giá'));
	check('rated: the rating shown', body.includes('Rất hài lòng'));
	check('rated: no second form', await page.locator('form.lk-rate').count() === 0);
	await page.screenshot({ path: join(outDir, 'lookup-3-rated.png'), fullPage: true });

	// 5. A wrong factor reads like an unknown code.
	await page.goto(`${base}/tra-cuu/${code}?ma=aaaaaaaaaaaaaaaaaaaaaaaaaa`);
	const wrong = await page.locator('main').textContent();
	await page.goto(`${base}/tra-cuu/${code}X?ma=aaaaaaaaaaaaaaaaaaaaaaaaaa`);
	const unknown = await page.locator('main').textContent();
	check('wrong factor looks like an unknown code',
		wrong.replace(code, '') === unknown.replace(code + 'X', '') && wrong.includes('Không tìm thấy'));
} catch (e) {
	check('journey ran to the end', false, e.message.split('\n')[0]);
} finally {
	if (ctx) await ctx.close();
	rmSync(profile, { recursive: true, force: true });
}
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
