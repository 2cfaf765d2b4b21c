// workflow.mjs - the back office in a real browser (engineer "workflow"):
// a dossier received at Phường Cảnh Thụy goes receiver -> specialist ->
// leader -> receiver, who returns the result; each officer in their own
// browser session, without JavaScript, on a laptop-sized screen; the
// applicant's data masked then revealed; the slip and the book printed.
// Screenshots go to OUT_DIR (w-*.png). Usage: node workflow.mjs BASE_URL
// OUT_DIR, with MOTCUA_BIN and MOTCUA_DB in the environment (tests/e2e/
// run.sh sets them) to create the officers. Prints one line per check and
// "e2e: N passed, M failed"; exits 1 when a check failed.
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const [base, outDir] = process.argv.slice(2);
const bin = process.env.MOTCUA_BIN, db = process.env.MOTCUA_DB;
if (!base || !outDir || !bin || !db) {
	console.error('usage: MOTCUA_BIN=... MOTCUA_DB=... node workflow.mjs BASE_URL OUT_DIR');
	process.exit(2);
}

let passed = 0, failed = 0;
function check(name, ok, detail = '') {
	if (ok) { passed++; console.log(`ok   ${name}`); }
	else { failed++; console.log(`FAIL ${name}${detail ? ': ' + detail : ''}`); }
}

const PW = 'Cay-khe-ngot-lam-9';
const CT = '07738';
const APPID = '001090012345';
const users = { adm: ['admin', '24'], rc: ['receiver', CT], sp: ['specialist', CT], ld: ['leader', CT] };
const tag = 'e2e' + process.pid;
for (const [u, [role, unit]] of Object.entries(users)) {
	try {
		execFileSync(bin, ['user', 'add', tag + u, '--role', role, '--unit', unit,
			'--name', 'Cán bộ ' + u, '--db', db], { input: PW + '\n', stdio: ['pipe', 'ignore', 'ignore'] });
		check(`officer ${u} created (${role})`, true);
	} catch (e) {
		check(`officer ${u} created (${role})`, false, String(e.status));
	}
}

let browser;
const shot = (page, name) => page.screenshot({ path: join(outDir, `w-${name}.png`), fullPage: true });

async function session(u) {
	const ctx = await browser.newContext({ viewport: { width: 1100, height: 900 }, locale: 'vi-VN',
		javaScriptEnabled: false });
	const page = await ctx.newPage();
	page.setDefaultTimeout(15000);
	await page.goto(base + '/dang-nhap?tiep=/mot-cua');
	await page.getByLabel('Tên đăng nhập').fill(tag + u);
	await page.getByLabel('Mật khẩu').fill(PW);
	await Promise.all([page.waitForURL(/\/mot-cua/), page.getByRole('button', { name: 'Đăng nhập' }).click()]);
	const acc = await ctx.newPage();
	await acc.goto(base + '/tai-khoan');
	const csrf = await acc.locator('input[name="csrf"]').first().getAttribute('value');
	await acc.close();
	return { ctx, page, csrf };
}

// Submits the form of one action on the dossier page, after opening it.
async function act(page, action, fill = async () => {}) {
	const box = page.locator(`#tt-${action}`);
	if (await box.getAttribute('open') === null)	// a form shown again is open
		await box.locator('summary').click();
	await fill(box);
	await Promise.all([page.waitForURL(/\?ok=/), box.locator('button[type="submit"]').click()]);
}

try {
	browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run'] });

	// 0. The administrator gives the desk its agency identifier (dossier codes need it).
	const adm = await session('adm');
	let r = await adm.page.request.get(`${base}/api/v1/admin/desks/${CT}`);
	let desk = (await r.json()).desk;
	if (!desk.agency_code) {
		r = await adm.page.request.put(`${base}/api/v1/admin/desks/${CT}`, {
			headers: { 'X-CSRF-Token': adm.csrf },
			data: { name: desk.name, agency_code: '000.00.24.H05', version: desk.version } });
		check('desk agency identifier set', r.status() === 200, r.status());
	}
	await adm.ctx.close();

	// 1. The receiver: a dossier received (intake API), seen in the queue, masked, revealed, forwarded.
	const rc = await session('rc');
	r = await rc.page.request.post(`${base}/api/v1/dossiers`, {
		headers: { 'X-CSRF-Token': rc.csrf },
		data: { desk: CT, procedure: '1.003930', channel: 'truc_tiep', request: 'Cấp lại giấy chứng nhận',
			applicant: { kind: 'person', name: 'Nguyễn Văn An', id_number: APPID, birth_year: 1990, sex: 'M',
				phone: '0912345678', email: 'an@example.vn', address_unit: CT, address_street: '12 Lê Lợi' },
			components: [{ seq: 1, mode: 'original', originals: 1 }, { seq: 2, mode: 'copy', copies: 1 }],
			idem: tag + '-1' } });
	const created = await r.json();
	check('receiver creates a dossier (API)', r.status() === 201, r.status());
	const code = created.code;
	await rc.page.goto(base + '/mot-cua');
	check('the officers\' home lists the queues', await rc.page.locator('h2', { hasText: 'Hàng đợi công việc' }).count() === 1);
	await shot(rc.page, '1-home');
	await rc.page.goto(base + '/mot-cua/hang-doi/receiver');
	check('the receiver\'s queue lists the dossier', await rc.page.locator('a.code', { hasText: code }).count() === 1);
	check('queue shows counts per mark', (await rc.page.locator('.wf-counts').innerText()).includes('Quá hạn'));
	await shot(rc.page, '2-queue');
	await rc.page.locator('a.code', { hasText: code }).click();
	await rc.page.waitForURL(new RegExp('/mot-cua/ho-so/'));
	const main = rc.page.locator('main');
	check('the dossier page masks the applicant', (await main.innerText()).includes('Nguyễn V. A.') &&
		!(await main.innerText()).includes(APPID));
	await shot(rc.page, '3-dossier-masked');
	await rc.page.getByRole('button', { name: 'Xem thông tin cá nhân' }).click();
	check('revealed on request', (await rc.page.locator('main').innerText()).includes(APPID));
	await shot(rc.page, '4-dossier-revealed');
	await rc.page.goto(`${base}/mot-cua/ho-so/${code}`);
	await act(rc.page, 'forward', async (box) => {
		await box.getByLabel('Ý kiến, ghi chú (nếu có)').fill('Hồ sơ đầy đủ, chuyển thẩm định');
	});
	check('forwarded, with a confirmation', (await rc.page.locator('.wf-ok').innerText()).includes('Chuyển bước'));
	await shot(rc.page, '5-forwarded');

	// 2. The specialist: the queue, the dossier, forward to the leader.
	const sp = await session('sp');
	await sp.page.goto(base + '/mot-cua/hang-doi/specialist');
	check('the specialist\'s queue lists it', await sp.page.locator('a.code', { hasText: code }).count() === 1);
	await sp.page.locator('a.code', { hasText: code }).click();
	await sp.page.waitForURL(/\/mot-cua\/ho-so\//);
	check('the specialist may ask for a supplement', await sp.page.locator('#tt-request_supplement').count() === 1);
	await shot(sp.page, '6-specialist');
	await act(sp.page, 'forward');
	check('specialist forwarded to the leader', (await sp.page.locator('main').innerText()).includes('Phê duyệt'));

	// 3. The leader: records the result.
	const ld = await session('ld');
	await ld.page.goto(base + '/mot-cua/hang-doi/leader');
	await ld.page.locator('a.code', { hasText: code }).click();
	await ld.page.waitForURL(/\/mot-cua\/ho-so\//);
	const today = new Date(Date.now() + 7 * 3600e3).toISOString().slice(0, 10);
	await act(ld.page, 'record_result', async (box) => {
		await box.getByLabel('Số văn bản kết quả').fill('15/GCN-UBND');
		await box.getByLabel('Ngày ký').fill(today);
	});
	check('the leader recorded the result', (await ld.page.locator('main').innerText()).includes('15/GCN-UBND'));
	await shot(ld.page, '7-result');

	// 4. The receiver returns it, identity checked; the slip and the book.
	await rc.page.goto(base + '/mot-cua/hang-doi/return');
	check('the return queue lists it', await rc.page.locator('a.code', { hasText: code }).count() === 1);
	await rc.page.goto(`${base}/mot-cua/ho-so/${code}`);
	const retBox = rc.page.locator('#tt-return');
	await retBox.locator('summary').click();
	await retBox.getByLabel('Số định danh cá nhân của người nhận (12 chữ số)').fill('001090099999');
	await retBox.locator('button[type="submit"]').click();
	check('a wrong ID is refused, next to the field', (await rc.page.locator('#tt-return').innerText()).includes('không trùng'));
	await shot(rc.page, '8-return-refused');
	await act(rc.page, 'return', async (box) => {
		await box.getByLabel('Số định danh cá nhân của người nhận (12 chữ số)').fill(APPID);
	});
	check('returned: the dossier is closed', (await rc.page.locator('main').innerText()).includes('Đã trả kết quả'));
	await shot(rc.page, '9-returned');
	await rc.page.goto(`${base}/mot-cua/ho-so/${code}/phieu-kiem-soat`);
	const slip = await rc.page.locator('main').innerText();
	check('the slip lists every step classified', /Trước hạn|Đúng hạn|Quá hạn/.test(slip) && slip.includes('Trả kết quả'));
	await shot(rc.page, '10-slip');
	await rc.page.emulateMedia({ media: 'print' });
	await rc.page.pdf({ path: join(outDir, 'w-slip.pdf'), format: 'A4', printBackground: true });
	await rc.page.emulateMedia({ media: 'screen' });
	await rc.page.goto(`${base}/mot-cua/so-theo-doi?quay=${CT}&nam=${today.slice(0, 4)}`);
	check('the book lists the dossier', (await rc.page.locator('main').innerText()).includes(code));
	await shot(rc.page, '11-book');
	await rc.page.emulateMedia({ media: 'print' });
	await rc.page.pdf({ path: join(outDir, 'w-book.pdf'), landscape: true, format: 'A4', printBackground: true });
	for (const s of [rc, sp, ld]) await s.ctx.close();
} catch (e) {
	check('workflow journey ran to the end', false, e && e.message ? e.message.split('\n')[0] : String(e));
} finally {
	if (browser) await browser.close();
}
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
