// intake.mjs - the counter in a real browser (Debian's chromium driven by
// playwright-core, JavaScript off as the pages need none): a receiver made
// with the CLI ($MOTCUA_BIN on $MOTCUA_DB) logs in, finds a procedure of
// the desk, types a wrong personal ID (the form comes back with the error
// next to the field: screenshot), corrects it, previews the due time,
// double-clicks "Tiếp nhận" (one dossier), prints the receipt on A5
// (screenshot and PDF: one A5 page). Usage: node intake.mjs BASE_URL
// OUT_DIR. Prints one line per check and "e2e: N passed, M failed".
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [base, outDir] = process.argv.slice(2);
const bin = process.env.MOTCUA_BIN, db = process.env.MOTCUA_DB;
if (!base || !outDir || !bin || !db) {
	console.error('usage: MOTCUA_BIN=... MOTCUA_DB=... node intake.mjs BASE_URL OUT_DIR');
	process.exit(2);
}

let passed = 0, failed = 0;
function check(name, ok, detail = '') {
	if (ok) { passed++; console.log(`ok   ${name}`); }
	else { failed++; console.log(`FAIL ${name}${detail ? ': ' + detail : ''}`); }
}

const DESK = '07210';			// Phường Bắc Giang (Bắc Ninh 24)
const AGENCY = 'H24.72.' + String(100 + process.pid % 900);
const PROC = '1.003930';		// 2 ngày làm việc, 70.000 đ
const PW = 'Cay-xoai-truoc-ngo-7';
const user = 'e2ercv' + process.pid;

function cli(args, input) {
	return execFileSync(bin, [...args, '--db', db], { input, encoding: 'utf8',
		stdio: ['pipe', 'pipe', 'pipe'] }).trim();
}

const profile = mkdtempSync(join(tmpdir(), 'motcua-e2e-intake-'));
let ctx;
try {
	// Officers and the desk's agency identifier, through the CLI and the API.
	cli(['user', 'add', user, '--role', 'receiver', '--unit', DESK,
		'--name', 'Đỗ Thu Hà'], PW + '\n');
	const adm = cli(['token', 'create', 'e2e-adm-' + process.pid, '--role',
		'admin', '--unit', '24']);
	const rcvTok = cli(['token', 'create', 'e2e-rcv-' + process.pid, '--role',
		'receiver', '--unit', DESK]);
	const auth = { Authorization: 'Bearer ' + adm, 'Content-Type': 'application/json' };
	let r = await fetch(`${base}/api/v1/admin/desks/${DESK}`, { headers: auth });
	const desk = (await r.json()).desk;
	desk.agency_code = AGENCY;
	r = await fetch(`${base}/api/v1/admin/desks/${DESK}`, { method: 'PUT',
		headers: auth, body: JSON.stringify(desk) });
	check('desk: agency identifier set', r.status === 200, r.status);
	r = await fetch(`${base}/api/v1/admin/desks/${DESK}/payment`, { method: 'PUT',
		headers: auth, body: JSON.stringify({ bank_bin: '970415',
			bank_name: 'VietinBank', account_no: '113000193241',
			account_name: 'TT PVHCC PHUONG BAC GIANG', version: '0' }) });
	check('desk: bank account set', r.status === 200, r.status);

	ctx = await chromium.launchPersistentContext(profile, {
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		headless: true,
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
			'--no-first-run', '--disable-background-networking',
			'--disable-component-update', '--disable-sync'],
		viewport: { width: 1100, height: 900 },	// the counter's screen
		locale: 'vi-VN',
		javaScriptEnabled: false,
		timeout: 30000,
	});
	const page = ctx.pages()[0] || await ctx.newPage();
	page.setDefaultTimeout(15000);

	// 1. Log in; land on the intake page.
	await page.goto(base + '/dang-nhap?tiep=/mot-cua/tiep-nhan');
	await page.getByLabel('Tên đăng nhập').fill(user);
	await page.getByLabel('Mật khẩu').fill(PW);
	await Promise.all([page.waitForURL(/\/mot-cua\/tiep-nhan/),
		page.locator('form button[type=submit]').first().click()]);
	check('login lands on the intake page', page.url().includes('/mot-cua/tiep-nhan'));
	check('no JavaScript on the page', await page.locator('script').count() === 0);

	// 2. Find the procedure among the desk's.
	await page.getByLabel('Thủ tục').fill('cap lai giay chung nhan dang ky phuong tien');
	await Promise.all([page.waitForURL(/q=/), page.getByRole('button', { name: 'Tìm thủ tục' }).click()]);
	const link = page.locator(`ol.in-results a[href*="procedure=${PROC}"]`);
	check('search finds the procedure', await link.count() === 1);
	await Promise.all([page.waitForURL(/procedure=/), link.click()]);

	// 3. A wrong ID: the form comes back with the error next to the field.
	await page.getByLabel('Họ và tên (cá nhân) hoặc tên tổ chức').fill('Trần Văn Bình');
	await page.getByLabel(/Số định danh cá nhân/).fill('099090001234');
	await page.getByLabel('Năm sinh (không bắt buộc)').fill('1990');
	await page.getByLabel('Số điện thoại').fill('0912 345 678');
	await page.getByLabel('Số nhà, đường, thôn, tổ dân phố').fill('Số 5, đường Lê Lợi');
	await page.locator('select[name=c1_mode]').selectOption('original');
	const preview = page.getByRole('button', { name: 'Xem trước ngày hẹn trả' });
	let [resp] = await Promise.all([page.waitForResponse(x => x.request().method() === 'POST'), preview.click()]);
	await page.waitForLoadState();
	check('bad ID: 422', resp.status() === 422, resp.status());
	check('bad ID: error next to the field',
		(await page.locator('#err-id').textContent() || '').includes('099'));
	check('bad ID: the field is marked invalid',
		await page.locator('#id_number[aria-invalid=true]').count() === 1);
	check('unchosen component: its error shown', await page.locator('#err-c2_mode').count() === 1);
	check('values typed are kept',
		await page.getByLabel('Họ và tên (cá nhân) hoặc tên tổ chức').inputValue() === 'Trần Văn Bình');
	await page.screenshot({ path: join(outDir, 'intake-1-errors.png'), fullPage: true });

	// 4. Corrected: preview with the due time.
	await page.getByLabel(/Số định danh cá nhân/).fill('024090001234');
	await page.locator('select[name=c2_mode]').selectOption('certified_copy');
	await page.locator('input[name=c2_certified]').fill('1');
	[resp] = await Promise.all([page.waitForResponse(x => x.request().method() === 'POST'), preview.click()]);
	await page.waitForLoadState();
	check('preview: 200', resp.status() === 200, resp.status());
	const due = await page.locator('.in-due-at time').getAttribute('datetime');
	check('preview: the due time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:00\+07:00$/.test(due || ''), due);
	await page.screenshot({ path: join(outDir, 'intake-2-preview.png'), fullPage: true });

	// 5. Double click on "Tiếp nhận": one dossier.
	await page.getByRole('button', { name: 'Tiếp nhận và in giấy hẹn' }).dblclick();
	await page.waitForURL(/tiep-nhan|giay-tiep-nhan/);
	await page.waitForLoadState();
	const code = (await page.locator('.in-code b').textContent() || '').trim();
	check('receipt: a code', new RegExp(`^${AGENCY.replace(/\./g, '\\.')}-\\d{6}-0001$`).test(code), code);
	r = await fetch(`${base}/api/v1/dossiers`, { method: 'POST',
		headers: { Authorization: 'Bearer ' + rcvTok, 'Content-Type': 'application/json' },
		body: JSON.stringify({ desk: DESK, procedure: PROC,
			applicant: { name: 'Phạm Minh Đức', id_number: '001203004567',
				address_unit: DESK, address_street: 'Tổ 3' },
			components: [{ seq: 1, mode: 'original', originals: 1 },
				{ seq: 2, mode: 'reused_from_national_db' }] }) });
	const next = await r.json();
	check('double click made one dossier (the next is 0002)',
		r.status === 201 && /-0002$/.test(next.code || ''), JSON.stringify(next));

	// 6. The receipt: every part visible, printed on one A5 page.
	const sheet = page.locator('article.in-sheet');
	check('receipt: one sheet', await sheet.count() === 1);
	const text = await sheet.textContent();
	for (const part of ['Giấy tiếp nhận hồ sơ và hẹn trả kết quả', 'Mã hồ sơ', 'Trần Văn Bình',
		'Thời gian nhận hồ sơ', 'Thời gian trả kết quả', 'Đăng ký nhận kết quả tại',
		'Phí, lệ phí', 'Quyển số', 'Số thứ tự', 'Người nộp hồ sơ', 'Người tiếp nhận hồ sơ', 'Đỗ Thu Hà'])
		check(`receipt: ${part}`, text.includes(part));
	check('receipt: two QR codes (lookup, VietQR)', await sheet.locator('svg').count() === 2);
	await page.screenshot({ path: join(outDir, 'intake-3-receipt.png'), fullPage: true });
	await page.emulateMedia({ media: 'print' });
	await sheet.screenshot({ path: join(outDir, 'intake-4-receipt-print.png') });
	const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
	writeFileSync(join(outDir, 'intake-receipt.pdf'), pdf);
	const s = pdf.toString('latin1');
	const boxes = [...s.matchAll(/\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/g)];
	const a5 = boxes.length > 0 && boxes.every(m => Math.abs(+m[1] - 419.5) < 2 && Math.abs(+m[2] - 595.3) < 2);
	check('print: A5 pages (148 x 210 mm)', a5, boxes.map(m => m[1] + 'x' + m[2]).join(' '));
	const pages = (s.match(/\/Type\s*\/Page[^s]/g) || []).length;
	check('print: the receipt fits one page', pages === 1, `${pages} pages`);
} catch (e) {
	check('journey ran to the end', false, e.message.split('\n')[0]);
} finally {
	if (ctx) await ctx.close();
	rmSync(profile, { recursive: true, force: true });
}
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
