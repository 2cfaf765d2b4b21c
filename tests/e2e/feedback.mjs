// feedback.mjs - phản ánh, kiến nghị in a real browser (Debian's chromium
// driven by playwright-core, JavaScript off: the pages need none), on a
// phone-sized viewport for the citizen: choose the province, send the form
// empty (errors next to the fields: screenshot), fill it, keep the code and
// secret; then a receiver (made with the CLI on $MOTCUA_DB) finds it in the
// queue with its deadline and asks for more information; the citizen
// supplies it; the receiver answers and publishes; the citizen says they
// are satisfied and finds the answer on the public page. Usage: node
// feedback.mjs BASE_URL OUT_DIR. Prints "e2e: N passed, M failed".
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [base, outDir] = process.argv.slice(2);
const bin = process.env.MOTCUA_BIN, db = process.env.MOTCUA_DB;
if (!base || !outDir || !bin || !db) {
	console.error('usage: MOTCUA_BIN=... MOTCUA_DB=... node feedback.mjs BASE_URL OUT_DIR');
	process.exit(2);
}

let passed = 0, failed = 0;
function check(name, ok, detail = '') {
	if (ok) { passed++; console.log(`ok   ${name}`); }
	else { failed++; console.log(`FAIL ${name}${detail ? ': ' + detail : ''}`); }
}

const UNIT = '07738';		// Phường Cảnh Thụy (Bắc Ninh 24)
const PW = 'Cay-xoai-truoc-ngo-7';
const user = 'e2efb' + process.pid;

function cli(args, input) {
	return execFileSync(bin, [...args, '--db', db], { input, encoding: 'utf8',
		stdio: ['pipe', 'pipe', 'pipe'] }).trim();
}

const launch = (profile, viewport) => chromium.launchPersistentContext(profile, {
	executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
	headless: true,
	args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
		'--no-first-run', '--disable-background-networking',
		'--disable-component-update', '--disable-sync'],
	viewport, locale: 'vi-VN', javaScriptEnabled: false, timeout: 30000,
});

const profA = mkdtempSync(join(tmpdir(), 'motcua-e2e-fb-citizen-'));
const profB = mkdtempSync(join(tmpdir(), 'motcua-e2e-fb-officer-'));
let citizen, officer;
try {
	cli(['user', 'add', user, '--role', 'receiver', '--unit', UNIT,
		'--name', 'Phạm Thu Trang'], PW + '\n');

	// 1. The citizen, on a phone: the province, then the form.
	citizen = await launch(profA, { width: 390, height: 844 });
	const page = citizen.pages()[0] || await citizen.newPage();
	page.setDefaultTimeout(15000);
	await page.goto(base + '/phan-anh');
	await page.getByLabel('Bước 1. Tỉnh, thành phố').selectOption('24');
	await Promise.all([page.waitForURL(/tinh=24/),
		page.getByRole('button', { name: 'Chọn tỉnh' }).click()]);
	await page.getByLabel('Xã, phường nơi tiếp nhận phản ánh').selectOption(UNIT);
	await page.getByRole('button', { name: 'Gửi phản ánh' }).click();
	check('empty form: errors shown', await page.locator('.in-error').count() >= 3);
	check('... each names its field',
		(await page.locator('#err-subj').textContent()).startsWith('Tiêu đề:'));
	check('... the unit kept', await page.getByLabel('Xã, phường nơi tiếp nhận phản ánh')
		.inputValue() === UNIT);
	await page.screenshot({ path: join(outDir, 'feedback-1-errors.png'), fullPage: true });

	await page.getByLabel('Về thủ tục hành chính, quy định').check();
	await page.getByLabel('Tiêu đề').fill('Tờ khai phải nộp hai lần');
	await page.getByLabel('Nội dung phản ánh, kiến nghị').fill(
		'Khi đăng ký, tôi phải nộp tờ khai ở quầy và nộp lại khi nhận kết quả.');
	await page.getByLabel('Họ và tên người gửi').fill('Vũ Minh Khoa');
	await page.getByLabel('Số điện thoại (không bắt buộc)').fill('0987 654 321');
	await Promise.all([page.waitForURL(/\/phan-anh\/PA/),
		page.getByRole('button', { name: 'Gửi phản ánh' }).click()]);
	const url = page.url();
	const code = (url.match(/\/phan-anh\/(PA[0-9]{6}-[0-9A-Z]{5})/) || [])[1];
	const secret = (url.match(/ma=([a-z2-7]{26})/) || [])[1];
	check('sent: a code and a secret to keep', !!code && !!secret, url);
	check('... shown on the page', (await page.locator('.fb-keys').textContent()).includes(secret));
	check('... the answer deadline', await page.getByText('Hạn trả lời').count() === 1);
	const width = await page.evaluate(() => document.documentElement.scrollWidth);
	check('phone: no sideways scrolling', width <= 390, `${width}px`);
	await page.screenshot({ path: join(outDir, 'feedback-2-sent.png'), fullPage: true });

	// 2. The receiver: the queue, the feedback, ask for information.
	officer = await launch(profB, { width: 1100, height: 900 });
	const op = officer.pages()[0] || await officer.newPage();
	op.setDefaultTimeout(15000);
	await op.goto(base + '/dang-nhap?tiep=/xu-ly-phan-anh');
	await op.getByLabel('Tên đăng nhập').fill(user);
	await op.getByLabel('Mật khẩu').fill(PW);
	await Promise.all([op.waitForURL(/\/xu-ly-phan-anh/),
		op.getByRole('button', { name: 'Đăng nhập' }).click()]);
	const item = op.locator('.fb-item', { hasText: code });
	check('queue: the feedback listed', await item.count() === 1);
	check('... with its mark and deadline', /Trong hạn|Sắp đến hạn|Quá hạn/.test(await item.textContent()));
	await op.screenshot({ path: join(outDir, 'feedback-3-queue.png'), fullPage: true });
	await Promise.all([op.waitForURL(new RegExp(`/xu-ly-phan-anh/${code}`)),
		item.locator('a').click()]);
	check('officer page: the sender\'s phone', (await op.content()).includes('0987654321'));
	await op.getByLabel(/Yêu cầu bổ sung thông tin/).fill('Cho biết ngày nộp hồ sơ.');
	await Promise.all([op.waitForURL(/da-luu=ask_info/),
		op.getByRole('button', { name: 'Yêu cầu bổ sung thông tin' }).click()]);
	check('asked for information', (await op.locator('.in-ok').textContent()).includes('Yêu cầu bổ sung'));

	// 3. The citizen supplies it.
	await page.goto(`${base}/phan-anh/${code}?ma=${secret}`);
	check('citizen: what is asked', (await page.content()).includes('Cho biết ngày nộp hồ sơ.'));
	await page.getByLabel('Thông tin bổ sung').fill('Ngày 20/11/2026.');
	await Promise.all([page.waitForURL(/da-gui=1/),
		page.getByRole('button', { name: 'Gửi bổ sung' }).click()]);
	check('citizen: supplied', (await page.locator('.fb-state').textContent()).includes('Đã tiếp nhận'));

	// 4. The receiver answers and publishes.
	await op.reload();
	await op.getByLabel(/Trả lời: Nội dung trả lời/).fill('Từ 01/12/2026 chỉ nộp tờ khai một lần.');
	await Promise.all([op.waitForURL(/da-luu=answer/),
		op.getByRole('button', { name: 'Trả lời', exact: true }).click()]);
	await Promise.all([op.waitForURL(/da-luu=publish/),
		op.getByRole('button', { name: 'Công khai câu trả lời' }).click()]);
	check('answered and published', (await op.content()).includes('Đã trả lời và công khai'));

	// 5. The citizen: satisfied; the public page.
	await page.goto(`${base}/phan-anh/${code}?ma=${secret}`);
	check('citizen: the answer', (await page.content()).includes('chỉ nộp tờ khai một lần'));
	await page.getByLabel('Hài lòng', { exact: true }).check();
	await Promise.all([page.waitForURL(/da-gui=1/),
		page.getByRole('button', { name: 'Gửi đánh giá' }).click()]);
	check('citizen: rated', (await page.locator('.fb-rated').textContent()).includes('Hài lòng'));
	await page.screenshot({ path: join(outDir, 'feedback-4-answered.png'), fullPage: true });
	await page.goto(base + '/phan-anh/cong-khai');
	const card = page.locator('.fb-card', { hasText: code });
	check('public page: the answer', await card.count() === 1);
	check('... never the sender', !(await page.content()).includes('Vũ Minh Khoa'));
	await page.screenshot({ path: join(outDir, 'feedback-5-public.png'), fullPage: true });
} catch (e) {
	check('journey ran to the end', false, e.message.split('\n')[0]);
} finally {
	if (citizen) await citizen.close();
	if (officer) await officer.close();
	rmSync(profA, { recursive: true, force: true });
	rmSync(profB, { recursive: true, force: true });
}
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
