// online.mjs - online submission in a real browser on a phone-sized screen
// (Debian's chromium driven by playwright-core, JavaScript off: the pages
// need none): a citizen picks the province and the commune, forgets the
// consent (the form comes back with the error next to the field:
// screenshot), submits with two files, reads the confirmation (code,
// secret, QR: screenshot) and its printable twin; the commune's receiver
// (CLI-made, desktop screen) finds it in the online queue and asks for a
// supplement; the citizen opens the supplement page with the secret and
// sends a file; the receiver accepts it (due time shown). Usage: node
// online.mjs BASE_URL OUT_DIR. Prints one line per check and
// "e2e: N passed, M failed".
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [base, outDir] = process.argv.slice(2);
const bin = process.env.MOTCUA_BIN, db = process.env.MOTCUA_DB;
if (!base || !outDir || !bin || !db) {
	console.error('usage: MOTCUA_BIN=... MOTCUA_DB=... node online.mjs BASE_URL OUT_DIR');
	process.exit(2);
}

let passed = 0, failed = 0;
function check(name, ok, detail = '') {
	if (ok) { passed++; console.log(`ok   ${name}`); }
	else { failed++; console.log(`FAIL ${name}${detail ? ': ' + detail : ''}`); }
}

const UNIT = '07462';			// Xã Bảo Đài (Bắc Ninh 24)
const AGENCY = 'H24.74.' + String(100 + process.pid % 900);
const PROC = '1.003930';		// offered online, 2 ngày làm việc
const PW = 'Cay-nhan-long-9';
const user = 'e2eonl' + process.pid;

function cli(args, input) {
	return execFileSync(bin, [...args, '--db', db], { input, encoding: 'utf8',
		stdio: ['pipe', 'pipe', 'pipe'] }).trim();
}

const work = mkdtempSync(join(tmpdir(), 'motcua-e2e-online-'));
const pdf = join(work, 'to-khai.pdf'), png = join(work, 'anh.png'), more = join(work, 'bo-sung.pdf');
writeFileSync(pdf, '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n', 'latin1');
writeFileSync(png, Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de', 'hex'));
writeFileSync(more, `%PDF-1.4\n% bo sung ${process.pid}\n%%EOF\n`, 'latin1');
const launch = (dir, viewport) => chromium.launchPersistentContext(dir, {
	executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
	headless: true,
	args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
		'--no-first-run', '--disable-background-networking',
		'--disable-component-update', '--disable-sync'],
	viewport, locale: 'vi-VN', javaScriptEnabled: false, timeout: 30000,
});
let phone, desk, lastPage;
try {
	cli(['user', 'add', user, '--role', 'receiver', '--unit', UNIT,
		'--name', 'Phạm Thu Trang'], PW + '\n');
	const adm = cli(['token', 'create', 'e2e-oadm-' + process.pid, '--role',
		'admin', '--unit', '24']);
	const auth = { Authorization: 'Bearer ' + adm, 'Content-Type': 'application/json' };
	let r = await fetch(`${base}/api/v1/admin/desks/${UNIT}`, { headers: auth });
	const d = (await r.json()).desk;
	d.agency_code = AGENCY;
	r = await fetch(`${base}/api/v1/admin/desks/${UNIT}`, { method: 'PUT',
		headers: auth, body: JSON.stringify(d) });
	check('desk: agency identifier set', r.status === 200, r.status);

	phone = await launch(join(work, 'phone'), { width: 390, height: 844 });
	const page = phone.pages()[0] || await phone.newPage();
	page.setDefaultTimeout(15000);

	// 1. Where: the province, then the commune (GET forms, no script).
	await page.goto(`${base}/nop-truc-tuyen/${PROC}`);
	await page.getByLabel('Tỉnh, thành phố nơi nộp hồ sơ').selectOption('24');
	await Promise.all([page.waitForURL(/tinh=24/), page.getByRole('button', { name: 'Chọn tỉnh, thành phố' }).click()]);
	await page.getByLabel('Xã, phường tiếp nhận hồ sơ').selectOption(UNIT);
	await Promise.all([page.waitForURL(/don-vi=/), page.getByRole('button', { name: 'Tiếp tục' }).click()]);
	check('form: for the chosen commune', (await page.textContent('main')).includes('Xã Bảo Đài'));
	const wide = await page.evaluate(() => document.documentElement.scrollWidth);
	check('form: fits the phone (no sideways scroll)', wide <= 390, `${wide}px`);

	// 2. Without the consent: the error next to the field, values kept.
	await page.getByLabel('Họ và tên (hoặc tên tổ chức)').fill('Vũ Thị Hoa');
	await page.getByLabel('Số định danh cá nhân (hoặc mã số thuế)').fill('001190012345');
	await page.getByLabel('Số điện thoại').fill('0912 345 678');
	await page.getByLabel('Thư điện tử (không bắt buộc)').fill('hoa@example.vn');
	await page.locator('#f1').setInputFiles(pdf);
	await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Nộp hồ sơ' }).click()]);
	const err = page.locator('#err-consent');
	check('422: the consent error next to the box', (await err.textContent() || '').includes('Cam kết và đồng ý'));
	check('422: the typed name kept', await page.getByLabel('Họ và tên (hoặc tên tổ chức)').inputValue() === 'Vũ Thị Hoa');
	await page.screenshot({ path: join(outDir, 'online-1-error.png'), fullPage: true });

	// 3. Consent, the files again, submit: the confirmation.
	await page.locator('#consent').check();
	await page.locator('#f1').setInputFiles([pdf]);
	await page.locator('#f2').setInputFiles([png]);
	await Promise.all([page.waitForURL(/\/nop-truc-tuyen\/ho-so\//), page.getByRole('button', { name: 'Nộp hồ sơ' }).click()]);
	const code = (await page.textContent('#ma-ho-so')).trim();
	const secret = (await page.textContent('#ma-tra-cuu')).trim();
	check('confirmation: a code of the desk', code.startsWith(AGENCY + '-'), code);
	check('confirmation: a secret', /^[a-z2-7]{26}$/.test(secret), secret);
	check('confirmation: the lookup QR', await page.locator('.ol-qr svg').count() === 1);
	const cw = await page.evaluate(() => document.documentElement.scrollWidth);
	check('confirmation: fits the phone', cw <= 390, `${cw}px`);
	await page.screenshot({ path: join(outDir, 'online-2-confirmation.png'), fullPage: true });
	await page.goto(`${base}/nop-truc-tuyen/ho-so/${code}/in`);
	check('printable confirmation', (await page.textContent('main')).includes('Giấy xác nhận nộp hồ sơ trực tuyến'));
	await page.emulateMedia({ media: 'print' });
	await page.screenshot({ path: join(outDir, 'online-3-print.png'), fullPage: true });
	await page.emulateMedia({ media: 'screen' });

	// 4. The receiver: the online queue, a supplement asked.
	desk = await launch(join(work, 'desk'), { width: 1100, height: 900 });
	const off = desk.pages()[0] || await desk.newPage();
	lastPage = off;
	off.setDefaultTimeout(15000);
	await off.goto(base + '/dang-nhap?tiep=/mot-cua/truc-tuyen');
	await off.getByLabel('Tên đăng nhập').fill(user);
	await off.getByLabel('Mật khẩu').fill(PW);
	await Promise.all([off.waitForURL(/\/mot-cua\/truc-tuyen/), off.getByRole('button', { name: 'Đăng nhập' }).click()]);
	check('queue: lists the dossier', (await off.textContent('main')).includes(code));
	await Promise.all([off.waitForURL(new RegExp(code.replace(/\./g, '\\.'))), off.getByRole('link', { name: code }).click()]);
	check('review: the citizen\'s files', (await off.textContent('main')).includes('to-khai.pdf'));
	await off.getByLabel(/Giấy tờ cần bổ sung/).fill('Bản sao giấy đăng ký phương tiện');
	await Promise.all([off.waitForURL(/da=request_supplement/), off.getByRole('button', { name: 'Yêu cầu bổ sung' }).click()]);
	check('review: supplement asked', (await off.textContent('main')).includes('Đã yêu cầu công dân bổ sung'));
	await off.screenshot({ path: join(outDir, 'online-4-review.png'), fullPage: true });

	// 5. The citizen: the supplement page reached with the secret.
	await page.goto(`${base}/tra-cuu/${code}/bo-sung?ma=${secret}`);
	check('supplement page: what is missing', (await page.textContent('main')).includes('Bản sao giấy đăng ký phương tiện'));
	await page.locator('#f0').setInputFiles(more);
	await Promise.all([page.waitForURL(/da=1/), page.getByRole('button', { name: 'Gửi bổ sung' }).click()]);
	check('supplement sent', (await page.textContent('main')).includes('Đã gửi các tệp bổ sung'));
	await page.screenshot({ path: join(outDir, 'online-5-supplement.png'), fullPage: true });

	// 6. The receiver accepts: received, with a due time.
	await off.goto(`${base}/mot-cua/truc-tuyen/${code}`);
	check('review: the supplement file', (await off.textContent('main')).includes('bo-sung.pdf'));
	await Promise.all([off.waitForURL(/da=accept/), off.getByRole('button', { name: 'Tiếp nhận hồ sơ' }).click()]);
	const main = await off.textContent('main');
	check('accepted: confirmation', main.includes('Đã tiếp nhận hồ sơ'));
	check('accepted: a due time', main.includes('Hạn giải quyết'));
	await off.screenshot({ path: join(outDir, 'online-6-accepted.png'), fullPage: true });
} catch (e) {
	check('journey ran to the end', false, e.message.split('\n')[0]);
	if (lastPage) {
		await lastPage.screenshot({ path: join(outDir, 'online-failed.png'), fullPage: true }).catch(() => {});
		console.log('  at ' + lastPage.url() + ': ' + ((await lastPage.textContent('main').catch(() => '')) || '').replace(/\s+/g, ' ').slice(0, 400));
	}
} finally {
	if (phone) await phone.close();
	if (desk) await desk.close();
	rmSync(work, { recursive: true, force: true });
}
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
